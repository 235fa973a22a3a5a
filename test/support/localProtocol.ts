import { createTestClient, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { useFaucet } from '../../src/chain/actions/token/useFaucet.ts'
import { type BoccSigner, connectBoccSigner } from '../../src/chain/boccChain.ts'
import { connectSigner } from '../../src/chain/connectChain.ts'
import { deployContracts, type ProtocolSettings } from '../../src/chain/deployContracts.ts'
import type { Deployment } from '../../src/chain/deployment.ts'
import { councilRoles, type DevRole, devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import {
  type LocalChain,
  type StartLocalChainParameters,
  startLocalChain,
} from '../../src/chain/startLocalChain.ts'
import { type CommitteeServer, startCommitteeServer } from '../../src/committee/committeeServer.ts'
import { measureRuntime } from '../../src/enclave/measureRuntime.ts'

export type LocalProtocol = {
  chain: LocalChain
  deployment: Deployment
  committee: CommitteeServer
  signers: Record<DevRole, BoccSigner>
  /** Moves the chain's clock forward (anvil's test RPC). */
  increaseTime(seconds: number): Promise<void>
  stop(): Promise<void>
}

/**
 * A fresh anvil with BOCC deployed (genesis allow-list: this runtime; committee: one member,
 * whose verifier service runs in-process and accepts sim evidence; governance: the 2-of-3 dev
 * council), and every dev role funded from the test-token faucet.
 */
export async function startLocalProtocol(
  settings: Partial<ProtocolSettings> = {},
  chainParameters: StartLocalChainParameters = {},
): Promise<LocalProtocol> {
  const chain = await startLocalChain(chainParameters)
  try {
    return await deployOn(chain, settings)
  } catch (error) {
    // A chain left running would keep the test process alive after the failure.
    await chain.stop().catch(() => undefined)
    throw error
  }
}

async function deployOn(
  chain: LocalChain,
  settings: Partial<ProtocolSettings>,
): Promise<LocalProtocol> {
  const address = (role: DevRole) => privateKeyToAccount(devPrivateKey(devRoles[role])).address
  const deployer = await connectSigner(chain.rpcUrl, devPrivateKey(devRoles.deployer))
  const deployment = await deployContracts(deployer, {
    genesisMeasurements: [measureRuntime()],
    committee: [address('committeeMember')],
    committeeThreshold: 1,
    governanceOwners: councilRoles.map(address),
    governanceThreshold: 2,
    timelockDelaySeconds: 60,
    governanceDelaySeconds: 60,
    ...settings,
  })
  const signers = Object.fromEntries(
    await Promise.all(
      (Object.keys(devRoles) as DevRole[]).map(async (role) => [
        role,
        await connectBoccSigner(deployment, devPrivateKey(devRoles[role])),
      ]),
    ),
  ) as LocalProtocol['signers']
  if (!settings.token)
    for (const signer of Object.values(signers))
      await useFaucet(signer, { amount: parseEther('1000') })
  const committee = await startCommitteeServer({
    chain: signers.deployer,
    member: privateKeyToAccount(devPrivateKey(devRoles.committeeMember)),
    allowSim: true,
  })
  const testClient = createTestClient({ mode: chain.node, transport: http(chain.rpcUrl) })
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
