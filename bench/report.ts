import type { Summary } from './summary.ts'

/** What one figure module found: values under the keys of latest.json, their spreads, and notes. */
export type FigureReport = {
  values: Record<string, unknown>
  summaries?: Record<string, Summary>
  /** Why a value is null, or how it was taken, by key. */
  notes?: Record<string, string>
}

/** The run's size: the full benchmark, or one iteration of each figure (CI's smoke run). */
export type BenchMode = 'full' | 'smoke'

export type FigureContext = {
  mode: BenchMode
  log(line: string): void
  /** Rounds for the noisiest figure (inference) instead of its default, for a longer run. */
  rounds?: number
}

/** A value that cannot be measured yet: null, with the reason. */
export function notYet(key: string, reason: string): FigureReport {
  return { values: { [key]: null }, notes: { [key]: reason } }
}
