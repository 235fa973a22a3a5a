import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { sha256, toHex } from 'viem'
import {
  artifactsModulePath,
  compileContracts,
  renderArtifactsModule,
} from '../../src/chain/compileContracts.ts'

it('src/chain/artifacts.ts is what contracts/*.sol compile to (else run `npm run compile`)', () => {
  const committed = sha256(toHex(readFileSync(artifactsModulePath, 'utf8')))
  const fresh = sha256(toHex(renderArtifactsModule(compileContracts())))
  assert.equal(committed, fresh, 'src/chain/artifacts.ts is stale: run `npm run compile`')
})
