import type { Address, Hex } from 'viem'
import type { AttestationPolicy } from '../attestation/policy.ts'
import type { BoccChain } from '../chain/boccChain.ts'
import { verifyEnclave } from '../client/verifyEnclave.ts'
import { shortMessageOf } from '../errors.ts'
import type { BlobStore } from '../storage/blobStore.ts'

/** An enclave the owner's policy accepts (its attested HPKE key), or the one line why not. */
export type ReleaseEnclaveVerdict = { ok: true; hpkePublicKey: Hex } | { ok: false; reason: string }

/**
 * The owner's check of an enclave before it releases a key to it, for orders and leases alike:
 * the project's one enclave verification (`verifyEnclave`: on-chain record, evidence against the
 * owner's policy, report_data binding, allow-list), reduced to the HPKE key to seal to or the first
 * check that failed.
 */
export async function verifyReleaseEnclave(
  chain: BoccChain,
  parameters: { enclave: Address; blobs: BlobStore; policy: AttestationPolicy },
): Promise<ReleaseEnclaveVerdict> {
  try {
    const verified = await verifyEnclave(chain, parameters)
    if (verified.ok) return { ok: true, hpkePublicKey: verified.hpkePublicKey }
    const failed = verified.checks.find((check) => check.status === 'failed')
    return { ok: false, reason: failed ? `${failed.name}: ${failed.explanation}` : 'refused' }
  } catch (error) {
    return { ok: false, reason: shortMessageOf(error) }
  }
}
