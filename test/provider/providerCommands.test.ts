import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { writeKeyFile } from '../../src/chain/keyFile.ts'
import { runBocc } from '../support/runBocc.ts'

/** `bocc provider start|check` on bad input: one line per problem, exit 1 (2 for usage). */
describe('bocc provider commands on bad input', () => {
  let directory: string
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bocc-provider-cli-'))
  })
  after(() => rm(directory, { recursive: true, force: true }))

  it('needs --config', async () => {
    const { code, stderr } = await runBocc(['provider', 'start'])
    assert.equal(code, 2)
    assert.equal(stderr, "bocc: required option '--config <file>' not specified\n")
  })

  it('lists every configuration problem on its own line and exits 1', async () => {
    const file = join(directory, 'bad.json')
    await writeFile(file, JSON.stringify({ version: 1, deployment: 'd.json', offer: {} }))
    const { code, stdout, stderr } = await runBocc(['provider', 'start', '--config', file])
    assert.equal(code, 1)
    assert.equal(stdout, '')
    assert.deepEqual(stderr.trim().split('\n'), [
      `bocc: ${file}: keyFile is required (or set BOCC_PROVIDER_KEY_FILE)`,
      `bocc: ${file}: stateDirectory is required (or set BOCC_PROVIDER_STATE_DIR)`,
      `bocc: ${file}: committee must list at least one verifier URL (or set BOCC_COMMITTEE_URLS)`,
      `bocc: ${file}: offer.price is required (a whole number of the token's smallest unit)`,
    ])
  })

  it('check refuses a key file that others can read, and a missing deployment', async () => {
    const keyFile = join(directory, 'provider.key')
    await writeKeyFile(keyFile)
    await chmod(keyFile, 0o644)
    const file = join(directory, 'provider.json')
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        deployment: 'missing.json',
        keyFile: 'provider.key',
        stateDirectory: 'state',
        committee: ['http://127.0.0.1:9'],
        offer: { price: '1' },
      }),
    )
    const { code, stdout, stderr } = await runBocc(['provider', 'check', '--config', file])
    assert.equal(code, 1)
    assert.equal(stderr, '')
    assert.match(stdout, /✘ deployment: cannot read the deployment file/)
    assert.match(stdout, /✘ key file: .*provider\.key can be read by other users \(mode 644\)/)
    assert.match(stdout, /✘ committee: http:\/\/127\.0\.0\.1:9 does not answer/)
    assert.match(stdout, /the provider cannot start as configured\n$/)
  })
})
