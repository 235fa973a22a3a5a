import { type Address, getAddress, type Hex, isAddress, isHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { type BoccSigner, connectBoccSigner } from '../../chain/boccChain.ts'
import type { Deployment } from '../../chain/deploymentFormat.ts'
import { BoccError, shortMessageOf } from '../../errors.ts'

/** A JSON-RPC request as an EIP-1193 provider receives it. */
export type WalletRequest = { method: string; params?: unknown[] }

/** What the dev wallet answers: a result, or an EIP-1193 error code and one line. */
export type WalletAnswer = { result: unknown } | { error: { code: number; message: string } }

/**
 * A development network's dev keys as an EIP-1193 wallet, answered by the explorer's own server so
 * that the keys never reach the page: accounts, the chain id, and transactions to the market and
 * the payment token only (no value), signed here and sent to the RPC. Reads the page's wallet
 * client makes on the way are passed to the RPC unchanged.
 */
export type DevWallet = { request(request: WalletRequest): Promise<WalletAnswer> }

export class DevWalletRefusedError extends BoccError {
  override name = 'DevWalletRefusedError'
}

/** Reads a wallet client may make while it sends a transaction, passed to the RPC as they are. */
const passedToRpc = new Set([
  'eth_blockNumber',
  'eth_call',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_getBalance',
  'eth_getBlockByNumber',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_maxPriorityFeePerGas',
])

export async function createDevWallet(parameters: {
  deployment: Deployment
  rpcUrl: string
  /** The dev keys, by role: the accounts the page may act as. */
  devKeys: Record<string, Hex>
}): Promise<DevWallet> {
  const { deployment } = parameters
  if (!deployment.development)
    throw new DevWalletRefusedError('dev keys are offered on development networks only')
  const signers = new Map<string, BoccSigner>()
  for (const privateKey of Object.values(parameters.devKeys)) {
    const signer = await connectBoccSigner(deployment, privateKey, { rpcUrl: parameters.rpcUrl })
    signers.set(signer.account.address.toLowerCase(), signer)
  }
  const first = signers.values().next().value
  if (!first) throw new DevWalletRefusedError('no dev key was given')
  const accounts = [...signers.values()].map((signer) => signer.account.address)
  const allowedTargets = new Set(
    [deployment.contracts.market, deployment.contracts.token].map((a) => a.toLowerCase()),
  )

  const answer = async ({ method, params = [] }: WalletRequest): Promise<unknown> => {
    if (method === 'eth_accounts' || method === 'eth_requestAccounts') return accounts
    if (method === 'eth_chainId') return `0x${deployment.chainId.toString(16)}`
    if (method === 'eth_sendTransaction') {
      const [transaction] = params as [Record<string, unknown> | undefined]
      const from = String(transaction?.from ?? '')
      const signer = signers.get(from.toLowerCase())
      if (!signer) throw new DevWalletRefusedError(`${from || 'no account'} is not a dev account`)
      const to = String(transaction?.to ?? '')
      if (!isAddress(to) || !allowedTargets.has(to.toLowerCase()))
        throw new DevWalletRefusedError('the dev wallet sends only to the market and the token')
      if (transaction?.value !== undefined && BigInt(String(transaction.value)) !== 0n)
        throw new DevWalletRefusedError('the dev wallet sends no ether')
      const data = transaction?.data ?? transaction?.input
      if (!isHex(data)) throw new DevWalletRefusedError('the transaction has no call data')
      return signer.walletClient.sendTransaction({
        to: getAddress(to) as Address,
        data,
        ...(isHex(transaction?.gas) ? { gas: BigInt(transaction.gas) } : {}),
      })
    }
    if (passedToRpc.has(method)) return first.publicClient.request({ method, params } as never)
    throw new DevWalletRefusedError(`the dev wallet does not answer ${method}`)
  }

  return {
    async request(request) {
      try {
        return { result: await answer(request) }
      } catch (error) {
        // 4100: unauthorised, as EIP-1193 names a refusal; -32603 for a failure on the way.
        const code = error instanceof DevWalletRefusedError ? 4100 : -32603
        return { error: { code, message: shortMessageOf(error) } }
      }
    },
  }
}

/** The dev keys' addresses, by role, as the page shows them. */
export function devAccountsOf(devKeys: Record<string, Hex>): { role: string; address: Address }[] {
  return Object.entries(devKeys).map(([role, key]) => ({
    role,
    address: privateKeyToAccount(key).address,
  }))
}
