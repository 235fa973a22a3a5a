import type { Hex } from 'viem'
import { BoccError, shortMessageOf } from '../errors.ts'

/** The errors of the blob stores and the blob server; each names the blob or the store. */

export class BlobNotFoundError extends BoccError {
  override name = 'BlobNotFoundError'
  constructor(hash: Hex) {
    super(`no blob ${hash} in the store`)
  }
}

export class BlobCorruptedError extends BoccError {
  override name = 'BlobCorruptedError'
  constructor(hash: Hex) {
    super(`the blob stored as ${hash} does not hash to its address`)
  }
}

export class BlobHashMismatchError extends BoccError {
  override name = 'BlobHashMismatchError'
  constructor(parameters: { address: Hex; actual: Hex }) {
    super(`refused a blob for ${parameters.address}: its bytes hash to ${parameters.actual}`)
  }
}

export class InvalidBlobAddressError extends BoccError {
  override name = 'InvalidBlobAddressError'
  constructor(value: string) {
    super(`not a blob address (0x and 64 hex digits): ${value.slice(0, 80)}`)
  }
}

export class BlobTooLargeError extends BoccError {
  override name = 'BlobTooLargeError'
  constructor(maxBytes: number) {
    super(`the blob is larger than the ${maxBytes} bytes this server accepts`)
  }
}

/** The store could not be reached or answered with an error, after any retries. */
export class BlobStoreUnavailableError extends BoccError {
  override name = 'BlobStoreUnavailableError'
  constructor(store: string, cause: unknown) {
    super(`the blob store ${store} failed: ${reasonOf(cause)}`, { cause })
  }
}

/** One line for a failure, with the cause that fetch and the AWS SDK tuck underneath theirs. */
function reasonOf(error: unknown): string {
  const reason = shortMessageOf(error)
  const cause = error instanceof Error ? error.cause : undefined
  return cause instanceof Error ? `${reason} (${shortMessageOf(cause)})` : reason
}

/** Whether a blob is there, from a look-up of its size: false when it is not found. */
export async function isPresent(size: Promise<number>): Promise<boolean> {
  try {
    await size
    return true
  } catch (error) {
    if (error instanceof BlobNotFoundError) return false
    throw error
  }
}
