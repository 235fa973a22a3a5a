import { hmac } from '@noble/hashes/hmac'
import { sha256 } from '@noble/hashes/sha2'
import {
  type Address,
  bytesToHex,
  concatBytes,
  type Hex,
  hexToBytes,
  isAddress,
  isHex,
  keccak256,
  numberToBytes,
  toBytes,
} from 'viem'
import { createChunkCipher, tagLength } from '../crypto/chunkCipher.ts'
import { nonceOf } from '../crypto/chunkedAead.ts'
import { BoccError } from '../errors.ts'

/**
 * The end-to-end encrypted channel of a lease (docs/protocol.md, "Leases"), in the spirit of
 * Oblivious HTTP (RFC 9458): each request is sealed with HPKE to the attested enclave's key, with
 * the lease, the model, the enclave and a sequence number bound as associated data, and
 * authenticated as the customer's: the first request to an enclave by the customer's signature,
 * the later ones by a MAC under a session key exported from that first request's HPKE context,
 * which only the customer and the enclave hold (a signature check costs milliseconds a turn, a
 * MAC microseconds). The response is a stream of AES-256-GCM chunks under a key both ends export
 * from that request's HPKE context, each chunk numbered and the last one marked. The provider's
 * front forwards these bytes and can read, alter, replay, reorder or truncate none of them
 * undetected.
 */
export const leaseRequestInfo = 'BOCC/lease-request/v1'
export const leaseResponseExporterContext = 'BOCC/lease-response/v1'
export const leaseSessionExporterContext = 'BOCC/lease-session/v1'
const contextDomain = 'BOCC/lease/v2'

/**
 * The enclave's refusal, before it counts anything, of a request for a solution it has not loaded:
 * the host hands the bundle over and sends the same request again.
 */
export const solutionNotLoaded = 'the lease’s solution is not loaded in this enclave'

/**
 * The enclave's refusal, before it counts anything, of a request for an encrypted model this lease
 * has not unlocked in it yet: the host fetches the owner's key release for the lease and this
 * enclave (src/protocol/leaseKeyRelease.ts) and sends the same request again with it.
 */
export const leaseKeyNotReleased =
  'the lease’s model is encrypted and no key release for the lease came'

/**
 * The enclave's refusal, before it counts anything, of a request under a session it does not hold
 * (it restarted, or dropped the session for newer ones): the client signs the request instead.
 */
export const leaseSessionUnknown = 'the lease session is unknown to this enclave'

/** What every request and each of its response chunks is bound to. */
export type LeaseRequestContext = {
  chainId: number
  /** The lease market contract. */
  leases: Address
  leaseId: bigint
  /** The model the lease is for: the enclave serves no other under it. */
  solutionHash: Hex
  /** The enclave's signer: the request is sealed to this enclave's HPKE key. */
  enclave: Address
  /** Strictly increasing per customer and lease: an enclave refuses one not above the last. */
  sequence: bigint
  /**
   * The lease's terms as the customer read them on-chain: its end (Unix seconds) and its token
   * budget. The front checks them against the chain; the enclave, which has no chain, refuses a
   * request past `endsAt` and serves no more than `maxTokens` (docs/threat-model.md, "Leases").
   */
  endsAt: number
  maxTokens: bigint
}

/** A request as it crosses the provider: all of it public but the ciphertext's content. */
export type SealedLeaseRequest = {
  version: 3
  chainId: number
  leases: Address
  /** Decimal strings: JSON has no 256-bit integers. */
  leaseId: string
  solutionHash: Hex
  enclave: Address
  sequence: string
  endsAt: string
  maxTokens: string
  /** HPKE encapsulated key (32 bytes). */
  enc: Hex
  /** HPKE ciphertext of the UTF-8 JSON body of an OpenAI chat completion request. */
  ciphertext: Hex
} & LeaseRequestAuthentication

/**
 * Who sent a request: the customer's EIP-191 signature over {@link leaseRequestDigest}, which also
 * opens a session under this request's `enc`; or a session opened so, and the MAC of the digest
 * under its key ({@link leaseSessionMac}).
 */
export type LeaseRequestAuthentication =
  | { customerSignature: Hex; session?: undefined; sessionMac?: undefined }
  | { customerSignature?: undefined; session: Hex; sessionMac: Hex }

/** One sealed chunk of a response, as it crosses the provider (base64 of ciphertext ‖ tag). */
export type SealedResponseChunk = { final: boolean; sealed: string }

/** What a response chunk holds once opened: text as it is generated, then how it ended. */
export type LeaseResponseEvent =
  | { type: 'text'; text: string }
  | {
      type: 'done'
      finishReason: 'stop' | 'length'
      promptTokens: number
      completionTokens: number
      /** The enclave's signed cumulative usage of the lease after this request (decimal strings). */
      usage: LeaseUsageRecord
    }
  | { type: 'error'; failure: number; message: string }

/** Signed cumulative usage as it travels in JSON. */
export type LeaseUsageRecord = {
  leaseId: string
  customer: Address
  enclave: Address
  tokensIn: string
  tokensOut: string
  requests: string
  signature: Hex
}

export class LeaseChannelError extends BoccError {
  override name = 'LeaseChannelError'
}

/**
 * The associated data of a request and of every chunk of its response: "BOCC/lease/v2" ‖ chainId
 * (uint256) ‖ lease market (20) ‖ leaseId (uint256) ‖ solutionHash (32) ‖ enclave (20) ‖ sequence
 * (uint64) ‖ endsAt (uint64) ‖ maxTokens (uint64), integers big-endian.
 */
export function encodeLeaseContext(context: LeaseRequestContext): Uint8Array {
  return concatBytes([
    toBytes(contextDomain),
    numberToBytes(BigInt(context.chainId), { size: 32 }),
    hexToBytes(context.leases),
    numberToBytes(context.leaseId, { size: 32 }),
    hexToBytes(context.solutionHash),
    hexToBytes(context.enclave),
    numberToBytes(context.sequence, { size: 8 }),
    numberToBytes(BigInt(context.endsAt), { size: 8 }),
    numberToBytes(context.maxTokens, { size: 8 }),
  ])
}

/** What the customer signs (EIP-191, over these 32 bytes): keccak256(context ‖ enc ‖ keccak256(ciphertext)). */
export function leaseRequestDigest(context: LeaseRequestContext, enc: Hex, ciphertext: Hex): Hex {
  return keccak256(
    concatBytes([encodeLeaseContext(context), hexToBytes(enc), hexToBytes(keccak256(ciphertext))]),
  )
}

/** A session request's MAC: HMAC-SHA256 under the session key over {@link leaseRequestDigest}. */
export function leaseSessionMac(sessionKey: Uint8Array, digest: Hex): Hex {
  return bytesToHex(hmac(sha256, sessionKey, hexToBytes(digest)))
}

/** The context of a sealed request, checked field by field. */
export function leaseContextOf(request: SealedLeaseRequest): LeaseRequestContext {
  const fail = (what: string): never => {
    throw new LeaseChannelError(`the lease request's ${what}`)
  }
  if (request?.version !== 3) fail('version is not 3')
  if (!Number.isSafeInteger(request.chainId) || request.chainId <= 0) fail('chainId is invalid')
  if (!isAddress(String(request.leases), { strict: false })) fail('leases is not an address')
  if (!isAddress(String(request.enclave), { strict: false })) fail('enclave is not an address')
  if (!/^\d{1,78}$/.test(String(request.leaseId))) fail('leaseId is not a decimal integer')
  if (!/^\d{1,20}$/.test(String(request.sequence)) || BigInt(request.sequence) >= 2n ** 64n)
    fail('sequence is not a 64-bit integer')
  for (const name of ['endsAt', 'maxTokens'] as const)
    if (!/^\d{1,20}$/.test(String(request[name])) || BigInt(request[name]) >= 2n ** 64n)
      fail(`${name} is not a 64-bit integer`)
  if (!isHex(request.solutionHash) || request.solutionHash.length !== 66)
    fail('solutionHash is not 32 bytes')
  if (!isHex(request.enc) || request.enc.length !== 66) fail('enc is not 32 bytes')
  if (!isHex(request.ciphertext) || request.ciphertext.length < 34) fail('ciphertext is too short')
  if (request.customerSignature !== undefined) {
    if (request.session !== undefined || request.sessionMac !== undefined)
      fail('authentication is both a signature and a session')
    if (!isHex(request.customerSignature) || request.customerSignature.length !== 132)
      fail('customerSignature is not 65 bytes')
  } else {
    if (!isHex(request.session) || request.session.length !== 66) fail('session is not 32 bytes')
    if (!isHex(request.sessionMac) || request.sessionMac.length !== 66)
      fail('sessionMac is not 32 bytes')
  }
  return {
    chainId: request.chainId,
    leases: request.leases,
    leaseId: BigInt(request.leaseId),
    solutionHash: request.solutionHash,
    enclave: request.enclave,
    sequence: BigInt(request.sequence),
    endsAt: Number(request.endsAt),
    maxTokens: BigInt(request.maxTokens),
  }
}

/** Seals a response's chunks in order under the exported key; the last one is marked final. */
export function createResponseSealer(key: Uint8Array, context: LeaseRequestContext) {
  const cipher = createChunkCipher(key)
  const aad = encodeLeaseContext(context)
  let index = 0
  let finished = false
  return async (event: LeaseResponseEvent): Promise<SealedResponseChunk> => {
    if (finished) throw new LeaseChannelError('the response is already finished')
    const final = event.type !== 'text'
    finished = final
    const pieces = await cipher.seal(nonceOf(index++, final), aad, [toBytes(JSON.stringify(event))])
    return { final, sealed: Buffer.from(concatBytes(pieces)).toString('base64') }
  }
}

/**
 * Opens a response's chunks, which must come in order: a chunk altered, moved, replayed from
 * another response or after the final one fails. {@link assertFinished} tells a truncated
 * response (one whose final chunk never came) from a complete one.
 */
export function createResponseOpener(key: Uint8Array, context: LeaseRequestContext) {
  const cipher = createChunkCipher(key)
  const aad = encodeLeaseContext(context)
  let index = 0
  let finished = false
  return {
    async open(chunk: SealedResponseChunk): Promise<LeaseResponseEvent> {
      if (finished) throw new LeaseChannelError('a response chunk came after the final one')
      const bytes = new Uint8Array(Buffer.from(String(chunk?.sealed), 'base64'))
      if (bytes.length < tagLength) throw new LeaseChannelError('a response chunk is too short')
      const opened = await cipher.open(
        nonceOf(index, chunk.final === true),
        aad,
        [bytes.subarray(0, bytes.length - tagLength)],
        bytes.subarray(bytes.length - tagLength),
      )
      if (!opened)
        throw new LeaseChannelError(
          `response chunk ${index} does not authenticate: altered, reordered or replayed`,
        )
      index++
      finished = chunk.final === true
      const event = JSON.parse(new TextDecoder().decode(concatBytes(opened))) as LeaseResponseEvent
      if ((event.type !== 'text') !== finished)
        throw new LeaseChannelError('a response chunk is marked final out of place')
      return event
    },
    assertFinished() {
      if (!finished) throw new LeaseChannelError('the response was cut off before its final chunk')
    },
  }
}
