import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseLeaseIdArgument, parseOrderIdArgument, UsageError } from './usage.ts'

describe('id arguments', () => {
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
})
