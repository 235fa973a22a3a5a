import { type Hex, sha256 } from 'viem'
import { decryptObject } from '../crypto/chunkedAead.ts'
import type { WrappedKey } from '../crypto/hpke.ts'
import { shortMessageOf } from '../errors.ts'
import { type FailureReason, failureReasons } from '../protocol/failureReasons.ts'
import { openKeyRelease } from '../protocol/keyRelease.ts'
import {
  isSolutionPack,
  type SolutionManifest,
  type SolutionRunner,
  unpackSolutionBundle,
} from '../protocol/solutionBundle.ts'
import { type JobRunner, startJobRunner } from './runners/jobRunner.ts'

export type ReadySolution = { manifest: SolutionManifest; runner: JobRunner }

type Entry = {
  solutionHash: Hex
  /** An encrypted bundle waiting for its first key release. */
  ciphertext?: Uint8Array
  /** For an encrypted solution: SHA-256 of its key, which every later order's release must match. */
  keyHash?: Hex
  loaded?: ReadySolution
  lastUsed: number
  /** Orders opening an encrypted solution take turns: it is decrypted and started once. */
  turn?: Promise<void>
}

/**
 * Solutions the runtime has loaded, by solution hash: a loaded solution stays warm (its model in
 * memory, its worker started) for every later order that names it. A published bundle loads at
 * once; an encrypted one is held as ciphertext until an order brings its owner's key release, and
 * every later order must bring a release of the same key, so the owner decides per order.
 */
export function createSolutionCache(parameters: {
  runners: readonly SolutionRunner[]
  /** Loaded solutions kept at most; the least recently used is closed first. */
  maxSolutions?: number
}) {
  const entries = new Map<Hex, Entry>()
  const loading = new Map<Hex, Promise<void>>()
  const maxSolutions = parameters.maxSolutions ?? 4

  const activate = async (entry: Entry, pack: Uint8Array) => {
    const bundle = unpackSolutionBundle(pack)
    if (bundle.solutionHash !== entry.solutionHash)
      throw new Error(`the bundle is solution ${bundle.solutionHash}, not ${entry.solutionHash}`)
    if (!parameters.runners.includes(bundle.manifest.runner))
      throw new Error(`this runtime has no ${bundle.manifest.runner} runner`)
    entry.loaded = { manifest: bundle.manifest, runner: await startJobRunner(bundle) }
    await evict()
  }
  const evict = async () => {
    const loaded = [...entries.values()].filter((entry) => entry.loaded)
    if (loaded.length <= maxSolutions) return
    const oldest = loaded.sort((a, b) => a.lastUsed - b.lastUsed)[0]
    if (!oldest) return
    entries.delete(oldest.solutionHash)
    await oldest.loaded?.runner.close()
  }

  return {
    has(solutionHash: Hex) {
      const entry = entries.get(solutionHash)
      return entry
        ? {
            loaded: true,
            runner: entry.loaded?.manifest.runner,
            encrypted: entry.ciphertext !== undefined || entry.keyHash !== undefined,
          }
        : { loaded: false }
    },
    /** Loads a bundle blob handed over by the host; throws a one-line error when it cannot. */
    async load(solutionHash: Hex, bundle: Uint8Array) {
      // Two orders may bring the same bundle at once: one load, which both wait for.
      let load = loading.get(solutionHash)
      if (!entries.has(solutionHash) && !load) {
        const entry: Entry = { solutionHash, lastUsed: Date.now() }
        load = (async () => {
          if (isSolutionPack(bundle)) await activate(entry, bundle)
          else entry.ciphertext = bundle
          entries.set(solutionHash, entry)
        })().finally(() => loading.delete(solutionHash))
        loading.set(solutionHash, load)
      }
      await load
      return this.has(solutionHash)
    },
    /** The solution ready for one order, or why the order cannot run (reason 4 or 5). */
    async ready(parameters: {
      solutionHash: Hex
      orderId: bigint
      keyRelease?: WrappedKey
      enclavePrivateKey: CryptoKey
      /** Opens the release when it is not an order's (a lease's: src/protocol/leaseKeyRelease.ts). */
      openRelease?: (release: WrappedKey) => Promise<Uint8Array>
    }): Promise<ReadySolution | { failure: FailureReason; message: string }> {
      const entry = entries.get(parameters.solutionHash)
      if (!entry)
        return {
          failure: failureReasons.solutionUnavailable,
          message: 'the order’s solution was not handed over',
        }
      entry.lastUsed = Date.now()
      if (entry.ciphertext === undefined && entry.keyHash === undefined && entry.loaded)
        return entry.loaded
      if (!parameters.keyRelease)
        return {
          failure: failureReasons.vendorKeyNotReleased,
          message: 'no key release came with the order',
        }
      let key: Uint8Array
      try {
        key = parameters.openRelease
          ? await parameters.openRelease(parameters.keyRelease)
          : await openKeyRelease({
              enclavePrivateKey: parameters.enclavePrivateKey,
              release: parameters.keyRelease,
              orderId: parameters.orderId,
              resourceHash: parameters.solutionHash,
            })
      } catch {
        return {
          failure: failureReasons.vendorKeyNotReleased,
          message: 'the key release does not open for this order or lease in this enclave',
        }
      }
      const previous = entry.turn ?? Promise.resolve()
      let done = () => {}
      entry.turn = new Promise<void>((resolve) => {
        done = resolve
      })
      await previous
      try {
        if (entry.loaded)
          return sha256(key) === entry.keyHash
            ? entry.loaded
            : {
                failure: failureReasons.vendorKeyNotReleased,
                message: 'the key release holds another key',
              }
        let pack: Uint8Array
        try {
          pack = await decryptObject(key, entry.ciphertext as Uint8Array)
        } catch {
          return {
            failure: failureReasons.vendorKeyNotReleased,
            message: 'the released key does not open the bundle',
          }
        }
        try {
          // The decrypted pack stays in the runtime's memory: a worker that died restarts from it.
          await activate(entry, pack)
        } catch (error) {
          return { failure: failureReasons.solutionUnavailable, message: shortMessageOf(error) }
        }
        entry.keyHash = sha256(key)
        delete entry.ciphertext
        return entry.loaded as unknown as ReadySolution
      } finally {
        key.fill(0)
        done()
      }
    },
    /** A decrypted solution, for callers that checked a release of its key themselves (a lease's). */
    unlocked(solutionHash: Hex): ReadySolution | undefined {
      const entry = entries.get(solutionHash)
      if (!entry?.loaded) return undefined
      entry.lastUsed = Date.now()
      return entry.loaded
    },
    async close() {
      for (const entry of entries.values()) await entry.loaded?.runner.close()
      entries.clear()
    },
  }
}

export type SolutionCache = ReturnType<typeof createSolutionCache>
