/**
 * The chain's time as the daemon estimates it between blocks: the last block's timestamp, moved
 * on by the wall clock since it was seen, and never behind the wall clock (a chain whose blocks
 * lag real time still stamps the next block with about now). Deadlines are judged by it.
 */
export function createChainClock() {
  let offsetSeconds = 0
  return {
    /** Records a block's timestamp, seen now. */
    observe(timestamp: bigint | number) {
      offsetSeconds = Math.max(0, Number(timestamp) - Date.now() / 1000)
    },
    /** The estimated chain time, Unix seconds. */
    now(): number {
      return Math.floor(Date.now() / 1000 + offsetSeconds)
    },
  }
}

export type ChainClock = ReturnType<typeof createChainClock>
