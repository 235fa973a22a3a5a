import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { it } from 'node:test'
import { createTestClient, http, parseEther, publicActions, walletActions } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { connectSigner } from './connectChain.ts'
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

it('kills the nodes a process leaves running when it exits, and removes their cache', async () => {
  // A process that starts anvil and exits at once without stopping it, as a crash would.
  const script = `
    const { startLocalChain } = await import(${JSON.stringify(new URL('./startLocalChain.ts', import.meta.url).href)})
    const chain = await startLocalChain()
    console.log(JSON.stringify({ pid: chain.process.pid, args: chain.process.spawnargs }))
    process.exit(3)
  `
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', script], (_, out) =>
      resolve({ code: child.exitCode, stdout: out }),
    )
  })
  assert.equal(code, 3)
  const started = JSON.parse(stdout) as { pid: number; args: string[] }
  const cache = started.args[started.args.indexOf('--cache-path') + 1]
  assert.ok(!isAlive(started.pid) || (await exitsSoon(started.pid)), 'the node is gone')
  assert.ok(cache && !existsSync(cache), 'its cache directory is removed')
})

/** SIGKILL is delivered at once, but the exit may take a moment to be visible. */
async function exitsSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (!isAlive(pid)) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return false
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

it('numbers a fresh chain’s transactions from its own nonces, on a port an earlier chain had', async () => {
  const key = devPrivateKey(devRoles.deployer)
  const to = privateKeyToAccount(devPrivateKey(devRoles.customer)).address
  const send = async (rpcUrl: string) => {
    const signer = await connectSigner(rpcUrl, key)
    const hash = await signer.walletClient.sendTransaction({ to, value: 1n })
    return (await signer.publicClient.waitForTransactionReceipt({ hash, timeout: 15_000 })).status
  }
  const first = await startLocalChain()
  try {
    await send(first.rpcUrl)
    await send(first.rpcUrl)
  } finally {
    await first.stop()
  }
  // The same URL, another node: its first transaction is the account's first there.
  const second = await startLocalChain({ port: first.port })
  try {
    assert.equal(await send(second.rpcUrl), 'success')
  } finally {
    await second.stop()
  }
})
