import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { BaseError, toFunctionSelector, zeroAddress } from 'viem'
import { boccProtocolAbi, boccProtocolBytecode } from '../../src/chain/artifacts.ts'
import { connectSigner, type SignerConnection } from '../../src/chain/connectChain.ts'
import { devPrivateKey } from '../../src/chain/devAccounts.ts'
import { type LocalChain, startLocalChain } from '../../src/chain/startLocalChain.ts'

describe('BoccProtocol deployment', () => {
  let chain: LocalChain
  let deployer: SignerConnection
  before(async () => {
    chain = await startLocalChain()
    deployer = await connectSigner(chain.rpcUrl, devPrivateKey(0))
  })
  after(() => chain.stop())

  const config = () => ({
    paymentToken: deployer.account.address,
    governor: deployer.account.address,
    governanceDelay: 86_400,
    genesisMeasurements: [],
    genesisCommittee: [deployer.account.address],
    committeeThreshold: 1,
    minStake: 1n,
    unstakeDelay: 7 * 86_400,
    feeReceiver: deployer.account.address,
    feeBps: 100,
    slashBps: 5_000,
    maxOrderDuration: 86_400,
  })
  async function refused(overrides: Partial<ReturnType<typeof config>>, errorName: string) {
    await assert.rejects(
      deployer.walletClient.deployContract({
        abi: boccProtocolAbi,
        bytecode: boccProtocolBytecode,
        args: [{ ...config(), ...overrides }],
      }),
      (error: unknown) => {
        // Deployment reverts carry the custom error's selector only.
        assert.ok(error instanceof BaseError)
        assert.match(error.message, new RegExp(toFunctionSelector(`${errorName}()`)))
        return true
      },
    )
  }

  it('refuses configurations that would break its rules', async () => {
    await refused({ feeReceiver: zeroAddress }, 'InvalidConfiguration')
    await refused({ governor: zeroAddress }, 'InvalidConfiguration')
    await refused({ feeBps: 10_001 }, 'InvalidConfiguration')
    await refused({ slashBps: 10_001 }, 'InvalidConfiguration')
    // Orders may not outlive the unstake delay, or a provider could leave before its deadline.
    await refused({ maxOrderDuration: 8 * 86_400 }, 'InvalidConfiguration')
    await refused({ committeeThreshold: 2 }, 'InvalidCommittee')
    await refused({ genesisCommittee: [] }, 'InvalidCommittee')
  })
})
