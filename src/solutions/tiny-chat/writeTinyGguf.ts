import { createCipheriv, createHash } from 'node:crypto'

/**
 * Writes a tiny llama-architecture model with random weights as a GGUF v3 file
 * (github.com/ggml-org/ggml, docs/gguf.md): a real model file llama.cpp loads and runs, small
 * enough (~0.6 MiB) that tests and `bocc dev` make it on the spot instead of downloading one. The
 * weights come from a seeded generator, so the same seed gives the same bytes on every machine.
 * Its vocabulary is a SentencePiece one: the three control tokens, the 256 byte-fallback tokens
 * and a few dozen word pieces, so any text tokenizes.
 */
export type TinyGgufOptions = {
  /** Seeds the weights (default 1). */
  seed?: number
  /** The context length the model declares (default 512). */
  contextLength?: number
  /**
   * Another shape than tiny-chat's, for measuring: a model of a real one's size runs as slowly as
   * that one would, whatever its weights. Its weights come from AES-256-CTR keyed by the seed (the
   * tiny shape's hashing would take minutes for a hundred million weights), stored as 16-bit floats.
   */
  shape?: ModelShape
}

/** The dimensions of a llama-architecture model. */
export type ModelShape = {
  embeddingLength: number
  blockCount: number
  headCount: number
  /** Grouped-query attention: fewer key/value heads than query heads (default: as many). */
  headCountKv?: number
  feedForwardLength: number
  /** Word pieces added to the vocabulary (`▁w0`, `▁w1`, …), so the output layer has a real size. */
  extraWords?: number
}

const tinyShape: ModelShape = {
  embeddingLength: 32,
  blockCount: 2,
  headCount: 4,
  feedForwardLength: 64,
}
const words = [
  'the',
  'a',
  'is',
  'of',
  'and',
  'to',
  'in',
  'it',
  'you',
  'that',
  'hello',
  'world',
  'data',
  'model',
  'secret',
  'enclave',
  'chain',
  'lease',
  'token',
  'yes',
  'no',
  'ok',
  'good',
  'day',
  'night',
  'blue',
  'green',
  'red',
  'cat',
  'dog',
  'sun',
  'moon',
  'one',
  'two',
  'three',
  'four',
]

/** The GGUF bytes of the tiny model. */
export function writeTinyGguf(options: TinyGgufOptions = {}): Uint8Array {
  const shape = options.shape ?? tinyShape
  const { embeddingLength, blockCount, headCount, feedForwardLength } = shape
  const headCountKv = shape.headCountKv ?? headCount
  const keyValueLength = (embeddingLength / headCount) * headCountKv
  const random = options.shape
    ? streamedUniform(options.seed ?? 1)
    : seededUniform(options.seed ?? 1)
  const tensorType = options.shape ? 'f16' : 'f32'
  const tokens = ['<unk>', '<s>', '</s>']
  const tokenTypes = [2, 3, 3] // unknown, control, control
  for (let byte = 0; byte < 256; byte++) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`)
    tokenTypes.push(6) // byte
  }
  for (const word of words) {
    tokens.push(`\u2581${word}`)
    tokenTypes.push(1) // normal
  }
  for (let extra = 0; extra < (shape.extraWords ?? 0); extra++) {
    tokens.push(`\u2581w${extra}`)
    tokenTypes.push(1)
  }
  const vocabularySize = tokens.length
  const scores = tokens.map((_, index) => (index < 259 ? 0 : -index))

  const writer = new GgufWriter()
  writer.metadata('general.architecture', 'string', 'llama')
  writer.metadata('general.name', 'string', 'bocc-tiny-chat')
  writer.metadata('general.alignment', 'uint32', 32)
  writer.metadata('llama.context_length', 'uint32', options.contextLength ?? 512)
  writer.metadata('llama.embedding_length', 'uint32', embeddingLength)
  writer.metadata('llama.block_count', 'uint32', blockCount)
  writer.metadata('llama.feed_forward_length', 'uint32', feedForwardLength)
  writer.metadata('llama.attention.head_count', 'uint32', headCount)
  writer.metadata('llama.attention.head_count_kv', 'uint32', headCountKv)
  writer.metadata('llama.rope.dimension_count', 'uint32', embeddingLength / headCount)
  writer.metadata('llama.attention.layer_norm_rms_epsilon', 'float32', 1e-5)
  writer.metadata('tokenizer.ggml.model', 'string', 'llama')
  writer.metadata('tokenizer.ggml.tokens', 'strings', tokens)
  writer.metadata('tokenizer.ggml.scores', 'float32s', scores)
  writer.metadata('tokenizer.ggml.token_type', 'int32s', tokenTypes)
  writer.metadata('tokenizer.ggml.unknown_token_id', 'uint32', 0)
  writer.metadata('tokenizer.ggml.bos_token_id', 'uint32', 1)
  writer.metadata('tokenizer.ggml.eos_token_id', 'uint32', 2)

  const matrix = (columns: number, rows: number, scale = 0.2) => {
    const values =
      tensorType === 'f16' ? new Float16Array(columns * rows) : new Float32Array(columns * rows)
    for (let index = 0; index < values.length; index++) values[index] = (random() * 2 - 1) * scale
    return values
  }
  // Norm weights stay 32-bit, as llama.cpp's converters write them.
  const ones = (length: number) => new Float32Array(length).fill(1)
  writer.tensor(
    'token_embd.weight',
    [embeddingLength, vocabularySize],
    matrix(embeddingLength, vocabularySize),
  )
  for (let block = 0; block < blockCount; block++) {
    const name = (part: string) => `blk.${block}.${part}.weight`
    writer.tensor(name('attn_norm'), [embeddingLength], ones(embeddingLength))
    for (const part of ['attn_q', 'attn_k', 'attn_v', 'attn_output']) {
      const rows = part === 'attn_k' || part === 'attn_v' ? keyValueLength : embeddingLength
      writer.tensor(name(part), [embeddingLength, rows], matrix(embeddingLength, rows))
    }
    writer.tensor(name('ffn_norm'), [embeddingLength], ones(embeddingLength))
    writer.tensor(
      name('ffn_gate'),
      [embeddingLength, feedForwardLength],
      matrix(embeddingLength, feedForwardLength),
    )
    writer.tensor(
      name('ffn_up'),
      [embeddingLength, feedForwardLength],
      matrix(embeddingLength, feedForwardLength),
    )
    writer.tensor(
      name('ffn_down'),
      [feedForwardLength, embeddingLength],
      matrix(feedForwardLength, embeddingLength),
    )
  }
  writer.tensor('output_norm.weight', [embeddingLength], ones(embeddingLength))
  writer.tensor(
    'output.weight',
    [embeddingLength, vocabularySize],
    matrix(embeddingLength, vocabularySize, 1),
  )
  return writer.bytes()
}

type MetadataValue =
  | ['string', string]
  | ['uint32', number]
  | ['float32', number]
  | ['strings', string[]]
  | ['float32s', number[]]
  | ['int32s', number[]]

// GGUF value types (gguf.md, "gguf_metadata_value_type").
const valueType = { uint32: 4, int32: 5, float32: 6, string: 8, array: 9 } as const
const alignment = 32

class GgufWriter {
  #metadata: { key: string; value: MetadataValue }[] = []
  #tensors: { name: string; dims: number[]; data: Float32Array | Float16Array }[] = []

  metadata<T extends MetadataValue[0]>(
    key: string,
    type: T,
    value: Extract<MetadataValue, [T, unknown]>[1],
  ) {
    this.#metadata.push({ key, value: [type, value] as MetadataValue })
  }

  tensor(name: string, dims: number[], data: Float32Array | Float16Array) {
    this.#tensors.push({ name, dims, data })
  }

  bytes(): Uint8Array {
    const out = new ByteSink()
    out.raw(new TextEncoder().encode('GGUF'))
    out.u32(3)
    out.u64(this.#tensors.length)
    out.u64(this.#metadata.length)
    for (const { key, value } of this.#metadata) {
      out.string(key)
      const [type, item] = value
      if (type === 'string') {
        out.u32(valueType.string)
        out.string(item)
      } else if (type === 'uint32') {
        out.u32(valueType.uint32)
        out.u32(item)
      } else if (type === 'float32') {
        out.u32(valueType.float32)
        out.f32(item)
      } else {
        out.u32(valueType.array)
        const elementType =
          type === 'strings'
            ? valueType.string
            : type === 'float32s'
              ? valueType.float32
              : valueType.int32
        out.u32(elementType)
        out.u64(item.length)
        for (const element of item as (string | number)[])
          if (type === 'strings') out.string(element as string)
          else if (type === 'float32s') out.f32(element as number)
          else out.i32(element as number)
      }
    }
    let offset = 0
    for (const { name, dims, data } of this.#tensors) {
      out.string(name)
      out.u32(dims.length)
      for (const dim of dims) out.u64(dim)
      out.u32(data instanceof Float16Array ? 1 : 0) // GGML_TYPE_F16 or GGML_TYPE_F32
      out.u64(offset)
      offset = alignUp(offset + data.byteLength)
    }
    out.pad()
    for (const { data } of this.#tensors) {
      out.raw(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
      out.pad()
    }
    return out.concat()
  }
}

class ByteSink {
  #parts: Uint8Array[] = []
  #length = 0
  raw(bytes: Uint8Array) {
    this.#parts.push(bytes)
    this.#length += bytes.length
  }
  #view(size: number, write: (view: DataView) => void) {
    const bytes = new Uint8Array(size)
    write(new DataView(bytes.buffer))
    this.raw(bytes)
  }
  u32(value: number) {
    this.#view(4, (view) => view.setUint32(0, value, true))
  }
  i32(value: number) {
    this.#view(4, (view) => view.setInt32(0, value, true))
  }
  u64(value: number) {
    this.#view(8, (view) => view.setBigUint64(0, BigInt(value), true))
  }
  f32(value: number) {
    this.#view(4, (view) => view.setFloat32(0, value, true))
  }
  string(value: string) {
    const bytes = new TextEncoder().encode(value)
    this.u64(bytes.length)
    this.raw(bytes)
  }
  pad() {
    this.raw(new Uint8Array(alignUp(this.#length) - this.#length))
  }
  concat(): Uint8Array {
    const bytes = new Uint8Array(this.#length)
    let at = 0
    for (const part of this.#parts) {
      bytes.set(part, at)
      at += part.length
    }
    return bytes
  }
}

function alignUp(offset: number): number {
  return Math.ceil(offset / alignment) * alignment
}

/** Uniform numbers in [0, 1) from SHA-256 in counter mode: deterministic, the same everywhere. */
function seededUniform(seed: number): () => number {
  let counter = 0
  let block = new Uint8Array(0)
  let at = 0
  return () => {
    if (at + 4 > block.length) {
      block = createHash('sha256').update(`BOCC/tiny-gguf/v1:${seed}:${counter++}`).digest()
      at = 0
    }
    const value = new DataView(block.buffer, block.byteOffset).getUint32(at) / 2 ** 32
    at += 4
    return value
  }
}

/** Uniform numbers in [0, 1) from AES-256-CTR keyed by the seed: fast, the same everywhere. */
function streamedUniform(seed: number): () => number {
  const key = createHash('sha256').update(`BOCC/random-gguf/v1:${seed}`).digest()
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16))
  const zeros = Buffer.alloc(1 << 16)
  let block = new Uint32Array(0)
  let at = 0
  return () => {
    if (at === block.length) {
      const bytes = cipher.update(zeros)
      block = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
      at = 0
    }
    return (block[at++] as number) / 2 ** 32
  }
}
