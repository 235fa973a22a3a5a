import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { resolveSettings } from './settings.ts'

describe('where settings come from', () => {
  let root: string
  const saved = { cwd: process.cwd(), env: { ...process.env } }
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'bocc-settings-'))
    // A user config, a workspace config two levels up, and an explicit config.
    await mkdir(join(root, 'home'), { recursive: true })
    await writeFile(
      join(root, 'home', 'config.json'),
      JSON.stringify({
        deployment: 'user.json',
        key: 'user-key.json',
        rpc: 'http://user',
        blobs: 'file:///user',
      }),
    )
    await mkdir(join(root, 'work', '.bocc'), { recursive: true })
    await mkdir(join(root, 'work', 'deep', 'er'), { recursive: true })
    await writeFile(
      join(root, 'work', '.bocc', 'config.json'),
      JSON.stringify({
        writtenBy: 'bocc dev',
        deployment: 'dev/deployment.json',
        key: 'dev/keys/customer.json',
        rpc: 'http://workspace',
      }),
    )
    await writeFile(join(root, 'explicit.json'), JSON.stringify({ deployment: 'explicit.json' }))
    for (const name of Object.keys(process.env))
      if (name.startsWith('BOCC_')) delete process.env[name]
    process.env.BOCC_HOME = join(root, 'home')
    process.chdir(join(root, 'work', 'deep', 'er'))
  })
  after(async () => {
    process.chdir(saved.cwd)
    process.env = saved.env
    await rm(root, { recursive: true, force: true })
  })

  it('takes each setting from the strongest source: flag, environment, --config, workspace, user', async () => {
    const workspace = join(root, 'work', '.bocc')
    let settings = await resolveSettings({})
    assert.deepEqual(settings.deployment, {
      value: join(workspace, 'dev', 'deployment.json'),
      source: join(workspace, 'config.json'),
    })
    assert.equal(settings.key?.value, join(workspace, 'dev', 'keys', 'customer.json'))
    assert.equal(settings.rpc?.value, 'http://workspace')
    assert.equal(settings.blobs?.value, 'file:///user')

    settings = await resolveSettings({ config: join(root, 'explicit.json') })
    assert.equal(settings.deployment?.value, join(root, 'explicit.json'))
    assert.equal(settings.key?.value, join(workspace, 'dev', 'keys', 'customer.json'))

    process.env.BOCC_DEPLOYMENT = '/from/environment.json'
    process.env.BOCC_RPC_URL = 'http://environment'
    settings = await resolveSettings({ config: join(root, 'explicit.json') })
    assert.deepEqual(settings.deployment, {
      value: '/from/environment.json',
      source: 'environment',
    })
    assert.equal(settings.rpc?.value, 'http://environment')

    settings = await resolveSettings({ deployment: 'flag.json', rpc: 'http://flag', key: 'k.json' })
    assert.deepEqual(settings.deployment, { value: 'flag.json', source: '--deployment' })
    assert.equal(settings.rpc?.value, 'http://flag')
    assert.equal(settings.key?.value, 'k.json')
    delete process.env.BOCC_DEPLOYMENT
    delete process.env.BOCC_RPC_URL
  })

  it('refuses a config file with unknown keys or one that is not JSON, in one line', async () => {
    await writeFile(join(root, 'bad.json'), JSON.stringify({ deploymnt: 'x' }))
    await assert.rejects(
      resolveSettings({ config: join(root, 'bad.json') }),
      /unknown keys: deploymnt/,
    )
    await writeFile(join(root, 'broken.json'), '{')
    await assert.rejects(resolveSettings({ config: join(root, 'broken.json') }), /is not JSON/)
    await assert.rejects(
      resolveSettings({ config: join(root, 'missing.json') }),
      /cannot read the config file/,
    )
  })
})
