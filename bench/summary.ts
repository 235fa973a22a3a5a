/** A figure measured over repeated runs: the median, with the spread. */
export type Summary = { median: number; min: number; max: number; runs: number }

/** The median, min and max of `values` (at least one). */
export function summarize(values: number[], digits = 3): Summary {
  const sorted = [...values].sort((a, b) => a - b)
  const round = (value: number) => Number(value.toFixed(digits))
  const middle = sorted.length / 2
  const median =
    sorted.length % 2 === 1
      ? (sorted[Math.floor(middle)] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
  return {
    median: round(median),
    min: round(sorted[0] as number),
    max: round(sorted[sorted.length - 1] as number),
    runs: sorted.length,
  }
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
