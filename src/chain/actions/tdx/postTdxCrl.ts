import { type Address, bytesToHex, type Hash, type TransactionReceipt, zeroHash } from 'viem'
import { tdxCollateralStoreAbi } from '../../artifacts.ts'
import type { SignerConnection } from '../../connectChain.ts'
import { writeContractAndWait } from '../../writeContractAndWait.ts'

export type PostTdxCrlParameters = {
  store: Address
  /** The CRL, DER. */
  crl: Uint8Array
  /** The cached PCK CA that issued it ({@link cacheTdxCertificate}); omitted for the root's CRL. */
  issuerCertificateHash?: Hash
}

export type PostTdxCrlReturnType = { receipt: TransactionReceipt }

/** Posts a CRL of the root or of a cached PCK CA; the store keeps it once its signature verifies. */
export async function postTdxCrl(
  connection: SignerConnection,
  parameters: PostTdxCrlParameters,
): Promise<PostTdxCrlReturnType> {
  const { receipt } = await writeContractAndWait(connection, {
    address: parameters.store,
    abi: tdxCollateralStoreAbi,
    functionName: 'postCrl',
    args: [bytesToHex(parameters.crl), parameters.issuerCertificateHash ?? zeroHash],
  })
  return { receipt }
}
