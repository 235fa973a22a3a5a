import { type Address, bytesToHex, type Hash, keccak256, type TransactionReceipt } from 'viem'
import { tdxCollateralStoreAbi } from '../../artifacts.ts'
import type { SignerConnection } from '../../connectChain.ts'
import { writeContractAndWait } from '../../writeContractAndWait.ts'

export type CacheTdxCertificateParameters = {
  store: Address
  /** A certificate Intel's root issued (PCK Platform or Processor CA, TCB Signing), DER. */
  certificate: Uint8Array
}

export type CacheTdxCertificateReturnType = {
  /** The key the store caches it under: keccak256 of the DER. */
  certificateHash: Hash
  receipt: TransactionReceipt
}

/** Has the store verify a root-issued certificate and cache it (a no-op when it already is). */
export async function cacheTdxCertificate(
  connection: SignerConnection,
  parameters: CacheTdxCertificateParameters,
): Promise<CacheTdxCertificateReturnType> {
  const der = bytesToHex(parameters.certificate)
  const { receipt } = await writeContractAndWait(connection, {
    address: parameters.store,
    abi: tdxCollateralStoreAbi,
    functionName: 'cacheCertificate',
    args: [der],
  })
  return { certificateHash: keccak256(der), receipt }
}
