// `npm run compile:check`: recompiles contracts/ and fails if src/chain/artifacts.ts differs from
// what they compile to (CI runs it; the test suite checks only the sources' digest, which is fast).
import { readFileSync } from 'node:fs'
import {
  artifactsModulePath,
  compileContracts,
  renderArtifactsModule,
} from '../src/chain/compileContracts.ts'
import { shortMessageOf } from '../src/errors.ts'

try {
  if (readFileSync(artifactsModulePath, 'utf8') !== renderArtifactsModule(compileContracts())) {
    console.error(
      'compile:check: src/chain/artifacts.ts is not what contracts/ compile to: run `npm run compile`',
    )
    process.exit(1)
  }
  console.log('src/chain/artifacts.ts is what contracts/ compile to')
} catch (error) {
  console.error(`compile:check: ${shortMessageOf(error)}`)
  process.exit(1)
}
