import { type Hex, hexToBytes } from 'viem'
import { getEnclave } from '../chain/actions/registry/getEnclave.ts'
import { getTdxVerification } from '../chain/actions/registry/getTdxVerification.ts'
import { isTcbSuspended } from '../chain/actions/registry/isTcbSuspended.ts'
import { reattestTdxEnclave } from '../chain/actions/registry/reattestTdxEnclave.ts'
import { registerTdxEnclave } from '../chain/actions/registry/registerTdxEnclave.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import { TransactionRevertedError } from '../chain/writeContractAndWait.ts'
import { type EnclaveRegistration, hardwareKinds } from '../protocol/enclaveApproval.ts'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import type { EnclaveClient } from './enclaveClient.ts'

type AttestParameters = {
  chain: BoccSigner
  enclave: Pick<EnclaveClient, 'request'>
  identity: EnclaveIdentity
  blobs: BlobStore
}

/** How long a registration by quote lasts unless the configuration says less (the registry allows 30 days). */
const maxValiditySeconds = 30 * 86_400

/**
 * Has the enclave quote its keys, this provider, chain and registry over the hash of a recent
 * block (the parent of the latest, whose hash the registry can read when the transaction runs),
 * and stores the quote, whose hash names it.
 */
async function freshQuote(parameters: AttestParameters) {
  const { chain } = parameters
  const latest = await chain.publicClient.getBlockNumber()
  const block = await chain.publicClient.getBlock({ blockNumber: latest - 1n })
  const { evidence } = await parameters.enclave.request('attest', {
    freshness: block.hash as Hex,
    chainId: chain.chain.id,
    registry: chain.deployment.contracts.registry,
    provider: chain.account.address,
  })
  const quote = hexToBytes(evidence)
  return {
    quote,
    freshnessBlock: block.number as bigint,
    evidenceHash: await parameters.blobs.put(quote),
    block,
  }
}

/**
 * Registers a TDX enclave by on-chain verification of its quote, with no committee, when the
 * registry can verify quotes (a chain with the P-256 precompile); undefined when it cannot, or the
 * enclave is not TDX, and the committee path applies. The collateral must be posted already.
 */
export async function registerEnclaveOnChain(
  parameters: AttestParameters & { validitySeconds?: number },
): Promise<{ registration: EnclaveRegistration; transaction: Hex } | undefined> {
  const { chain, identity } = parameters
  if (identity.tee !== 'tdx' || !(await getTdxVerification(chain))) return undefined
  const { quote, freshnessBlock, evidenceHash, block } = await freshQuote(parameters)
  const registration: EnclaveRegistration = {
    enclave: identity.signer,
    provider: chain.account.address,
    hardware: hardwareKinds.tdx,
    expiresAt:
      Number(block.timestamp) +
      Math.min(parameters.validitySeconds ?? 7 * 86_400, maxValiditySeconds),
    measurement: identity.measurement,
    hpkePublicKey: identity.hpkePublicKey,
    evidenceHash,
    collateralHash: `0x${'00'.repeat(32)}`,
    gpuEvidenceHash: `0x${'00'.repeat(32)}`,
  }
  const { hash } = await registerTdxEnclave(chain, { registration, quote, freshnessBlock })
  return { registration, transaction: hash }
}

export type KeepAttestedReturnType =
  /** Not verified on-chain, or its platform's TCB is accepted: nothing to do. */
  | { state: 'current' }
  /** Suspended, and a fresh quote is still below the accepted status: the platform awaits its update. */
  | { state: 'suspended'; reason: string }
  /** Suspended, and a fresh quote from the updated platform was accepted: the enclave is usable again. */
  | { state: 'reattested'; registration: EnclaveRegistration; transaction: Hex }

/**
 * {@link keepEnclaveAttested} for a fleet, called on every maintenance pass: it says only what
 * changed (suspended, re-attested), and asks a suspended enclave for a fresh quote at most once
 * per `retrySeconds`.
 */
export function createAttestationKeeper(options: { retrySeconds?: number } = {}) {
  const retryMs = (options.retrySeconds ?? 60) * 1000
  const lastTry = new Map<string, number>()
  return {
    async keep(parameters: AttestParameters): Promise<KeepAttestedReturnType | undefined> {
      const signer = parameters.identity.signer.toLowerCase()
      const tried = lastTry.get(signer)
      if (tried !== undefined && Date.now() - tried < retryMs) return undefined
      const kept = await keepEnclaveAttested(parameters).catch((error: unknown) => {
        lastTry.set(signer, Date.now())
        throw error
      })
      if (kept.state !== 'suspended') {
        lastTry.delete(signer)
        return kept.state === 'current' ? undefined : kept
      }
      lastTry.set(signer, Date.now())
      return tried === undefined ? kept : undefined
    },
  }
}

/**
 * Notices when newer collateral has suspended an enclave registered by on-chain verification (its
 * platform fell below the accepted TCB status) and, once the platform has been updated, attests
 * again and re-registers the same enclave (`reattestTdxEnclave`), so it serves orders again. Until
 * then the enclave cannot accept or deliver; its running orders end by refund, without slashing.
 */
export async function keepEnclaveAttested(
  parameters: AttestParameters,
): Promise<KeepAttestedReturnType> {
  const { chain, identity } = parameters
  if (identity.tee !== 'tdx') return { state: 'current' }
  if (!(await isTcbSuspended(chain, { enclave: identity.signer }))) return { state: 'current' }
  const record = await getEnclave(chain, { enclave: identity.signer })
  if (!record) return { state: 'current' }
  const { quote, freshnessBlock, evidenceHash } = await freshQuote(parameters)
  const registration: EnclaveRegistration = {
    enclave: identity.signer,
    provider: chain.account.address,
    hardware: record.hardware,
    expiresAt: record.expiresAt,
    measurement: record.measurement,
    hpkePublicKey: record.hpkePublicKey,
    evidenceHash,
    collateralHash: record.collateralHash,
    gpuEvidenceHash: record.gpuEvidenceHash,
  }
  try {
    const { hash } = await reattestTdxEnclave(chain, { registration, quote, freshnessBlock })
    return { state: 'reattested', registration, transaction: hash }
  } catch (error) {
    // Refused in simulation, before anything is sent: the platform is not updated yet.
    if (error instanceof TransactionRevertedError && error.errorName === 'TcbStatusNotAccepted')
      return { state: 'suspended', reason: error.shortMessage }
    throw error
  }
}
