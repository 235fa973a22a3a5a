import { CollateralError } from '../errors.ts'
import {
  asArray,
  asObject,
  dateField,
  hexField,
  integerField,
  type JsonObject,
  stringArrayField,
  stringField,
} from './json.ts'
import { parseJson } from './signedJson.ts'

/** One TCB level of Intel's TCB info, highest first as Intel signs them. */
export type TcbLevel = {
  sgxTcbComponents: number[]
  pceSvn: number
  /** TDX TCB info only. */
  tdxTcbComponents?: number[]
  tcbDate: string
  tcbStatus: string
  advisoryIds: string[]
}

export type TdxModuleIdentityLevel = { isvSvn: number; tcbStatus: string; advisoryIds: string[] }

export type TdxModuleIdentity = {
  /** `TDX_` and the module major version in two hex digits, e.g. `TDX_01`. */
  id: string
  mrSigner: Uint8Array
  attributes: Uint8Array
  attributesMask: Uint8Array
  tcbLevels: TdxModuleIdentityLevel[]
}

/** Intel's TCB info (v2 SGX, v3 SGX or TDX), parsed from the exact signed JSON text. */
export type TcbInfo = {
  id: 'SGX' | 'TDX'
  version: number
  issueDate: Date
  nextUpdate: Date
  fmspc: Uint8Array
  pceId: Uint8Array
  tcbEvaluationDataNumber: number
  tdxModule?: { mrSigner: Uint8Array; attributes: Uint8Array; attributesMask: Uint8Array }
  tdxModuleIdentities: TdxModuleIdentity[]
  tcbLevels: TcbLevel[]
}

const where = 'TCB info'

export function parseTcbInfo(body: string): TcbInfo {
  const json = asObject(parseJson(body, where), where)
  const version = integerField(json, 'version', where)
  if (version !== 2 && version !== 3)
    throw new CollateralError(`TCB info version ${version} is not supported (2 or 3 are).`)
  const id = version === 2 ? 'SGX' : stringField(json, 'id', where)
  if (id !== 'SGX' && id !== 'TDX')
    throw new CollateralError(`TCB info id "${id}" is neither SGX nor TDX.`)
  const tcbLevels = asArray(json.tcbLevels, `${where}.tcbLevels`).map((level, index) =>
    parseTcbLevel(
      asObject(level, `${where}.tcbLevels[${index}]`),
      version,
      id,
      `${where}.tcbLevels[${index}]`,
    ),
  )
  const tdxModule =
    json.tdxModule === undefined
      ? undefined
      : parseModuleIdentityFields(
          asObject(json.tdxModule, `${where}.tdxModule`),
          `${where}.tdxModule`,
        )
  const tdxModuleIdentities =
    json.tdxModuleIdentities === undefined
      ? []
      : asArray(json.tdxModuleIdentities, `${where}.tdxModuleIdentities`).map((identity, index) =>
          parseTdxModuleIdentity(
            asObject(identity, `${where}.tdxModuleIdentities[${index}]`),
            `${where}.tdxModuleIdentities[${index}]`,
          ),
        )
  return {
    id,
    version,
    issueDate: dateField(json, 'issueDate', where),
    nextUpdate: dateField(json, 'nextUpdate', where),
    fmspc: hexField(json, 'fmspc', where, 6),
    pceId: hexField(json, 'pceId', where, 2),
    tcbEvaluationDataNumber: integerField(json, 'tcbEvaluationDataNumber', where),
    ...(tdxModule ? { tdxModule } : {}),
    tdxModuleIdentities,
    tcbLevels: [...tcbLevels].sort(higherTcbLevelFirst),
  }
}

/**
 * Intel's library keeps TCB levels in a set ordered by TcbLevel::operator>: the 16 SGX component
 * SVNs compared lexicographically, then PCESVN, then the 16 TDX component SVNs, highest first,
 * and matches the first level a platform reaches. Levels are sorted so, whatever the JSON order.
 */
export function higherTcbLevelFirst(a: TcbLevel, b: TcbLevel): number {
  return (
    compareSvns(b.sgxTcbComponents, a.sgxTcbComponents) ||
    b.pceSvn - a.pceSvn ||
    compareSvns(b.tdxTcbComponents ?? [], a.tdxTcbComponents ?? [])
  )
}

function compareSvns(a: number[], b: number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? -1) - (b[index] ?? -1)
    if (difference) return difference
  }
  return 0
}

function parseTcbLevel(level: JsonObject, version: number, id: string, path: string): TcbLevel {
  const tcb = asObject(level.tcb, `${path}.tcb`)
  const parsed: TcbLevel = {
    sgxTcbComponents: [],
    pceSvn: integerField(tcb, 'pcesvn', `${path}.tcb`),
    tcbDate: stringField(level, 'tcbDate', path),
    tcbStatus: stringField(level, 'tcbStatus', path),
    advisoryIds: stringArrayField(level, 'advisoryIDs', path),
  }
  if (version === 2) {
    for (let index = 1; index <= 16; index++)
      parsed.sgxTcbComponents.push(
        integerField(tcb, `sgxtcbcomp${String(index).padStart(2, '0')}svn`, `${path}.tcb`),
      )
    return parsed
  }
  parsed.sgxTcbComponents = componentSvns(tcb.sgxtcbcomponents, `${path}.tcb.sgxtcbcomponents`)
  if (id === 'TDX')
    parsed.tdxTcbComponents = componentSvns(tcb.tdxtcbcomponents, `${path}.tcb.tdxtcbcomponents`)
  return parsed
}

function componentSvns(value: unknown, path: string): number[] {
  const components = asArray(value, path)
  if (components.length !== 16)
    throw new CollateralError(`${path} has ${components.length} components, not 16.`)
  return components.map((component, index) =>
    integerField(asObject(component, `${path}[${index}]`), 'svn', `${path}[${index}]`),
  )
}

function parseModuleIdentityFields(object: JsonObject, path: string) {
  return {
    mrSigner: hexField(object, 'mrsigner', path, 48),
    attributes: hexField(object, 'attributes', path, 8),
    attributesMask: hexField(object, 'attributesMask', path, 8),
  }
}

function parseTdxModuleIdentity(object: JsonObject, path: string): TdxModuleIdentity {
  return {
    id: stringField(object, 'id', path).toUpperCase(),
    ...parseModuleIdentityFields(object, path),
    // Highest ISVSVN first, as Intel's library orders them.
    tcbLevels: asArray(object.tcbLevels, `${path}.tcbLevels`)
      .map((level, index) => {
        const levelPath = `${path}.tcbLevels[${index}]`
        const levelObject = asObject(level, levelPath)
        return {
          isvSvn: integerField(
            asObject(levelObject.tcb, `${levelPath}.tcb`),
            'isvsvn',
            `${levelPath}.tcb`,
          ),
          tcbStatus: stringField(levelObject, 'tcbStatus', levelPath),
          advisoryIds: stringArrayField(levelObject, 'advisoryIDs', levelPath),
        }
      })
      .sort((a, b) => b.isvSvn - a.isvSvn),
  }
}
