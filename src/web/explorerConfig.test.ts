import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Deployment } from '../chain/deploymentFormat.ts'
import {
  decodeExplorerConfig,
  type ExplorerConfig,
  encodeExplorerConfig,
} from './explorerConfig.ts'

const address = (digit: string) => `0x${digit.repeat(40)}` as const
const deployment: Deployment = {
  version: 1,
  chainId: 31337,
  rpcUrl: 'http://127.0.0.1:8545',
  fromBlock: 7n,
  contracts: {
    token: address('1'),
    market: address('2'),
    registry: address('3'),
    catalog: address('4'),
    timelock: address('5'),
    safe: address('6'),
  },
  development: { policy: '/somewhere/policy.json' },
}

describe('explorer configuration (config.json)', () => {
  it('reads back what it writes, the deployment and development policy included', () => {
    const config: ExplorerConfig = {
      version: 1,
      deployment,
      rpcUrl: 'http://127.0.0.1:8545',
      blobStoreUrl: 'http://127.0.0.1:8546/',
      developmentPolicy: { allowSim: true, allowedMeasurements: [`0x${'ab'.repeat(32)}`] },
      devWallet: { accounts: [{ role: 'customer', address: address('7') }] },
    }
    assert.deepEqual(decodeExplorerConfig(encodeExplorerConfig(config)), config)
  })

  it('refuses in one line what a page could not use', () => {
    const base = JSON.parse(
      encodeExplorerConfig({
        version: 1,
        deployment,
        rpcUrl: 'http://a/',
        blobStoreUrl: 'http://b/',
      }),
    )
    const refusals: [object, RegExp][] = [
      [{ ...base, version: 2 }, /unknown version/],
      [{ ...base, rpcUrl: 'ws://a/' }, /rpcUrl must be an http\(s\) URL/],
      [{ ...base, blobStoreUrl: 'file:///blobs' }, /blobStoreUrl must be an http\(s\) URL/],
      [{ ...base, measurements: ['0x12'] }, /measurements must be a list of 32-byte hex/],
      [{ ...base, deployment: { ...base.deployment, chainId: 0 } }, /chainId must be a positive/],
      [{ ...base, devWallet: { accounts: [{ role: 'x' }] } }, /each dev account/],
    ]
    for (const [value, message] of refusals)
      assert.throws(() => decodeExplorerConfig(JSON.stringify(value)), { shortMessage: message })
    assert.throws(() => decodeExplorerConfig('{'), { shortMessage: /not JSON/ })
  })
})
