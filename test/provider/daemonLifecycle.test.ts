import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parseEther } from 'viem'
import { getBalance } from '../../src/chain/actions/market/getBalance.ts'
import { getStake } from '../../src/chain/actions/market/getStake.ts'
import { refundOrder } from '../../src/chain/actions/market/refundOrder.ts'
import { requestUnstake } from '../../src/chain/actions/market/requestUnstake.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { fetchResult } from '../../src/client/fetchResult.ts'
import type { PlacedOrder } from '../../src/client/placeOrder.ts'
import { readOrder } from '../../src/client/readOrder.ts'
import { formatOrderId } from '../../src/protocol/orderTerms.ts'
import { publishSolutionBundle } from '../../src/protocol/solutionBundle.ts'
import { ensureStake } from '../../src/provider/ensureStake.ts'
import type { ProviderEvent } from '../../src/provider/providerEvents.ts'
import { crashSteps } from '../../src/provider/testCrashPoint.ts'
import { paddleOcrSolution } from '../../src/solutions/paddleocr/paddleOcrSolution.ts'
import { createFsBlobStore } from '../../src/storage/blobStore.ts'
import { runBocc } from '../support/runBocc.ts'
import {
  childPids,
  type DaemonRun,
  type ProviderTestbed,
  startProviderTestbed,
} from './support/providerTestbed.ts'
import { startTcpProxy } from './support/tcpProxy.ts'

/**
 * One provider daemon, a real process on a real chain, taken through what months of operation
 * bring: more orders than its capacity, `kill -9` at every step of an order's life, an RPC that
 * drops, a crash of its enclave runtime, its stake falling under the minimum, and a graceful
 * stop. After each, every token the market holds is accounted for.
 */
describe('provider daemon lifecycle', () => {
  let bed: ProviderTestbed
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>
  let configFile: string
  let daemon: DaemonRun
  const orders: PlacedOrder[] = []
  const customer = () => bed.dev.signers.customer

  const assertTokensAccounted = async () => {
    const { held, accounted } = await bed.tokenTotals(orders)
    assert.equal(accounted, held, 'every token the market holds is accounted for')
  }
  const placeOn = async (run: DaemonRun, signer = customer()) => {
    const enclave = await bed.verify(signer, run.enclave)
    assert.ok(enclave.ok, 'the customer accepts the enclave')
    const placed = await bed.order(signer, enclave, run.offerId)
    orders.push(placed)
    return placed
  }

  before(async () => {
    bed = await startProviderTestbed()
    proxy = await startTcpProxy(bed.dev.chain.port)
    // Above the minimum, so that hand-back fees do not take it under.
    configFile = await bed.writeConfig('provider', {
      rpcUrl: proxy.url,
      stake: parseEther('120').toString(),
      withdrawIntervalSeconds: 2,
    })
    daemon = await bed.startDaemon(configFile)
  })
  after(async () => {
    await bed?.stop()
    await proxy?.close()
  })

  it('checks its setup with bocc provider check', async () => {
    const good = await runBocc(['provider', 'check', '--config', configFile])
    assert.equal(good.code, 0, good.stdout + good.stderr)
    assert.match(good.stdout, /✔ key file/)
    assert.match(good.stdout, /✔ stake/)
    assert.match(good.stdout, /✔ committee/)
    const badConfig = await bed.writeConfig('stranger', { committee: ['http://127.0.0.1:9'] })
    const bad = await runBocc(['provider', 'check', '--config', badConfig])
    assert.equal(bad.code, 1)
    assert.match(bad.stdout, /✘ committee: http:\/\/127\.0\.0\.1:9 does not answer/)
  })

  it('serves more orders than its capacity from several customers, and never accepts one it cannot serve', async () => {
    const signers = bed.dev.signers
    const placed = await Promise.all([
      placeOn(daemon, signers.customer),
      placeOn(daemon, signers.customer),
      placeOn(daemon, signers.stranger),
    ])
    // This customer keeps its input to itself: the provider cannot serve that order.
    const privateBlobs = createFsBlobStore(join(bed.directory, 'private'))
    await publishSolutionBundle(privateBlobs, paddleOcrSolution())
    const enclave = await bed.verify(signers.dataVendor, daemon.enclave)
    const unservable = await bed.order(signers.dataVendor, enclave, daemon.offerId, {
      store: privateBlobs,
    })
    orders.push(unservable)
    await bed.blobs.put(await privateBlobs.get(unservable.terms.requestHash))
    for (const order of placed) {
      await bed.waitForStatus(order.orderId, ['completed'])
      const { result } = await fetchResult({
        order: await readOrder(customer(), order),
        blobs: bed.blobs,
        resultKey: order.resultKey,
      })
      assert.ok(result.lines.some((line) => line.text.includes('NORTHGATE')))
    }
    await daemon.waitFor(
      (event) =>
        event.event === 'order-refused' && event.orderId === formatOrderId(unservable.orderId),
      { past: true },
    )
    assert.equal((await readOrder(customer(), unservable)).status, 'created')
    const metrics = await (await fetch(`${daemon.metricsUrl}/metrics`)).text()
    assert.match(metrics, /bocc_provider_orders\{state="completed"\} 3/)
    assert.match(metrics, /bocc_provider_job_duration_seconds_count 3/)
    const health = await fetch(`${daemon.metricsUrl}/health`)
    assert.equal(health.status, 200)
    assert.equal(((await health.json()) as { status: string }).status, 'ok')
    await assertTokensAccounted()
  })

  it('finishes an order through a kill -9 at every step of its life', async () => {
    await daemon.kill9()
    let placed: PlacedOrder | undefined
    for (const step of crashSteps) {
      const crashing = await bed.startDaemon(configFile, { BOCC_PROVIDER_TEST_CRASH_AT: step })
      // The enclave runtime outlived the daemon: each restart reconnects to it.
      if (placed) assert.equal(crashing.enclave, daemon.enclave)
      placed ??= await placeOn(crashing)
      daemon = crashing
      const exit = await crashing.exited
      assert.equal(exit.signal, 'SIGKILL', `the daemon crashed at ${step}`)
      assert.ok(
        crashing.events.some((event) => event.event === 'test-fault' && event.step === step),
      )
    }
    daemon = await bed.startDaemon(configFile)
    assert.equal(
      await bed.waitForStatus((placed as PlacedOrder).orderId, ['completed', 'handedBack']),
      'completed',
    )
    await assertTokensAccounted()
  })

  it('waits out an RPC that drops, then serves the orders placed meanwhile', async () => {
    await proxy.down()
    const placed = await placeOn(daemon)
    await daemon.waitFor((event) => event.event === 'warning')
    await proxy.up()
    assert.equal(await bed.waitForStatus(placed.orderId, ['completed', 'handedBack']), 'completed')
    await assertTokensAccounted()
  })

  it('hands back the orders of an enclave runtime that crashed, registers a new one and goes on', async () => {
    const oldEnclave = daemon.enclave
    const hostPid = [...daemon.events]
      .reverse()
      .flatMap((event) =>
        event.event === 'enclave-started' || event.event === 'enclave-reattached'
          ? [event.hostPid]
          : [],
      )[0] as number
    const placed = await placeOn(daemon)
    await daemon.waitFor(
      (event) => event.event === 'job-started' && event.orderId === formatOrderId(placed.orderId),
    )
    for (const pid of childPids(hostPid)) process.kill(pid, 'SIGKILL')
    assert.equal(await bed.waitForStatus(placed.orderId, ['completed', 'handedBack']), 'handedBack')
    const registered = (await daemon.waitFor(
      (event) => event.event === 'enclave-registered' && event.enclave !== oldEnclave,
      { past: true },
    )) as Extract<ProviderEvent, { event: 'enclave-registered' }>
    await daemon.waitFor(
      (event) => event.event === 'enclave-revoked' && event.enclave === oldEnclave,
      { past: true },
    )
    const next = await placeOn({ ...daemon, enclave: registered.enclave })
    assert.equal(await bed.waitForStatus(next.orderId, ['completed', 'handedBack']), 'completed')
    daemon = { ...daemon, enclave: registered.enclave }
    await assertTokensAccounted()
  })

  it('starts over an enclave host killed while the daemon was down, which left its socket behind', async () => {
    // The daemon dies with an order in the enclave, then its host and runtime die with SIGKILL:
    // the socket file stays, and nothing answers there (ECONNREFUSED).
    await daemon.kill9()
    const crashing = await bed.startDaemon(configFile, {
      BOCC_PROVIDER_TEST_CRASH_AT: 'job-started',
    })
    const oldEnclave = crashing.enclave
    const placed = await placeOn(crashing)
    assert.equal((await crashing.exited).signal, 'SIGKILL')
    const hostPid = crashing.events.flatMap((event) =>
      event.event === 'enclave-reattached' || event.event === 'enclave-started'
        ? [event.hostPid]
        : [],
    )[0] as number
    for (const pid of [...childPids(hostPid), hostPid]) process.kill(pid, 'SIGKILL')
    const sockets = readdirSync(join(bed.directory, 'provider-state', 'enclaves'))
    assert.ok(
      sockets.some((name) => name.endsWith('.sock')),
      'the dead host left its socket',
    )

    daemon = await bed.startDaemon(configFile)
    assert.notEqual(daemon.enclave, oldEnclave, 'a new enclave replaces the lost one')
    await daemon.waitFor(
      (event) => event.event === 'enclave-lost' && event.enclave === oldEnclave,
      { past: true },
    )
    assert.equal(await bed.waitForStatus(placed.orderId, ['completed', 'handedBack']), 'handedBack')
    await daemon.waitFor(
      (event) => event.event === 'enclave-revoked' && event.enclave === oldEnclave,
      { past: true },
    )
    const next = await placeOn(daemon)
    assert.equal(await bed.waitForStatus(next.orderId, ['completed', 'handedBack']), 'completed')
    await assertTokensAccounted()
  })

  it('stops accepting when its stake falls below the minimum; those orders are refunded without slashing', async () => {
    const provider = bed.dev.signers.provider
    const stake = await getStake(provider, { provider: provider.account.address })
    await requestUnstake(provider, { amount: stake.active - stake.locked })
    const placed = await placeOn(daemon)
    await daemon.waitFor((event) => event.event === 'stake-low')
    await bed.dev.increaseTime(130)
    await refundOrder(bed.dev.signers.stranger, { terms: placed.terms })
    const refunded = await readOrder(customer(), placed)
    assert.equal(refunded.status, 'refunded')
    assert.equal(refunded.refund?.slashed, 0n)
    await assertTokensAccounted()
    // Staked again, it accepts again.
    await ensureStake(provider)
    const next = await placeOn(daemon)
    assert.equal(await bed.waitForStatus(next.orderId, ['completed', 'handedBack']), 'completed')
    await daemon.waitFor((event) => event.event === 'accepting', { past: true })
  })

  it('withdraws its earnings once they mature', async () => {
    const provider = bed.dev.signers.provider.account.address
    const before = await getBalance(bed.dev.signers.deployer, { account: provider })
    assert.ok(before.pending > 0n, 'payouts of the completed orders are maturing')
    // Payouts mature two payout epochs (challenge windows) after delivery.
    await bed.dev.increaseTime(3 * 3_600)
    const withdrawn = (await daemon.waitFor((event) => event.event === 'withdrawn', {
      past: true,
    })) as {
      amount: string
    }
    assert.ok(BigInt(withdrawn.amount) >= before.pending)
    const after = await getBalance(bed.dev.signers.deployer, { account: provider })
    assert.equal(after.available + after.pending, 0n)
    await assertTokensAccounted()
  })

  it('on SIGUSR2 (an upgrade) leaves its enclave to the next daemon, which finishes the job', async () => {
    const placed = await placeOn(daemon)
    await daemon.waitFor(
      (event) => event.event === 'job-started' && event.orderId === formatOrderId(placed.orderId),
    )
    daemon.process.kill('SIGUSR2')
    assert.equal((await daemon.exited).code, 0)
    const next = await bed.startDaemon(configFile)
    assert.equal(next.enclave, daemon.enclave)
    daemon = next
    assert.equal(await bed.waitForStatus(placed.orderId, ['completed', 'handedBack']), 'completed')
    await assertTokensAccounted()
  })

  it('on SIGTERM finishes the running job, revokes its idle enclave and stops', async () => {
    const placed = await placeOn(daemon)
    await daemon.waitFor(
      (event) => event.event === 'job-started' && event.orderId === formatOrderId(placed.orderId),
    )
    await daemon.stop()
    assert.equal((await daemon.exited).code, 0)
    assert.equal(await bed.waitForStatus(placed.orderId, ['completed', 'handedBack']), 'completed')
    assert.ok(daemon.events.some((event) => event.event === 'enclave-revoked'))
    assert.ok(daemon.events.some((event) => event.event === 'stopped'))
    // The log holds public values only: never the provider's key.
    const key = devPrivateKey(devRoles.provider).slice(2)
    assert.ok(!JSON.stringify(daemon.events).includes(key))
    await assertTokensAccounted()
  })

  it('runs as bocc provider start, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['src/cli/bocc.ts', 'provider', 'start', '--config', configFile],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    let stdout = ''
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        if (stdout.includes('"event":"ready"')) resolve()
      })
      void exited.then(() => reject(new Error(`bocc provider start exited early: ${stdout}`)))
    })
    child.kill('SIGTERM')
    assert.equal(await exited, 0)
    assert.match(stdout, /"event":"stopped"/)
  })
})
