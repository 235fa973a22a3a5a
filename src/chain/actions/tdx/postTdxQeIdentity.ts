import { type Address, bytesToHex, type Hash, stringToHex, type TransactionReceipt } from 'viem'
import type { SignedJson } from '../../../attestation/intel/signedJson.ts'
import { tdxCollateralStoreAbi } from '../../artifacts.ts'
import type { SignerConnection } from '../../connectChain.ts'
import { writeContractAndWait } from '../../writeContractAndWait.ts'

export type PostTdxQeIdentityParameters = {
  store: Address
  /** The exact text of the `enclaveIdentity` value (TD_QE) and Intel's signature over it. */
  qeIdentity: SignedJson
  /** The cached TCB signing certificate whose key made the signature. */
  signerCertificateHash: Hash
}

export type PostTdxQeIdentityReturnType = { receipt: TransactionReceipt }

/** Posts the TD_QE identity; the store keeps it once verified and if newer. */
export async function postTdxQeIdentity(
  connection: SignerConnection,
  parameters: PostTdxQeIdentityParameters,
): Promise<PostTdxQeIdentityReturnType> {
  const { receipt } = await writeContractAndWait(connection, {
    address: parameters.store,
    abi: tdxCollateralStoreAbi,
    functionName: 'postQeIdentity',
    args: [
      stringToHex(parameters.qeIdentity.body),
      bytesToHex(parameters.qeIdentity.signature),
      parameters.signerCertificateHash,
    ],
  })
  return { receipt }
}
