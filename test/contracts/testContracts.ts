import { join } from 'node:path'
import { type Address, getContractAddress } from 'viem'
import { type CompiledContract, compileContracts } from '../../src/chain/compileContracts.ts'
import type { SignerConnection } from '../../src/chain/connectChain.ts'

/**
 * Contracts that exist only for the tests (test/contracts/solidity/, never deployed with BOCC),
 * compiled on first use. Plain code generation without the optimizer: they are small, and
 * compiling them must stay quick.
 */
let compiled: Record<string, CompiledContract> | undefined

export function testContract(name: string): CompiledContract {
  compiled ??= compileContracts(join(import.meta.dirname, 'solidity'), {
    optimizer: { enabled: false },
    evmVersion: 'osaka',
    outputSelection: {
      '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
    },
  }).contracts
  const contract = compiled[name]
  if (!contract) throw new Error(`no test contract ${name} in test/contracts/solidity`)
  return contract
}

/** Deploys a test contract and waits for it. */
export async function deployTestContract(
  signer: SignerConnection,
  name: string,
  args: unknown[] = [],
): Promise<Address> {
  const { abi, bytecode } = testContract(name)
  const hash = await signer.walletClient.deployContract({
    abi: abi as never,
    bytecode,
    args: args as never,
  })
  const receipt = await signer.publicClient.waitForTransactionReceipt({ hash })
  if (!receipt.contractAddress) throw new Error(`deploying ${name} failed`)
  return receipt.contractAddress
}

/**
 * The address of the first contract `account` deploys on a fresh chain: lets a deployment name a
 * test token before the token exists (the market only stores the token's address).
 */
export function firstContractAddressOf(account: Address): Address {
  return getContractAddress({ from: account, nonce: 0n })
}
