import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { it } from 'node:test'
import { vectorsMissing } from './attestationVectors.ts'

const run = (file: string, environment: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    // Without the parent's test-runner context, the child runs its file as a test run of its own.
    const { NODE_TEST_CONTEXT: _, ...parent } = process.env
    execFile(
      process.execPath,
      ['--test', '--test-reporter=spec', file],
      { env: { ...parent, ...environment } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    )
  })

it('without the vectors, a suite that needs them skips with one line saying where they belong', async () => {
  const { code, output } = await run('src/attestation/verifyEvidence.test.ts', {
    BOCC_ATTESTATION_VECTORS: '/nonexistent/attestation-vectors',
  })
  assert.equal(code, 0, output)
  assert.match(
    output,
    /# the attestation vectors are missing: they belong in \.\.\/shared\/attestation-vectors beside the repository/,
  )
  assert.match(output, /ℹ fail 0/)
  assert.doesNotMatch(output, /ℹ pass [1-9]/)
})

it('with the vectors, the same suite runs', { skip: vectorsMissing }, async () => {
  const { code, output } = await run('src/attestation/verifyEvidence.test.ts', {})
  assert.equal(code, 0, output)
  assert.match(output, /ℹ pass [1-9]/)
})
