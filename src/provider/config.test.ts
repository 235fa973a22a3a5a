import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ProviderConfigError, parseProviderConfig } from './config.ts'

const base = {
  version: 1,
  deployment: 'deployment.json',
  keyFile: 'keys/provider.json',
  stateDirectory: 'state',
  committee: ['http://127.0.0.1:8547'],
  offer: { price: '5000000000000000000', capacity: 2 },
}
const parse = (value: unknown, env: Record<string, string> = {}) =>
  parseProviderConfig(value, { source: 'provider.json', baseDirectory: '/srv/bocc', env })

describe('provider configuration', () => {
  it('resolves paths against the file, applies defaults, and lets the environment override', () => {
    const config = parse(base)
    assert.equal(config.deploymentFile, '/srv/bocc/deployment.json')
    assert.equal(config.keyFile, '/srv/bocc/keys/provider.json')
    assert.equal(config.offer.price, 5_000_000_000_000_000_000n)
    assert.equal(config.confirmations, 0)
    assert.deepEqual(config.metrics, { host: '127.0.0.1', port: 9464 })
    assert.equal(config.enclave.gpuCollector, undefined)
    const withGpu = parse({ ...base, enclave: { gpuCollector: 'bin/gpu-collector' } })
    assert.equal(withGpu.enclave.gpuCollector, '/srv/bocc/bin/gpu-collector')
    const overridden = parse(base, {
      BOCC_PROVIDER_KEY_FILE: '/run/secrets/provider.json',
      BOCC_COMMITTEE_URLS: 'http://a.example, http://b.example',
      BOCC_PROVIDER_METRICS: 'off',
    })
    assert.equal(overridden.keyFile, '/run/secrets/provider.json')
    assert.deepEqual(overridden.committeeUrls, ['http://a.example', 'http://b.example'])
    assert.equal(overridden.metrics, undefined)
  })

  it('serves leases only when asked, from the file or the environment', () => {
    assert.equal(parse(base).leases, undefined)
    assert.deepEqual(parse({ ...base, leases: {} }).leases, {
      host: '127.0.0.1',
      port: 8470,
      settleIntervalSeconds: 60,
    })
    const configured = parse(
      { ...base, leases: { port: 0, publicUrl: 'https://a.example', settleIntervalSeconds: 5 } },
      { BOCC_PROVIDER_LEASE_URL: 'https://leases.example' },
    )
    assert.deepEqual(configured.leases, {
      host: '127.0.0.1',
      port: 0,
      settleIntervalSeconds: 5,
      publicUrl: 'https://leases.example',
    })
    assert.deepEqual(parse(base, { BOCC_PROVIDER_LEASES: '0.0.0.0:9000' }).leases, {
      host: '0.0.0.0',
      port: 9000,
      settleIntervalSeconds: 60,
    })
    assert.equal(parse({ ...base, leases: {} }, { BOCC_PROVIDER_LEASES: 'off' }).leases, undefined)
    assert.throws(
      () => parse({ ...base, leases: { port: 70_000, publicUrl: 'leases.example', tls: true } }),
      (error: unknown) =>
        error instanceof ProviderConfigError &&
        error.problems.join('\n') ===
          [
            'unknown field "leases.tls"',
            'leases.port must be a port number (0: any free port)',
            'leases.publicUrl must be an http(s) URL of at most 256 characters',
          ].join('\n'),
    )
  })

  it('lists every problem, one line each', () => {
    try {
      parse({
        version: 1,
        privateKey: '0x01',
        committee: ['ftp://x'],
        offer: { price: 5, capacity: 0 },
        confirmations: -1,
        enclave: { validitySeconds: 100, renewBeforeSeconds: 200, gpuCollector: 7 },
      })
      assert.fail('expected problems')
    } catch (error) {
      assert.ok(error instanceof ProviderConfigError)
      assert.deepEqual(error.problems, [
        'unknown field "privateKey": the key goes in a key file named by keyFile, never in the configuration',
        'deployment is required (or set BOCC_DEPLOYMENT)',
        'keyFile is required (or set BOCC_PROVIDER_KEY_FILE)',
        'stateDirectory is required (or set BOCC_PROVIDER_STATE_DIR)',
        'committee URL "ftp://x" is not an http(s) URL',
        'offer.price must be a whole number written as a string, like "5000000000000000000"',
        'offer.capacity must be a whole number from 1 to 1000',
        'enclave.renewBeforeSeconds must be less than enclave.validitySeconds',
        'enclave.gpuCollector must be the path of the GPU evidence collector',
        'confirmations must be a whole number from 0 to 1000',
      ])
      assert.ok(!error.shortMessage.includes('\n'))
    }
  })
})
