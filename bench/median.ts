/** Median wall time in ms of `runs` calls of `action`, after `warmups` calls that are not timed. */
export async function medianMs(
  runs: number,
  action: () => Promise<unknown>,
  warmups = 5,
): Promise<number> {
  for (let i = 0; i < warmups; i++) await action()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await action()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return Number((times[Math.floor(times.length / 2)] ?? 0).toFixed(3))
}
