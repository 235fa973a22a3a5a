import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { it } from 'node:test'
import { createTestClient, http, parseEther, publicActions, walletActions } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { devPrivateKey, devRoles } from './devAccounts.ts'
import { startLocalChain } from './startLocalChain.ts'

it('restarts anvil on its port with its blocks, balances and clock kept, and cleans up at stop', async () => {
  const chain = await startLocalChain({ keepState: true })
  try {
    const client = createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) })
      .extend(publicActions)
      .extend(walletActions)
    const account = privateKeyToAccount(devPrivateKey(devRoles.deployer))
    const to = privateKeyToAccount(devPrivateKey(devRoles.customer)).address
    const before = await client.getBalance({ address: to })
    const hash = await client.sendTransaction({
      account,
      chain: null,
      to,
      value: parseEther('1'),
    })
    await client.waitForTransactionReceipt({ hash })
    await client.increaseTime({ seconds: 86_400 })
    await client.mine({ blocks: 1 })
    const last = await client.getBlock()
    const oldPid = chain.process.pid

    await chain.restart()

    assert.notEqual(chain.process.pid, oldPid)
    const after = await client.getBlock({ blockNumber: last.number })
    assert.equal(after.hash, last.hash, 'the blocks are kept, hashes and all')
    assert.equal(await client.getBalance({ address: to }), before + parseEther('1'))
    assert.equal((await client.getTransactionReceipt({ hash })).status, 'success')
    // Mining stopped for the dump; the new node mines each transaction again.
    const again = await client.sendTransaction({ account, chain: null, to, value: 1n })
    const mined = await client.waitForTransactionReceipt({ hash: again })
    const next = await client.getBlock({ blockNumber: mined.blockNumber })
    assert.equal(next.number, last.number + 1n)
    assert.ok(next.timestamp > last.timestamp, 'the clock does not go back')
  } finally {
    const pid = chain.process.pid
    await chain.stop()
    assert.ok(pid === undefined || !isAlive(pid))
  }
  const cache = chain.process.spawnargs[chain.process.spawnargs.indexOf('--cache-path') + 1]
  assert.ok(cache && !existsSync(cache), 'its cache directory is removed')
})

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
