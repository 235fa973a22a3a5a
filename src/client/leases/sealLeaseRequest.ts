import type { Hex, LocalAccount } from 'viem'
import { sealAndExport } from '../../crypto/hpke.ts'
import {
  encodeLeaseContext,
  type LeaseRequestContext,
  leaseRequestDigest,
  leaseRequestInfo,
  leaseResponseExporterContext,
  type SealedLeaseRequest,
} from '../../protocol/leaseChannel.ts'

export type SealLeaseRequestParameters = {
  context: LeaseRequestContext
  /** The verified enclave's HPKE public key (the one its evidence binds). */
  enclaveHpkePublicKey: Hex
  /** The OpenAI chat completion request body. */
  body: unknown
  /** The lease's customer, who signs the request. */
  customer: Pick<LocalAccount, 'address' | 'signMessage'>
}

/** Seals a chat request to the enclave and signs it; returns it and the key its response opens with. */
export async function sealLeaseRequest(
  parameters: SealLeaseRequestParameters,
): Promise<{ request: SealedLeaseRequest; responseKey: Uint8Array }> {
  const { context } = parameters
  const sealed = await sealAndExport({
    recipientPublicKey: parameters.enclaveHpkePublicKey,
    key: new TextEncoder().encode(JSON.stringify(parameters.body)),
    info: leaseRequestInfo,
    aad: encodeLeaseContext(context),
    exporterContext: leaseResponseExporterContext,
    exportLength: 32,
  })
  const customerSignature = await parameters.customer.signMessage({
    message: { raw: leaseRequestDigest(context, sealed.enc, sealed.ciphertext) },
  })
  return {
    request: {
      version: 2,
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
      customerSignature,
    },
    responseKey: sealed.exportedSecret,
  }
}
