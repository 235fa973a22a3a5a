import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { encodeAbiParameters } from 'viem'
import { orderTermsParameter } from '../../src/protocol/orderTerms.ts'
import { type EnclaveClient, startEnclave } from '../../src/provider/enclaveClient.ts'

/** The host is untrusted: whatever it sends, the runtime answers with an error and keeps serving. */
describe('enclave interface under hostile input', () => {
  let enclave: EnclaveClient
  before(async () => {
    enclave = await startEnclave({ tee: 'sim' })
  })
  after(() => enclave.stop())

  it('answers malformed requests with one-line errors and stays up', async () => {
    const stdin = enclave.process.stdin
    stdin?.write('not json at all\n')
    stdin?.write(`${'x'.repeat(100_000)}\n`)
    const call = (method: string, params: unknown) =>
      enclave.request(method as never, params as never)
    await assert.rejects(
      call('bogus', {}),
      /^EnclaveError: the enclave refused: unknown method bogus$/,
    )
    const binding = {
      chainId: 1,
      registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      provider: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    }
    await assert.rejects(
      call('attest', { ...binding, freshness: '0x12' }),
      /the freshness value must be 32 bytes/,
    )
    await assert.rejects(call('attest', {}), /the enclave refused: attest needs \{ freshness/)
    await assert.rejects(
      call('attest', { ...binding, provider: 'nobody', freshness: `0x${'00'.repeat(32)}` }),
      /the enclave refused: attest needs/,
    )
    await assert.rejects(call('runOrder', {}), /the enclave refused: runOrder needs/)
    await assert.rejects(
      call('runOrder', {
        order: { orderId: 'x', requestHash: '0x00' },
        request: 'zz',
        inputCiphertext: '',
      }),
      /the enclave refused: runOrder needs/,
    )
    const order = {
      chainId: 1,
      market: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const,
      encodedTerms: '0x1234',
    }
    await assert.rejects(
      call('runOrder', { order, request: 'nothing-here', inputs: [] }),
      /the enclave refused: there is no complete blob nothing-here/,
    )
    // Blobs cross in bounded chunks; anything else is refused in one line.
    const putRequest = () =>
      call('putBlob', {
        blob: 'req',
        offset: 0,
        chunk: Buffer.from('{}').toString('base64'),
        final: true,
      })
    await putRequest()
    await assert.rejects(
      call('runOrder', { order, request: 'req', inputs: [] }),
      /the enclave refused: the order terms are not ABI-encoded OrderTerms/,
    )
    await assert.rejects(
      call('putBlob', { blob: '../x', offset: 0, chunk: '' }),
      /a blob id is 1 to 64/,
    )
    await assert.rejects(
      call('putBlob', { blob: 'big', offset: 0, chunk: 'A'.repeat(1_500_000) }),
      /a chunk is a base64 string of at most 1048576 bytes/,
    )
    // A chunk that is not where the blob ends (lost, repeated, or overtaking another) is refused.
    const chunk = Buffer.from('abc').toString('base64')
    await call('putBlob', { blob: 'parts', offset: 0, chunk })
    await assert.rejects(
      call('putBlob', { blob: 'parts', offset: 0, chunk }),
      /blob parts holds 3 bytes: a chunk at 0 is refused/,
    )
    await assert.rejects(
      call('putBlob', { blob: 'parts', offset: 6, chunk, final: true }),
      /a chunk at 6 is refused/,
    )
    await assert.rejects(call('putBlob', { blob: 'parts', chunk }), /a chunk at undefined/)
    await call('putBlob', { blob: 'parts', offset: 3, chunk, final: true })
    await assert.rejects(call('readBlob', { blob: 'nothing', offset: 0 }), /no complete blob/)
    await assert.rejects(call('loadSolution', { solutionHash: '0x12' }), /loadSolution needs/)
    await assert.rejects(
      call('loadSolution', { solutionHash: `0x${'00'.repeat(32)}`, bundle: 'missing' }),
      /no complete blob missing/,
    )
    const zero = `0x${'00'.repeat(32)}` as const
    const otherEnclave = {
      ...order,
      encodedTerms: encodeAbiParameters(
        [orderTermsParameter],
        [
          {
            customer: order.market,
            enclave: order.market,
            solutionVendor: order.market,
            dataVendor: order.market,
            teeOfferId: 1,
            solutionOfferId: 0,
            dataOfferId: 0,
            acceptBy: 1,
            deadline: 2,
            teePrice: 0n,
            solutionPrice: 0n,
            dataPrice: 0n,
            fee: 0n,
            requestHash: zero,
            inputHash: zero,
            solutionHash: zero,
            dataHash: zero,
          },
        ],
      ),
    }
    await putRequest()
    await assert.rejects(
      call('runOrder', { order: otherEnclave, request: 'req', inputs: [] }),
      /the enclave refused: the order is for another enclave/,
    )
    // A line over the interface's limit is dropped as it streams, never buffered whole.
    stdin?.write(`${'y'.repeat(5_000_000)}\n`)
    const identity = await enclave.request('identity', {})
    assert.equal(identity.tee, 'sim')
    assert.equal(identity.interfaceVersion, 4)
    assert.equal(enclave.process.exitCode, null)
  })
})
