// The enclave runtime's resident memory under load: OCR orders one after another through the real
// runtime process (and the worker process its native runner starts), measured from /proc.
//
//   node bench/enclaveMemory.ts [ORDERS]     (default 1000; a smoke run can use fewer)
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { type Hex, sha256 } from 'viem'
import { encryptObject } from '../src/crypto/chunkedAead.ts'
import { generateHpkeKeyPair } from '../src/crypto/hpke.ts'
import { encodeOrderRequest, sealOrderRequest } from '../src/protocol/orderRequest.ts'
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
 * (from order 100, or the first tenth of a shorter run, to the last; at least 20 orders).
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
    const image = new Uint8Array(await readFile('examples/lab-report.png'))
    const pid = enclave.process.pid as number
    const baselineOrder = Math.max(10, Math.min(100, Math.floor(orders / 10)))
    // Each end of the growth is the mean of ten orders' readings, not one reading.
    const window = 10
    let peak = 0
    const early: number[] = []
    const late: number[] = []
    let last = 0
    for (let i = 1; i <= orders; i++) {
      const { key, ciphertext } = await encryptObject(image)
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
      const result = await enclave.request('runOrder', {
        order: {
          chainId: 31337,
          protocol: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
          orderId: String(i),
          requestHash: sha256(request) as Hex,
          inputHash,
          solutionHash: bundle.solutionHash,
        },
        request: await enclave.putBlob(request),
        inputs: [await enclave.putBlob(ciphertext)],
      })
      if ('failure' in result) throw new Error(`order ${i} failed: ${result.message}`)
      await enclave.takeBlob(result.output)
      last = treeRssMiB(pid)
      if (process.env.BOCC_BENCH_TRACE && i % 10 === 0)
        process.stderr.write(`${i} runtime ${Math.round(ownRssMiB(pid))} total ${Math.round(last)}\n`)
      peak = Math.max(peak, last)
      if (i > baselineOrder - window && i <= baselineOrder) early.push(last)
      if (i > orders - window) late.push(last)
    }
    return {
      enclave_orders: orders,
      enclave_rss_mib: Math.round(peak),
      enclave_rss_growth_mib: Math.round(mean(late) - mean(early)),
    }
  } finally {
    await enclave.stop()
  }
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length

if (import.meta.main) {
  const orders = Number(process.argv[2] ?? 1000)
  for (const [name, value] of Object.entries(await benchEnclaveMemory(orders)))
    console.log(`${name.padEnd(32)} ${value}`)
}
