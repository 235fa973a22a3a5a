import { parseEther } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { useFaucet } from '../src/chain/actions/token/useFaucet.ts'
import { type BoccSigner, connectBoccSigner } from '../src/chain/boccChain.ts'
import type { DevNetwork } from '../src/devnet/startDevNetwork.ts'

/** `count` fresh customer accounts on a dev network, each with gas and test tokens. */
export async function fundedCustomers(network: DevNetwork, count: number): Promise<BoccSigner[]> {
  const deployer = await network.signer('deployer')
  const customers: BoccSigner[] = []
  for (let i = 0; i < count; i++) {
    const customer = await connectBoccSigner(network.deployment, generatePrivateKey())
    const hash = await deployer.walletClient.sendTransaction({
      to: customer.account.address,
      value: parseEther('10'),
    })
    await deployer.publicClient.waitForTransactionReceipt({ hash })
    await useFaucet(customer, { amount: parseEther('10000') })
    customers.push(customer)
  }
  return customers
}
