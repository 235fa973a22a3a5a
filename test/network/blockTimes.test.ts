import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { defaultLocalChainNode } from '../../src/chain/startLocalChain.ts'
import { type BoccClient, createBoccClient } from '../../src/client/createBoccClient.ts'
import { type DevNetwork, startDevNetwork } from '../../src/devnet/startDevNetwork.ts'
import { repositoryRoot } from '../support/runBocc.ts'

// Nothing may rely on a block per transaction: the chain here mines every 2 s (anvil's
// --block-time, or Hardhat's interval mining when BOCC_LOCAL_CHAIN=hardhat).
describe(`one representative order on ${defaultLocalChainNode()} with 2 s blocks`, () => {
  let directory: string
  let network: DevNetwork
  let customer: BoccClient
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bocc-block-time-'))
    network = await startDevNetwork({ directory, blockTime: 2, onProviderEvent: () => {} })
    customer = await createBoccClient({
      deployment: network.deploymentFile,
      account: devPrivateKey(devRoles.customer),
      resultKeyDirectory: join(directory, 'result-keys'),
    })
  })
  after(async () => {
    await network?.stop()
    await rm(directory, { recursive: true, force: true })
  })

  it('orders, is served in later blocks, and verifies', async () => {
    const head = await network
      .signer('customer')
      .then((signer) => signer.publicClient.getBlockNumber())
    const order = await customer.createOrder({
      solutionHash: network.ocr.solutionHash,
      inputs: [{ path: join(repositoryRoot, 'examples', 'lab-report.png') }],
    })
    const completed = await customer.waitForOrder({ orderId: order.orderId, timeoutMs: 120_000 })
    assert.equal(completed.status, 'completed')
    const { outputs } = await customer.getResult({ orderId: order.orderId })
    assert.ok(new TextDecoder().decode(outputs.text).length > 0)
    const audit = await customer.verifyOrder({ orderId: order.orderId })
    assert.equal(
      audit.ok,
      true,
      JSON.stringify(audit.checks.filter((check) => check.status === 'failed')),
    )
    const last = await network
      .signer('customer')
      .then((signer) => signer.publicClient.getBlockNumber())
    assert.ok(last > head + 1n, `the order spanned blocks ${head}..${last}`)
  })
})
