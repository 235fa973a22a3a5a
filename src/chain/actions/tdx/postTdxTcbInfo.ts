import { type Address, bytesToHex, type Hash, stringToHex, type TransactionReceipt } from 'viem'
import type { SignedJson } from '../../../attestation/intel/signedJson.ts'
import { tdxCollateralStoreAbi } from '../../artifacts.ts'
import type { SignerConnection } from '../../connectChain.ts'
import { writeContractAndWait } from '../../writeContractAndWait.ts'

export type PostTdxTcbInfoParameters = {
  store: Address
  /** The exact text of the `tcbInfo` value and Intel's signature over it. */
  tcbInfo: SignedJson
  /** The cached TCB signing certificate whose key made the signature. */
  signerCertificateHash: Hash
}

export type PostTdxTcbInfoReturnType = { receipt: TransactionReceipt }

/** Posts a TDX TCB info; the store keeps it, for its FMSPC, once verified and if newer. */
export async function postTdxTcbInfo(
  connection: SignerConnection,
  parameters: PostTdxTcbInfoParameters,
): Promise<PostTdxTcbInfoReturnType> {
  const { receipt } = await writeContractAndWait(connection, {
    address: parameters.store,
    abi: tdxCollateralStoreAbi,
    functionName: 'postTcbInfo',
    args: [
      stringToHex(parameters.tcbInfo.body),
      bytesToHex(parameters.tcbInfo.signature),
      parameters.signerCertificateHash,
    ],
  })
  return { receipt }
}
