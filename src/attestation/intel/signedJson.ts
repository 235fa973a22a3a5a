import { CollateralError } from '../errors.ts'

/** A JSON document Intel signs: the exact bytes of the signed value and its ECDSA P-256 signature (r ‖ s). */
export type SignedJson = {
  /** Exact text of the signed JSON value, as Intel serialised it. */
  body: string
  signature: Uint8Array
}

/**
 * The exact source text of each top-level member of a JSON object, without re-serialising
 * (Intel signs the bytes it sent, so a parse-and-stringify round trip would break the signature).
 * Undefined when `text` is not a JSON object.
 */
export function topLevelMemberTexts(text: string): Map<string, string> | undefined {
  let index = skipSpace(text, 0)
  if (text[index] !== '{') return undefined
  index = skipSpace(text, index + 1)
  const members = new Map<string, string>()
  if (text[index] === '}') return members
  for (;;) {
    const keyEnd = endOfString(text, index)
    if (keyEnd === undefined) return undefined
    let key: unknown
    try {
      key = JSON.parse(text.slice(index, keyEnd))
    } catch {
      return undefined
    }
    index = skipSpace(text, keyEnd)
    if (text[index] !== ':') return undefined
    const valueStart = skipSpace(text, index + 1)
    const valueEnd = endOfValue(text, valueStart)
    if (valueEnd === undefined || typeof key !== 'string') return undefined
    members.set(key, text.slice(valueStart, valueEnd))
    index = skipSpace(text, valueEnd)
    if (text[index] === '}') return members
    if (text[index] !== ',') return undefined
    index = skipSpace(text, index + 1)
  }
}

function skipSpace(text: string, index: number): number {
  while (index < text.length && ' \t\r\n'.includes(text[index] as string)) index++
  return index
}

function endOfString(text: string, index: number): number | undefined {
  if (text[index] !== '"') return undefined
  for (let i = index + 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') return i + 1
  }
  return undefined
}

function endOfValue(text: string, index: number): number | undefined {
  const first = text[index]
  if (first === '"') return endOfString(text, index)
  if (first === '{' || first === '[') {
    let depth = 0
    for (let i = index; i < text.length; i++) {
      const char = text[i]
      if (char === '"') {
        const end = endOfString(text, i)
        if (end === undefined) return undefined
        i = end - 1
      } else if (char === '{' || char === '[') depth++
      else if (char === '}' || char === ']') {
        depth--
        if (depth === 0) return i + 1
      }
    }
    return undefined
  }
  let i = index
  while (i < text.length && !',}] \t\r\n'.includes(text[i] as string)) i++
  return i > index ? i : undefined
}

/** `JSON.parse`, failing with a CollateralError that names the document. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new CollateralError(`The ${what} is not valid JSON.`, { cause })
  }
}
