import { type Address, createWalletClient, custom, getAddress } from 'viem'
import type { BoccChain, BoccSigner } from '../../chain/boccChain.ts'
import { BoccError } from '../../errors.ts'

/** What EIP-1193 names a wallet provider: an injected `window.ethereum`, or the dev wallet. */
export type Eip1193Provider = {
  request(arguments_: { method: string; params?: unknown[] }): Promise<unknown>
}

export class WalletError extends BoccError {
  override name = 'WalletError'
}

/**
 * A signer whose transactions the wallet signs (viem's `custom` transport): the page holds no key.
 * The wallet must be on the deployment's chain; `address` picks one of its accounts.
 */
export async function connectWallet(
  chain: BoccChain,
  provider: Eip1193Provider,
  address?: Address,
): Promise<BoccSigner> {
  let accounts: Address[]
  let chainId: number
  try {
    accounts = ((await provider.request({ method: 'eth_requestAccounts' })) as string[]).map(
      (account) => getAddress(account),
    )
    chainId = Number(await provider.request({ method: 'eth_chainId' }))
  } catch (error) {
    throw new WalletError('the wallet did not connect', { cause: error })
  }
  if (chainId !== chain.chain.id)
    throw new WalletError(
      `the wallet is on chain ${chainId}; switch it to chain ${chain.chain.id}, where this deployment is`,
    )
  const account = address
    ? accounts.find((candidate) => candidate.toLowerCase() === address.toLowerCase())
    : accounts[0]
  if (!account) throw new WalletError(`the wallet has no account ${address ?? ''}`.trim())
  const walletClient = createWalletClient({
    account,
    chain: chain.chain,
    transport: custom(provider),
  })
  return { ...chain, account: walletClient.account, walletClient }
}

/** The dev wallet the explorer's own server answers at `dev-wallet` (development networks, 127.0.0.1). */
export function devWalletProvider(): Eip1193Provider {
  return {
    async request({ method, params }) {
      const response = await fetch('dev-wallet', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method, params: params ?? [] }),
      })
      if (!response.ok)
        throw new WalletError(`the dev wallet refused: ${(await response.text()).trim()}`)
      const answer = (await response.json()) as
        | { result: unknown }
        | { error: { code: number; message: string } }
      if ('error' in answer)
        throw Object.assign(new WalletError(answer.error.message), { code: answer.error.code })
      return answer.result
    },
  }
}
