// The enclave runtime (trusted loader): a process of its own, driven by the host only through
// newline-delimited JSON on stdin/stdout (src/protocol/enclaveInterface.ts).
//
//   node src/enclave/main.ts --tee sim
//
// ONNX Runtime ≥ 1.29 sends telemetry unless told not to; an enclave must open no connection.
process.env.ORT_DISABLE_TELEMETRY = '1'

import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { bytesToHex, hexToBytes, isAddress, isHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { generateHpkeKeyPair } from '../crypto/hpke.ts'
import { BoccError, shortMessageOf } from '../errors.ts'
import type {
  EnclaveIdentity,
  EnclaveRequestMessage,
  EnclaveRequests,
  EnclaveResponseMessage,
  OrderToRun,
} from '../protocol/enclaveInterface.ts'
import { encodeReportData } from '../protocol/reportData.ts'
import { type EnclaveState, runOrder } from './runOrder.ts'
import { createTeeBackend } from './tee/teeBackend.ts'

// Only protocol messages go to stdout; libraries must not print (they could print plaintext).
const writeMessage = process.stdout.write.bind(process.stdout)
for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const)
  console[method] = () => {}
const status = (line: string) => process.stderr.write(`enclave: ${line}\n`)

async function main() {
  // Listen to the host from the start: if it goes away while the model loads, stop at once.
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })
  const requests = lines[Symbol.asyncIterator]()
  let serving = false
  lines.once('close', () => {
    if (!serving) process.exit(0)
  })
  const { values } = parseArgs({ options: { tee: { type: 'string', default: 'sim' } } })
  const backend = createTeeBackend(values.tee ?? 'sim')
  const signer = privateKeyToAccount(generatePrivateKey())
  const hpke = await generateHpkeKeyPair()
  // Loaded after the environment guard above, and only here: the model runs inside the runtime.
  const { loadOcrBundle } = await import('./solutions/ocr/ocrBundle.ts')
  const { createOcrEngine } = await import('./solutions/ocr/recogniseText.ts')
  const bundle = loadOcrBundle()
  const engine = await createOcrEngine(bundle)
  // The OCR library's WebAssembly module installs handlers that dump its source on any error.
  process.removeAllListeners('uncaughtException')
  process.removeAllListeners('unhandledRejection')
  process.on('uncaughtException', fail)
  process.on('unhandledRejection', fail)

  const state: EnclaveState = {
    signer,
    hpkePublicKey: hpke.publicKey,
    hpkePrivateKey: hpke.privateKey,
    solutionHash: bundle.solutionHash,
    engine,
  }
  const identity: EnclaveIdentity = {
    tee: backend.kind,
    signer: signer.address,
    hpkePublicKey: hpke.publicKey,
    measurement: backend.measurement,
    solutionHash: bundle.solutionHash,
  }
  const handlers: {
    [method in keyof EnclaveRequests]: (
      params: EnclaveRequests[method]['params'],
    ) => Promise<EnclaveRequests[method]['result']>
  } = {
    identity: async () => identity,
    attest: async ({ freshness, chainId, registry, provider }) => {
      if (
        !isHex(freshness) ||
        !Number.isSafeInteger(chainId) ||
        !isAddress(String(registry)) ||
        !isAddress(String(provider))
      )
        throw new BoccError(
          'attest needs { freshness (32 bytes of hex), chainId, registry, provider }',
        )
      const reportData = encodeReportData(
        { chainId, registry, provider, signer: signer.address, hpkePublicKey: hpke.publicKey },
        freshness,
      )
      return { evidence: bytesToHex(await backend.getEvidence(reportData)) }
    },
    runOrder: async ({ order, request, inputCiphertext }) => {
      if (!isOrderToRun(order) || !isHex(request) || typeof inputCiphertext !== 'string')
        throw new BoccError('runOrder needs { order, request (hex), inputCiphertext (base64) }')
      const result = await runOrder(state, {
        order,
        request: hexToBytes(request),
        inputCiphertext: new Uint8Array(Buffer.from(inputCiphertext, 'base64')),
      })
      if ('failure' in result) {
        status(`an order failed (reason ${result.failure})`)
        return result
      }
      status('an order is done')
      return {
        output: Buffer.from(result.output).toString('base64'),
        outputHash: result.outputHash,
        wrappedResultKey: result.wrappedResultKey,
        signature: result.signature,
      }
    },
  }

  status(
    `ready (${backend.kind === 'sim' ? 'SIMULATED TEE, no hardware protection' : backend.kind})`,
  )
  const pending = new Set<Promise<void>>()
  serving = true
  for await (const line of { [Symbol.asyncIterator]: () => requests }) {
    let message: EnclaveRequestMessage
    try {
      message = JSON.parse(line)
    } catch {
      status('ignored a line that is not JSON')
      continue
    }
    const handling = handle(message).finally(() => pending.delete(handling))
    pending.add(handling)
  }
  // The host closed our stdin: finish what is under way, then stop.
  await Promise.all(pending)
  process.exit(0)

  async function handle(message: EnclaveRequestMessage) {
    let response: EnclaveResponseMessage
    try {
      const handler = handlers[message.method] as (params: unknown) => Promise<unknown>
      if (!handler) throw new BoccError(`unknown method ${String(message.method)}`)
      response = { id: message.id, result: await handler(message.params ?? {}) }
    } catch (error) {
      response = { id: message.id, error: shortMessageOf(error) }
    }
    writeMessage(`${JSON.stringify(response)}\n`)
  }
}

function isOrderToRun(order: unknown): order is OrderToRun {
  const value = order as Partial<OrderToRun> | undefined
  return (
    Number.isSafeInteger(value?.chainId) &&
    isAddress(String(value?.market)) &&
    isHex(value?.encodedTerms)
  )
}

function fail(error: unknown) {
  status(`fatal: ${shortMessageOf(error)}`)
  process.exit(1)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0))
main().catch(fail)
