import { createTestClient, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { boccTokenAbi } from '../../src/chain/artifacts.ts'
import { connectSigner, type SignerConnection } from '../../src/chain/connectChain.ts'
import { type Deployment, deployContracts } from '../../src/chain/deployContracts.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { sendTransaction } from '../../src/chain/sendTransaction.ts'
import { type LocalChain, startLocalChain } from '../../src/chain/startLocalChain.ts'
import { type CommitteeServer, startCommitteeServer } from '../../src/committee/committeeServer.ts'
import { measureRuntime } from '../../src/enclave/measureRuntime.ts'

export type LocalProtocol = {
  chain: LocalChain
  deployment: Deployment
  committee: CommitteeServer
  signers: Record<keyof typeof devRoles, SignerConnection>
  /** Moves the chain's clock forward (anvil's test RPC). */
  increaseTime(seconds: number): Promise<void>
  stop(): Promise<void>
}

/**
 * A fresh anvil with the token and the protocol deployed (genesis allow-list: this runtime;
 * committee: one member, whose verifier service runs in-process and accepts sim evidence), and
 * every dev role funded from the test-token faucet.
 */
export async function startLocalProtocol(): Promise<LocalProtocol> {
  const chain = await startLocalChain()
  const signers = Object.fromEntries(
    await Promise.all(
      Object.entries(devRoles).map(async ([role, index]) => [
        role,
        await connectSigner(chain.rpcUrl, devPrivateKey(index)),
      ]),
    ),
  ) as LocalProtocol['signers']
  const member = privateKeyToAccount(devPrivateKey(devRoles.committeeMember))
  const deployment = await deployContracts(signers.deployer, {
    genesisMeasurements: [measureRuntime()],
    committee: [member.address],
    committeeThreshold: 1,
  })
  for (const signer of Object.values(signers))
    await sendTransaction(signer, {
      address: deployment.token,
      abi: boccTokenAbi,
      functionName: 'faucet',
      args: [parseEther('1000')],
    })
  const committee = await startCommitteeServer({
    connection: signers.deployer,
    protocol: deployment.protocol,
    member,
    allowSim: true,
  })
  const testClient = createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) })
  return {
    chain,
    deployment,
    committee,
    signers,
    async increaseTime(seconds) {
      await testClient.increaseTime({ seconds })
      await testClient.mine({ blocks: 1 })
    },
    async stop() {
      await committee.close()
      await chain.stop()
    },
  }
}
