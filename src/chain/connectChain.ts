import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createNonceManager, jsonRpc, type NonceManager } from 'viem/nonce'
import { BoccError } from '../errors.ts'
import { isLoopbackUrl } from '../net/isLoopbackUrl.ts'

export class ChainUnreachableError extends BoccError {
  override name = 'ChainUnreachableError'
  constructor(rpcUrl: string, cause?: unknown) {
    super(`cannot reach the chain RPC at ${rpcUrl}; is the node running?`, { cause })
  }
}

export type ChainConnection = {
  rpcUrl: string
  chain: Chain
  publicClient: PublicClient<Transport, Chain>
}

export type SignerConnection = ChainConnection & {
  account: Account
  walletClient: WalletClient<Transport, Chain, Account>
}

/** Connects to any EVM JSON-RPC endpoint and checks that it answers. */
export async function connectChain(rpcUrl: string): Promise<ChainConnection> {
  const probe = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 10_000 }) })
  let chainId: number
  try {
    chainId = await probe.getChainId()
  } catch (error) {
    throw new ChainUnreachableError(rpcUrl, error)
  }
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
  // Waiting for a block is polling: quick on a node on this machine, where it costs nothing and
  // is most of an order's latency (BENCHMARKS.md), and gentle on a public RPC.
  const pollingInterval = isLoopbackUrl(rpcUrl) ? 50 : 1_000
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval })
  return { rpcUrl, chain, publicClient }
}

/**
 * One nonce manager per RPC endpoint: connections of one account to one node share it, so the
 * account can send many transactions at once; another node (a fresh local chain on another port)
 * starts from that node's own nonces.
 */
const nonceManagers = new Map<string, NonceManager>()

/**
 * Forgets the nonces this process used at `rpcUrl`: a new node now answers there (a fresh local
 * chain on a port an earlier one had). viem's manager never goes below the last nonce it gave out,
 * so it would number a fresh chain's first transaction after the old chain's last, and the new
 * node would hold it forever.
 */
export function forgetNonces(rpcUrl: string): void {
  nonceManagers.delete(rpcUrl)
}
function nonceManagerFor(rpcUrl: string): NonceManager {
  let manager = nonceManagers.get(rpcUrl)
  if (!manager) {
    manager = createNonceManager({ source: jsonRpc() })
    nonceManagers.set(rpcUrl, manager)
  }
  return manager
}

/**
 * Connects and attaches a local signing account (the key never leaves this process). The account
 * manages its own nonces, so one account can send many transactions at once.
 */
export async function connectSigner(rpcUrl: string, privateKey: Hex): Promise<SignerConnection> {
  const connection = await connectChain(rpcUrl)
  const account = privateKeyToAccount(privateKey, { nonceManager: nonceManagerFor(rpcUrl) })
  const walletClient = createWalletClient({
    account,
    chain: connection.chain,
    transport: http(rpcUrl),
  })
  return { ...connection, account, walletClient }
}
