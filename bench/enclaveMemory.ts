// The enclave runtime's resident memory under load: OCR orders one after another through the real
// runtime process (and the worker process its native runner starts), measured from /proc. One
// order in twenty is the whole lab report page, the others a word of its title (memoryRunImages).
//
//   node bench/enclaveMemory.ts [ORDERS]     (default 1000; a smoke run can use fewer)
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { encodeAbiParameters, type Hex, sha256 } from 'viem'
import { encryptObject } from '../src/crypto/chunkedAead.ts'
import { generateHpkeKeyPair } from '../src/crypto/hpke.ts'
import { encodeOrderRequest, sealOrderRequest } from '../src/protocol/orderRequest.ts'
import { type OrderTerms, orderTermsParameter } from '../src/protocol/orderTerms.ts'
import { packSolutionBundle } from '../src/protocol/solutionBundle.ts'
import { startEnclave } from '../src/provider/enclaveClient.ts'
import { paddleOcrSolution } from '../src/solutions/paddleocr/paddleOcrSolution.ts'

function ownRssMiB(pid: number): number {
  return (Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096) / 2 ** 20
}

/** Resident memory of a process and all its descendants, in MiB (Linux). */
export function treeRssMiB(pid: number): number {
  const pages = (id: number): number => {
    let own = 0
    try {
      own = Number(readFileSync(`/proc/${id}/statm`, 'utf8').split(' ')[1])
    } catch {
      return 0
    }
    const children = readFileSync(`/proc/${id}/task/${id}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
    return own + children.reduce((sum, child) => sum + pages(child), 0)
  }
  return (pages(pid) * 4096) / 2 ** 20
}

/**
 * Runs `orders` OCR orders and reports `enclave_rss_mib` (the peak) and `enclave_rss_growth_mib`
 * (mean over orders 100–199 to mean over the last 100; proportionally for a shorter run).
 */
export async function benchEnclaveMemory(orders = 1000): Promise<Record<string, number>> {
  const enclave = await startEnclave({ tee: 'sim' })
  try {
    const identity = await enclave.request('identity', {})
    const bundle = paddleOcrSolution()
    await enclave.request('loadSolution', {
      solutionHash: bundle.solutionHash,
      bundle: await enclave.putBlob(packSolutionBundle(bundle)),
    })
    const images = await memoryRunImages()
    const pid = enclave.process.pid as number
    // Each end of the growth is the mean over a window of orders (the worker is replaced every
    // 100 jobs, so one reading alone could fall on a restart): orders 100–199 against the last
    // 100 of a 1,000-order run, proportionally less for a shorter one.
    const start = Math.max(1, Math.min(100, Math.floor(orders / 10)))
    const window = Math.max(1, Math.min(100, Math.floor((orders - start) / 2)))
    const readings: number[] = []
    let peak = 0
    for (let i = 1; i <= orders; i++) {
      const { key, ciphertext } = await encryptObject(i % 20 === 0 ? images.page : images.line)
      const inputHash = sha256(ciphertext)
      const request = encodeOrderRequest(
        await sealOrderRequest({
          enclaveSigner: identity.signer,
          enclaveHpkePublicKey: identity.hpkePublicKey,
          solutionHash: bundle.solutionHash,
          solutionBundleHash: sha256(new Uint8Array()),
          inputs: [{ name: 'image', inputHash, dataKey: key }],
          resultPublicKey: (await generateHpkeKeyPair()).publicKey,
        }),
      )
      const terms: OrderTerms = {
        ...benchTerms,
        enclave: identity.signer,
        acceptBy: i,
        requestHash: sha256(request) as Hex,
        inputHash,
        solutionHash: bundle.solutionHash,
      }
      const result = await enclave.request('runOrder', {
        order: {
          chainId: 31337,
          market: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
          encodedTerms: encodeAbiParameters([orderTermsParameter], [terms]),
        },
        request: await enclave.putBlob(request),
        inputs: [await enclave.putBlob(ciphertext)],
      })
      if ('failure' in result) throw new Error(`order ${i} failed: ${result.message}`)
      await enclave.takeBlob(result.output)
      const rss = treeRssMiB(pid)
      if (process.env.BOCC_BENCH_TRACE && i % 10 === 0)
        process.stderr.write(
          `${i} runtime ${Math.round(ownRssMiB(pid))} total ${Math.round(rss)}\n`,
        )
      readings.push(rss)
      peak = Math.max(peak, rss)
    }
    return {
      enclave_orders: orders,
      enclave_rss_mib: Math.round(peak),
      enclave_rss_growth_mib: Math.round(
        mean(readings.slice(-window)) - mean(readings.slice(start - 1, start - 1 + window)),
      ),
    }
  } finally {
    await enclave.stop()
  }
}

/**
 * The run's images: the whole lab report for one order in twenty, so the peak includes full
 * pages, and a word of its title (a 300 × 60 crop) for the others, so 1,000 orders fit the
 * benchmark's time.
 */
async function memoryRunImages(): Promise<{ page: Uint8Array; line: Uint8Array }> {
  const page = new Uint8Array(await readFile('examples/lab-report.png'))
  const { default: sharp } = await import('sharp')
  const line = await sharp(page)
    .extract({ left: 50, top: 45, width: 300, height: 60 })
    .png()
    .toBuffer()
  return { page, line: new Uint8Array(line) }
}

/** The fields of the benchmark's orders that no check in the enclave reads. */
const benchTerms: OrderTerms = {
  customer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  enclave: '0x0000000000000000000000000000000000000000',
  solutionVendor: '0x0000000000000000000000000000000000000000',
  dataVendor: '0x0000000000000000000000000000000000000000',
  teeOfferId: 1,
  solutionOfferId: 0,
  dataOfferId: 0,
  acceptBy: 0,
  deadline: 2 ** 32,
  teePrice: 0n,
  solutionPrice: 0n,
  dataPrice: 0n,
  fee: 0n,
  requestHash: `0x${'00'.repeat(32)}`,
  inputHash: `0x${'00'.repeat(32)}`,
  solutionHash: `0x${'00'.repeat(32)}`,
  dataHash: `0x${'00'.repeat(32)}`,
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length

if (import.meta.main) {
  const orders = Number(process.argv[2] ?? 1000)
  for (const [name, value] of Object.entries(await benchEnclaveMemory(orders)))
    console.log(`${name.padEnd(32)} ${value}`)
}
