/** A figure measured over repeated runs: the median, with the spread. */
export type Summary = {
  median: number
  min: number
  max: number
  runs: number
  /**
   * Where the median lies with at least 95 % confidence, whatever the values' distribution (the
   * order statistics a binomial count puts around it); from six runs on.
   */
  median95?: [number, number]
}

/** The median, min and max of `values` (at least one). */
export function summarize(values: number[], digits = 3): Summary {
  const sorted = [...values].sort((a, b) => a - b)
  const round = (value: number) => Number(value.toFixed(digits))
  const middle = sorted.length / 2
  const median =
    sorted.length % 2 === 1
      ? (sorted[Math.floor(middle)] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
  const rank = medianIntervalRank(sorted.length)
  return {
    median: round(median),
    min: round(sorted[0] as number),
    max: round(sorted[sorted.length - 1] as number),
    runs: sorted.length,
    ...(rank === undefined
      ? {}
      : {
          median95: [
            round(sorted[rank - 1] as number),
            round(sorted[sorted.length - rank] as number),
          ] as [number, number],
        }),
  }
}

/**
 * The largest k (from 1) for which the k-th smallest and the k-th largest of n values enclose the
 * median with at least 95 % probability: each side misses it when fewer than k of the n values
 * fall below it, a Binomial(n, ½) count, at most 2.5 % of the time. Undefined below six values.
 */
function medianIntervalRank(n: number): number | undefined {
  let below = 0 // P(count < k), summed as k grows
  let term = 0.5 ** n // P(count = k - 1)
  for (let k = 1; k <= n / 2; k++) {
    below += term
    if (below > 0.025) return k === 1 ? undefined : k - 1
    term = (term * (n - k + 1)) / k
  }
  return undefined
}

/** The `fraction` quantile of `values` (nearest rank). */
export function quantile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number
}

/** Milliseconds `action` takes. */
export async function timeMs(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await action()
  return performance.now() - started
}
