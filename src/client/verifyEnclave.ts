import type { Address, Hex } from 'viem'
import { type Check, checkOf, checksPassed } from '../attestation/checks.ts'
import type { AttestationPolicy } from '../attestation/policy.ts'
import type { EvidenceVerdict } from '../attestation/types.ts'
import { getEnclave } from '../chain/actions/registry/getEnclave.ts'
import { getEnclavePlatform } from '../chain/actions/registry/getEnclavePlatform.ts'
import { getEnclaveRegistration } from '../chain/actions/registry/getEnclaveRegistration.ts'
import { getMeasurementLog } from '../chain/actions/registry/getMeasurementLog.ts'
import { getTdxVerification } from '../chain/actions/registry/getTdxVerification.ts'
import { isEnclaveUsable } from '../chain/actions/registry/isEnclaveUsable.ts'
import { isMeasurementAllowed } from '../chain/actions/registry/isMeasurementAllowed.ts'
import type { BoccChain } from '../chain/boccChain.ts'
import { getFreshnessBlock } from '../chain/getFreshnessBlock.ts'
import { BoccError } from '../errors.ts'
import { checkEnclaveRecord } from '../protocol/checkEnclaveRecord.ts'
import { readEnclaveGpuEvidence } from '../protocol/readEnclaveGpuEvidence.ts'
import { verifyEnclaveEvidence } from '../protocol/verifyEnclaveEvidence.ts'
import type { BlobStore } from '../storage/blobStore.ts'

export type VerifiedEnclave = {
  enclave: Address
  provider: Address
  hpkePublicKey: Hex
  measurement: Hex
  evidenceHash: Hex
  verdict: EvidenceVerdict
  /** Every check, in order; `ok` is true only if all passed. */
  checks: Check[]
  ok: boolean
}

export class EnclaveNotFoundError extends BoccError {
  override name = 'EnclaveNotFoundError'
  constructor(enclave: Address) {
    super(`enclave ${enclave} is not registered`)
  }
}

/** Evidence older than this at registration is not fresh (the committee signs within minutes). */
const maxFreshnessAgeAtRegistrationSeconds = 3_600

export type VerifyEnclaveParameters = {
  enclave: Address
  blobs: BlobStore
  policy: AttestationPolicy
  /**
   * Judge the enclave as the chain stood at this block and time (an order's blocks, for an audit);
   * now when absent. Public networks need an archive RPC for old blocks.
   */
  blockNumber?: bigint
  at?: Date
}

/**
 * Checks an enclave from public data only, whatever the committee said: its on-chain record, its
 * evidence from the blob store against this customer's policy and the on-chain allow-list, the
 * binding of its keys, provider, chain and registry in report_data, and that the evidence was
 * fresh when the enclave was registered.
 */
export async function verifyEnclave(
  chain: BoccChain,
  parameters: VerifyEnclaveParameters,
): Promise<VerifiedEnclave> {
  const { enclave, blobs, policy, blockNumber } = parameters
  const at = parameters.at ?? new Date()
  const record = await getEnclave(chain, { enclave, ...(blockNumber ? { blockNumber } : {}) })
  if (!record) throw new EnclaveNotFoundError(enclave)
  const [usable, allowed, registered, platform] = await Promise.all([
    isEnclaveUsable(chain, { enclave, ...(blockNumber ? { blockNumber } : {}) }),
    // Without a time given, the chain judges the allow-list by its own clock, not this machine's.
    isMeasurementAllowed(chain, {
      measurement: record.measurement,
      ...(parameters.at ? { time: Math.floor(parameters.at.getTime() / 1000) } : {}),
    }),
    getEnclaveRegistration(chain, { enclave }),
    getEnclavePlatform(chain, { enclave, ...(blockNumber ? { blockNumber } : {}) }),
  ])
  const checks: Check[] = [
    checkOf(
      'enclave usable on-chain',
      usable,
      `provider ${record.provider}, ${platform ? 'its quote verified on-chain' : 'approved by the committee'}, valid until ${new Date(record.expiresAt * 1000).toISOString()}`,
      'order',
    ),
    ...(platform ? [await onChainRootCheck(chain, policy)] : []),
    ...(policy.requireRegisteredPlatform
      ? [registeredPlatformCheck(record.provider, platform)]
      : []),
  ]
  const evidence = await blobs.get(record.evidenceHash)
  // GPU evidence the record names but the store cannot give fails the cpu-gpu binding check.
  const gpu = await readEnclaveGpuEvidence(blobs, record).catch(() => undefined)
  const { verdict, freshness } = await verifyEnclaveEvidence({
    evidence,
    binding: {
      chainId: chain.chain.id,
      registry: chain.deployment.contracts.registry,
      provider: record.provider,
      signer: enclave,
      hpkePublicKey: record.hpkePublicKey,
      gpuEvidenceHash: record.gpuEvidenceHash,
    },
    policy,
    at,
    ...(gpu ? { gpu } : {}),
  })
  for (const item of verdict.checks) checks.push({ ...item, name: `evidence: ${item.name}` })
  checks.push(
    ...checkEnclaveRecord({
      claim: { ...record, enclave },
      evidence,
      verdict,
      freshness,
      freshnessBlock: await getFreshnessBlock(chain, freshness),
      maxFreshnessAgeSeconds: maxFreshnessAgeAtRegistrationSeconds,
      ...(registered ? { now: Number(registered.timestamp) } : {}),
    }),
  )
  checks.push(
    checkOf(
      'measurement in the transparency log',
      allowed,
      await describeLogEntry(chain, record.measurement, allowed, at),
      'supply chain and transparency',
    ),
  )
  return {
    enclave,
    provider: record.provider,
    hpkePublicKey: record.hpkePublicKey,
    measurement: record.measurement,
    evidenceHash: record.evidenceHash,
    verdict,
    checks,
    ok: checksPassed(checks),
  }
}

/**
 * The policy requires the enclave's platform to be bound to its provider in the registry's
 * hardware identity registry: one machine cannot then pose as several providers.
 */
function registeredPlatformCheck(
  provider: Address,
  platform: Awaited<ReturnType<typeof getEnclavePlatform>>,
): Check {
  const bound = platform?.boundProvider?.toLowerCase() === provider.toLowerCase()
  return checkOf(
    'platform registered to the provider',
    bound,
    !platform
      ? 'the enclave registered no hardware platform (committee path), and this policy requires one'
      : bound
        ? `platform ${platform.platform.slice(0, 34)} is bound to provider ${provider} alone`
        : `platform ${platform.platform.slice(0, 34)} is no longer bound to provider ${provider}`,
    'hardware authenticity',
  )
}

/**
 * An enclave the registry verified on-chain is only as trustworthy as the verifier's root: Intel's
 * SGX Root CA, or a stand-in that development chains alone may deploy and only a development
 * policy (one that allows the simulated TEE) accepts.
 */
async function onChainRootCheck(chain: BoccChain, policy: AttestationPolicy): Promise<Check> {
  const verification = await getTdxVerification(chain)
  const intel = verification?.usesIntelRoot === true
  return checkOf(
    "on-chain verifier rooted in Intel's SGX Root CA",
    intel || policy.allowSim,
    intel
      ? `the registry's TDX verifier ${verification?.verifier} pins Intel's root`
      : `the registry's TDX verifier trusts a stand-in root${policy.allowSim ? ', accepted by this development policy' : ', refused by this policy'}`,
    'hardware authenticity',
  )
}

/**
 * Where the runtime's measurement stands in the on-chain transparency log: its provenance (the
 * build it names) and when it took effect, or why it was not in effect at `at`.
 */
async function describeLogEntry(
  chain: BoccChain,
  measurement: Hex,
  allowed: boolean,
  at: Date,
): Promise<string> {
  const entries = (await getMeasurementLog(chain)).filter(
    (entry) => entry.measurement.toLowerCase() === measurement.toLowerCase(),
  )
  const proposed = entries.find((entry) => entry.kind === 'proposed')
  const removed = entries.find((entry) => entry.kind === 'removed')
  if (!proposed) return 'this runtime was never listed in the transparency log'
  const effective = new Date(proposed.effectiveAt * 1000).toISOString()
  const provenance = `provenance ${proposed.provenanceUri || '(none given)'}, listed in block ${proposed.blockNumber}, in effect from ${effective}`
  if (allowed) return `${provenance}; in effect at ${at.toISOString()}`
  return removed
    ? `${provenance}; removed in block ${removed.blockNumber}, before ${at.toISOString()}`
    : `${provenance}; not yet in effect at ${at.toISOString()}`
}
