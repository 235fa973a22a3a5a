import { BoccError } from '../errors.ts'

export class NotCanonicalJsonError extends BoccError {
  override name = 'NotCanonicalJsonError'
}

/**
 * The canonical JSON text of a value: object keys sorted by UTF-16 code units, no whitespace,
 * strings as JSON.stringify writes them, and only safe integers as numbers (the subset of RFC 8785
 * where both agree), so the same value gives the same bytes everywhere.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value)
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new NotCanonicalJsonError(`${value} is not an integer canonical JSON can hold`)
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`
  }
  throw new NotCanonicalJsonError(`a ${typeof value} has no canonical JSON form`)
}
