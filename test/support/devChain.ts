import { createTestClient, http } from 'viem'
import { connectSigner, type SignerConnection } from '../../src/chain/connectChain.ts'
import { type Deployment, deployContracts } from '../../src/chain/deployContracts.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { type LocalChain, startLocalChain } from '../../src/chain/startLocalChain.ts'

export type DevChain = {
  chain: LocalChain
  deployment: Deployment
  signers: Record<keyof typeof devRoles, SignerConnection>
  /** Moves the chain's clock forward (anvil's test RPC). */
  increaseTime(seconds: number): Promise<void>
}

/** A fresh anvil with the contracts deployed and one signer per dev role. */
export async function startDevChain(): Promise<DevChain> {
  const chain = await startLocalChain()
  const signers = Object.fromEntries(
    await Promise.all(
      Object.entries(devRoles).map(async ([role, index]) => [
        role,
        await connectSigner(chain.rpcUrl, devPrivateKey(index)),
      ]),
    ),
  ) as DevChain['signers']
  const deployment = await deployContracts(signers.deployer)
  const testClient = createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) })
  return {
    chain,
    deployment,
    signers,
    async increaseTime(seconds) {
      await testClient.increaseTime({ seconds })
      await testClient.mine({ blocks: 1 })
    },
  }
}
