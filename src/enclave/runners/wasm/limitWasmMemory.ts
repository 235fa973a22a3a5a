import { BoccError } from '../../../errors.ts'

export class UnsupportedWasmError extends BoccError {
  override name = 'UnsupportedWasmError'
}

export const wasmPageBytes = 65_536

/**
 * Rewrites a module's memory section so that its memory can never grow past `maxPages`: the
 * declared maximum becomes the smaller of its own and the limit, and `memory.grow` past it fails
 * inside the module as the specification says. Modules that import their memory, declare shared
 * or 64-bit memories, or start above the limit are refused.
 */
export function limitWasmMemory(module: Uint8Array, maxPages: number): Uint8Array {
  if (module.length < 8 || module[0] !== 0 || module[1] !== 0x61 || module[2] !== 0x73)
    throw new UnsupportedWasmError('the entry is not a WebAssembly module')
  const parts: Uint8Array[] = [module.subarray(0, 8)]
  let offset = 8
  while (offset < module.length) {
    const id = module[offset] as number
    const [size, sizeLength] = readLeb(module, offset + 1)
    const bodyStart = offset + 1 + sizeLength
    const body = module.subarray(bodyStart, bodyStart + size)
    if (bodyStart + size > module.length) throw new UnsupportedWasmError('the module is truncated')
    if (id === 2 && importsMemory(body))
      throw new UnsupportedWasmError('the module imports its memory; it must define it')
    if (id === 5) {
      const rewritten = limitMemorySection(body, maxPages)
      parts.push(new Uint8Array([5, ...writeLeb(rewritten.length)]), rewritten)
    } else parts.push(module.subarray(offset, bodyStart + size))
    offset = bodyStart + size
  }
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

function limitMemorySection(body: Uint8Array, maxPages: number): Uint8Array {
  const [count, countLength] = readLeb(body, 0)
  let offset = countLength
  const memories: number[][] = []
  for (let i = 0; i < count; i++) {
    const flags = body[offset] as number
    if (flags > 1) throw new UnsupportedWasmError('shared and 64-bit memories are not supported')
    const [min, minLength] = readLeb(body, offset + 1)
    offset += 1 + minLength
    let max = maxPages
    if (flags === 1) {
      const [declared, maxLength] = readLeb(body, offset)
      offset += maxLength
      max = Math.min(declared, maxPages)
    }
    if (min > maxPages)
      throw new UnsupportedWasmError(
        `the module starts with ${min} memory pages, over the solution's limit of ${maxPages}`,
      )
    memories.push([1, ...writeLeb(min), ...writeLeb(max)])
  }
  return new Uint8Array([...writeLeb(count), ...memories.flat()])
}

/** Whether an import section imports a memory (kind 2). */
function importsMemory(body: Uint8Array): boolean {
  const [count, countLength] = readLeb(body, 0)
  let offset = countLength
  for (let i = 0; i < count; i++) {
    for (let name = 0; name < 2; name++) {
      const [length, lengthSize] = readLeb(body, offset)
      offset += lengthSize + length
    }
    const kind = body[offset] as number
    offset += 1
    if (kind === 2) return true
    if (kind === 0) offset += readLeb(body, offset)[1]
    else if (kind === 1) {
      const flags = body[offset + 1] as number
      offset += 2 + readLeb(body, offset + 2)[1]
      if (flags & 1) offset += readLeb(body, offset)[1]
    } else if (kind === 3) offset += 2
    else throw new UnsupportedWasmError('the module has an import of an unknown kind')
  }
  return false
}

function readLeb(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0
  let shift = 0
  for (let i = 0; i < 5; i++) {
    const byte = bytes[offset + i]
    if (byte === undefined) throw new UnsupportedWasmError('the module is truncated')
    value += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0) return [value, i + 1]
    shift += 7
  }
  throw new UnsupportedWasmError('the module has an overlong integer')
}

function writeLeb(value: number): number[] {
  const out: number[] = []
  let rest = value
  do {
    let byte = rest & 0x7f
    rest = Math.floor(rest / 128)
    if (rest > 0) byte |= 0x80
    out.push(byte)
  } while (rest > 0)
  return out
}
