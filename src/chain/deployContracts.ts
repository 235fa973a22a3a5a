import type { Address, Hex } from 'viem'
import { BoccError } from '../errors.ts'
import { boccMarketAbi, boccMarketBytecode, boccTokenAbi, boccTokenBytecode } from './artifacts.ts'
import type { SignerConnection } from './connectChain.ts'

/** Where BOCC lives on one chain: everything a client needs besides the RPC URL. */
export type Deployment = {
  chainId: number
  token: Address
  market: Address
  /** Block of the market's deployment, where log scans start. */
  fromBlock: bigint
}

/** Deploys the test payment token and the market. */
export async function deployContracts(connection: SignerConnection): Promise<Deployment> {
  const token = await deploy(connection, boccTokenAbi, boccTokenBytecode, [])
  const market = await deploy(connection, boccMarketAbi, boccMarketBytecode, [token.address])
  return {
    chainId: connection.chain.id,
    token: token.address,
    market: market.address,
    fromBlock: market.blockNumber,
  }
}

async function deploy(
  connection: SignerConnection,
  abi: readonly unknown[],
  bytecode: Hex,
  args: readonly unknown[],
) {
  const hash = await connection.walletClient.deployContract({
    abi: abi as never,
    bytecode,
    args: args as never,
  })
  const receipt = await connection.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new BoccError('contract deployment failed')
  return { address: receipt.contractAddress, blockNumber: receipt.blockNumber }
}
