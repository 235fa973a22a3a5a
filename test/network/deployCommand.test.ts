import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { getSafeOwners } from '../../src/chain/actions/governance/getSafeOwners.ts'
import { connectChain } from '../../src/chain/connectChain.ts'
import { readDeployment } from '../../src/chain/deployment.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { type LocalChain, startLocalChain } from '../../src/chain/startLocalChain.ts'
import { runBocc } from '../support/runBocc.ts'

describe('bocc deploy: governance, keys and refusals', () => {
  let chain: LocalChain
  let directory: string
  let keyFile: string
  const member = privateKeyToAccount(devPrivateKey(devRoles.committeeMember)).address
  const owners = [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()].map(
    (key) => privateKeyToAccount(key).address,
  )
  const deploy = (...args: string[]) =>
    runBocc(['deploy', '--rpc', chain.rpcUrl, '--committee', member, ...args], { cwd: directory })
  const oneLine = (
    result: { code: number | null; stderr: string },
    code: number,
    pattern: RegExp,
  ) => {
    assert.equal(result.code, code, result.stderr)
    const lines = result.stderr.trim().split('\n')
    assert.equal(lines.length, 1, result.stderr)
    assert.match(lines[0] as string, pattern)
  }

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bocc-deploy-'))
    chain = await startLocalChain({ blockTime: 1 })
    keyFile = join(directory, 'deployer.key')
    await writeFile(keyFile, `${devPrivateKey(devRoles.deployer)}\n`, { mode: 0o600 })
  })
  after(async () => {
    await chain?.stop()
    await rm(directory, { recursive: true, force: true })
  })

  it('deploys a Safe of the owners given, with their threshold, and writes the file', async () => {
    const out = join(directory, 'multisig.json')
    const result = await deploy(
      '--key',
      keyFile,
      '--out',
      out,
      '--safe-owners',
      owners.join(','),
      '--safe-threshold',
      '2',
      '--confirmations',
      '2',
      '--json',
    )
    assert.equal(result.code, 0, result.stderr)
    const printed = JSON.parse(result.stdout)
    assert.deepEqual(printed.governance, { owners, threshold: 2, development: false })
    assert.equal(printed.testToken, true)
    const deployment = await readDeployment(out)
    assert.equal(deployment.development, undefined)
    const safe = await getSafeOwners(await connectChain(chain.rpcUrl), {
      safe: deployment.contracts.safe,
    })
    assert.deepEqual(new Set(safe.owners), new Set(owners))
    assert.equal(safe.threshold, 2)
    assert.match(result.stderr, /^sent 0x[0-9a-f]{64} \(nonce \d+\)$/m)
  })

  it('refuses a governance of one key (--dev-governance is for development), in one line', async () => {
    oneLine(await deploy('--key', keyFile), 2, /^bocc: give the governance Safe: --safe-owners/)
    oneLine(
      await deploy('--key', keyFile, '--safe-owners', owners.join(','), '--safe-threshold', '1'),
      2,
      /at least 2 distinct owners/,
    )
  })

  it('refuses a key others can read, a deployer without gas, and an existing file', async () => {
    const readable = join(directory, 'readable.key')
    await writeFile(readable, devPrivateKey(devRoles.deployer), { mode: 0o644 })
    oneLine(await deploy('--key', readable, '--dev-governance'), 1, /can be read by other users/)
    const poor = join(directory, 'poor.key')
    await writeFile(poor, generatePrivateKey(), { mode: 0o600 })
    oneLine(
      await deploy('--key', poor, '--dev-governance', '--out', 'poor.json'),
      1,
      /has no native currency on chain 31337/,
    )
    await writeFile(join(directory, 'dev.json'), '{}')
    oneLine(
      await deploy('--key', keyFile, '--dev-governance', '--out', 'dev.json'),
      2,
      /dev\.json exists; refusing to overwrite/,
    )
  })
})
