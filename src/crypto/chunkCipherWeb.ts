import { concatBytes } from 'viem'
import type { ChunkCipher } from './chunkCipher.ts'

/**
 * The WebCrypto backend (browsers; Node has it too). WebCrypto takes one contiguous buffer, so a
 * chunk given in several pieces is joined first, into a buffer zeroed once it has been used.
 */
export function createWebChunkCipher(key: Uint8Array): ChunkCipher {
  const raw = key.slice()
  const imported = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])
  // Zeroing the copy once the import settled also keeps an unused cipher from an unhandled
  // rejection; a failed import still surfaces on first use.
  imported.then(
    () => raw.fill(0),
    () => raw.fill(0),
  )
  const parameters = (iv: Uint8Array, aad: Uint8Array): AesGcmParams => ({
    name: 'AES-GCM',
    iv: iv as Uint8Array<ArrayBuffer>,
    additionalData: aad as Uint8Array<ArrayBuffer>,
    tagLength: 128,
  })
  return {
    async seal(nonce, aad, plaintext) {
      const joined = join(plaintext)
      try {
        return [
          new Uint8Array(
            await crypto.subtle.encrypt(parameters(nonce, aad), await imported, joined),
          ),
        ]
      } finally {
        if (joined !== plaintext[0]) joined.fill(0)
      }
    },
    async open(nonce, aad, ciphertext, tag) {
      const sealed = join([...ciphertext, tag])
      try {
        return [
          new Uint8Array(
            await crypto.subtle.decrypt(parameters(nonce, aad), await imported, sealed),
          ),
        ]
      } catch {
        return undefined
      }
    },
  }
}

/** The pieces as one buffer: the piece itself when there is just one. */
function join(pieces: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  return (pieces.length === 1 ? pieces[0] : concatBytes([...pieces])) as Uint8Array<ArrayBuffer>
}
