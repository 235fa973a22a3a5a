import { BoccError } from '../errors.ts'
import { createNodeChunkCipher } from './chunkCipherNode.ts'
import { createWebChunkCipher } from './chunkCipherWeb.ts'

/**
 * AES-256-GCM over one chunk, with the chunk's bytes given as consecutive pieces so that a stream
 * never has to copy them into one buffer. Two backends give the same bytes: `node` (the built-in
 * `node:crypto`, the faster where it exists) and `webcrypto` (browsers, and Node too).
 */
export type ChunkCipher = {
  /** Seals one chunk; the pieces returned concatenate to ciphertext ‖ 16-byte tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: readonly Uint8Array[]): Promise<Uint8Array[]>
  /**
   * Opens one chunk. Resolves to its plaintext only after the tag verified, to `undefined` when it
   * did not; no byte of a chunk that failed ever leaves this function.
   */
  open(
    nonce: Uint8Array,
    aad: Uint8Array,
    ciphertext: readonly Uint8Array[],
    tag: Uint8Array,
  ): Promise<Uint8Array[] | undefined>
}

export type AesGcmBackend = 'node' | 'webcrypto'

export const tagLength = 16

/** `node:crypto` when this runtime has it: fetched without an import, so bundlers leave it alone. */
function nodeCrypto() {
  return globalThis.process?.getBuiltinModule?.('node:crypto')
}

/** The backend used when none is asked for: `node` where it exists, else `webcrypto`. */
export function defaultAesGcmBackend(): AesGcmBackend {
  return nodeCrypto() ? 'node' : 'webcrypto'
}

/** A cipher for one object's 32-byte key; the key bytes are copied and the caller keeps its own. */
export function createChunkCipher(
  key: Uint8Array,
  backend: AesGcmBackend = defaultAesGcmBackend(),
): ChunkCipher {
  if (key.length !== 32) throw new BoccError('an object key must be 32 bytes')
  if (backend === 'webcrypto') return createWebChunkCipher(key)
  const crypto = nodeCrypto()
  if (!crypto) throw new BoccError('the node AES-GCM backend needs node:crypto, absent here')
  return createNodeChunkCipher(crypto, key)
}
