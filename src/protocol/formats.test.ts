import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keccak256, toHex } from 'viem'
import { decodeOrderRequest, encodeOrderRequest, type OrderRequest } from './orderRequest.ts'
import { formatOrderId, type OrderTerms, orderIdOf, parseOrderId } from './orderTerms.ts'
import {
  decodeReportData,
  enclaveBindingDigest,
  encodeReportData,
  gpuNonceOf,
} from './reportData.ts'
import { decodeWrappedResultKey, encodeWrappedResultKey } from './resultKey.ts'

const hash = (label: string) => keccak256(toHex(label))
const keys = {
  signer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  hpkePublicKey: hash('hpke'),
} as const

describe('report_data v2', () => {
  // The test vector of docs/protocol.md.
  const binding = {
    chainId: 31337,
    registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    provider: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    signer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    hpkePublicKey: `0x${'11'.repeat(32)}`,
  } as const
  const freshness = `0x${'22'.repeat(32)}` as const

  it('matches the test vectors of the protocol document', () => {
    assert.equal(
      encodeReportData(binding, freshness),
      `0xc95856dcd498f94e155a917b786f6094fa7af06588863f6f15599aae96748313${'22'.repeat(32)}`,
    )
    assert.equal(
      encodeReportData({ ...binding, gpuEvidenceHash: `0x${'33'.repeat(32)}` }, freshness),
      `0x3d8d9fb86dbf4e5ad68c889674b8cb685e3f6768037817bf179df5bd2c575a48${'22'.repeat(32)}`,
    )
    assert.equal(
      gpuNonceOf({ signer: binding.signer, hpkePublicKey: binding.hpkePublicKey, freshness }),
      '0xaf001cd3166f3270c21adc21968cf2df4eea12954a1a89b3f5b858c0f28c5f41',
    )
  })

  it('binds every field: keys, provider, chain, registry, GPU evidence', () => {
    const reportData = encodeReportData(binding, freshness)
    assert.deepEqual(decodeReportData(reportData), {
      bindingDigest: enclaveBindingDigest(binding),
      freshness,
    })
    const others = [
      { hpkePublicKey: hash('other') },
      { signer: '0x90F79bf6EB2c4f870365E785982E1f101E93b906' },
      { provider: '0x90F79bf6EB2c4f870365E785982E1f101E93b906' },
      { registry: '0x90F79bf6EB2c4f870365E785982E1f101E93b906' },
      { chainId: 1 },
      { gpuEvidenceHash: hash('gpu') },
    ] as const
    for (const other of others)
      assert.notEqual(encodeReportData({ ...binding, ...other }, freshness), reportData)
  })

  it('refuses wrong lengths and non-addresses with one line', () => {
    assert.throws(() => encodeReportData(binding, '0x1234'), /32 bytes/)
    assert.throws(
      () => encodeReportData({ ...binding, hpkePublicKey: '0x12' }, freshness),
      /32 bytes/,
    )
    assert.throws(() => encodeReportData({ ...binding, provider: '0x12' }, freshness), /provider/)
    assert.throws(() => decodeReportData('0x12'), /64 bytes/)
  })
})

describe('order request and sealed result key', () => {
  const request: OrderRequest = {
    version: 2,
    enclaveSigner: keys.signer,
    enclaveHpkePublicKey: keys.hpkePublicKey,
    solutionHash: hash('solution'),
    solutionBundleHash: hash('bundle'),
    inputs: [
      { name: 'image', inputHash: hash('input') },
      { name: 'mask', inputHash: hash('mask') },
    ],
    sealedSecrets: { enc: hash('enc'), ciphertext: '0x1234' },
    resultPublicKey: hash('result'),
  }

  it('round-trip', () => {
    assert.deepEqual(decodeOrderRequest(encodeOrderRequest(request)), request)
    const wrapped = { enc: hash('e'), ciphertext: `0x${'ab'.repeat(48)}` as const }
    assert.deepEqual(decodeWrappedResultKey(encodeWrappedResultKey(wrapped)), wrapped)
  })

  it('refuse malformed input with typed errors', () => {
    assert.throws(() => decodeOrderRequest(new TextEncoder().encode('{')), /not JSON/)
    assert.throws(() => decodeOrderRequest(new Uint8Array([0xff, 0xfe])), /not JSON/)
    for (const broken of [
      { ...request, version: 1 },
      { ...request, inputs: [] },
      { ...request, inputs: [{ name: 'image', inputHash: '0x12' }] },
      { ...request, inputs: [request.inputs[0], request.inputs[0]] },
      { ...request, inputs: [{ name: '../x', inputHash: hash('x') }] },
      { ...request, enclaveSigner: 'nobody' },
      { ...request, sealedSecrets: {} },
    ])
      assert.throws(
        () => decodeOrderRequest(new TextEncoder().encode(JSON.stringify(broken))),
        /malformed/,
      )
    assert.throws(() => decodeWrappedResultKey('0x1234'), /malformed/)
    assert.throws(() => encodeWrappedResultKey({ enc: '0x12', ciphertext: '0x34' }), /32 bytes/)
  })
})

describe('order terms', () => {
  it('give the order id the contract computes: keccak256 of abi.encode(terms)', () => {
    const terms: OrderTerms = {
      customer: keys.signer,
      enclave: keys.signer,
      solutionVendor: keys.signer,
      dataVendor: '0x0000000000000000000000000000000000000000',
      teeOfferId: 1,
      solutionOfferId: 2,
      dataOfferId: 0,
      acceptBy: 1_000,
      deadline: 2_000,
      teePrice: 5n,
      solutionPrice: 2n,
      dataPrice: 0n,
      fee: 1n,
      requestHash: hash('request'),
      inputHash: hash('input'),
      solutionHash: hash('solution'),
      dataHash: `0x${'00'.repeat(32)}`,
    }
    const id = orderIdOf(terms)
    assert.equal(formatOrderId(id).length, 66)
    assert.notEqual(orderIdOf({ ...terms, fee: 2n }), id)
    assert.equal(parseOrderId(formatOrderId(id)), id)
  })
})
