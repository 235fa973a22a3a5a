import type { Address } from 'viem'
import { boccProtocolAbi, boccTokenAbi } from '../chain/artifacts.ts'
import type { SignerConnection } from '../chain/connectChain.ts'
import { sendTransaction } from '../chain/sendTransaction.ts'
import { BoccError } from '../errors.ts'

/** Tops the provider's active stake up to the protocol's minimum from its wallet; returns what it added. */
export async function ensureStake(
  connection: SignerConnection,
  protocol: Address,
): Promise<bigint> {
  const client = connection.publicClient
  const provider = connection.account.address
  const [minStake, [active], token] = await Promise.all([
    client.readContract({ address: protocol, abi: boccProtocolAbi, functionName: 'minStake' }),
    client.readContract({
      address: protocol,
      abi: boccProtocolAbi,
      functionName: 'stakeOf',
      args: [provider],
    }),
    client.readContract({ address: protocol, abi: boccProtocolAbi, functionName: 'paymentToken' }),
  ])
  if (active >= minStake) return 0n
  const missing = minStake - active
  const wallet = await client.readContract({
    address: token,
    abi: boccTokenAbi,
    functionName: 'balanceOf',
    args: [provider],
  })
  if (wallet < missing)
    throw new BoccError(
      `the provider needs ${missing} more of the payment token to stake (its wallet holds ${wallet})`,
    )
  await sendTransaction(connection, {
    address: token,
    abi: boccTokenAbi,
    functionName: 'approve',
    args: [protocol, missing],
  })
  await sendTransaction(connection, {
    address: protocol,
    abi: boccProtocolAbi,
    functionName: 'stake',
    args: [missing],
  })
  return missing
}
