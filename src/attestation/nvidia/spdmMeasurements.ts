import { ByteReader } from '../byteReader.ts'
import { EvidenceFormatError } from '../errors.ts'

/** One DMTF measurement block of an SPDM MEASUREMENTS response. */
export type SpdmMeasurementBlock = { index: number; valueType: number; value: Uint8Array }

/** An SPDM 1.1 GET_MEASUREMENTS request and its signed MEASUREMENTS response (NVIDIA GPU evidence). */
export type SpdmMeasurements = {
  /** The requester's 32-byte nonce: what binds the evidence to a verifier's challenge. */
  requestNonce: Uint8Array
  blocks: SpdmMeasurementBlock[]
  responderNonce: Uint8Array
  opaqueData: Uint8Array
  /** Request ‖ response without its signature: what the device signs. */
  signedBytes: Uint8Array
  /** ECDSA P-384 signature, r ‖ s. */
  signature: Uint8Array
}

const spdmVersion11 = 0x11
const getMeasurements = 0xe0
const measurements = 0x60
const requestLength = 37
const signatureLength = 96

/** Whether `bytes` start like an SPDM 1.1 GET_MEASUREMENTS request followed by its response. */
export function looksLikeSpdmMeasurements(bytes: Uint8Array): boolean {
  return (
    bytes.length > requestLength + 8 &&
    bytes[0] === spdmVersion11 &&
    bytes[1] === getMeasurements &&
    bytes[requestLength] === spdmVersion11 &&
    bytes[requestLength + 1] === measurements
  )
}

export function parseSpdmMeasurements(bytes: Uint8Array): SpdmMeasurements {
  if (!looksLikeSpdmMeasurements(bytes))
    throw new EvidenceFormatError(
      'The evidence is not an SPDM 1.1 GET_MEASUREMENTS request and MEASUREMENTS response.',
    )
  const request = new ByteReader(bytes.subarray(0, requestLength), 'SPDM GET_MEASUREMENTS request')
  request.take(4, 'request header')
  const requestNonce = request.take(32, 'request nonce')
  const reader = new ByteReader(bytes, 'SPDM MEASUREMENTS response', requestLength)
  reader.take(4, 'response header')
  const blockCount = reader.u8('number of blocks')
  const recordLength = reader.u16('record length') + reader.u8('record length, high byte') * 0x10000
  const record = new ByteReader(
    reader.take(recordLength, 'measurement record'),
    'SPDM measurement record',
  )
  const blocks: SpdmMeasurementBlock[] = []
  while (record.remaining > 0) {
    const index = record.u8('block index')
    record.u8('measurement specification')
    const size = record.u16('block size')
    const block = new ByteReader(
      record.take(size, `block ${index}`),
      `SPDM measurement block ${index}`,
    )
    const valueType = block.u8('value type')
    const valueSize = block.u16('value size')
    blocks.push({ index, valueType, value: block.take(valueSize, `block ${index} value`) })
  }
  if (blocks.length !== blockCount)
    throw new EvidenceFormatError(
      `The SPDM response announces ${blockCount} measurement blocks but holds ${blocks.length}.`,
    )
  const responderNonce = reader.take(32, 'responder nonce')
  const opaqueData = reader.take(reader.u16('opaque data length'), 'opaque data')
  const signedBytes = bytes.subarray(0, reader.offset)
  const signature = reader.take(signatureLength, 'signature')
  return { requestNonce, blocks, responderNonce, opaqueData, signedBytes, signature }
}

/** What the GPU states about itself in the MEASUREMENTS opaque data (NVIDIA's TLV fields). */
export type GpuOpaqueInfo = {
  driverVersion?: string
  /** As NVIDIA writes it, e.g. `96.00.9F.00.01`. */
  vbiosVersion?: string
  project?: string
  projectSku?: string
  chipSku?: string
}

const opaqueFieldTypes = {
  driverVersion: 3,
  vbiosVersion: 6,
  chipSku: 15,
  project: 17,
  projectSku: 18,
} as const

/** Reads NVIDIA's opaque data fields (type u16, length u16, value), each bounds-checked. */
export function readGpuOpaqueInfo(opaqueData: Uint8Array): GpuOpaqueInfo {
  const reader = new ByteReader(opaqueData, 'SPDM opaque data')
  const info: GpuOpaqueInfo = {}
  const text = (value: Uint8Array) => {
    const end = value.indexOf(0)
    return new TextDecoder().decode(end === -1 ? value : value.subarray(0, end))
  }
  while (reader.remaining >= 4) {
    const type = reader.u16('opaque field type')
    const value = reader.take(reader.u16('opaque field length'), 'opaque field')
    if (type === opaqueFieldTypes.driverVersion) info.driverVersion = text(value)
    else if (type === opaqueFieldTypes.vbiosVersion && value.length >= 5) {
      const word = Array.from(value.subarray(0, 4)).reverse()
      const hex = (byte: number) => byte.toString(16).padStart(2, '0').toUpperCase()
      info.vbiosVersion = [...word, value[4] as number].map(hex).join('.')
    } else if (type === opaqueFieldTypes.chipSku) info.chipSku = text(value)
    else if (type === opaqueFieldTypes.project) info.project = text(value)
    else if (type === opaqueFieldTypes.projectSku) info.projectSku = text(value)
  }
  return info
}
