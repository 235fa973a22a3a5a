import type { Hex } from 'viem'
import { describeInputFile, readInputFile } from '#client/inputFiles'
import { createEncryptingStream } from '../crypto/chunkedAead.ts'
import { streamOfBytes } from '../storage/blobHash.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { countingStream, type ProgressListener } from './progress.ts'

/** One input of an order: bytes in memory, or a file read as a stream. */
export type InputSource = { name?: string } & ({ bytes: Uint8Array } | { path: string })

export type EncryptedInput = {
  /** SHA-256 of the ciphertext: its blob address. */
  inputHash: Hex
  /** The input's own fresh AES-256 key; zero it once it is sealed to the enclave. */
  dataKey: Uint8Array
  /** The plaintext's length in bytes. */
  size: number
}

/** The plaintext's size and its first bytes (for limit checks) without reading all of it. */
export async function describeInput(
  source: InputSource,
  headBytes = 64 * 1024,
): Promise<{ size: number; head: Uint8Array }> {
  if ('bytes' in source)
    return { size: source.bytes.length, head: source.bytes.subarray(0, headBytes) }
  return describeInputFile(source.path, headBytes)
}

/**
 * Encrypts one input on this machine under a fresh key and stores the ciphertext, streaming: a
 * file is read, encrypted and uploaded chunk by chunk, whatever its size. Only ciphertext leaves
 * the process.
 */
export async function encryptInput(
  blobs: BlobStore,
  source: InputSource,
  options: { name?: string; onProgress?: ProgressListener } = {},
): Promise<EncryptedInput> {
  const { size } = await describeInput(source, 0)
  const name = options.name ?? source.name ?? ('path' in source ? source.path : 'input')
  const plaintext = 'bytes' in source ? streamOfBytes(source.bytes) : readInputFile(source.path)
  const encrypting = createEncryptingStream()
  const report = options.onProgress
  const counted = report
    ? plaintext.pipeThrough(
        countingStream((bytes) => report({ stage: 'uploading', name, bytes, totalBytes: size })),
      )
    : plaintext
  try {
    const inputHash = await blobs.putStream(counted.pipeThrough(encrypting.stream))
    return { inputHash, dataKey: encrypting.key, size }
  } catch (error) {
    encrypting.key.fill(0)
    throw error
  }
}
