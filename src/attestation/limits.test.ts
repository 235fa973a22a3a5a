import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BoundedCache } from './boundedCache.ts'
import { CollateralError, EvidenceFormatError } from './errors.ts'
import { readIntelCollateral } from './intel/collateral.ts'
import { inputLimits } from './limits.ts'
import { lengthWithoutPadding, readEvidence } from './readEvidence.ts'
import { verifyEvidence } from './verifyEvidence.ts'
import { readCertificateFiles } from './x509/certificates.ts'

/** A byte array that counts how often its elements are read. */
function countingBytes(bytes: Uint8Array): { view: ArrayLike<number>; reads: () => number } {
  let reads = 0
  const view = new Proxy(bytes, {
    get(target, key) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { view, reads: () => reads }
}

describe('inputs cost no more than their size', () => {
  it('strips trailing NUL padding in one backward pass: reads at most its length once', () => {
    for (const size of [1, 1000, 64 * 1024, 256 * 1024]) {
      const padded = new Uint8Array(size)
      padded[0] = 0x41
      const { view, reads } = countingBytes(padded)
      assert.equal(lengthWithoutPadding(view), 1)
      assert.ok(reads() <= size + 1, `${reads()} reads for ${size} bytes`)
    }
  })

  it('reads hex evidence followed by 200 KiB of NULs (the input that used to block for seconds)', () => {
    const hex = new TextEncoder().encode('0x0102030405')
    const input = new Uint8Array(200 * 1024)
    input.set(hex)
    assert.deepEqual(readEvidence(input), Uint8Array.of(1, 2, 3, 4, 5))
  })

  it('refuses evidence over the limit before reading it', async () => {
    const huge = new Uint8Array(inputLimits.evidenceBytes + 1)
    assert.throws(() => readEvidence(huge), EvidenceFormatError)
    await assert.rejects(verifyEvidence(huge, { at: new Date() }), /at most 262144 are accepted/)
  })

  it('refuses collateral and certificates beyond the limits before parsing them', () => {
    const big = new Uint8Array(inputLimits.fileBytes + 1).fill(0x30)
    assert.throws(() => readIntelCollateral([big]), /at most 2097152 are accepted per file/)
    const many = Array.from({ length: 9 }, () => new Uint8Array(inputLimits.fileBytes).fill(0x7b))
    assert.throws(() => readIntelCollateral(many), /together; at most 16777216/)
    assert.throws(() => readCertificateFiles(many), CollateralError)
    const count = Array.from({ length: inputLimits.files + 1 }, () => new Uint8Array(1))
    assert.throws(() => readCertificateFiles(count), /at most 256 are accepted/)
  })

  it('caches stay within their capacity, dropping the oldest first', () => {
    const cache = new BoundedCache<number, number>(3)
    for (let key = 0; key < 1000; key++) cache.set(key, key)
    assert.equal(cache.size, 3)
    assert.equal(cache.has(996), false)
    assert.equal(cache.get(999), 999)
  })
})
