import { tokenAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'

export type TokenInfo = { symbol: string; decimals: number }

const cache = new WeakMap<BoccChain['deployment'], Promise<TokenInfo>>()

/** The payment token's symbol and decimals (read once per deployment). */
export function getTokenInfo(chain: BoccChain): Promise<TokenInfo> {
  let info = cache.get(chain.deployment)
  if (!info) {
    const token = { address: chain.deployment.contracts.token, abi: tokenAbi } as const
    info = Promise.all([
      chain.publicClient.readContract({ ...token, functionName: 'symbol' }),
      chain.publicClient.readContract({ ...token, functionName: 'decimals' }),
    ]).then(([symbol, decimals]) => ({ symbol, decimals }))
    cache.set(chain.deployment, info)
    info.catch(() => cache.delete(chain.deployment))
  }
  return info
}
