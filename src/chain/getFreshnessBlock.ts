import type { Hex } from 'viem'
import type { FreshnessBlock } from '../protocol/checkEnclaveRecord.ts'
import type { ChainConnection } from './connectChain.ts'

/** The block whose hash evidence names as its freshness value, or undefined if the chain has none. */
export async function getFreshnessBlock(
  connection: ChainConnection,
  freshness: Hex,
): Promise<FreshnessBlock | undefined> {
  try {
    const block = await connection.publicClient.getBlock({ blockHash: freshness })
    return block.number === null ? undefined : { number: block.number, timestamp: block.timestamp }
  } catch {
    return undefined
  }
}
