import type { Address, Hex } from 'viem'
import type { TeeKind } from '../attestation/types.ts'
import type { WrappedKey } from '../crypto/hpke.ts'
import type { LeaseUsageRecord, SealedLeaseRequest, SealedResponseChunk } from './leaseChannel.ts'
import type { SolutionRunner } from './solutionBundle.ts'

/**
 * The one narrow interface between the untrusted host (provider node) and the enclave runtime:
 * newline-delimited JSON over the runtime's stdin/stdout (docs/protocol.md, "Host ↔ enclave
 * interface"). Everything that crosses it is ciphertext, public bundles, hashes, evidence or
 * signatures. Large blobs cross in bounded chunks (`putBlob`, `readBlob`), never as one message.
 */
export const enclaveInterfaceVersion = 4

/** The most base64 characters one chunk carries (1 MiB of bytes), and the longest line read. */
export const maxBlobChunkBytes = 1 << 20
export const maxMessageLength = 2 * maxBlobChunkBytes

export type EnclaveIdentity = {
  interfaceVersion: typeof enclaveInterfaceVersion
  tee: TeeKind
  signer: Address
  hpkePublicKey: Hex
  measurement: Hex
  /** The runners this runtime has: it runs any published solution of these kinds. */
  runners: SolutionRunner[]
}

/**
 * The order as the chain records it: what the receipt will be checked against. The terms travel
 * ABI-encoded (`abi.encode(terms)`, src/protocol/orderTerms.ts), so the enclave computes the order
 * id itself from exactly those bytes.
 */
export type OrderToRun = {
  chainId: number
  /** The market contract, the EIP-712 verifying contract of receipts and failures. */
  market: Address
  encodedTerms: Hex
}

/** A blob the host put (or the runtime made), named by the host: letters, digits, `-` and `_`. */
export type BlobId = string

export type RunOrderResult =
  /** The output blob (the result's ciphertext), and the receipt: its hash and the sealed result key. */
  | { output: BlobId; outputHash: Hex; wrappedResultKey: Hex; signature: Hex }
  /**
   * A signed failure: `failure` is the code the signature covers (src/protocol/failureReasons.ts),
   * `message` one line naming the limit or cause, nothing of the input.
   */
  | { failure: number; message: string; signature: Hex }

/** A confidential GPU's side of `attest`: all public, none of it secret. */
export type AttestedGpu = {
  /** The SPDM GET_MEASUREMENTS request and signed response (its SHA-256 is in report_data). */
  evidence: Hex
  /** The GPU's device certificate chain, PEM. */
  certificates: Hex
  /** RIMs and OCSP responses the collector supplied (possibly none). */
  collateral: Hex[]
}

export type EnclaveRequests = {
  identity: { params: Record<string, never>; result: EnclaveIdentity }
  /**
   * Evidence whose report_data (v2) binds the enclave's keys to this provider, chain and registry,
   * and, with a confidential GPU, the GPU's evidence over the nonce derived from those keys
   * (`gpuNonceOf`), whose SHA-256 that report_data names.
   */
  attest: {
    params: { freshness: Hex; chainId: number; registry: Address; provider: Address }
    result: { evidence: Hex; gpu?: AttestedGpu }
  }
  /**
   * Appends one chunk (base64) to a blob at `offset`, the bytes it holds so far (a chunk anywhere
   * else is refused); `final` closes it.
   */
  putBlob: {
    params: { blob: BlobId; offset: number; chunk: string; final?: boolean }
    result: { bytes: number }
  }
  /** Reads a chunk of a blob the runtime made (an order's output) from `offset`. */
  readBlob: {
    params: { blob: BlobId; offset: number }
    result: { chunk: string; final: boolean }
  }
  dropBlob: { params: { blob: BlobId }; result: Record<string, never> }
  /**
   * Loads a solution by hash from a bundle blob (its pack, or the pack's ciphertext), or without
   * `bundle` asks whether it is already loaded (a loaded solution stays warm for later orders).
   */
  loadSolution: {
    params: { solutionHash: Hex; bundle?: BlobId }
    result: { loaded: boolean; runner?: SolutionRunner; encrypted?: boolean }
  }
  runOrder: {
    params: {
      order: OrderToRun
      /** The order request blob. */
      request: BlobId
      /** One blob per input of the request, in the request's order. */
      inputs: BlobId[]
      /** For an encrypted solution: its owner's key release for this order. */
      solutionKeyRelease?: WrappedKey
    }
    result: RunOrderResult
  }
  /**
   * Starts serving one sealed lease request (docs/protocol.md, "Leases") for a loaded `llm`
   * solution; refused, unsigned, when it is not sealed to this enclave, not the customer's, or
   * replayed. Its response comes as {@link LeaseChunksEvent}s under the caller's `stream` id.
   */
  leaseRequest: {
    params: {
      request: SealedLeaseRequest
      /** For an encrypted model: its owner's key release for this lease and enclave. */
      solutionKeyRelease?: WrappedKey
      /** The id the caller reads the response's events under (1 to 64 of `[A-Za-z0-9_-]`). */
      stream: string
    }
    result: { stream: string }
  }
}

/**
 * A message the runtime sends unasked, on its own line without an `id`: sealed chunks of a lease
 * response, in order, as soon as each is sealed; the final one carries the signed usage. Pushed
 * rather than polled, so a token crosses each hop once, as soon as it exists.
 */
export type LeaseChunksEvent = {
  event: 'leaseChunks'
  stream: string
  chunks: SealedResponseChunk[]
  final: boolean
  usage?: LeaseUsageRecord
}

/** Whether an id names a stream the way `leaseRequest` asks. */
export function isStreamId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value)
}

export type EnclaveMethod = keyof EnclaveRequests

export type EnclaveRequestMessage<method extends EnclaveMethod = EnclaveMethod> = {
  id: number
  method: method
  params: EnclaveRequests[method]['params']
}

export type EnclaveResponseMessage = { id: number; result: unknown } | { id: number; error: string }
