import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { bytesToHex, hashTypedData, keccak256 } from 'viem'
import {
  createResponseOpener,
  createResponseSealer,
  encodeLeaseContext,
  type LeaseRequestContext,
  type LeaseResponseEvent,
  leaseRequestDigest,
} from './leaseChannel.ts'
import { leasesDomain, leaseUsageTypes } from './leaseUsage.ts'

// The test vector of docs/protocol.md, "Leases".
const context: LeaseRequestContext = {
  chainId: 31337,
  leases: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  leaseId: 1n,
  solutionHash: `0x${'11'.repeat(32)}`,
  enclave: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  sequence: 7n,
  endsAt: 1_800_000_000,
  maxTokens: 10_000n,
}
const key = new Uint8Array(32).fill(0x44)

describe('the lease channel', () => {
  it('matches the test vector: context, request digest, first response chunk, usage', async () => {
    const bytes = encodeLeaseContext(context)
    assert.equal(bytes.length, 13 + 32 + 20 + 32 + 32 + 20 + 8 + 8 + 8)
    assert.equal(
      keccak256(bytes),
      '0x40e29f18143542d890e0264694a688ed9a42dc0c7f9aa47f27d948b5804b854d',
    )
    assert.equal(
      leaseRequestDigest(context, `0x${'22'.repeat(32)}`, `0x${'33'.repeat(40)}`),
      '0x3113c9545a44dcc200655baadd4d1d68b0e1b25f6ee83eb76decfe268d93b951',
    )
    const seal = createResponseSealer(key, context)
    assert.deepEqual(await seal({ type: 'text', text: 'hi' }), {
      final: false,
      sealed: 'GRAe7IIraj7bpjJQp8BYfiWpoV46xuS9wbC55IaIwioZDwTbEIpgaXh7FQ==',
    })
    assert.equal(
      hashTypedData({
        domain: leasesDomain(31337, context.leases),
        types: leaseUsageTypes,
        primaryType: 'LeaseUsage',
        message: {
          leaseId: 1n,
          customer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
          tokensIn: 10n,
          tokensOut: 20n,
          requests: 1n,
        },
      }),
      '0x1f996091db4e9413155b29f2177b2b319a0a07e5e54bbe59702a86362ae94147',
    )
    assert.equal(
      bytesToHex(bytes.subarray(0, 13)),
      bytesToHex(new TextEncoder().encode('BOCC/lease/v2')),
    )
  })

  const events: LeaseResponseEvent[] = [
    { type: 'text', text: 'one' },
    { type: 'text', text: ' two' },
    { type: 'error', failure: 7, message: 'the request ran past its limit of 10 ms' },
  ]
  const sealAll = async (sealContext = context) => {
    const seal = createResponseSealer(key, sealContext)
    const chunks = []
    for (const event of events) chunks.push(await seal(event))
    return chunks
  }

  it('opens its own chunks in order, and refuses them reordered, altered, cut or moved', async () => {
    const chunks = await sealAll()
    const opener = createResponseOpener(key, context)
    const opened = []
    for (const chunk of chunks) opened.push(await opener.open(chunk))
    opener.assertFinished()
    assert.deepEqual(opened, events)

    const reordered = createResponseOpener(key, context)
    await assert.rejects(reordered.open(chunks[1] as never), /chunk 0 does not authenticate/)

    const altered = createResponseOpener(key, context)
    const bytes = Buffer.from((chunks[0] as { sealed: string }).sealed, 'base64')
    bytes[3] = (bytes[3] as number) ^ 0x80
    await assert.rejects(
      altered.open({ final: false, sealed: bytes.toString('base64') }),
      /does not authenticate/,
    )

    const cut = createResponseOpener(key, context)
    await cut.open(chunks[0] as never)
    await cut.open(chunks[1] as never)
    assert.throws(() => cut.assertFinished(), /cut off before its final chunk/)

    const unmarked = createResponseOpener(key, context)
    await unmarked.open(chunks[0] as never)
    await unmarked.open(chunks[1] as never)
    await assert.rejects(
      unmarked.open({ ...(chunks[2] as { sealed: string }), final: false }),
      /does not authenticate/,
    )

    // A chunk of another request (the next sequence number) does not open here.
    const other = await sealAll({ ...context, sequence: 8n })
    await assert.rejects(
      createResponseOpener(key, context).open(other[0] as never),
      /does not authenticate/,
    )
  })

  it('refuses a chunk after the final one and a sealer used past its end', async () => {
    const seal = createResponseSealer(key, context)
    const final = await seal({ type: 'error', failure: 2, message: 'no' })
    await assert.rejects(seal({ type: 'text', text: 'late' }), /already finished/)
    const opener = createResponseOpener(key, context)
    await opener.open(final)
    await assert.rejects(opener.open(final), /after the final one/)
  })
})
