import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  defaultLocalChainNode,
  type LocalChain,
  startLocalChain,
} from '../../src/chain/startLocalChain.ts'
import type { Service } from '../../src/processes/spawnService.ts'
import {
  type DeployedNetwork,
  deployWithCli,
  startCommittee,
  startProvider,
} from '../support/deployedNetwork.ts'
import { repositoryRoot } from '../support/runBocc.ts'
import { type LocalS3Server, startLocalS3Server } from '../support/s3Server.ts'

type S3Target = {
  name: string
  /** The blob store URL and the variables that reach it, for every process. */
  open(): Promise<{ url: string; env: Record<string, string>; close(): Promise<void> }>
  skip: string | false
}

const localS3: S3Target = {
  name: 'a local s3rver',
  skip: false,
  async open() {
    const server: LocalS3Server = await startLocalS3Server()
    return {
      url: `s3://${server.bucket}/deployed`,
      env: {
        AWS_ENDPOINT_URL_S3: server.endpoint,
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        AWS_REGION: 'us-east-1',
      },
      close: () => server.close(),
    }
  },
}

/** Any S3-compatible endpoint: BOCC_TEST_S3_URL=s3://bucket/prefix and the standard AWS_* variables. */
const environmentS3: S3Target = {
  name: `the endpoint from the environment (${process.env.BOCC_TEST_S3_URL ?? 'unset'})`,
  skip: process.env.BOCC_TEST_S3_URL
    ? false
    : 'set BOCC_TEST_S3_URL=s3://bucket/prefix and the AWS_* variables to run it against an S3 endpoint',
  async open() {
    const base = (process.env.BOCC_TEST_S3_URL as string).replace(/\/+$/, '')
    // The AWS_* variables reach every process through the environment as they are.
    return { url: `${base}/bocc-deployed-${Date.now()}`, env: {}, close: async () => {} }
  },
}

for (const target of [localS3, environmentS3])
  describe(`bocc deploy on an independent ${defaultLocalChainNode()} with 1 s blocks, blobs in S3 (${target.name})`, {
    skip: target.skip,
  }, () => {
    let chain: LocalChain
    let directory: string
    let store: Awaited<ReturnType<S3Target['open']>>
    let network: DeployedNetwork
    const services: Service[] = []

    before(async () => {
      directory = await mkdtemp(join(tmpdir(), 'bocc-deployed-'))
      chain = await startLocalChain({ blockTime: 1 })
      store = await target.open()
      network = await deployWithCli({
        rpcUrl: chain.rpcUrl,
        directory,
        blobStore: store.url,
        env: store.env,
      })
      const committee = await startCommittee(network, { env: store.env })
      services.push(committee)
      services.push(
        await startProvider(network, {
          name: 'provider',
          role: 'provider',
          committeeUrl: committee.url,
          env: store.env,
        }),
      )
    })
    after(async () => {
      for (const service of services.reverse()) await service.stop()
      await chain?.stop()
      await store?.close()
      await rm(directory, { recursive: true, force: true })
    })

    test('the deployment file names the chain, the contracts and the S3 store', async () => {
      const written = JSON.parse(await readFile(network.deploymentFile, 'utf8'))
      assert.equal(written.chainId, 31337)
      assert.equal(written.rpcUrl, chain.rpcUrl)
      assert.equal(written.blobStore, store.url)
      assert.equal(written.development, undefined, 'a deployed network has no development policy')
      for (const name of ['token', 'market', 'registry', 'catalog', 'timelock', 'safe'])
        assert.match(written.contracts[name], /^0x[0-9a-fA-F]{40}$/)
    })

    test('a customer orders with the CLI, gets the result from S3 and verifies it', async () => {
      const order = await network.json([
        'orders',
        'create',
        '--solution',
        network.solutionHash,
        '--input',
        join(repositoryRoot, 'examples', 'lab-report.png'),
        '--policy',
        network.policyFile,
        '--key',
        network.keys.customer,
        '--wait',
        '--timeout',
        '180',
      ])
      assert.equal(order.status, 'completed')
      assert.equal(order.policy, 'given')
      const orderId = order.orderId as string
      const out = join(directory, 'text.json')
      const result = await network.bocc([
        'orders',
        'result',
        orderId,
        '--out',
        out,
        '--key',
        network.keys.customer,
      ])
      assert.equal(result.code, 0, result.stderr)
      assert.match(await readFile(out, 'utf8'), /HAEMOGLOBIN|Hemoglobin|HbA1c|Glucose/i)
      const audit = await network.json(['verify', 'order', orderId, '--policy', network.policyFile])
      assert.equal(audit.verified, true)
      assert.equal(audit.simulatedTee, true)
    })
  })
