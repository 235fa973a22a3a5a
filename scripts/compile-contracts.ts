// Compiles contracts/*.sol and writes src/chain/artifacts.ts (ABIs and bytecode).
import { writeFileSync } from 'node:fs'
import {
  artifactsModulePath,
  compileContracts,
  renderArtifactsModule,
} from '../src/chain/compileContracts.ts'
import { shortMessageOf } from '../src/errors.ts'

try {
  writeFileSync(artifactsModulePath, renderArtifactsModule(compileContracts()))
  console.log('wrote src/chain/artifacts.ts')
} catch (error) {
  console.error(`compile: ${shortMessageOf(error)}`)
  if (error instanceof Error && 'metaMessages' in error) console.error(String(error.message))
  process.exit(1)
}
