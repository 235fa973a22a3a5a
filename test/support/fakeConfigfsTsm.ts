import { posix } from 'node:path'
import type { TsmFileSystem } from '../../src/enclave/tee/configfsTsm.ts'

/**
 * TEST STAND-IN FOR THE KERNEL: an in-memory configfs-tsm report tree that behaves like Linux's
 * (Documentation/ABI/testing/configfs-tsm): mkdir makes an entry whose `provider` names the TSM
 * and whose `generation` counts writes to `inblob`; `inblob` takes at most 64 bytes (EINVAL
 * otherwise); `provider`, `generation`, `outblob` and `auxblob` are read-only (EACCES). Reading
 * `outblob` answers the real quote or report it was given — made on real hardware for other
 * report_data, so evidence from it can never bind fresh keys.
 */
export function createFakeConfigfsTsm(parameters: {
  root: string
  provider: 'tdx_guest' | 'sev_guest'
  outblob: Uint8Array
  auxblob?: Uint8Array
  /** Another writer that writes `inblob` between our write and our read this many times. */
  concurrentWrites?: number
  /** Refuse every inblob write, as a TSM that is busy or broken does. */
  refuseWrites?: boolean
}) {
  type Entry = { generation: number; inblob: Uint8Array }
  const entries = new Map<string, Entry>()
  const written: Uint8Array[] = []
  let concurrent = parameters.concurrentWrites ?? 0
  const fail = (code: string, path: string): never => {
    throw Object.assign(new Error(`${code}: ${path}`), { code })
  }
  const locate = (path: string) => {
    const dir = posix.dirname(path)
    const entry = entries.get(dir)
    if (!entry || posix.dirname(dir) !== parameters.root) fail('ENOENT', path)
    return { entry: entry as Entry, attribute: posix.basename(path) }
  }
  const fs: TsmFileSystem = {
    async mkdir(path) {
      if (posix.dirname(path) !== parameters.root) fail('ENOENT', path)
      if (entries.has(path)) fail('EEXIST', path)
      entries.set(path, { generation: 0, inblob: new Uint8Array() })
    },
    async rmdir(path) {
      if (!entries.delete(path)) fail('ENOENT', path)
    },
    async readFile(path) {
      const { entry, attribute } = locate(path)
      const text = (value: string) => new TextEncoder().encode(`${value}\n`)
      if (attribute === 'provider') return text(parameters.provider)
      if (attribute === 'generation') return text(String(entry.generation))
      if (attribute === 'outblob') {
        if (concurrent > 0) {
          concurrent--
          entry.generation++
        }
        return parameters.outblob.slice()
      }
      if (attribute === 'auxblob' && parameters.auxblob) return parameters.auxblob.slice()
      return fail('ENOENT', path)
    },
    async writeFile(path, bytes) {
      const { entry, attribute } = locate(path)
      if (attribute !== 'inblob') fail('EACCES', path)
      if (parameters.refuseWrites || bytes.length > 64) fail('EINVAL', path)
      entry.inblob = bytes.slice()
      entry.generation++
      written.push(entry.inblob)
    },
  }
  return {
    fs,
    /** Every report_data written to an inblob, in order. */
    written,
    /** Entries still present (a reader must remove its own). */
    entryCount: () => entries.size,
  }
}
