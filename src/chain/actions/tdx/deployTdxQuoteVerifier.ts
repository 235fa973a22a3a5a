import { type Abi, type Address, bytesToHex, type Hex, type TransactionReceipt } from 'viem'
import { BoccError } from '../../../errors.ts'
import {
  intelCollateralParserAbi,
  intelCollateralParserBytecode,
  tdxCollateralStoreAbi,
  tdxCollateralStoreBytecode,
  tdxQuoteVerifierAbi,
  tdxQuoteVerifierBytecode,
} from '../../artifacts.ts'
import type { SignerConnection } from '../../connectChain.ts'

export type DeployTdxQuoteVerifierParameters = {
  /**
   * Tests only: a self-signed P-256 certificate (DER) to trust instead of Intel's SGX Root CA.
   * Production deployments leave it out, and the store then pins Intel's root; the choice is
   * public on-chain (`rootKeyHash`, `usesIntelRoot`).
   */
  standInRootCertificate?: Uint8Array
}

export type DeployTdxQuoteVerifierReturnType = {
  parser: Address
  store: Address
  verifier: Address
  /** Block of the store's deployment, where log scans for collateral start. */
  fromBlock: bigint
  receipts: TransactionReceipt[]
}

export class TdxDeploymentError extends BoccError {
  override name = 'TdxDeploymentError'
}

/** Deploys the collateral parser, the collateral store and the quote verifier that reads it. */
export async function deployTdxQuoteVerifier(
  connection: SignerConnection,
  parameters: DeployTdxQuoteVerifierParameters = {},
): Promise<DeployTdxQuoteVerifierReturnType> {
  const root: Hex = parameters.standInRootCertificate
    ? bytesToHex(parameters.standInRootCertificate)
    : '0x'
  const parser = await deploy(
    connection,
    intelCollateralParserAbi,
    intelCollateralParserBytecode,
    [],
  )
  const store = await deploy(connection, tdxCollateralStoreAbi, tdxCollateralStoreBytecode, [
    parser.contractAddress,
    root,
  ])
  const verifier = await deploy(connection, tdxQuoteVerifierAbi, tdxQuoteVerifierBytecode, [
    store.contractAddress,
  ])
  return {
    parser: parser.contractAddress,
    store: store.contractAddress,
    verifier: verifier.contractAddress,
    fromBlock: store.blockNumber,
    receipts: [parser, store, verifier],
  }
}

async function deploy(
  connection: SignerConnection,
  abi: Abi,
  bytecode: Hex,
  args: readonly unknown[],
): Promise<TransactionReceipt & { contractAddress: Address }> {
  const hash = await connection.walletClient.deployContract({ abi, bytecode, args } as never)
  const receipt = await connection.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new TdxDeploymentError(`deploying the TDX quote verifier failed (transaction ${hash})`)
  return { ...receipt, contractAddress: receipt.contractAddress }
}
