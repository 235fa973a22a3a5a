import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { nextModelCore } from './modelCores.ts'

describe('the cores models run on', () => {
  it('takes every core but the first in turn, through taskset', () => {
    const cores = [1, 2, 3, 4].map(() => nextModelCore(4)?.core)
    // Whatever came before in this process, four turns over three cores visit each of them.
    assert.deepEqual(new Set(cores), new Set([1, 2, 3]))
    const launch = nextModelCore(2)
    assert.equal(launch?.core, 1)
    assert.match(launch?.execPath ?? '', /\/taskset$/)
    assert.deepEqual(launch?.execArgv, ['-c', '1', process.execPath])
  })

  it('leaves the model to the scheduler on one core, or without taskset', () => {
    assert.equal(nextModelCore(1), undefined)
    assert.equal(nextModelCore(8, ''), undefined)
    assert.equal(nextModelCore(8, '/nonexistent'), undefined)
  })
})
