import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createProgress } from './progress.ts'

describe('terminal progress', () => {
  it('draws the stage, bytes and elapsed time, and one line per finished stage', () => {
    let drawn = ''
    const progress = createProgress({ terminal: true, write: (text) => (drawn += text) })
    progress.listener({
      stage: 'uploading',
      name: 'scan.png',
      bytes: 2 ** 20,
      totalBytes: 4 * 2 ** 20,
    })
    progress.listener({ stage: 'waiting', status: 'created' })
    progress.listener({ stage: 'waiting', status: 'accepted' })
    progress.done()
    assert.match(drawn, /… encrypting and uploading scan\.png 1\.0 MiB of 4\.0 MiB · \d+\.\d s/)
    // What the terminal shows of each line: the text after the last line-clearing sequence.
    const finished = drawn.split('\n').map((line) => line.split('\r\x1b[2K').pop() ?? '')
    assert.match(finished[0] ?? '', /^✓ encrypting and uploading scan\.png \(\d+\.\d s\)$/)
    assert.match(finished[1] ?? '', /^✓ waiting for a provider to accept \(\d+\.\d s\)$/)
    assert.match(finished[2] ?? '', /^✓ waiting for the enclave’s result \(\d+\.\d s\)$/)
  })

  it('stays silent with --json or when the output is not a terminal', () => {
    for (const options of [{ terminal: true, json: true }, { terminal: false }]) {
      let drawn = ''
      const progress = createProgress({ ...options, write: (text) => (drawn += text) })
      progress.listener({ stage: 'choosing-offer' })
      progress.done()
      assert.equal(drawn, '')
    }
  })
})
