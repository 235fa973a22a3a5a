/**
 * Writes small ONNX models (the protobuf bytes of a ModelProto, field numbers from onnx.proto) so
 * the tests need no model file and no python onnx package: here y = MatMul(x, w) with x a float32
 * [1, 4] input and w a [4, 2] initializer.
 */
type Field = Uint8Array

const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
const varint = (value: number) => {
  const bytes: number[] = []
  let rest = value
  do {
    let byte = rest & 0x7f
    rest = Math.floor(rest / 128)
    if (rest > 0) byte |= 0x80
    bytes.push(byte)
  } while (rest > 0)
  return new Uint8Array(bytes)
}
const integer = (field: number, value: number): Field => concat([varint(field << 3), varint(value)])
const bytes = (field: number, value: Uint8Array): Field =>
  concat([varint((field << 3) | 2), varint(value.length), value])
const text = (field: number, value: string) => bytes(field, new TextEncoder().encode(value))
const message = (field: number, ...fields: Field[]) => bytes(field, concat(fields))

const floatType = 1
const tensorValue = (field: number, name: string, dims: number[]) =>
  message(
    field,
    text(1, name),
    message(
      2,
      message(
        1,
        integer(1, floatType),
        message(2, ...dims.map((dim) => message(1, integer(1, dim)))),
      ),
    ),
  )

/** y = x · w, x: float32 [1, 4], w: float32 [4, 2] (row-major), y: float32 [1, 2]. */
export function matMulModel(weights: number[]): Uint8Array {
  const raw = new Uint8Array(new Float32Array(weights).buffer)
  return concat([
    integer(1, 8), // ir_version
    text(2, 'bocc-test'),
    message(8, text(1, ''), integer(2, 13)), // opset_import: default domain, opset 13
    message(
      7,
      message(1, text(1, 'x'), text(1, 'w'), text(2, 'y'), text(3, 'matmul'), text(4, 'MatMul')),
      text(2, 'matmul-graph'),
      message(5, integer(1, 4), integer(1, 2), integer(2, floatType), text(8, 'w'), bytes(9, raw)),
      tensorValue(11, 'x', [1, 4]),
      tensorValue(12, 'y', [1, 2]),
    ),
  ])
}
