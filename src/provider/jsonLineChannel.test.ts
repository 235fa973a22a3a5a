import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { describe, it } from 'node:test'
import { EnclaveUnreachableError } from './enclaveErrors.ts'
import { openJsonLineChannel } from './jsonLineChannel.ts'

/** A channel whose peer is this test: what the channel writes, and a way to answer it. */
function channelToTest() {
  const input = new PassThrough()
  const output = new PassThrough()
  const channel = openJsonLineChannel({ input, output, peer: 'the test' })
  const sent: string[] = []
  output.on('data', (piece: Buffer) => sent.push(...piece.toString().split('\n').filter(Boolean)))
  const say = (message: object) => input.write(`${JSON.stringify(message)}\n`)
  return { channel, input, sent, say }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('the JSON-lines channel to an enclave', () => {
  it('hands each stream its own events, in order, alongside answers to calls', async () => {
    const { channel, sent, say } = channelToTest()
    const seen: { stream: string; line: string }[] = []
    const stopA = channel.listen('a', {
      event: (message, line) => seen.push({ stream: message.stream, line }),
      end: () => {},
    })
    channel.listen('b', {
      event: (message, line) => seen.push({ stream: message.stream, line }),
      end: () => {},
    })
    const answer = channel.call('leaseRequest', { stream: 'a' })
    await settle()
    // An event may come before the answer to the call that started its stream.
    say({ event: 'leaseChunks', stream: 'a', chunks: [1], final: false })
    say({ id: JSON.parse(sent[0] as string).id, result: { stream: 'a' } })
    say({ event: 'leaseChunks', stream: 'b', chunks: [2], final: false })
    say({ event: 'leaseChunks', stream: 'nobody', chunks: [3], final: false })
    say({ event: 'leaseChunks', stream: 'a', chunks: [4], final: true })
    assert.deepEqual(await answer, { stream: 'a' })
    await settle()
    assert.deepEqual(
      seen.map(({ stream, line }) => [stream, JSON.parse(line).chunks[0]]),
      [
        ['a', 1],
        ['b', 2],
        ['a', 4],
      ],
    )
    // Once it stops listening, a stream's events go nowhere.
    stopA()
    say({ event: 'leaseChunks', stream: 'a', chunks: [5], final: true })
    await settle()
    assert.equal(seen.length, 3)
  })

  it('ends every listener when the connection is lost, and a late listener at once', async () => {
    const { channel, input } = channelToTest()
    const ended: unknown[] = []
    channel.listen('a', { event: () => {}, end: (reason) => ended.push(reason) })
    input.destroy()
    await channel.closed
    assert.equal(ended.length, 1)
    assert.ok(ended[0] instanceof EnclaveUnreachableError)
    channel.listen('b', { event: () => {}, end: (reason) => ended.push(reason) })
    assert.equal(ended.length, 2)
  })

  it('takes a line that is not JSON, or an event without a stream, for nothing', async () => {
    const { channel, input, say } = channelToTest()
    const seen: string[] = []
    channel.listen('a', { event: (_, line) => seen.push(line), end: () => {} })
    input.write('not json\n')
    say({ event: 'leaseChunks', chunks: [] })
    say({ event: 'leaseChunks', stream: 'a', chunks: [], final: true })
    await settle()
    assert.equal(seen.length, 1)
    assert.equal(channel.isClosed(), false)
  })
})
