import type * as NodeCrypto from 'node:crypto'
import type { ChunkCipher } from './chunkCipher.ts'

/**
 * The `node:crypto` backend. The module is passed in rather than imported, so that this file loads
 * in a browser bundle too (where it is never called). The key lives in a KeyObject, outside the JS
 * heap; every buffer this backend fills with plaintext that is not handed out is zeroed.
 */
export function createNodeChunkCipher(crypto: typeof NodeCrypto, key: Uint8Array): ChunkCipher {
  const secret = crypto.createSecretKey(key)
  return {
    async seal(nonce, aad, plaintext) {
      const cipher = crypto.createCipheriv('aes-256-gcm', secret, nonce, { authTagLength: 16 })
      cipher.setAAD(aad)
      const sealed = plaintext.map((piece) => bytesOf(cipher.update(piece)))
      cipher.final()
      sealed.push(bytesOf(cipher.getAuthTag()))
      return sealed
    },
    async open(nonce, aad, ciphertext, tag) {
      const decipher = crypto.createDecipheriv('aes-256-gcm', secret, nonce, { authTagLength: 16 })
      decipher.setAAD(aad)
      decipher.setAuthTag(tag)
      const opened = ciphertext.map((piece) => bytesOf(decipher.update(piece)))
      try {
        decipher.final()
        return opened
      } catch {
        for (const piece of opened) piece.fill(0)
        return undefined
      }
    },
  }
}

/** A plain Uint8Array view of a Buffer (whose `slice` would not copy). */
function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}
