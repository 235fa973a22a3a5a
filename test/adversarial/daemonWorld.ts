import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type Address,
  decodeFunctionData,
  type Hex,
  parseEther,
  parseEventLogs,
  sha256,
  toBytes,
} from 'viem'
import { marketAbi } from '../../src/chain/abis.ts'
import { createOrder } from '../../src/chain/actions/market/createOrder.ts'
import { getCreatedOrders } from '../../src/chain/actions/market/getCreatedOrders.ts'
import { getMarketSettings } from '../../src/chain/actions/market/getMarketSettings.ts'
import { getOrderState } from '../../src/chain/actions/market/getOrderState.ts'
import { refundOrder } from '../../src/chain/actions/market/refundOrder.ts'
import { useFaucet } from '../../src/chain/actions/token/useFaucet.ts'
import { type DevRole, devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import type { OrderStatusName } from '../../src/chain/orderStatus.ts'
import { createContentKeyStore } from '../../src/client/contentKeyStore.ts'
import { type PlacedOrder, placeOrder } from '../../src/client/placeOrder.ts'
import { reserveFunds } from '../../src/client/reserveFunds.ts'
import type { VerifiedEnclave } from '../../src/client/verifyEnclave.ts'
import { encryptObject } from '../../src/crypto/chunkedAead.ts'
import { generateHpkeKeyPair } from '../../src/crypto/hpke.ts'
import { devPolicy } from '../../src/devnet/startDevNetwork.ts'
import { startOwnerAgent } from '../../src/owner/startOwnerAgent.ts'
import {
  encodeOrderRequest,
  type OrderRequest,
  sealOrderRequest,
} from '../../src/protocol/orderRequest.ts'
import { formatOrderId } from '../../src/protocol/orderTerms.ts'
import {
  createSolutionBundle,
  packSolutionBundle,
  publishSolutionBundle,
} from '../../src/protocol/solutionBundle.ts'
import type { ProviderEvent } from '../../src/provider/providerEvents.ts'
import { type DaemonRun, startProviderTestbed } from '../provider/support/providerTestbed.ts'
import { startTcpProxy } from '../provider/support/tcpProxy.ts'
import { type FlakyProxy, startFlakyProxy } from '../support/flakyProxy.ts'
import { marketLedger } from '../support/marketLedger.ts'
import { type RpcGate, startRpcGate } from '../support/rpcGate.ts'
import {
  assembleWat,
  echoManifest,
  echoWat,
  growWat,
  loopWat,
  trapWat,
} from '../support/wasmModules.ts'

/** The dev roles that run provider daemons here, and those that order. */
export const providerRoles = ['provider', 'stranger'] as const satisfies DevRole[]
export const customerRoles = [
  'customer',
  'modelVendor',
  'dataVendor',
  'deployer',
] as const satisfies DevRole[]
export type ProviderRole = (typeof providerRoles)[number]

/** Marks the plaintext of every input here: it must never appear on the host's side. */
export const plaintextMarker = 'PLAINTEXT-THE-HOST-MUST-NEVER-SEE'

export type Solution = { solutionHash: Hex; bundleHash: Hex }

/** An order the suite placed, with who placed it and on which provider. */
export type TrackedOrder = PlacedOrder & { provider: ProviderRole; customerRole: DevRole }

/**
 * Two provider daemons (real processes, each with its enclave runtime on the sim backend under
 * an enclave host) on one anvil, four customers, the committee's verifier service, and the
 * solutions the attacks order: an echo job, jobs that loop, trap or exhaust memory, and an
 * encrypted one whose key is never released.
 */
export async function startDaemonWorld() {
  // What a setup that fails half-way started is stopped, so the test process can exit.
  const started: (() => Promise<unknown>)[] = []
  try {
    return await assembleDaemonWorld(started)
  } catch (error) {
    for (const stop of started.reverse()) await stop().catch(() => undefined)
    throw error
  }
}

async function assembleDaemonWorld(started: (() => Promise<unknown>)[]) {
  // The chain keeps its state across the restarts the faults inject.
  const bed = await startProviderTestbed({}, { keepState: true })
  started.push(() => bed.stop())
  const { signers } = bed.dev
  const echo = await publishWasm(bed.blobs, 'echo', echoWat)
  const wasmBytes = await assembleWat(echoWat)
  const encryptedBundle = createSolutionBundle({ ...echoManifest, name: 'sealed-echo' }, [
    { path: 'main.wasm', bytes: wasmBytes },
  ])
  const sealed = await encryptObject(packSolutionBundle(encryptedBundle))
  sealed.key.fill(0)
  const solutions = {
    echo,
    loop: await publishWasm(bed.blobs, 'loop', loopWat, { memoryMiB: 16, timeoutMs: 300 }),
    grow: await publishWasm(bed.blobs, 'grow', growWat, { memoryMiB: 16, timeoutMs: 2_000 }),
    trap: await publishWasm(bed.blobs, 'trap', trapWat),
    /** Published, never ordered as itself: no enclave has it loaded. */
    unloaded: await publishWasm(bed.blobs, 'never-loaded', echoWat),
    encrypted: await publishSolutionBundle(bed.blobs, encryptedBundle, sealed.ciphertext),
  }
  for (const role of customerRoles) await useFaucet(signers[role], { amount: parseEther('5000') })
  // The vendor of the encrypted solution runs its owner agent, which the daemons ask for key
  // releases; it holds no key for that solution, so it never releases one.
  const withholdingAgent = await startOwnerAgent({
    chain: signers.modelVendor,
    vendor: signers.modelVendor.account.address,
    blobs: bed.blobs,
    keys: createContentKeyStore({
      chainId: bed.dev.deployment.chainId,
      market: bed.dev.deployment.contracts.market,
      accountPrivateKey: devPrivateKey(devRoles.modelVendor),
      directory: join(bed.directory, 'owner-keys'),
    }),
    policyFor: () => devPolicy(),
    onEvent: () => {},
  })
  started.push(() => withholdingAgent.stop())
  const configs = {} as Record<ProviderRole, string>
  const runs = {} as Record<ProviderRole, DaemonRun>
  // Each daemon reaches the chain through an RPC that can go down (every connection cut), one
  // that drops requests and one that can hold back its transactions:
  // daemon → dropping proxy → outage proxy → gate → anvil.
  const rpc = {} as Record<ProviderRole, { outage: TcpProxy; dropping: FlakyProxy; gate: RpcGate }>
  for (const role of providerRoles) {
    const gate = await startRpcGate(bed.dev.chain.rpcUrl)
    started.push(() => gate.close())
    const outage = await startTcpProxy(Number(new URL(gate.url).port))
    started.push(() => outage.close())
    const dropping = await startFlakyProxy(Number(new URL(outage.url).port))
    started.push(() => dropping.close())
    rpc[role] = { outage, dropping, gate }
    configs[role] = await bed.writeConfig(role, {
      rpcUrl: dropping.url,
      ownerAgents: [withholdingAgent.url],
      stake: parseEther('300').toString(),
      offer: { price: parseEther('0.1').toString(), capacity: 6 },
    })
  }
  await Promise.all(
    providerRoles.map(async (role) => {
      runs[role] = await bed.startDaemon(configs[role])
    }),
  )
  const history: Record<ProviderRole, DaemonRun[]> = {
    provider: [runs.provider],
    stranger: [runs.stranger],
  }
  const orders: TrackedOrder[] = []
  const verified = new Map<string, VerifiedEnclave>()
  const accounts: Address[] = [
    ...Object.values(signers).map((signer) => signer.account.address),
    bed.dev.deployment.contracts.timelock,
  ]

  /** The provider's enclave now: the last one its daemons reported ready or registered. */
  const enclaveOf = (role: ProviderRole): Address => {
    for (const run of [...history[role]].reverse())
      for (const event of [...run.events].reverse())
        if (event.event === 'ready' || event.event === 'enclave-registered') return event.enclave
    return runs[role].enclave
  }
  /** The customer's own check of the provider's current enclave (cached per enclave). */
  async function verifiedEnclave(customer: DevRole, role: ProviderRole): Promise<VerifiedEnclave> {
    const enclave = enclaveOf(role)
    const key = `${customer}:${enclave}`
    let found = verified.get(key)
    if (!found) {
      found = await bed.verify(signers[customer], enclave)
      if (!found.ok) throw new Error(`${customer} does not accept enclave ${enclave}`)
      verified.set(key, found)
    }
    return found
  }

  const world = {
    bed,
    rpc,
    /** Providers customers avoid for now (their enclave runtime is being replaced). */
    unavailable: new Set<ProviderRole>(),
    signers,
    solutions,
    runs,
    history,
    orders,
    enclaveOf,
    verifiedEnclave,
    /** Every event the role's daemons logged, in order. */
    eventsOf: (role: ProviderRole): ProviderEvent[] => history[role].flatMap((run) => run.events),
    /** Kills the role's daemon with SIGKILL and starts it again (its enclave host lives on). */
    async restartDaemon(role: ProviderRole, kill = true): Promise<void> {
      if (kill) await runs[role].kill9()
      // As a process supervisor would: a daemon that fails to start (its RPC dropping the
      // requests of its start) is started again, a few times.
      for (let attempt = 1; ; attempt++)
        try {
          runs[role] = await bed.startDaemon(configs[role])
          history[role].push(runs[role])
          return
        } catch (error) {
          if (attempt >= 5) throw error
          await sleep(1_000)
        }
    },
    /**
     * Runs `attack` while the role's daemon cannot get a receipt or a signed failure onto the
     * chain (its RPC refuses to send them; the daemon sends them again afterwards): the attack
     * acts on orders the honest daemon has certainly not ended yet, whatever the machine's speed.
     */
    async withStatementsHeldBack<result>(
      role: ProviderRole,
      attack: () => Promise<result>,
    ): Promise<result> {
      const release = rpc[role].gate.holdBack((transaction) => {
        if (transaction.to?.toLowerCase() !== bed.dev.deployment.contracts.market.toLowerCase())
          return false
        try {
          const call = decodeFunctionData({ abi: marketAbi, data: transaction.data ?? '0x' })
          return statementFunctions.has(call.functionName)
        } catch {
          return false
        }
      })
      try {
        return await attack()
      } finally {
        release()
        // A block wakes the daemon, which sends what was held back at once.
        await bed.testClient.mine({ blocks: 1 })
      }
    },
    /** Times the chain node was restarted (its history before that is gone from it). */
    chainRestarts: 0,
    /** The chain's head when the node last restarted: the oldest state it still holds is after. */
    lastRestartBlock: undefined as bigint | undefined,
    /** Stops the chain node and starts it again with its state, on the same port and chain id. */
    async restartChain(): Promise<void> {
      const head = await signers.deployer.publicClient.getBlockNumber({ cacheTime: 0 })
      await bed.dev.chain.restart()
      world.lastRestartBlock = head
      world.chainRestarts++
    },

    /**
     * Takes in the orders on the chain that the suite lost track of (a customer whose create
     * transaction was mined while the RPC failed its answer tries again, and places another):
     * they are settled and accounted like the rest.
     */
    async adoptUntrackedOrders(): Promise<TrackedOrder[]> {
      const chain = signers.deployer
      const created = await getCreatedOrders(chain, {
        fromBlock: bed.dev.deployment.fromBlock,
        toBlock: await chain.publicClient.getBlockNumber({ cacheTime: 0 }),
      })
      const known = new Set(orders.map((order) => order.orderId))
      const roleOf = new Map(
        Object.entries(signers).map(([role, signer]) => [
          signer.account.address.toLowerCase(),
          role as DevRole,
        ]),
      )
      const offerRole = (offerId: number) =>
        providerRoles.find((role) => history[role].some((run) => run.offerId === offerId))
      const adopted: TrackedOrder[] = []
      for (const order of created) {
        if (known.has(order.orderId)) continue
        const provider = offerRole(order.terms.teeOfferId)
        const customerRole = roleOf.get(order.terms.customer.toLowerCase())
        if (!provider || !customerRole) continue
        adopted.push({
          orderId: order.orderId,
          terms: order.terms,
          resultKey: await generateHpkeKeyPair(),
          transaction: order.transactionHash,
          blockNumber: order.blockNumber,
          provider,
          customerRole,
        })
      }
      orders.push(...adopted)
      return adopted
    },

    /** The enclave host sockets of the role's daemon. */
    async enclaveSockets(role: ProviderRole): Promise<string[]> {
      const directory = join(bed.directory, `${role}-state`, 'enclaves')
      const names = await readdir(directory).catch(() => [] as string[])
      return names.filter((name) => name.endsWith('.sock')).map((name) => join(directory, name))
    },

    /** An honest order of the echo job, placed through the SDK as any customer would. */
    async order(
      customer: DevRole,
      role: ProviderRole,
      options: { acceptWithinSeconds?: number; deliverWithinSeconds?: number; text?: string } = {},
    ): Promise<TrackedOrder> {
      const placed = await placeOrder(signers[customer], {
        blobs: bed.blobs,
        teeOfferId: runs[role].offerId,
        solutionOfferId: 0,
        enclave: await verifiedEnclave(customer, role),
        solutionHash: echo.solutionHash,
        solutionBundleHash: echo.bundleHash,
        inputs: [{ bytes: toBytes(options.text ?? `${plaintextMarker} ${orders.length}`) }],
        acceptWithinSeconds: options.acceptWithinSeconds ?? 300,
        deliverWithinSeconds: options.deliverWithinSeconds ?? 600,
      })
      const tracked = { ...placed, provider: role, customerRole: customer }
      orders.push(tracked)
      return tracked
    },

    /**
     * An order an attacking customer (or a host replaying one) crafts by hand: the same steps as
     * `placeOrder`, with the request changed by `change`, blobs left out of the store, or
     * another solution, input or result key.
     */
    async craft(
      customer: DevRole,
      role: ProviderRole,
      options: {
        solution?: Solution
        /** Stored as the input's ciphertext instead of encrypting `input`. */
        rawInput?: Uint8Array
        input?: Uint8Array
        change?: (request: OrderRequest) => OrderRequest | Promise<OrderRequest>
        /** Stored as the request instead of the encoded request. */
        rawRequest?: Uint8Array
        /** Leave these out of the blob store. */
        omit?: ('request' | 'input')[]
        acceptWithinSeconds?: number
        deliverWithinSeconds?: number
      } = {},
    ): Promise<TrackedOrder> {
      const chain = signers[customer]
      const enclave = await verifiedEnclave(customer, role)
      const solution = options.solution ?? echo
      const omit = new Set(options.omit ?? [])
      const input = options.input ?? toBytes(`${plaintextMarker} crafted ${orders.length}`)
      // The input's ciphertext, as `placeOrder` makes it (or bytes that are no ciphertext at all).
      const sealedInput = options.rawInput
        ? { key: new Uint8Array(32), ciphertext: options.rawInput }
        : await encryptObject(input)
      const inputHash = omit.has('input')
        ? sha256(sealedInput.ciphertext)
        : await bed.blobs.put(sealedInput.ciphertext)
      const dataKey = sealedInput.key
      const resultKey = await generateHpkeKeyPair()
      let request = await sealOrderRequest({
        enclaveSigner: enclave.enclave,
        enclaveHpkePublicKey: enclave.hpkePublicKey,
        solutionHash: solution.solutionHash,
        solutionBundleHash: solution.bundleHash,
        inputs: [{ name: 'data', inputHash, dataKey }],
        resultPublicKey: resultKey.publicKey,
      })
      if (options.change) request = await options.change(request)
      const requestBytes = options.rawRequest ?? encodeOrderRequest(request)
      const requestHash = omit.has('request')
        ? sha256(requestBytes)
        : await bed.blobs.put(requestBytes)
      const offer = runs[role].offerId
      const block = await chain.publicClient.getBlock()
      const acceptBy = Number(block.timestamp) + (options.acceptWithinSeconds ?? 8)
      const settings = await getMarketSettings(chain)
      const price = parseEther('0.1')
      const maxPayment = price + (price * BigInt(settings.feeBps)) / 10_000n
      const release = await reserveFunds(chain, maxPayment)
      const created = await createOrder(chain, {
        params: {
          enclave: enclave.enclave,
          teeOfferId: offer,
          solutionOfferId: 0,
          dataOfferId: 0,
          acceptBy,
          deadline: acceptBy + (options.deliverWithinSeconds ?? settings.minDeliveryWindow + 30),
          requestHash,
          inputHash,
          solutionHash: solution.solutionHash,
          maxPayment,
        },
      }).finally(release)
      const tracked: TrackedOrder = {
        orderId: created.orderId,
        terms: created.terms,
        resultKey,
        transaction: created.transactionHash,
        blockNumber: created.blockNumber,
        provider: role,
        customerRole: customer,
      }
      orders.push(tracked)
      return tracked
    },

    /** Resolves with the daemon's first event about the order that matches (from its whole log). */
    async waitForOrderEvent(
      order: TrackedOrder,
      events: ProviderEvent['event'][],
      timeoutMs = 60_000,
    ): Promise<ProviderEvent> {
      const id = formatOrderId(order.orderId)
      const about = (event: ProviderEvent) =>
        events.includes(event.event) &&
        (('orderId' in event && event.orderId === id) ||
          ('orderIds' in event && event.orderIds.includes(id)))
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = world.eventsOf(order.provider).find(about)
        if (found) return found
        if (Date.now() > deadline)
          throw new Error(
            `provider ${order.provider} logged no ${events.join(' or ')} for the order`,
          )
        await sleep(100)
      }
    },

    status: async (order: { orderId: bigint }): Promise<OrderStatusName> =>
      // Only the id: a placed order's `blockNumber` would read the state as of its creation.
      (await getOrderState(signers.deployer, { orderId: order.orderId })).status,

    /** Waits (in real time: the chain's clock follows the wall clock) until `time` is past. */
    async waitForChainTime(time: number): Promise<void> {
      for (;;) {
        const block = await signers.deployer.publicClient.getBlock()
        if (Number(block.timestamp) > time) return
        await sleep(Math.min(1_000, (time - Number(block.timestamp) + 1) * 1_000))
        // A block carries the time forward on an idle automining chain.
        await bed.testClient.mine({ blocks: 1 })
      }
    },

    /** Refunds the order (as its customer) and returns what the refund moved: amount and slash. */
    async refund(order: TrackedOrder): Promise<{ amount: bigint; slashed: bigint }> {
      const { receipt } = await refundOrder(signers[order.customerRole], { terms: order.terms })
      const [event] = parseEventLogs({
        abi: marketAbi,
        eventName: 'OrderRefunded',
        logs: receipt.logs,
      })
      if (!event) throw new Error('no OrderRefunded event')
      return { amount: event.args.amount, slashed: event.args.slashed }
    },

    ledger: () => marketLedger(signers.deployer, { accounts, orders }),

    /**
     * Ends by the rules every order still open; returns those that could not be ended. First it
     * waits (real time) until no order is in a daemon's hands; then it moves the chain's clock
     * past the acceptBy of the orders nobody accepted (refused, or left queued) and refunds them,
     * and past the deadline of any accepted order still undelivered.
     */
    async settle(timeoutMs = 600_000): Promise<TrackedOrder[]> {
      const giveUpAt = Date.now() + timeoutMs
      await world.adoptUntrackedOrders()
      const open = async (statuses: OrderStatusName[]) => {
        const found: TrackedOrder[] = []
        for (const order of orders)
          if (statuses.includes(await world.status(order))) found.push(order)
        return found
      }
      while (Date.now() < giveUpAt && (await open(['accepted'])).length > 0) await sleep(1_000)
      for (const [status, due] of [
        ['created', (order: TrackedOrder) => order.terms.acceptBy],
        ['accepted', (order: TrackedOrder) => order.terms.deadline],
      ] as const) {
        const left = await open([status])
        if (left.length === 0) continue
        const now = Number((await signers.deployer.publicClient.getBlock()).timestamp)
        const latest = Math.max(...left.map(due))
        if (latest >= now) await bed.dev.increaseTime(latest - now + 1)
        for (const order of left)
          await refundOrder(signers.deployer, { terms: order.terms }).catch(() => undefined)
      }
      return open(['created', 'accepted'])
    },

    async stop() {
      try {
        await withholdingAgent.stop()
      } finally {
        await bed.stop()
        for (const role of providerRoles) {
          await rpc[role].dropping.close()
          await rpc[role].outage.close()
          await rpc[role].gate.close()
        }
      }
    },
  }
  return world
}

export type DaemonWorld = Awaited<ReturnType<typeof startDaemonWorld>>
type TcpProxy = Awaited<ReturnType<typeof startTcpProxy>>

/** The market calls by which a provider's daemon ends an order with its enclave's statement. */
const statementFunctions = new Set([
  'submitReceipt',
  'submitReceipts',
  'submitFailure',
  'submitFailures',
])

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function publishWasm(
  blobs: Parameters<typeof publishSolutionBundle>[0],
  name: string,
  wat: string,
  limits: { memoryMiB: number; timeoutMs: number } = echoManifest.limits,
): Promise<Solution> {
  return publishSolutionBundle(
    blobs,
    createSolutionBundle({ ...echoManifest, name, limits }, [
      { path: 'main.wasm', bytes: await assembleWat(wat) },
    ]),
  )
}
