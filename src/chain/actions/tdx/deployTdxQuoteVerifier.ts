import { type Address, bytesToHex, type Hex, type TransactionReceipt } from 'viem'
import {
  intelCollateralParserAbi,
  intelCollateralParserBytecode,
  tdxCollateralStoreAbi,
  tdxCollateralStoreBytecode,
  tdxQuoteVerifierAbi,
  tdxQuoteVerifierBytecode,
} from '../../artifacts.ts'
import type { SignerConnection } from '../../connectChain.ts'
import type { TransactionSending } from '../../sendTransactionAndWait.ts'
import { deployContract } from '../governance/deployGovernance.ts'

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

/**
 * Deploys the collateral parser, the collateral store and the quote verifier that reads it,
 * each waiting for the caller's confirmations (and re-sent as `sending` says).
 */
export async function deployTdxQuoteVerifier(
  connection: SignerConnection,
  parameters: DeployTdxQuoteVerifierParameters = {},
  sending: TransactionSending = {},
): Promise<DeployTdxQuoteVerifierReturnType> {
  const root: Hex = parameters.standInRootCertificate
    ? bytesToHex(parameters.standInRootCertificate)
    : '0x'
  const parser = await deployContract(
    connection,
    sending,
    intelCollateralParserAbi,
    intelCollateralParserBytecode,
  )
  const store = await deployContract(
    connection,
    sending,
    tdxCollateralStoreAbi,
    tdxCollateralStoreBytecode,
    [parser.address, root],
  )
  const verifier = await deployContract(
    connection,
    sending,
    tdxQuoteVerifierAbi,
    tdxQuoteVerifierBytecode,
    [store.address],
  )
  return {
    parser: parser.address,
    store: store.address,
    verifier: verifier.address,
    fromBlock: store.blockNumber,
    receipts: [parser.receipt, store.receipt, verifier.receipt],
  }
}
