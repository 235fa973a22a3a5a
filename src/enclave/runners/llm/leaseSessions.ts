import { timingSafeEqual } from 'node:crypto'
import { type Address, getAddress, type Hex, hexToBytes, recoverMessageAddress } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { openAndExport, type WrappedKey } from '../../../crypto/hpke.ts'
import { BoccError, shortMessageOf } from '../../../errors.ts'
import { failureReasons } from '../../../protocol/failureReasons.ts'
import {
  createResponseSealer,
  encodeLeaseContext,
  type LeaseRequestContext,
  type LeaseResponseEvent,
  type LeaseUsageRecord,
  leaseContextOf,
  leaseKeyNotReleased,
  leaseRequestDigest,
  leaseRequestInfo,
  leaseResponseExporterContext,
  leaseSessionExporterContext,
  leaseSessionMac,
  leaseSessionUnknown,
  type SealedLeaseRequest,
  type SealedResponseChunk,
  solutionNotLoaded,
} from '../../../protocol/leaseChannel.ts'
import { openLeaseKeyRelease } from '../../../protocol/leaseKeyRelease.ts'
import { leasesDomain, leaseUsageTypes } from '../../../protocol/leaseUsage.ts'
import type { SolutionCache } from '../../solutionCache.ts'
import { ChatRequestRejectedError, parseChatCompletionRequest } from './chatCompletionRequest.ts'

export class LeaseRequestRefusedError extends BoccError {
  override name = 'LeaseRequestRefusedError'
}

type Counters = { tokensIn: bigint; tokensOut: bigint; requests: bigint; lastSequence: bigint }

/** A session a signed request opened: later requests of its customer on its lease MAC instead. */
type Session = { key: Uint8Array; customer: Address; lease: string }

/**
 * Where a response's sealed chunks go as soon as each is sealed (the runtime writes them to its
 * host as events); the final update carries the signed usage.
 */
export type LeaseResponseSink = (update: {
  chunks: SealedResponseChunk[]
  final: boolean
  usage?: LeaseUsageRecord
}) => void

const maxOpenResponses = 256
/** Sessions kept (the oldest is dropped first; its customer then signs once more). */
const maxSessions = 4096

/**
 * The enclave's side of lease requests (docs/protocol.md, "Leases"): opens a sealed request only
 * if it is sealed to this enclave, from the lease's customer (signed, or under a session a signed
 * request opened) and numbered above that customer's last request on the lease, streams the
 * model's reply back sealed chunk by chunk, and after each completed request signs the lease's
 * new cumulative usage for that customer. The host gets the sealed chunks and the signed usage;
 * nothing else of a request leaves.
 */
export function createLeaseSessions(enclave: {
  signer: PrivateKeyAccount
  hpkePrivateKey: CryptoKey
  solutions: SolutionCache
}) {
  const counters = new Map<string, Counters>()
  const sessions = new Map<string, Session>()
  let openResponses = 0
  /** Leases whose owner released the key of their encrypted model to this enclave. */
  const unlockedLeases = new Set<string>()

  const counterOf = (key: string) => {
    let entry = counters.get(key)
    if (!entry) {
      entry = { tokensIn: 0n, tokensOut: 0n, requests: 0n, lastSequence: -1n }
      counters.set(key, entry)
    }
    return entry
  }
  const keepSession = (id: Hex, session: Session) => {
    sessions.set(id.toLowerCase(), session)
    if (sessions.size > maxSessions) {
      const oldest = sessions.keys().next().value as string
      sessions.get(oldest)?.key.fill(0)
      sessions.delete(oldest)
    }
  }

  /** The customer a request comes from: its signature's, or its session's if the MAC holds. */
  const customerOf = async (
    request: SealedLeaseRequest,
    context: LeaseRequestContext,
    lease: string,
  ): Promise<Address> => {
    const digest = leaseRequestDigest(context, request.enc, request.ciphertext)
    if (request.customerSignature !== undefined) {
      try {
        return await recoverMessageAddress({
          message: { raw: digest },
          signature: request.customerSignature,
        })
      } catch {
        throw new LeaseRequestRefusedError('the lease request’s customer signature is invalid')
      }
    }
    const session = sessions.get(String(request.session).toLowerCase())
    if (!session || session.lease !== lease) throw new LeaseRequestRefusedError(leaseSessionUnknown)
    const expected = hexToBytes(leaseSessionMac(session.key, digest))
    const given = hexToBytes(request.sessionMac as Hex)
    if (given.length !== expected.length || !timingSafeEqual(expected, given))
      throw new LeaseRequestRefusedError('the lease request’s session MAC is invalid')
    return session.customer
  }

  /**
   * An encrypted model serves a lease only once its owner released the key for that lease to this
   * enclave (the owner decides per lease, as per order); the first release decrypts it, and every
   * other lease must bring a release of the same key. Refused before anything is counted, so the
   * host can fetch the release and send the same request again.
   */
  const unlock = async (context: LeaseRequestContext, release: WrappedKey | undefined) => {
    if (!enclave.solutions.has(context.solutionHash).encrypted) return
    const scope = {
      chainId: context.chainId,
      leases: context.leases,
      leaseId: context.leaseId,
      solutionHash: context.solutionHash,
    }
    const key = `${scope.chainId}:${scope.leases.toLowerCase()}:${scope.leaseId}:${scope.solutionHash}`
    if (unlockedLeases.has(key)) return
    if (!release) throw new LeaseRequestRefusedError(leaseKeyNotReleased)
    const ready = await enclave.solutions.ready({
      solutionHash: context.solutionHash,
      orderId: 0n,
      keyRelease: release,
      enclavePrivateKey: enclave.hpkePrivateKey,
      openRelease: (wrapped) =>
        openLeaseKeyRelease({
          ...scope,
          enclavePrivateKey: enclave.hpkePrivateKey,
          release: wrapped,
        }),
    })
    if ('failure' in ready) throw new LeaseRequestRefusedError(ready.message)
    unlockedLeases.add(key)
  }

  return {
    /**
     * Opens a request and starts its reply, whose sealed chunks go to `sink` as they are made.
     * Resolves once the request is accepted; a refusal throws before anything is counted or sent.
     */
    async start(
      request: SealedLeaseRequest,
      keyRelease: WrappedKey | undefined,
      sink: LeaseResponseSink,
    ): Promise<void> {
      let context: ReturnType<typeof leaseContextOf>
      try {
        context = leaseContextOf(request)
      } catch (error) {
        throw new LeaseRequestRefusedError(shortMessageOf(error))
      }
      if (getAddress(context.enclave) !== enclave.signer.address)
        throw new LeaseRequestRefusedError('the lease request is sealed to another enclave')
      // Before anything is counted, so the host may hand the bundle over and send it again.
      if (!enclave.solutions.has(context.solutionHash).loaded)
        throw new LeaseRequestRefusedError(solutionNotLoaded)
      const lease = `${context.chainId}:${context.leases.toLowerCase()}:${context.leaseId}`
      const customer = await customerOf(request, context, lease)
      const counter = counterOf(`${lease}:${customer}`)
      if (context.sequence <= counter.lastSequence)
        throw new LeaseRequestRefusedError(
          `the lease request is replayed or out of order (sequence ${context.sequence}, last ${counter.lastSequence})`,
        )
      // The terms are the customer's (signed, checked by the front against the chain); the time
      // is the later of this enclave's clock and the customer's (its sequence is microseconds).
      const now = Math.max(Date.now() / 1000, Number(context.sequence / 1_000_000n))
      if (now >= context.endsAt)
        throw new LeaseRequestRefusedError(
          `lease ${context.leaseId} has ended (at ${context.endsAt}): the enclave serves it no more`,
        )
      if (counter.tokensIn + counter.tokensOut >= context.maxTokens)
        throw new LeaseRequestRefusedError(
          `lease ${context.leaseId}’s budget of ${context.maxTokens} tokens is spent`,
        )
      if (openResponses >= maxOpenResponses)
        throw new LeaseRequestRefusedError('too many lease responses are open in this enclave')
      await unlock(context, keyRelease)
      const signed = request.customerSignature !== undefined
      let opened: Awaited<ReturnType<typeof openAndExport>>
      try {
        opened = await openAndExport({
          recipientPrivateKey: enclave.hpkePrivateKey,
          wrapped: { enc: request.enc, ciphertext: request.ciphertext },
          info: leaseRequestInfo,
          aad: encodeLeaseContext(context),
          exporterContext: leaseResponseExporterContext,
          exportLength: 32,
          moreExporterContexts: signed ? [leaseSessionExporterContext] : [],
        })
      } catch {
        throw new LeaseRequestRefusedError('the lease request does not open in this enclave')
      }
      counter.lastSequence = context.sequence
      const sessionKey = opened.moreSecrets[0]
      if (sessionKey) keepSession(request.enc, { key: sessionKey, customer, lease })
      const seal = createResponseSealer(opened.exportedSecret, context)
      opened.exportedSecret.fill(0)
      openResponses++
      // Chunks are sealed one after another, in the order the model produced them, and each goes
      // out as soon as it is sealed.
      let sealing: Promise<unknown> = Promise.resolve()
      let usage: LeaseUsageRecord | undefined
      let finished = false
      const push = (event: LeaseResponseEvent) => {
        sealing = sealing.then(async () => {
          if (finished) return
          const chunk = await seal(event)
          if (chunk.final) {
            finished = true
            openResponses--
          }
          sink({
            chunks: [chunk],
            final: chunk.final,
            ...(chunk.final && usage ? { usage } : {}),
          })
        })
        return sealing
      }
      serve(opened.plaintext, context, customer, counter, push, (signedUsage) => {
        usage = signedUsage
      }).catch(() =>
        push({ type: 'error', failure: failureReasons.jobCrashed, message: 'the request failed' }),
      )
    },
  }

  async function serve(
    plaintext: Uint8Array,
    context: ReturnType<typeof leaseContextOf>,
    customer: Address,
    counter: Counters,
    push: (event: LeaseResponseEvent) => Promise<unknown>,
    keepUsage: (usage: LeaseUsageRecord) => void,
  ) {
    const fail = (failure: number, message: string) => push({ type: 'error', failure, message })
    let body: unknown
    try {
      body = JSON.parse(new TextDecoder().decode(plaintext))
    } catch {
      return fail(failureReasons.inputRejected, 'the request body is not JSON')
    } finally {
      plaintext.fill(0)
    }
    let request: ReturnType<typeof parseChatCompletionRequest>
    try {
      request = parseChatCompletionRequest(body)
    } catch (error) {
      return fail(
        failureReasons.inputRejected,
        error instanceof ChatRequestRejectedError ? error.shortMessage : 'the request is invalid',
      )
    }
    // An encrypted model was unlocked for this lease by `unlock` before the request was counted.
    const ready = enclave.solutions.has(context.solutionHash).encrypted
      ? (enclave.solutions.unlocked(context.solutionHash) ?? {
          failure: failureReasons.vendorKeyNotReleased,
          message: 'the lease’s model is not unlocked',
        })
      : await enclave.solutions.ready({
          solutionHash: context.solutionHash,
          orderId: 0n,
          enclavePrivateKey: enclave.hpkePrivateKey,
        })
    if ('failure' in ready) return fail(ready.failure, ready.message)
    const generate = ready.runner.generate
    if (!generate)
      return fail(failureReasons.solutionUnavailable, 'the lease’s solution is not a chat model')
    // What the budget leaves when this request's turn comes, the ones before it counted.
    const tokenBudget = () => Number(context.maxTokens - (counter.tokensIn + counter.tokensOut))
    const outcome = await generate(request, (text) => void push({ type: 'text', text }), {
      tokenBudget,
    })
    if (!outcome.ok) return fail(outcome.failure, outcome.message)
    counter.tokensIn += BigInt(outcome.promptTokens)
    counter.tokensOut += BigInt(outcome.completionTokens)
    counter.requests += 1n
    const message = {
      leaseId: context.leaseId,
      customer,
      tokensIn: counter.tokensIn,
      tokensOut: counter.tokensOut,
      requests: counter.requests,
    }
    const signature: Hex = await enclave.signer.signTypedData({
      domain: leasesDomain(context.chainId, context.leases),
      types: leaseUsageTypes,
      primaryType: 'LeaseUsage',
      message,
    })
    const usage: LeaseUsageRecord = {
      leaseId: String(message.leaseId),
      customer,
      enclave: enclave.signer.address,
      tokensIn: String(message.tokensIn),
      tokensOut: String(message.tokensOut),
      requests: String(message.requests),
      signature,
    }
    keepUsage(usage)
    await push({
      type: 'done',
      finishReason: outcome.finishReason,
      promptTokens: outcome.promptTokens,
      completionTokens: outcome.completionTokens,
      usage,
    })
  }
}

export type LeaseSessions = ReturnType<typeof createLeaseSessions>
