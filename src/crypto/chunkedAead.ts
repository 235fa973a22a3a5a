import { concatBytes } from 'viem'
import { BoccError } from '../errors.ts'
import {
  type AesGcmBackend,
  type ChunkCipher,
  createChunkCipher,
  tagLength,
} from './chunkCipher.ts'
import { ChunkQueue, splitTail } from './chunkQueue.ts'

/**
 * Chunked AES-256-GCM (the STREAM construction): the object is cut into fixed-size chunks, each
 * sealed under the object's own key with a nonce made of the chunk index and a final-chunk flag,
 * and the header as associated data. Reordered, dropped, truncated or extended chunks and a
 * changed header all fail authentication. A key must seal exactly one object: both ways of
 * encrypting ({@link encryptObject} and {@link createEncryptingStream}) make a fresh key each time.
 *
 * The streams hold a few chunks at most, whatever the object's size, and compose with `fetch`
 * bodies, the AWS SDK and Node streams (`Readable.toWeb`, `Readable.fromWeb`). A decrypting stream
 * releases a chunk's plaintext only once that chunk authenticated, but it cannot know that the
 * object is complete before its end: a consumer must not act on what it read until the stream
 * ended without error, because a stream cut short errors only at its end, when the final chunk is
 * found missing.
 */

const magic = new Uint8Array([0x42, 0x43, 0x41, 0x31]) // "BCA1"
const headerLength = magic.length + 4
export const defaultChunkSize = 1 << 20
const maxChunkSize = 1 << 24

export class CiphertextCorruptedError extends BoccError {
  override name = 'CiphertextCorruptedError'
  constructor(reason: string) {
    super(`ciphertext is corrupted or was tampered with: ${reason}`)
  }
}

export type ChunkedAeadOptions = {
  /** Plaintext bytes per chunk (default 1 MiB, at most 16 MiB); only encryption chooses it. */
  chunkSize?: number
  /** `node` (`node:crypto`, the default where it exists) or `webcrypto`; both give the same bytes. */
  backend?: AesGcmBackend
}

export type EncryptedObject = {
  /** The 32-byte AES-256 key of this object; it seals nothing else. */
  key: Uint8Array
  ciphertext: Uint8Array
}

export type EncryptingStream = {
  /** The fresh 32-byte AES-256 key of this object; it seals nothing else. */
  key: Uint8Array
  /** Plaintext in, ciphertext out (header first). */
  stream: TransformStream<Uint8Array, Uint8Array>
}

/** Gets the pieces one step of encryption or decryption produces, in order. */
type Emit = (piece: Uint8Array) => void

/** One object's encryption or decryption, fed its input piece by piece. */
type ChunkWorker = {
  push(bytes: Uint8Array, emit: Emit): Promise<void>
  finish(emit: Emit): Promise<void>
}

/** Encrypts `plaintext` under a fresh random key. */
export async function encryptObject(
  plaintext: Uint8Array,
  options: ChunkedAeadOptions = {},
): Promise<EncryptedObject> {
  const key = freshKey()
  const chunkSize = options.chunkSize ?? defaultChunkSize
  const sealer = createSealer(key, chunkSize, options.backend)
  const chunkCount = Math.max(1, Math.ceil(plaintext.length / chunkSize))
  const ciphertext = new Uint8Array(headerLength + plaintext.length + chunkCount * tagLength)
  let offset = 0
  const emit: Emit = (piece) => {
    ciphertext.set(piece, offset)
    offset += piece.length
  }
  await sealer.push(plaintext, emit)
  await sealer.finish(emit)
  return { key, ciphertext }
}

/** Decrypts an object sealed by {@link encryptObject}; throws {@link CiphertextCorruptedError}. */
export async function decryptObject(
  key: Uint8Array,
  ciphertext: Uint8Array,
  options: Pick<ChunkedAeadOptions, 'backend'> = {},
): Promise<Uint8Array> {
  if (ciphertext.length < headerLength + tagLength) throw new CiphertextCorruptedError('too short')
  const opener = createOpener(key, options.backend)
  const pieces: Uint8Array[] = []
  const emit: Emit = (piece) => pieces.push(piece)
  try {
    await opener.push(ciphertext, emit)
    await opener.finish(emit)
    return concatBytes(pieces)
  } finally {
    for (const piece of pieces) piece.fill(0)
  }
}

/**
 * A stream that encrypts what is written to it under a fresh random key, with bounded memory.
 * Written chunks are read, not copied: do not change one after writing it.
 */
export function createEncryptingStream(options: ChunkedAeadOptions = {}): EncryptingStream {
  const key = freshKey()
  const sealer = createSealer(key, options.chunkSize ?? defaultChunkSize, options.backend)
  return { key, stream: transformStreamOf(sealer) }
}

/**
 * A stream that decrypts an object sealed under `key`, with bounded memory. It errors with
 * {@link CiphertextCorruptedError} at the first chunk that fails and, for a cut-short object, at
 * its end: act on the plaintext only once the stream ended cleanly.
 */
export function createDecryptingStream(
  key: Uint8Array,
  options: Pick<ChunkedAeadOptions, 'backend'> = {},
): TransformStream<Uint8Array, Uint8Array> {
  return transformStreamOf(createOpener(key, options.backend))
}

function freshKey() {
  return crypto.getRandomValues(new Uint8Array(32))
}

function transformStreamOf(worker: ChunkWorker): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(bytes, controller) {
      if (!(bytes instanceof Uint8Array))
        throw new BoccError('a chunked AEAD stream takes Uint8Array chunks')
      return worker.push(bytes, (piece) => controller.enqueue(piece))
    },
    flush: (controller) => worker.finish((piece) => controller.enqueue(piece)),
  })
}

function createSealer(
  key: Uint8Array,
  chunkSize: number,
  backend: AesGcmBackend | undefined,
): ChunkWorker {
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > maxChunkSize)
    throw new BoccError(`chunk size must be an integer from 1 to ${maxChunkSize}`)
  const header = new Uint8Array(headerLength)
  header.set(magic)
  new DataView(header.buffer).setUint32(magic.length, chunkSize)
  const cipher = createChunkCipher(key, backend)
  const queue = new ChunkQueue()
  let index = 0
  const seal = async (plaintext: Uint8Array[], final: boolean, emit: Emit) => {
    if (index === 0) emit(header)
    const sealed = await cipher.seal(nonceOf(index, final), header, plaintext)
    index++
    for (const piece of sealed) emit(piece)
  }
  return {
    async push(bytes, emit) {
      queue.push(bytes)
      for (
        let chunk = queue.takeIfFollowed(chunkSize);
        chunk;
        chunk = queue.takeIfFollowed(chunkSize)
      )
        await seal(chunk, false, emit)
    },
    finish: (emit) => seal(queue.takeAll(), true, emit),
  }
}

function createOpener(key: Uint8Array, backend: AesGcmBackend | undefined): ChunkWorker {
  const cipher: ChunkCipher = createChunkCipher(key, backend)
  const queue = new ChunkQueue()
  let header: Uint8Array | undefined
  let sealedChunkSize = 0
  let index = 0
  const open = async (sealed: Uint8Array[], final: boolean, emit: Emit) => {
    const [ciphertext, tag] = splitTail(sealed, tagLength)
    const opened = await cipher.open(nonceOf(index, final), header as Uint8Array, ciphertext, tag)
    if (!opened)
      throw new CiphertextCorruptedError(
        final
          ? `final chunk ${index} failed authentication (truncated, reordered or altered)`
          : `chunk ${index} failed authentication (reordered or altered)`,
      )
    index++
    for (const piece of opened) emit(piece)
  }
  return {
    async push(bytes, emit) {
      queue.push(bytes)
      if (!header) {
        if (queue.length < headerLength) return
        header = concatBytes(queue.take(headerLength))
        sealedChunkSize = chunkSizeOf(header) + tagLength
      }
      for (
        let sealed = queue.takeIfFollowed(sealedChunkSize);
        sealed;
        sealed = queue.takeIfFollowed(sealedChunkSize)
      )
        await open(sealed, false, emit)
    },
    async finish(emit) {
      if (!header) throw new CiphertextCorruptedError('too short')
      if (queue.length < tagLength)
        throw new CiphertextCorruptedError(`chunk ${index} is truncated`)
      await open(queue.takeAll(), true, emit)
    },
  }
}

/** The chunk size a header announces; throws unless it is a header of this format. */
function chunkSizeOf(header: Uint8Array): number {
  if (!magic.every((byte, i) => header[i] === byte))
    throw new CiphertextCorruptedError('not a BOCC encrypted object')
  const chunkSize = new DataView(header.buffer, header.byteOffset).getUint32(magic.length)
  if (chunkSize < 1 || chunkSize > maxChunkSize)
    throw new CiphertextCorruptedError('invalid chunk size')
  return chunkSize
}

/**
 * The 96-bit nonce: the 88-bit big-endian chunk index, then the final-chunk flag (also the nonce of
 * lease response chunks, src/protocol/leaseChannel.ts).
 */
export function nonceOf(index: number, final: boolean): Uint8Array {
  const nonce = new Uint8Array(12)
  const view = new DataView(nonce.buffer)
  view.setUint32(3, Math.floor(index / 2 ** 32))
  view.setUint32(7, index >>> 0)
  nonce[11] = final ? 1 : 0
  return nonce
}
