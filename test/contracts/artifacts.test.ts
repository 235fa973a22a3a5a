import assert from 'node:assert/strict'
import { it } from 'node:test'
import { sourcesDigest as compiledFrom } from '../../src/chain/artifacts.ts'
import { sourcesDigest } from '../../src/chain/compileContracts.ts'

it('src/chain/artifacts.ts was compiled from contracts/ as they are (else run `npm run compile`)', () => {
  assert.equal(
    compiledFrom,
    sourcesDigest(),
    'the contracts changed since src/chain/artifacts.ts was written: run `npm run compile`',
  )
})
