// The chunked AEAD against raw node:crypto, its memory when streaming a large file, and HPKE.
// Run by bench/run.ts; `node bench/aead.ts stream-file FILE` is the child process that streams
// one file through encryption and decryption and reports its own memory.
import { spawn } from 'node:child_process'
import { createCipheriv, createDecipheriv, createHash, createSecretKey } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  createDecryptingStream,
  createEncryptingStream,
  decryptObject,
  encryptObject,
} from '../src/crypto/chunkedAead.ts'
import { generateHpkeKeyPair, unwrapKey, wrapKey } from '../src/crypto/hpke.ts'
import { nodeStreamOf, webStreamOf } from '../src/storage/nodeStreams.ts'
import { medianMs } from './median.ts'

const MiB = 1 << 20
const chunkSize = MiB
const headerLength = 8
const tagLength = 16

/** The crypto figures; `smoke` makes every one small and single (CI's run). */
export async function benchAead(
  options: { smoke?: boolean } = {},
): Promise<Record<string, number>> {
  const smoke = options.smoke ?? false
  return {
    ...(await aeadAgainstRaw(smoke ? 16 : 256, smoke ? 1 : 11)),
    ...(await aeadOneShot()),
    aead_peak_rss_mib: await peakRssStreamingFile((smoke ? 64 : 1024) * MiB),
    ...(await hpke()),
  }
}

/** A deterministic object: one random MiB repeated, each MiB's first bytes its index. */
function objectOf(size: number): Uint8Array {
  const block = crypto.getRandomValues(new Uint8Array(65536))
  const object = new Uint8Array(size)
  for (let offset = 0; offset < size; offset += block.length) object.set(block, offset)
  for (let offset = 0; offset < size; offset += MiB)
    new DataView(object.buffer).setUint32(offset, offset)
  return object
}

/** `bytes` as a stream of pieces of `pieceSize`, produced as the reader asks. */
function streamOf(bytes: Uint8Array, pieceSize: number): ReadableStream<Uint8Array> {
  let offset = 0
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.subarray(offset, offset + pieceSize))
      offset += pieceSize
    },
  })
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let length = 0
  for await (const piece of stream) length += piece.length
  return length
}

/**
 * The project's streams against the same AES-256-GCM done by hand with node:crypto (one cipher per
 * 1 MiB chunk, header as AAD), over the same 256 MiB, encryption then decryption, interleaved;
 * the median of 11 runs' ratios, with the lowest and highest.
 */
async function aeadAgainstRaw(sizeMiB: number, runs: number): Promise<Record<string, number>> {
  const size = sizeMiB * MiB
  const plaintext = objectOf(size)
  const sealedObject = await encryptObject(plaintext, { chunkSize })
  const ciphertext = sealedObject.ciphertext
  const header = ciphertext.subarray(0, headerLength)
  const secret = createSecretKey(sealedObject.key)
  const chunkCount = size / chunkSize
  const nonceOf = (index: number) => {
    const nonce = new Uint8Array(12)
    new DataView(nonce.buffer).setUint32(7, index)
    nonce[11] = index === chunkCount - 1 ? 1 : 0
    return nonce
  }
  const raw = () => {
    for (let index = 0; index < chunkCount; index++) {
      const cipher = createCipheriv('aes-256-gcm', secret, nonceOf(index))
      cipher.setAAD(header)
      cipher.update(plaintext.subarray(index * chunkSize, (index + 1) * chunkSize))
      cipher.final()
      cipher.getAuthTag()
    }
    const sealedChunkSize = chunkSize + tagLength
    for (let index = 0; index < chunkCount; index++) {
      const start = headerLength + index * sealedChunkSize
      const decipher = createDecipheriv('aes-256-gcm', secret, nonceOf(index))
      decipher.setAAD(header)
      decipher.setAuthTag(ciphertext.subarray(start + chunkSize, start + sealedChunkSize))
      decipher.update(ciphertext.subarray(start, start + chunkSize))
      decipher.final()
    }
  }
  let encryptMs = 0
  let decryptMs = 0
  const project = async () => {
    const started = performance.now()
    await drain(streamOf(plaintext, MiB).pipeThrough(createEncryptingStream({ chunkSize }).stream))
    const encrypted = performance.now()
    await drain(streamOf(ciphertext, MiB).pipeThrough(createDecryptingStream(sealedObject.key)))
    encryptMs = encrypted - started
    decryptMs = performance.now() - encrypted
  }
  const timed = async (action: () => unknown) => {
    const started = performance.now()
    await action()
    return performance.now() - started
  }
  await project()
  raw()
  const ratios: number[] = []
  const encryptTimes: number[] = []
  const decryptTimes: number[] = []
  for (let run = 0; run < runs; run++) {
    const rawMs = await timed(raw)
    const projectMs = await timed(project)
    ratios.push(rawMs / projectMs)
    encryptTimes.push(encryptMs)
    decryptTimes.push(decryptMs)
  }
  const median = (values: number[]) => values.toSorted((a, b) => a - b)[values.length >> 1] ?? 0
  const mibPerS = (ms: number) => Number((sizeMiB / (ms / 1000)).toFixed(0))
  return {
    aead_vs_raw_ratio: Number(median(ratios).toFixed(3)),
    aead_vs_raw_ratio_min: Number(Math.min(...ratios).toFixed(3)),
    aead_vs_raw_ratio_max: Number(Math.max(...ratios).toFixed(3)),
    aead_stream_encrypt_MiB_per_s: mibPerS(median(encryptTimes)),
    aead_stream_decrypt_MiB_per_s: mibPerS(median(decryptTimes)),
  }
}

/** The one-shot API, which callers with a whole object in memory use. */
async function aeadOneShot(): Promise<Record<string, number>> {
  const large = objectOf(64 * MiB)
  const encryptMs = await medianMs(5, () => encryptObject(large))
  const sealed = await encryptObject(large)
  const decryptMs = await medianMs(5, () => decryptObject(sealed.key, sealed.ciphertext))
  const small = crypto.getRandomValues(new Uint8Array(64 * 1024))
  return {
    aead_encrypt_MiB_per_s: Number((64 / (encryptMs / 1000)).toFixed(0)),
    aead_decrypt_MiB_per_s: Number((64 / (decryptMs / 1000)).toFixed(0)),
    aead_encrypt_64KiB_ms: await medianMs(50, () => encryptObject(small)),
  }
}

/**
 * Extra resident memory of a process that encrypts a file of `size` bytes from disk to disk and
 * then decrypts it back, checking the result: its peak RSS less its RSS before it started.
 */
async function peakRssStreamingFile(size: number): Promise<number> {
  const directory = await mkdtemp(join(tmpdir(), 'bocc-bench-aead-'))
  try {
    const file = join(directory, 'plaintext')
    const block = objectOf(MiB)
    const hash = createHash('sha256')
    await pipeline(
      Readable.from(
        (function* () {
          for (let offset = 0; offset < size; offset += MiB) {
            const piece = block.slice()
            new DataView(piece.buffer).setUint32(0, offset)
            hash.update(piece)
            yield piece
          }
        })(),
      ),
      createWriteStream(file),
    )
    const expected = hash.digest('hex')
    const child = spawn(process.execPath, [import.meta.filename, 'stream-file', file, expected], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    child.stdout.on('data', (data) => {
      output += data
    })
    const code = await new Promise((resolve) => child.on('close', resolve))
    if (code !== 0) throw new Error(`the streaming child exited with ${code}`)
    const report = JSON.parse(output) as { extraRssMiB: number; roundTripped: boolean }
    if (!report.roundTripped) throw new Error('the streamed file did not decrypt to itself')
    return report.extraRssMiB
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

/**
 * The child of {@link peakRssStreamingFile}: its baseline is its resident memory before it reads a
 * byte, and the peak the kernel's count of its largest resident set (maxRSS).
 */
async function streamFile(file: string, expected: string) {
  const baselineMiB = process.memoryUsage().rss / MiB
  const encrypting = createEncryptingStream()
  await pipeline(
    nodeStreamOf(webStreamOf(createReadStream(file)).pipeThrough(encrypting.stream)),
    createWriteStream(`${file}.sealed`),
  )
  const decrypted = createHash('sha256')
  await pipeline(
    nodeStreamOf(
      webStreamOf(createReadStream(`${file}.sealed`)).pipeThrough(
        createDecryptingStream(encrypting.key),
      ),
    ),
    new Writable({
      write(piece, _, done) {
        decrypted.update(piece)
        done()
      },
    }),
  )
  const peakMiB = process.resourceUsage().maxRSS / 1024
  process.stdout.write(
    JSON.stringify({
      extraRssMiB: Number((peakMiB - baselineMiB).toFixed(1)),
      roundTripped: decrypted.digest('hex') === expected,
    }),
  )
}

/** HPKE key wraps (RFC 9180 base mode, single shot) with src/crypto/hpke.ts. */
async function hpke(): Promise<Record<string, number>> {
  const recipient = await generateHpkeKeyPair()
  const key = crypto.getRandomValues(new Uint8Array(32))
  const aad = new Uint8Array(32)
  const wrap = () => wrapKey({ recipientPublicKey: recipient.publicKey, key, info: 'bench', aad })
  const wrapMs = await medianMs(100, wrap)
  const wrapped = await wrap()
  const unwrapMs = await medianMs(100, () =>
    unwrapKey({ recipientPrivateKey: recipient.privateKey, wrapped, info: 'bench', aad }),
  )
  const count = 200
  const started = performance.now()
  for (let i = 0; i < count; i++) await wrap()
  return {
    hpke_wraps_per_s: Number((count / ((performance.now() - started) / 1000)).toFixed(0)),
    hpke_wrap_ms: wrapMs,
    hpke_unwrap_ms: unwrapMs,
  }
}

if (import.meta.main && process.argv[2] === 'stream-file')
  await streamFile(process.argv[3] ?? '', process.argv[4] ?? '')
