import { concatBytes, hexToBytes, keccak256, toBytes } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { encodeSimEvidenceBody, type SimReport } from '../../attestation/sim/simEvidenceFormat.ts'

/**
 * The published, NOT secret, key of the simulated hardware root. It lives with the sim backend,
 * the only producer of sim evidence; verifiers pin its address (`simRootAddress`) and hold no key.
 */
export const simRootPrivateKey = keccak256(toBytes('BOCC sim TEE root key: public, not a secret'))
const simRoot = privateKeyToAccount(simRootPrivateKey)

/** Produces signed sim evidence (the sim backend calls this; tests use it to make sim evidence). */
export async function signSimEvidence(report: SimReport): Promise<Uint8Array> {
  const body = encodeSimEvidenceBody(report)
  const signature = await simRoot.sign({ hash: keccak256(body) })
  return concatBytes([body, hexToBytes(signature)])
}
