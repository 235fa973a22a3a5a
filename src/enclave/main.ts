// The enclave runtime (trusted loader): a process of its own, driven by the host only through
// newline-delimited JSON on stdin/stdout (src/protocol/enclaveInterface.ts).
//
//   node src/enclave/main.ts [--tee sim|tdx|sev-snp|auto] [--tsm-root DIR] [--max-blob-mib N]
//                            [--gpu-collector FILE]
//
// ONNX Runtime ≥ 1.29 sends telemetry unless told not to; an enclave must open no connection.
process.env.ORT_DISABLE_TELEMETRY = '1'

import { parseArgs } from 'node:util'
import { bytesToHex, isAddress, isHex, sha256 } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { generateHpkeKeyPair } from '../crypto/hpke.ts'
import { BoccError, shortMessageOf } from '../errors.ts'
import {
  type EnclaveIdentity,
  type EnclaveRequests,
  type EnclaveResponseMessage,
  enclaveInterfaceVersion,
  isStreamId,
  type LeaseChunksEvent,
  maxMessageLength,
  type OrderToRun,
} from '../protocol/enclaveInterface.ts'
import { encodeReportData, gpuNonceOf } from '../protocol/reportData.ts'
import { solutionRunners } from '../protocol/solutionBundle.ts'
import { createBlobInbox } from './blobInbox.ts'
import { createGpuEvidenceSource } from './gpu/gpuEvidenceSource.ts'
import { readBoundedLines } from './readBoundedLines.ts'
import { createLeaseSessions } from './runners/llm/leaseSessions.ts'
import { type EnclaveState, runOrder } from './runOrder.ts'
import { createSolutionCache } from './solutionCache.ts'
import { createTeeBackend } from './tee/teeBackend.ts'

// Only protocol messages go to stdout; libraries must not print (they could print plaintext).
const writeMessage = process.stdout.write.bind(process.stdout)
for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const)
  console[method] = () => {}
const status = (line: string) => process.stderr.write(`enclave: ${line}\n`)

async function main() {
  const { values } = parseArgs({
    options: {
      tee: { type: 'string', default: 'sim' },
      'tsm-root': { type: 'string' },
      'max-blob-mib': { type: 'string', default: '2048' },
      'gpu-collector': { type: 'string' },
    },
  })
  const maxBlobMiB = Number(values['max-blob-mib'])
  if (!Number.isSafeInteger(maxBlobMiB) || maxBlobMiB < 1)
    throw new BoccError('--max-blob-mib must be a whole number of MiB')
  const backend = await createTeeBackend(values.tee ?? 'sim', {
    ...(values['tsm-root'] ? { tsmRoot: values['tsm-root'] } : {}),
  })
  // A configured GPU that cannot attest stops the runtime here, before any key exists.
  const gpu = values['gpu-collector']
    ? await createGpuEvidenceSource({ collector: values['gpu-collector'] })
    : undefined
  const signer = privateKeyToAccount(generatePrivateKey())
  const hpke = await generateHpkeKeyPair()
  const blobs = createBlobInbox(maxBlobMiB * 2 ** 20)
  const solutions = createSolutionCache({ runners: solutionRunners })
  const state: EnclaveState = {
    signer,
    hpkePublicKey: hpke.publicKey,
    hpkePrivateKey: hpke.privateKey,
    solutions,
  }
  const identity: EnclaveIdentity = {
    interfaceVersion: enclaveInterfaceVersion,
    tee: backend.kind,
    signer: signer.address,
    hpkePublicKey: hpke.publicKey,
    measurement: backend.measurement,
    runners: [...solutionRunners],
  }
  const leaseSessions = createLeaseSessions({
    signer,
    hpkePrivateKey: hpke.privateKey,
    solutions,
  })
  let outputs = 0
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
      const keys = { signer: signer.address, hpkePublicKey: hpke.publicKey }
      const binding = { chainId, registry, provider, ...keys }
      // Refuses a malformed request before the GPU is asked anything.
      const gpuLessReportData = encodeReportData(binding, freshness)
      // The GPU signs a nonce derived from these keys and this freshness, and report_data names
      // its evidence: each side proves the other belongs to this enclave (docs/protocol.md).
      const gpuEvidence = gpu ? await gpu.collect(gpuNonceOf({ ...keys, freshness })) : undefined
      const reportData = gpuEvidence
        ? encodeReportData({ ...binding, gpuEvidenceHash: sha256(gpuEvidence.evidence) }, freshness)
        : gpuLessReportData
      const evidence = bytesToHex(await backend.getEvidence(reportData))
      if (!gpuEvidence) return { evidence }
      return {
        evidence,
        gpu: {
          evidence: bytesToHex(gpuEvidence.evidence),
          certificates: bytesToHex(gpuEvidence.certificates),
          collateral: gpuEvidence.collateral.map((file) => bytesToHex(file)),
        },
      }
    },
    putBlob: async ({ blob, offset, chunk, final }) => ({
      bytes: blobs.put(blob, offset, chunk, final),
    }),
    readBlob: async ({ blob, offset }) => blobs.read(blob, offset),
    dropBlob: async ({ blob }) => {
      blobs.drop(blob)
      return {}
    },
    loadSolution: async ({ solutionHash, bundle }) => {
      if (!isHex(solutionHash) || solutionHash.length !== 66)
        throw new BoccError('loadSolution needs { solutionHash (32 bytes of hex), bundle? }')
      if (bundle === undefined) return solutions.has(solutionHash)
      const loaded = await solutions.load(solutionHash, blobs.take(bundle))
      status(`solution ${solutionHash.slice(0, 10)}… loaded (${loaded.runner ?? 'encrypted'})`)
      return loaded
    },
    runOrder: async ({ order, request, inputs, solutionKeyRelease }) => {
      if (
        !isOrderToRun(order) ||
        !Array.isArray(inputs) ||
        (solutionKeyRelease !== undefined &&
          (!isHex(solutionKeyRelease?.enc) || !isHex(solutionKeyRelease?.ciphertext)))
      )
        throw new BoccError(
          'runOrder needs { order, request (blob), inputs (blobs), solutionKeyRelease? }',
        )
      let requestBytes: Uint8Array
      let inputCiphertexts: Uint8Array[]
      try {
        requestBytes = blobs.get(request)
        inputCiphertexts = inputs.map((input) => blobs.get(input))
      } finally {
        for (const blob of [request, ...inputs]) blobs.drop(blob)
      }
      const result = await runOrder(state, {
        order,
        request: requestBytes,
        inputCiphertexts,
        ...(solutionKeyRelease ? { solutionKeyRelease } : {}),
      })
      // The order's buffers are garbage now: collected at once, the resident set stays flat
      // from order to order instead of swinging with V8's lazy collection.
      ;(globalThis as { gc?: () => void }).gc?.()
      if ('failure' in result) {
        status(`an order failed (reason ${result.failure}: ${result.message})`)
        return result
      }
      status('an order is done')
      const output = `output-${++outputs}`
      blobs.add(output, result.output)
      return {
        output,
        outputHash: result.outputHash,
        wrappedResultKey: result.wrappedResultKey,
        signature: result.signature,
      }
    },
    leaseRequest: async ({ request, solutionKeyRelease, stream }) => {
      if (!isStreamId(stream)) throw new BoccError('leaseRequest needs a stream id')
      await leaseSessions.start(request, solutionKeyRelease, (update) =>
        writeMessage(
          `${JSON.stringify({ event: 'leaseChunks', stream, ...update } satisfies LeaseChunksEvent)}\n`,
        ),
      )
      return { stream }
    },
  }

  // The runners' libraries install handlers that dump their source on errors: ours only.
  process.removeAllListeners('uncaughtException')
  process.removeAllListeners('unhandledRejection')
  process.on('uncaughtException', fail)
  process.on('unhandledRejection', fail)
  status(
    `ready (${backend.kind === 'sim' ? 'SIMULATED TEE, no hardware protection' : backend.kind}${gpu ? ', with a confidential GPU' : ''})`,
  )
  const pending = new Set<Promise<void>>()
  for await (const line of readBoundedLines(process.stdin, maxMessageLength)) {
    if (line === undefined) {
      status(`ignored a line longer than ${maxMessageLength} bytes`)
      continue
    }
    let message: { id?: unknown; method?: unknown; params?: unknown }
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
  await solutions.close()
  process.exit(0)

  async function handle(message: { id?: unknown; method?: unknown; params?: unknown }) {
    const id = Number.isSafeInteger(message?.id) ? (message.id as number) : 0
    let response: EnclaveResponseMessage
    try {
      const method = String(message?.method)
      if (!Object.hasOwn(handlers, method)) throw new BoccError(`unknown method ${method}`)
      const handler = handlers[method as keyof EnclaveRequests] as (
        params: unknown,
      ) => Promise<unknown>
      const params = typeof message.params === 'object' && message.params ? message.params : {}
      response = { id, result: await handler(params) }
    } catch (error) {
      response = { id, error: shortMessageOf(error) }
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
