import { type Hex, hexToBytes, zeroHash } from 'viem'
import { getCommittee } from '../chain/actions/registry/getCommittee.ts'
import { registerEnclave as registerOnChain } from '../chain/actions/registry/registerEnclave.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import { encodeCollateralBundle, gpuCollateralFiles } from '../protocol/collateralBundle.ts'
import { type EnclaveRegistration, hardwareOf } from '../protocol/enclaveApproval.ts'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { registerEnclaveOnChain } from './attestOnChain.ts'
import type { EnclaveClient } from './enclaveClient.ts'
import { requestApprovals } from './requestApprovals.ts'

/**
 * Has the enclave attest to its keys, this provider, chain and registry over a fresh block hash
 * (which proves the evidence was made after that block), stores the evidence (and a confidential
 * GPU's evidence, and its chain and collateral in the collateral bundle), gets the committee's
 * approvals and registers the enclave.
 */
export async function registerEnclave(parameters: {
  chain: BoccSigner
  enclave: Pick<EnclaveClient, 'request'>
  identity: EnclaveIdentity
  blobs: BlobStore
  committeeUrls: string[]
  /** How long the registration stays valid. */
  validitySeconds?: number
}): Promise<{ registration: EnclaveRegistration; transaction: Hex }> {
  // A TDX enclave registers by on-chain verification of its quote where the registry can do it.
  const onChain = await registerEnclaveOnChain(parameters)
  if (onChain) return onChain
  const { chain, identity } = parameters
  const block = await chain.publicClient.getBlock({ blockTag: 'latest' })
  const { evidence, gpu } = await parameters.enclave.request('attest', {
    freshness: block.hash as Hex,
    chainId: chain.chain.id,
    registry: chain.deployment.contracts.registry,
    provider: chain.account.address,
  })
  const evidenceBytes = hexToBytes(evidence)
  const registration: EnclaveRegistration = {
    enclave: identity.signer,
    provider: chain.account.address,
    hardware: hardwareOf(identity.tee),
    expiresAt: Number(block.timestamp) + (parameters.validitySeconds ?? 7 * 86_400),
    measurement: identity.measurement,
    hpkePublicKey: identity.hpkePublicKey,
    evidenceHash: await parameters.blobs.put(evidenceBytes),
    collateralHash: zeroHash,
    gpuEvidenceHash: zeroHash,
  }
  if (gpu && identity.tee !== 'nvidia-cc') {
    registration.gpuEvidenceHash = await parameters.blobs.put(hexToBytes(gpu.evidence))
    registration.collateralHash = await parameters.blobs.put(
      encodeCollateralBundle({
        tee: identity.tee,
        files: gpuCollateralFiles({
          certificates: hexToBytes(gpu.certificates),
          collateral: gpu.collateral.map((file) => hexToBytes(file)),
        }),
      }),
    )
  }
  const committee = await getCommittee(chain)
  const approvals = await requestApprovals({
    committeeUrls: parameters.committeeUrls,
    registration,
    evidence: evidenceBytes,
    threshold: committee.threshold,
    committeeEpoch: committee.epoch,
  })
  const { hash } = await registerOnChain(chain, {
    registration,
    committeeEpoch: committee.epoch,
    approvals,
  })
  return { registration, transaction: hash }
}
