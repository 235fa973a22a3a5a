import { useEffect, useState } from 'preact/hooks'
import { shortMessageOf } from '../../errors.ts'

export type Loaded<value> = { value?: value; error?: string; loading: boolean }

/**
 * Runs `load` whenever `dependencies` change (a new block among them, for live pages), keeping
 * the last value on screen while it reloads; an answer that arrives after a newer one is dropped.
 */
export function useLoad<value>(load: () => Promise<value>, dependencies: unknown[]): Loaded<value> {
  const [state, setState] = useState<Loaded<value>>({ loading: true })
  useEffect(() => {
    let current = true
    setState((previous) => ({ ...previous, loading: true }))
    load().then(
      (value) => current && setState({ value, loading: false }),
      (error) => current && setState({ error: shortMessageOf(error), loading: false }),
    )
    return () => {
      current = false
    }
  }, dependencies)
  return state
}
