import type { Address, Hex } from 'viem'
import type { AttestationPolicy } from '../attestation/policy.ts'
import { cancelOrder as cancelOnChain } from '../chain/actions/market/cancelOrder.ts'
import { getBalance } from '../chain/actions/market/getBalance.ts'
import { refundOrder as refundOnChain } from '../chain/actions/market/refundOrder.ts'
import { withdraw as withdrawFromMarket } from '../chain/actions/market/withdraw.ts'
import { getTokenBalance } from '../chain/actions/token/getTokenBalance.ts'
import { getTokenInfo, type TokenInfo } from '../chain/actions/token/getTokenInfo.ts'
import {
  type BoccChain,
  type BoccSigner,
  connectBoccChain,
  connectBoccSigner,
} from '../chain/boccChain.ts'
import { type Deployment, readDeployment } from '../chain/deployment.ts'
import { BoccError } from '../errors.ts'
import { formatOrderId } from '../protocol/orderTerms.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { openBlobStore } from '../storage/openBlobStore.ts'
import { formatTokenAmount } from './amounts.ts'
import { auditOrder, type OrderAudit } from './auditOrder.ts'
import { createContentKeyStore } from './contentKeyStore.ts'
import { type CustomerPolicy, resolveCustomerPolicy } from './customerPolicy.ts'
import type { InputSource } from './encryptInput.ts'
import { type FetchedOutputs, fetchOutputs } from './fetchResult.ts'
import { listOffers, type OfferKind, type OfferListing } from './listOffers.ts'
import { listOrders } from './listOrders.ts'
import { type OrderJobParameters, orderJob, type PlacedJob } from './orderJob.ts'
import type { ProgressListener } from './progress.ts'
import { type PublishedData, publishData } from './publishData.ts'
import { type PublishedSolution, publishSolution } from './publishSolution.ts'
import { type OrderRecord, readOrder, waitForOrderCompletion } from './readOrder.ts'
import { depositFunds } from './reserveFunds.ts'
import { createResultKeyStore, type ResultKeyStore } from './resultKeyStore.ts'

export type CreateBoccClientParameters = {
  /** The deployment (`deployment.json`'s content), or the path of its file. */
  deployment: Deployment | string
  /** The account's private key (a key file's `privateKey`); absent: a client that only reads. */
  account?: Hex | { privateKey: Hex }
  /** The blob store, or its URL; default: the deployment's `blobStore`. */
  storage?: BlobStore | string
  /** Another RPC URL for the deployment's chain. */
  rpcUrl?: string
  /** The customer's attestation policy; default: see {@link resolveCustomerPolicy}. */
  policy?: AttestationPolicy
  /** With the production policy: also accept the simulated TEE. */
  allowSim?: boolean
  /** Where result keys are kept; default `result-keys/` in the BOCC home. */
  resultKeyDirectory?: string
  /** Where a vendor's content keys are kept; default `owner-keys/` in the BOCC home. */
  contentKeyDirectory?: string
}

export type AccountBalance = {
  account: Address
  /** Payment tokens in the wallet. */
  wallet: bigint
  /** What the account can spend or withdraw in the market now. */
  available: bigint
  /** Payouts not matured yet, and when the last one matures (ISO-8601; null if none). */
  pending: bigint
  pendingMaturesAt: string | null
}

/** A BOCC client: a deployment, an account, a blob store and a policy, and the operations on them. */
export type BoccClient = {
  deployment: Deployment
  chain: BoccChain
  /** The account's address; undefined for a read-only client. */
  account: Address | undefined
  blobs: BlobStore
  policy: CustomerPolicy
  token(): Promise<TokenInfo>
  formatAmount(amount: bigint): Promise<string>
  listOffers<kind extends OfferKind = OfferKind>(parameters?: {
    kind?: kind
  }): Promise<Extract<OfferListing, { kind: kind }>[]>
  getBalance(parameters?: { account?: Address }): Promise<AccountBalance>
  deposit(parameters: { amount: bigint }): Promise<void>
  withdraw(parameters: { amount: bigint }): Promise<void>
  /** Chooses offers that satisfy the policy and budget, uploads encrypted inputs, escrows. */
  createOrder(parameters: OrderJobParameters): Promise<PlacedJob>
  getOrder(parameters: { orderId: bigint }): Promise<OrderRecord>
  listOrders(parameters?: { customer?: Address }): Promise<OrderRecord[]>
  /** Waits for the order's receipt (race-free: read from the `OrderCompleted` event). */
  waitForOrder(parameters: {
    orderId: bigint
    timeoutMs?: number
    onProgress?: ProgressListener
  }): Promise<OrderRecord>
  /** Downloads the result, checks it against the receipt, and decrypts it with the kept key. */
  getResult(parameters: {
    orderId: bigint
    onProgress?: ProgressListener
  }): Promise<FetchedOutputs & { order: OrderRecord }>
  /** Re-checks an order from public data only (`bocc verify order`). */
  verifyOrder(parameters: { orderId: bigint; policy?: AttestationPolicy }): Promise<OrderAudit>
  cancelOrder(parameters: { orderId: bigint }): Promise<OrderRecord>
  refundOrder(parameters: { orderId: bigint }): Promise<OrderRecord>
  /** Publishes a solution bundle (its descriptor and pack) and offers it. */
  publishSolution(parameters: {
    pack: Uint8Array
    price: bigint
    /** Publish the pack encrypted, its key kept for the owner agent (with this release policy). */
    encrypt?: boolean | { policy?: unknown }
    onProgress?: ProgressListener
  }): Promise<PublishedSolution>
  publishData(parameters: {
    source: InputSource
    price: bigint
    policy?: unknown
    onProgress?: ProgressListener
  }): Promise<PublishedData>
}

export class NoAccountError extends BoccError {
  override name = 'NoAccountError'
  constructor() {
    super('this needs an account: give a key file (--key FILE or BOCC_KEY_FILE)')
  }
}

export class NoBlobStoreError extends BoccError {
  override name = 'NoBlobStoreError'
  constructor() {
    super('the deployment names no blob store; give one (--blobs URL or BOCC_BLOB_STORE)')
  }
}

/**
 * Connects to a deployment (checking the chain id), with an account, a blob store and a policy,
 * and returns its operations bound to them. Everything a person does with `bocc` goes through
 * this client.
 */
export async function createBoccClient(
  parameters: CreateBoccClientParameters,
): Promise<BoccClient> {
  const deployment =
    typeof parameters.deployment === 'string'
      ? await readDeployment(parameters.deployment)
      : parameters.deployment
  const rpc = parameters.rpcUrl ? { rpcUrl: parameters.rpcUrl } : {}
  const privateKey =
    typeof parameters.account === 'string' ? parameters.account : parameters.account?.privateKey
  const signer: BoccSigner | undefined = privateKey
    ? await connectBoccSigner(deployment, privateKey, rpc)
    : undefined
  const chain: BoccChain = signer ?? (await connectBoccChain(deployment, rpc))
  const storage = parameters.storage ?? deployment.blobStore
  const blobs: BlobStore | undefined =
    typeof storage === 'string' ? openBlobStore(storage) : storage
  const policy = await resolveCustomerPolicy(deployment, {
    ...(parameters.policy ? { policy: parameters.policy } : {}),
    ...(parameters.allowSim === undefined ? {} : { allowSim: parameters.allowSim }),
  })

  const needSigner = (): BoccSigner => {
    if (!signer) throw new NoAccountError()
    return signer
  }
  const needPrivateKey = (): Hex => {
    if (!privateKey) throw new NoAccountError()
    return privateKey
  }
  const needBlobs = (): BlobStore => {
    if (!blobs) throw new NoBlobStoreError()
    return blobs
  }
  let resultKeys: ResultKeyStore | undefined
  const resultKeyStore = () => {
    resultKeys ??= createResultKeyStore({
      chainId: deployment.chainId,
      market: deployment.contracts.market,
      accountPrivateKey: needPrivateKey(),
      ...(parameters.resultKeyDirectory ? { directory: parameters.resultKeyDirectory } : {}),
    })
    return resultKeys
  }
  const contentKeyStore = () =>
    createContentKeyStore({
      chainId: deployment.chainId,
      market: deployment.contracts.market,
      accountPrivateKey: needPrivateKey(),
      ...(parameters.contentKeyDirectory ? { directory: parameters.contentKeyDirectory } : {}),
    })
  const token = () => getTokenInfo(chain)
  const formatAmount = async (amount: bigint) => formatTokenAmount(amount, await token())
  const ownOrder = async (orderId: bigint) => {
    const order = await readOrder(chain, { orderId })
    const own = needSigner()
    if (order.terms.customer.toLowerCase() !== own.account.address.toLowerCase())
      throw new NotYourOrderError(orderId, order.terms.customer, own.account.address)
    return order
  }

  return {
    deployment,
    chain,
    account: signer?.account.address,
    get blobs() {
      return needBlobs()
    },
    policy,
    token,
    formatAmount,
    listOffers: (options = {}) =>
      listOffers(chain, { blobs: needBlobs(), ...options }) as Promise<never>,
    async getBalance(options = {}) {
      const account = options.account ?? needSigner().account.address
      const [market, tokens] = await Promise.all([
        getBalance(chain, { account }),
        getTokenBalance(chain, { account }),
      ])
      return {
        account,
        wallet: tokens.wallet,
        available: market.available,
        pending: market.pending,
        pendingMaturesAt:
          market.pendingMaturesAt === 0
            ? null
            : new Date(market.pendingMaturesAt * 1000).toISOString(),
      }
    },
    deposit: ({ amount }) => depositFunds(needSigner(), amount),
    async withdraw({ amount }) {
      const own = needSigner()
      const { available } = await getBalance(chain, { account: own.account.address })
      if (available < amount)
        throw new BoccError(
          `${own.account.address} can withdraw at most ${await formatAmount(available)} now, not ${await formatAmount(amount)}`,
        )
      await withdrawFromMarket(own, { amount })
    },
    async createOrder(options) {
      const tokenInfo = await token()
      return orderJob(needSigner(), {
        ...options,
        blobs: needBlobs(),
        policy: policy.policy,
        resultKeys: resultKeyStore(),
        formatAmount: (amount) => formatTokenAmount(amount, tokenInfo),
      })
    },
    getOrder: ({ orderId }) => readOrder(chain, { orderId }),
    listOrders: (options = {}) =>
      listOrders(chain, { customer: options.customer ?? needSigner().account.address }),
    waitForOrder: ({ orderId, timeoutMs, onProgress }) =>
      waitForOrderCompletion(chain, {
        orderId,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(onProgress ? { onStatus: (status) => onProgress({ stage: 'waiting', status }) } : {}),
      }),
    async getResult({ orderId, onProgress }) {
      const order = await ownOrder(orderId)
      const resultKey = await resultKeyStore().load({
        orderId,
        requestHash: order.terms.requestHash,
      })
      const fetched = await fetchOutputs({
        order,
        blobs: needBlobs(),
        resultKey,
        ...(onProgress ? { onProgress } : {}),
      })
      return { ...fetched, order }
    },
    verifyOrder: async ({ orderId, policy: given }) =>
      auditOrder(chain, { orderId, blobs: needBlobs(), policy: given ?? policy.policy }),
    async cancelOrder({ orderId }) {
      const order = await ownOrder(orderId)
      await cancelOnChain(needSigner(), { terms: order.terms })
      return readOrder(chain, { orderId })
    },
    async refundOrder({ orderId }) {
      const order = await readOrder(chain, { orderId })
      await refundOnChain(needSigner(), { terms: order.terms })
      return readOrder(chain, { orderId })
    },
    publishSolution: ({ encrypt, ...options }) =>
      publishSolution(needSigner(), {
        ...options,
        blobs: needBlobs(),
        ...(encrypt
          ? {
              encrypt: {
                keys: contentKeyStore(),
                ...(typeof encrypt === 'object' && encrypt.policy !== undefined
                  ? { policy: encrypt.policy }
                  : {}),
              },
            }
          : {}),
      }),
    publishData: (options) =>
      publishData(needSigner(), {
        ...options,
        blobs: needBlobs(),
        keys: contentKeyStore(),
      }),
  }
}

export class NotYourOrderError extends BoccError {
  override name = 'NotYourOrderError'
  constructor(orderId: bigint, customer: Address, account: Address) {
    super(
      `order ${formatOrderId(orderId)} was placed by ${customer}, not by this account ${account}`,
    )
  }
}
