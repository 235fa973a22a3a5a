import { hexToBytes } from '../bytes.ts'
import { CollateralError } from '../errors.ts'

/**
 * Typed readers for fields of Intel's collateral JSON. Each failure is a CollateralError that
 * says which field of which document is wrong, so malformed collateral never surfaces as a TypeError.
 */
export type JsonObject = Record<string, unknown>

export function asObject(value: unknown, where: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CollateralError(`${where} is not a JSON object.`)
  return value as JsonObject
}

export function asArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new CollateralError(`${where} is not a JSON array.`)
  return value
}

export function stringField(object: JsonObject, key: string, where: string): string {
  const value = object[key]
  if (typeof value !== 'string') throw new CollateralError(`${where}.${key} is not a string.`)
  return value
}

export function integerField(object: JsonObject, key: string, where: string): number {
  const value = object[key]
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new CollateralError(`${where}.${key} is not a non-negative integer.`)
  return value
}

export function hexField(
  object: JsonObject,
  key: string,
  where: string,
  length: number,
): Uint8Array {
  const bytes = hexToBytes(stringField(object, key, where))
  if (!bytes || bytes.length !== length)
    throw new CollateralError(`${where}.${key} is not ${length} bytes of hex.`)
  return bytes
}

export function dateField(object: JsonObject, key: string, where: string): Date {
  const text = stringField(object, key, where)
  const date = new Date(text)
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text) || Number.isNaN(date.getTime()))
    throw new CollateralError(`${where}.${key} is not an ISO-8601 UTC time.`)
  return date
}

export function stringArrayField(object: JsonObject, key: string, where: string): string[] {
  const value = object[key]
  if (value === undefined) return []
  const array = asArray(value, `${where}.${key}`)
  if (!array.every((item) => typeof item === 'string'))
    throw new CollateralError(`${where}.${key} holds a non-string.`)
  return array as string[]
}
