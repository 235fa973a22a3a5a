import { CollateralError } from '../errors.ts'
import {
  asArray,
  asObject,
  dateField,
  hexField,
  integerField,
  stringArrayField,
  stringField,
} from './json.ts'
import { parseJson } from './signedJson.ts'

export type QeIdentityLevel = {
  isvSvn: number
  tcbDate: string
  tcbStatus: string
  advisoryIds: string[]
}

/** Intel's identity of the quoting enclave (`QE` for SGX quotes, `TD_QE` for TDX quotes), version 2. */
export type QeIdentity = {
  id: 'QE' | 'TD_QE' | 'QVE'
  version: number
  issueDate: Date
  nextUpdate: Date
  tcbEvaluationDataNumber: number
  miscSelect: number
  miscSelectMask: number
  attributes: Uint8Array
  attributesMask: Uint8Array
  mrSigner: Uint8Array
  isvProdId: number
  tcbLevels: QeIdentityLevel[]
}

const where = 'QE identity'

export function parseQeIdentity(body: string): QeIdentity {
  const json = asObject(parseJson(body, where), where)
  const id = stringField(json, 'id', where)
  if (id !== 'QE' && id !== 'TD_QE' && id !== 'QVE')
    throw new CollateralError(`QE identity id "${id}" is not QE, TD_QE or QVE.`)
  const version = integerField(json, 'version', where)
  if (version !== 2)
    throw new CollateralError(`QE identity version ${version} is not supported (2 is).`)
  return {
    id,
    version,
    issueDate: dateField(json, 'issueDate', where),
    nextUpdate: dateField(json, 'nextUpdate', where),
    tcbEvaluationDataNumber: integerField(json, 'tcbEvaluationDataNumber', where),
    miscSelect: u32(hexField(json, 'miscselect', where, 4)),
    miscSelectMask: u32(hexField(json, 'miscselectMask', where, 4)),
    attributes: hexField(json, 'attributes', where, 16),
    attributesMask: hexField(json, 'attributesMask', where, 16),
    mrSigner: hexField(json, 'mrsigner', where, 32),
    isvProdId: integerField(json, 'isvprodid', where),
    tcbLevels: asArray(json.tcbLevels, `${where}.tcbLevels`)
      .map((level, index) => {
        const path = `${where}.tcbLevels[${index}]`
        const object = asObject(level, path)
        return {
          isvSvn: integerField(asObject(object.tcb, `${path}.tcb`), 'isvsvn', `${path}.tcb`),
          tcbDate: stringField(object, 'tcbDate', path),
          tcbStatus: stringField(object, 'tcbStatus', path),
          advisoryIds: stringArrayField(object, 'advisoryIDs', path),
        }
      })
      // Highest ISVSVN first, as Intel's library orders them, whatever the JSON order.
      .sort((a, b) => b.isvSvn - a.isvSvn),
  }
}

/** The hex in Intel's JSON reads as a big-endian number. */
function u32(bytes: Uint8Array): number {
  return (
    (((bytes[0] as number) << 24) |
      ((bytes[1] as number) << 16) |
      ((bytes[2] as number) << 8) |
      (bytes[3] as number)) >>>
    0
  )
}
