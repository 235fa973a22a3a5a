import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  parseLeaseIdArgument,
  parseMeasurementArguments,
  parseOrderIdArgument,
  parseSolutionHashArgument,
  UsageError,
} from './usage.ts'

describe('argument parsers', () => {
  it('reads a lease id as a positive decimal number', () => {
    assert.equal(parseLeaseIdArgument('1'), 1n)
    assert.equal(parseLeaseIdArgument('340282366920938463463374607431768211456'), 2n ** 128n)
  })

  it('refuses a lease id that is zero, signed, hex or not a number, naming it', () => {
    for (const text of ['0', '01', '-3', '+3', '0x03', '3.0', '', 'lease', `1${'0'.repeat(77)}`])
      assert.throws(
        () => parseLeaseIdArgument(text),
        (error: unknown) =>
          error instanceof UsageError &&
          error.shortMessage === `${text} is not a lease id (a positive decimal number)`,
      )
  })

  it('reads an order id in hex or decimal, and refuses anything else', () => {
    assert.equal(parseOrderIdArgument(`0x${'0'.repeat(63)}7`), 7n)
    assert.equal(parseOrderIdArgument('7'), 7n)
    assert.throws(() => parseOrderIdArgument('seven'), UsageError)
  })

  it('reads a solution hash as 0x and 64 hex digits, naming the flag when it is not', () => {
    const hash = `0x${'ab'.repeat(32)}`
    assert.equal(parseSolutionHashArgument(hash), hash)
    for (const text of [hash.slice(0, -2), `${hash}00`, hash.slice(2), `0x${'zz'.repeat(32)}`])
      assert.throws(
        () => parseSolutionHashArgument(text),
        (error: unknown) =>
          error instanceof UsageError &&
          error.shortMessage === `--solution ${text} is not a solution hash (0x and 64 hex digits)`,
      )
  })

  it('reads --measurement values as 32 bytes of hex each, none given as none', () => {
    const measurements = [`0x${'11'.repeat(32)}`, `0x${'22'.repeat(32)}`]
    assert.deepEqual(parseMeasurementArguments(measurements), measurements)
    assert.deepEqual(parseMeasurementArguments(undefined), [])
    assert.throws(
      () => parseMeasurementArguments([measurements[0] as string, '0x11']),
      (error: unknown) =>
        error instanceof UsageError &&
        error.shortMessage === '--measurement 0x11 is not 32 bytes of hex',
    )
  })
})
