import type { Hex, LocalAccount } from 'viem'
import { sealAndExport } from '../../crypto/hpke.ts'
import {
  encodeLeaseContext,
  type LeaseRequestAuthentication,
  type LeaseRequestContext,
  leaseRequestDigest,
  leaseRequestInfo,
  leaseResponseExporterContext,
  leaseSessionExporterContext,
  leaseSessionMac,
  type SealedLeaseRequest,
} from '../../protocol/leaseChannel.ts'

/** A session the enclave opened with a signed request: its id (that request's `enc`) and key. */
export type LeaseSession = { id: Hex; key: Uint8Array }

export type SealLeaseRequestParameters = {
  context: LeaseRequestContext
  /** The verified enclave's HPKE public key (the one its evidence binds). */
  enclaveHpkePublicKey: Hex
  /** The OpenAI chat completion request body. */
  body: unknown
  /**
   * How the request shows it is the customer's: signed by the lease's customer key (which opens a
   * session), or under a session that key opened with this enclave.
   */
  from: { customer: Pick<LocalAccount, 'address' | 'signMessage'> } | { session: LeaseSession }
}

/**
 * Seals a chat request to the enclave and authenticates it; returns it, the key its response
 * opens with and, for a signed request, the session it opens.
 */
export async function sealLeaseRequest(parameters: SealLeaseRequestParameters): Promise<{
  request: SealedLeaseRequest
  responseKey: Uint8Array
  opensSession?: LeaseSession
}> {
  const { context, from } = parameters
  const sealed = await sealAndExport({
    recipientPublicKey: parameters.enclaveHpkePublicKey,
    key: new TextEncoder().encode(JSON.stringify(parameters.body)),
    info: leaseRequestInfo,
    aad: encodeLeaseContext(context),
    exporterContext: leaseResponseExporterContext,
    exportLength: 32,
    moreExporterContexts: 'customer' in from ? [leaseSessionExporterContext] : [],
  })
  const digest = leaseRequestDigest(context, sealed.enc, sealed.ciphertext)
  const authentication: LeaseRequestAuthentication =
    'customer' in from
      ? { customerSignature: await from.customer.signMessage({ message: { raw: digest } }) }
      : { session: from.session.id, sessionMac: leaseSessionMac(from.session.key, digest) }
  const sessionKey = sealed.moreSecrets[0]
  return {
    request: {
      version: 3,
      chainId: context.chainId,
      leases: context.leases,
      leaseId: String(context.leaseId),
      solutionHash: context.solutionHash,
      enclave: context.enclave,
      sequence: String(context.sequence),
      endsAt: String(context.endsAt),
      maxTokens: String(context.maxTokens),
      enc: sealed.enc,
      ciphertext: sealed.ciphertext,
      ...authentication,
    },
    responseKey: sealed.exportedSecret,
    ...(sessionKey ? { opensSession: { id: sealed.enc, key: sessionKey } } : {}),
  }
}
