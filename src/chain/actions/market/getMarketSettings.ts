import type { Address } from 'viem'
import type { BoccChain } from '../../boccChain.ts'
import { readMarket } from './readMarket.ts'

/** The market's configuration, fixed at deployment. */
export type MarketSettings = {
  paymentToken: Address
  feeBps: number
  slashBps: number
  handBackBps: number
  minStake: bigint
  unstakeDelay: number
  maxOrderDuration: number
  minDeliveryWindow: number
  challengeWindow: number
  responseWindow: number
  challengeBond: bigint
}

const cache = new WeakMap<BoccChain['deployment'], Promise<MarketSettings>>()

/** The market's configuration (read once per deployment: it never changes). */
export function getMarketSettings(chain: BoccChain): Promise<MarketSettings> {
  let settings = cache.get(chain.deployment)
  if (!settings) {
    settings = readSettings(chain)
    cache.set(chain.deployment, settings)
    settings.catch(() => cache.delete(chain.deployment))
  }
  return settings
}

async function readSettings(chain: BoccChain): Promise<MarketSettings> {
  const [
    paymentToken,
    feeBps,
    slashBps,
    handBackBps,
    minStake,
    unstakeDelay,
    maxOrderDuration,
    minDeliveryWindow,
    challengeWindow,
    responseWindow,
    challengeBond,
  ] = await Promise.all([
    readMarket(chain, 'paymentToken', []),
    readMarket(chain, 'feeBps', []),
    readMarket(chain, 'slashBps', []),
    readMarket(chain, 'handBackBps', []),
    readMarket(chain, 'minStake', []),
    readMarket(chain, 'unstakeDelay', []),
    readMarket(chain, 'maxOrderDuration', []),
    readMarket(chain, 'minDeliveryWindow', []),
    readMarket(chain, 'epochLength', []),
    readMarket(chain, 'responseWindow', []),
    readMarket(chain, 'challengeBond', []),
  ])
  return {
    paymentToken,
    feeBps,
    slashBps,
    handBackBps,
    minStake,
    unstakeDelay,
    maxOrderDuration,
    minDeliveryWindow,
    challengeWindow,
    responseWindow,
    challengeBond,
  }
}
