import type { Address, Hex } from 'viem'
import type { AttestationPolicy } from '../attestation/policy.ts'
import { getSolutionOffer } from '../chain/actions/catalog/getSolutionOffer.ts'
import { getLease, type Lease } from '../chain/actions/leases/getLease.ts'
import { leasesAddress } from '../chain/actions/leases/leasesAddress.ts'
import { getTeeOffer } from '../chain/actions/market/getTeeOffer.ts'
import { getEnclave } from '../chain/actions/registry/getEnclave.ts'
import { isEnclaveUsable } from '../chain/actions/registry/isEnclaveUsable.ts'
import type { BoccChain } from '../chain/boccChain.ts'
import type { WrappedKey } from '../crypto/hpke.ts'
import { releaseLeaseKey } from '../protocol/leaseKeyRelease.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { type LeaseReleaseRefusal, leaseReleaseRefusal } from './leaseReleaseRefusal.ts'
import { type ReleaseEnclaveVerdict, verifyReleaseEnclave } from './verifyReleaseEnclave.ts'

/** A model key released for one lease, sealed to one enclave (src/protocol/leaseKeyRelease.ts). */
export type ReleasedLeaseKey = {
  leaseId: bigint
  solutionHash: Hex
  /** The enclave the key is sealed to. */
  enclave: Address
  release: WrappedKey
}

/** The release, or why there is none (an HTTP status and one line). */
export type LeaseKeyReleaseAnswer =
  | { released: ReleasedLeaseKey }
  | { refused: { status: 403 | 404 | 410; error: string } }

/** A model key the agent keeps, and the owner's attestation policy for releasing it. */
export type LeaseModelKey = { key: Uint8Array; policy: AttestationPolicy }

export type LeaseKeyReleaser = {
  /** Checks the lease and the enclave, then releases (or answers the release made before). */
  release(request: { leaseId: bigint; enclave: Address }): Promise<LeaseKeyReleaseAnswer>
}

export type CreateLeaseKeyReleaserParameters = {
  chain: BoccChain
  vendor: Address
  blobs: BlobStore
  /** The key of the model a solution offer of this vendor sells, if the agent keeps it. */
  modelKeyFor(solution: { offerId: number; solutionHash: Hex }): LeaseModelKey | undefined
  onReleased?(released: ReleasedLeaseKey): void
  onRefused?(refused: { leaseId: bigint; enclave: Address; reason: string }): void
}

/** A policy's refusal is kept this long before the enclave's evidence is checked again. */
const refusalMemoryMs = 30_000
/** An acceptance this long: the policy judges evidence at a time (collateral, TCB), so it is redone. */
const acceptanceMemoryMs = 600_000
/** At most this many releases (and verdicts) are kept; releases of leases ending first go first. */
const maxKeptReleases = 10_000

/**
 * Lease key releases, made on demand: a lease names no enclave (its provider picks one per request
 * and replaces lost ones), so the owner learns the enclave only when the provider asks, and checks
 * everything then. Every ask re-reads the lease and the enclave's on-chain state
 * (`leaseReleaseRefusal`); the enclave's evidence is verified against the owner's policy
 * (`verifyReleaseEnclave`) at most every ten minutes per enclave and model, and the sealed release
 * is kept per (lease, enclave), so a provider asking again costs a few chain reads. A release is
 * sealed to that enclave's attested HPKE key and bound to the chain, lease market, lease and
 * model: it opens nowhere else.
 */
export function createLeaseKeyReleaser(
  parameters: CreateLeaseKeyReleaserParameters,
): LeaseKeyReleaser {
  const { chain } = parameters
  const verdicts = new Map<string, { at: number; verdict: Promise<ReleaseEnclaveVerdict> }>()
  type Made = { released: ReleasedLeaseKey } | { refused: LeaseReleaseRefusal }
  const releases = new Map<string, { endsAt: number; released: Promise<Made> }>()

  const verdictFor = (enclave: Address, solutionHash: Hex, policy: AttestationPolicy) => {
    const key = `${solutionHash}:${enclave.toLowerCase()}`
    const known = verdicts.get(key)
    if (known) {
      const settled = known.verdict.then(
        (verdict) => Date.now() - known.at < (verdict.ok ? acceptanceMemoryMs : refusalMemoryMs),
      )
      return settled.then((keep) => (keep ? known.verdict : fresh()))
    }
    return fresh()
    function fresh() {
      if (verdicts.size >= maxKeptReleases)
        for (const [stale, { at }] of verdicts)
          if (Date.now() - at >= acceptanceMemoryMs) verdicts.delete(stale)
      const verdict = verifyReleaseEnclave(chain, { enclave, blobs: parameters.blobs, policy })
      verdicts.set(key, { at: Date.now(), verdict })
      return verdict
    }
  }

  const keep = (key: string, endsAt: number, released: Promise<Made>) => {
    if (releases.size >= maxKeptReleases) {
      const oldest = [...releases].sort(([, a], [, b]) => a.endsAt - b.endsAt)[0]
      if (oldest) releases.delete(oldest[0])
    }
    releases.set(key, { endsAt, released })
    released.catch(() => releases.delete(key))
  }

  return {
    async release({ leaseId, enclave }) {
      const refuse = (refusal: LeaseReleaseRefusal): LeaseKeyReleaseAnswer => {
        parameters.onRefused?.({ leaseId, enclave, reason: refusal.reason })
        return { refused: { status: refusal.status, error: refusal.reason } }
      }
      const [lease, record, usable, block] = await Promise.all([
        getLease(chain, { leaseId }),
        getEnclave(chain, { enclave }),
        isEnclaveUsable(chain, { enclave }),
        chain.publicClient.getBlock({ blockTag: 'latest' }),
      ])
      const [teeOffer, solutionOffer] = lease
        ? await Promise.all([
            getTeeOffer(chain, { offerId: lease.teeOfferId }),
            getSolutionOffer(chain, { offerId: lease.solutionOfferId }),
          ])
        : [undefined, undefined]
      const model = lease
        ? parameters.modelKeyFor({
            offerId: lease.solutionOfferId,
            solutionHash: lease.solutionHash,
          })
        : undefined
      const refusal = leaseReleaseRefusal({
        leaseId,
        lease,
        vendor: parameters.vendor,
        keyKept: model !== undefined,
        enclave,
        record,
        usable,
        teeOffer,
        solutionOffer,
        now: Math.max(Number(block.timestamp), Math.floor(Date.now() / 1000)),
      })
      if (refusal || !lease || !model) {
        if (lease && refusal?.status === 410) forgetLease(leaseId)
        return refuse(refusal ?? { status: 404, reason: `lease ${leaseId} is unknown` })
      }
      const key = `${leaseId}:${enclave.toLowerCase()}`
      const kept = releases.get(key)
      if (kept) {
        const answer = await kept.released
        return 'released' in answer ? answer : refuse(answer.refused)
      }
      // Kept before it is made, so that asks at once share one verification and one release.
      const made = (async (): Promise<Made> => {
        const verdict = await verdictFor(enclave, lease.solutionHash, model.policy)
        if (!verdict.ok)
          return {
            refused: {
              status: 403,
              reason: `enclave ${enclave} fails the owner’s policy (${verdict.reason})`,
            },
          }
        const released = await sealFor(lease, leaseId, enclave, verdict.hpkePublicKey, model.key)
        parameters.onReleased?.(released)
        return { released }
      })()
      keep(key, lease.endsAt, made)
      const answer = await made
      if ('released' in answer) return answer
      releases.delete(key)
      return refuse(answer.refused)
    },
  }

  function forgetLease(leaseId: bigint) {
    for (const key of releases.keys()) if (key.startsWith(`${leaseId}:`)) releases.delete(key)
  }

  async function sealFor(
    lease: Lease,
    leaseId: bigint,
    enclave: Address,
    hpkePublicKey: Hex,
    modelKey: Uint8Array,
  ): Promise<ReleasedLeaseKey> {
    const release = await releaseLeaseKey({
      chainId: chain.chain.id,
      leases: leasesAddress(chain),
      leaseId,
      solutionHash: lease.solutionHash,
      enclaveHpkePublicKey: hpkePublicKey,
      key: modelKey,
    })
    return { leaseId, solutionHash: lease.solutionHash, enclave, release }
  }
}
