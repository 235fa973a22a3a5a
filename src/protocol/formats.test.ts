import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keccak256, toHex } from 'viem'
import { decodeOrderRequest, encodeOrderRequest, type OrderRequest } from './orderRequest.ts'
import { decodeReportData, enclaveKeysDigest, encodeReportData } from './reportData.ts'
import { decodeResultEnvelope, encodeResultEnvelope } from './resultEnvelope.ts'

const hash = (label: string) => keccak256(toHex(label))
const keys = {
  signer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  hpkePublicKey: hash('hpke'),
} as const

describe('report_data', () => {
  it('binds the signer, the HPKE key and the freshness value', () => {
    const reportData = encodeReportData(keys, hash('block'))
    assert.equal(reportData.length, 2 + 128)
    assert.deepEqual(decodeReportData(reportData), {
      keysDigest: enclaveKeysDigest(keys),
      freshness: hash('block'),
    })
    assert.notEqual(
      encodeReportData({ ...keys, hpkePublicKey: hash('other') }, hash('block')),
      reportData,
    )
    assert.notEqual(
      encodeReportData(
        { ...keys, signer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' },
        hash('block'),
      ),
      reportData,
    )
  })

  it('refuses wrong lengths', () => {
    assert.throws(() => encodeReportData(keys, '0x1234'), /32 bytes/)
    assert.throws(() => encodeReportData({ ...keys, hpkePublicKey: '0x12' }, hash('b')), /32 bytes/)
    assert.throws(() => decodeReportData('0x12'), /64 bytes/)
  })
})

describe('order request and result envelope', () => {
  const request: OrderRequest = {
    version: 1,
    enclaveSigner: keys.signer,
    enclaveHpkePublicKey: keys.hpkePublicKey,
    inputHash: hash('input'),
    solutionHash: hash('solution'),
    wrappedDataKey: { enc: hash('enc'), ciphertext: '0x1234' },
    resultPublicKey: hash('result'),
  }

  it('round-trip', () => {
    assert.deepEqual(decodeOrderRequest(encodeOrderRequest(request)), request)
    const envelope = {
      wrappedResultKey: { enc: hash('e'), ciphertext: '0xabcd' as const },
      ciphertext: new Uint8Array([1, 2, 3]),
    }
    assert.deepEqual(decodeResultEnvelope(encodeResultEnvelope(envelope)), envelope)
  })

  it('refuse malformed input with typed errors', () => {
    assert.throws(() => decodeOrderRequest(new TextEncoder().encode('{')), /not JSON/)
    assert.throws(() => decodeOrderRequest(new Uint8Array([0xff, 0xfe])), /not JSON/)
    for (const broken of [
      { ...request, version: 2 },
      { ...request, inputHash: '0x12' },
      { ...request, enclaveSigner: 'nobody' },
      { ...request, wrappedDataKey: {} },
    ])
      assert.throws(
        () => decodeOrderRequest(new TextEncoder().encode(JSON.stringify(broken))),
        /malformed/,
      )
    assert.throws(() => decodeResultEnvelope(new Uint8Array(3)), /not a BOCC result/)
    const valid = encodeResultEnvelope({
      wrappedResultKey: { enc: hash('e'), ciphertext: '0xab' },
      ciphertext: new Uint8Array(0),
    })
    assert.throws(() => decodeResultEnvelope(valid.subarray(0, valid.length - 5)), /truncated/)
  })
})
