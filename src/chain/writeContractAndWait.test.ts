import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { privateKeyToAccount } from 'viem/accounts'
import { connectSigner, type SignerConnection } from './connectChain.ts'
import { devPrivateKey } from './devAccounts.ts'
import { type LocalChain, startLocalChain } from './startLocalChain.ts'
import { TransactionDroppedError, writeContractAndWait } from './writeContractAndWait.ts'

// A call with no result to an account without code: simulated and sent like any contract call.
const pokeAbi = [
  { type: 'function', name: 'poke', inputs: [], outputs: [], stateMutability: 'nonpayable' },
] as const

let chain: LocalChain
let sender: SignerConnection
const target = privateKeyToAccount(devPrivateKey(7)).address

before(async () => {
  // Blocks every 3 s, so that a sent transaction waits in the pool long enough to be dropped.
  chain = await startLocalChain({ node: 'anvil', blockTime: 3 })
  sender = await connectSigner(chain.rpcUrl, devPrivateKey(6))
})
after(() => chain.stop())

test('reports a transaction the node lost as dropped, and the next call is not held back by its nonce', async () => {
  const poke = () =>
    writeContractAndWait(sender, { address: target, abi: pokeAbi, functionName: 'poke', args: [] })
  const lost = poke()
  // What a node restarted without its pool does to a pending transaction.
  for (;;) {
    const pending = (await sender.publicClient.request({
      method: 'txpool_content',
    } as never)) as { pending: Record<string, unknown> }
    if (Object.keys(pending.pending).length > 0) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await sender.publicClient.request({ method: 'anvil_dropAllTransactions' } as never)
  await assert.rejects(lost, TransactionDroppedError)
  const { receipt } = await poke()
  assert.equal(receipt.status, 'success')
})
