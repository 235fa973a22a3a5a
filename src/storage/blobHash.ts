import { concatBytes, type Hex } from 'viem'
import { createSha256 } from '../crypto/sha256.ts'
import { BoccError } from '../errors.ts'
import { BlobCorruptedError, BlobHashMismatchError, InvalidBlobAddressError } from './blobErrors.ts'

/** `value` as a blob address (lower-case `0x` + 64 hex digits); throws unless it is one. */
export function blobAddressOf(value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new InvalidBlobAddressError(value)
  return value.toLowerCase() as Hex
}

/**
 * `source` passed through unchanged and hashed. At its end `onEnd` gets the address of what
 * crossed and may throw to error the stream; every chunk before is delivered first (the stream
 * reads ahead nothing), so a consumer sees the whole blob and then the error. `onError` sees any
 * error the stream raises.
 */
export function hashedStream(
  source: ReadableStream<Uint8Array>,
  onEnd: (address: Hex) => void,
  onError?: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  const hash = createSha256()
  return new ReadableStream(
    {
      async pull(controller) {
        try {
          const read = await reader.read()
          if (read.done) {
            onEnd(hash.digestHex())
            return controller.close()
          }
          hash.update(read.value)
          controller.enqueue(read.value)
        } catch (error) {
          onError?.(error)
          throw error
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  )
}

/** A blob read from a store, checked: errors with {@link BlobCorruptedError} at its end. */
export function checkingDownload(
  source: ReadableStream<Uint8Array>,
  address: Hex,
): ReadableStream<Uint8Array> {
  return hashedStream(source, (actual) => {
    if (actual !== address) throw new BlobCorruptedError(address)
  })
}

/**
 * A body about to be stored, hashed. Given the `address` it must have, it errors with
 * {@link BlobHashMismatchError} at its end unless it hashes to that. `address()` is valid once the
 * stream ended; `failure()` is the error the stream raised, if any, which an uploader that
 * reports a failure of its own (such as an abort refused by the server) would hide.
 */
export function checkingUpload(
  source: ReadableStream<Uint8Array>,
  expected?: Hex,
): { stream: ReadableStream<Uint8Array>; address(): Hex; failure(): unknown } {
  let address: Hex | undefined
  let failure: unknown
  const stream = hashedStream(
    source,
    (actual) => {
      if (expected && actual !== expected)
        throw new BlobHashMismatchError({ address: expected, actual })
      address = actual
    },
    (error) => {
      failure = error
    },
  )
  return {
    stream,
    address() {
      if (!address) throw new BoccError('the blob was not read to its end')
      return address
    },
    failure: () => failure,
  }
}

/** Everything a stream yields, as one buffer. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const pieces: Uint8Array[] = []
  for await (const piece of stream) pieces.push(piece)
  return concatBytes(pieces)
}

/** A stream of `bytes` in one piece. */
export function streamOfBytes(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes)
      controller.close()
    },
  })
}
