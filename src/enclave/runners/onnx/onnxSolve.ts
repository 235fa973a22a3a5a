import { InferenceSession, Tensor } from 'onnxruntime-node'
import { elementSize } from '../../../protocol/inputLimits.ts'
import type { NamedBlob } from '../../../protocol/namedBlobs.ts'
import type {
  SolutionManifest,
  TensorDeclaration,
  TensorType,
} from '../../../protocol/solutionBundle.ts'
import { InputRejectedError } from '../native/inputRejected.ts'

/**
 * The `onnx` runner: any ONNX model whose manifest declares its tensor inputs and outputs. Each
 * input and output is either JSON (`{ "dims": [...], "data": [...] }`, data flat in row-major
 * order, int64 as numbers or decimal strings) or raw (the elements little-endian, shape as
 * declared), as its declaration's `format` says (docs/protocol.md, "ONNX tensors").
 */
export async function createOnnxSolve(manifest: SolutionManifest, model: Uint8Array) {
  const session = await InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    enableCpuMemArena: false,
    graphOptimizationLevel: 'all',
  })
  return async (inputs: NamedBlob[]): Promise<NamedBlob[]> => {
    const feeds: Record<string, Tensor> = {}
    for (const declaration of manifest.inputs) {
      const input = inputs.find((item) => item.name === declaration.name)
      if (!input) throw new InputRejectedError(`the order has no input "${declaration.name}"`)
      feeds[declaration.name] = toTensor(
        declaration.name,
        declaration.tensor as TensorDeclaration,
        input.bytes,
      )
    }
    let results: InferenceSession.OnnxValueMapType
    try {
      results = await session.run(feeds)
    } catch {
      throw new InputRejectedError('the model refused the input tensors')
    }
    return manifest.outputs.map((declaration) => {
      const tensor = results[declaration.name] as Tensor | undefined
      if (!tensor) throw new InputRejectedError(`the model gave no output "${declaration.name}"`)
      return {
        name: declaration.name,
        bytes: fromTensor(tensor, declaration.tensor as TensorDeclaration),
      }
    })
  }
}

type TypedArray = ArrayLike<number | bigint> & { buffer: ArrayBuffer }

/** The typed array ONNX Runtime takes for an element type. */
function typedArrayOf(dtype: TensorType, data: ArrayLike<number | bigint>): TypedArray {
  const arrayType = arrays[dtype] as unknown as { from(data: ArrayLike<unknown>): TypedArray }
  return arrayType.from(data)
}

const arrays = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  int8: Int8Array,
  bool: Uint8Array,
} as const

function toTensor(name: string, declaration: TensorDeclaration, bytes: Uint8Array): Tensor {
  const { dtype } = declaration
  let dims: number[]
  let data: ArrayLike<number | bigint>
  if (declaration.format === 'raw') {
    dims = declaration.shape
    const copy = new Uint8Array(bytes) // aligned, and the caller zeroes its own copy
    const elements = copy.length / elementSize[dtype]
    data = littleEndian(dtype, new DataView(copy.buffer), elements)
    copy.fill(0)
  } else {
    let value: { dims?: unknown; data?: unknown }
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    } catch {
      throw new InputRejectedError(`input "${name}" is not JSON`)
    }
    if (!Array.isArray(value?.dims) || !Array.isArray(value?.data))
      throw new InputRejectedError(`input "${name}" needs { dims, data }`)
    dims = value.dims as number[]
    data = (value.data as unknown[]).map((item) => element(name, dtype, item))
  }
  const shapeOk =
    dims.length === declaration.shape.length &&
    dims.every(
      (dim, i) =>
        Number.isSafeInteger(dim) &&
        dim > 0 &&
        (declaration.shape[i] === -1 || declaration.shape[i] === dim),
    )
  if (!shapeOk)
    throw new InputRejectedError(
      `input "${name}" must have shape [${declaration.shape.join(', ')}] (-1: any)`,
    )
  if (data.length !== dims.reduce((product, dim) => product * dim, 1))
    throw new InputRejectedError(`input "${name}" has a data length unlike its dims`)
  const typed = typedArrayOf(dtype, data)
  return new Tensor(dtype, typed as never, dims)
}

function element(name: string, dtype: TensorType, item: unknown): number | bigint {
  if (dtype === 'int64') {
    if ((typeof item === 'number' && Number.isSafeInteger(item)) || /^-?\d+$/.test(String(item)))
      return BigInt(item as number | string)
  } else if (typeof item === 'number' && Number.isFinite(item)) return item
  else if (dtype === 'bool' && typeof item === 'boolean') return item ? 1 : 0
  throw new InputRejectedError(`input "${name}" holds a value that is not ${dtype}`)
}

function littleEndian(dtype: TensorType, view: DataView, count: number): (number | bigint)[] {
  const size = elementSize[dtype]
  const read: Record<TensorType, (offset: number) => number | bigint> = {
    float32: (offset) => view.getFloat32(offset, true),
    float64: (offset) => view.getFloat64(offset, true),
    int32: (offset) => view.getInt32(offset, true),
    int64: (offset) => view.getBigInt64(offset, true),
    uint8: (offset) => view.getUint8(offset),
    int8: (offset) => view.getInt8(offset),
    bool: (offset) => view.getUint8(offset),
  }
  return Array.from({ length: count }, (_, i) => read[dtype](i * size))
}

function fromTensor(tensor: Tensor, declaration: TensorDeclaration): Uint8Array {
  const data = tensor.data as ArrayLike<number | bigint> & { buffer?: ArrayBufferLike }
  if (declaration.format === 'raw') {
    const typed = typedArrayOf(declaration.dtype, data)
    return new Uint8Array(typed.buffer.slice(0))
  }
  const values = Array.from(data, (item) =>
    typeof item === 'bigint'
      ? Number.isSafeInteger(Number(item))
        ? Number(item)
        : item.toString()
      : item,
  )
  return new TextEncoder().encode(
    JSON.stringify({ dtype: declaration.dtype, dims: tensor.dims, data: values }),
  )
}
