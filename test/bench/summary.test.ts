import assert from 'node:assert/strict'
import { test } from 'node:test'
import { summarize } from '../../bench/summary.ts'

const ranks = (n: number) => Array.from({ length: n }, (_, index) => n - index)

test('the median and its spread, whatever the order of the values', () => {
  assert.deepEqual(summarize([3, 1, 2]), { median: 2, min: 1, max: 3, runs: 3 })
  assert.equal(summarize([4, 1, 3, 2]).median, 2.5)
})

test('the median’s 95 % interval is the order statistics of the binomial tables', () => {
  // Fewer than six values cannot enclose the median with 95 % confidence.
  assert.equal(summarize(ranks(5)).median95, undefined)
  assert.deepEqual(summarize(ranks(6)).median95, [1, 6])
  assert.deepEqual(summarize(ranks(10)).median95, [2, 9])
  assert.deepEqual(summarize(ranks(20)).median95, [6, 15])
  assert.deepEqual(summarize(ranks(100)).median95, [40, 61])
})
