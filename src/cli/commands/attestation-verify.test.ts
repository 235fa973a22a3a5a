import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { vectorsDirectory, vectorsMissing } from '../../../test/attestationVectors.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  const bocc = fileURLToPath(new URL('../bocc.ts', import.meta.url))

  function runBocc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [bocc, ...args], (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      })
    })
  }

  const v = (name: string) => path.join(vectorsDirectory, name)
  let scratch: string

  describe('bocc attestation verify', () => {
    before(async () => {
      scratch = await mkdtemp(path.join(tmpdir(), 'bocc-attestation-'))
    })
    after(async () => {
      await rm(scratch, { recursive: true, force: true })
    })

    it('verifies a TDX quote with raw PCS files from a directory, as JSON, exit 0', async () => {
      const result = await runBocc([
        'attestation',
        'verify',
        v('google-go-tdx-guest/quote_v5_sample.dat'),
        '--collateral',
        v('tinfoilsh-verifier'),
        '--at',
        '2026-02-01T00:00:00Z',
        '--json',
      ])
      assert.equal(result.code, 0, result.stderr)
      const verdict = JSON.parse(result.stdout)
      assert.equal(verdict.ok, true)
      assert.equal(verdict.tee, 'tdx')
      assert.equal(verdict.status, 'UpToDate')
      assert.equal(verdict.tcbEvaluationDataNumber, 18)
      assert.deepEqual(verdict.advisoryIds, [])
      assert.equal(verdict.debug, false)
      assert.match(verdict.measurement.mrtd, /^0x[0-9a-f]{96}$/)
      assert.match(verdict.reportData, /^0x[0-9a-f]{128}$/)
      assert.ok(
        verdict.checks.every(
          (check: { status: string }) =>
            check.status === 'passed' || check.status === 'not-applicable',
        ),
      )
      // The production policy applies; without an allow-list the measurement is reported, not judged.
      const measurementCheck = verdict.checks.find(
        (check: { name: string }) => check.name === 'policy: measurement allowed',
      )
      assert.equal(measurementCheck.status, 'not-applicable')
      assert.equal(verdict.score.failed, 0)
      assert.equal(verdict.score.passed, verdict.score.applicable)
    })

    it('applies a policy file: exit 1 when the measurement is not allowed, 0 when it is', async () => {
      const args = [
        'attestation',
        'verify',
        v('phala-dcap-qvl/sgx_quote'),
        '--collateral',
        v('phala-dcap-qvl/sgx_quote_collateral.json'),
        '--at',
        '2025-06-20T00:00:00Z',
        '--json',
      ]
      const strict = path.join(scratch, 'strict.json')
      await writeFile(
        strict,
        JSON.stringify({ allowSim: false, allowedMeasurements: [`0x${'00'.repeat(32)}`] }),
      )
      const refused = await runBocc([...args, '--policy', strict])
      assert.equal(refused.code, 1)
      const refusedVerdict = JSON.parse(refused.stdout)
      assert.equal(refusedVerdict.ok, false)
      assert.match(refusedVerdict.error, /measurement/)

      const unlocked = JSON.parse((await runBocc(args)).stdout)
      const lenient = path.join(scratch, 'lenient.json')
      await writeFile(
        lenient,
        JSON.stringify({
          allowSim: false,
          allowedMeasurements: [unlocked.measurement.mrenclave],
          allowedTcbStatuses: ['ConfigurationAndSWHardeningNeeded'],
        }),
      )
      const accepted = await runBocc([...args, '--policy', lenient])
      assert.equal(accepted.code, 0, accepted.stdout)
    })

    it('verifies an SEV-SNP report given as hex text, with the VCEK recognised by content', async () => {
      const result = await runBocc([
        'attestation',
        'verify',
        v('virtee-sev/report_milan.hex'),
        '--certs',
        v('virtee-sev/vcek_milan.der'),
        '--at',
        '2024-01-01T00:00:00Z',
      ])
      assert.equal(result.code, 0, result.stdout)
      assert.match(result.stdout, /OK: sev-snp/)
      assert.match(result.stdout, /\nhardware authenticity\n {2}✔ report structure: /)
      assert.match(result.stdout, /\nscore: \d+\/\d+ applicable checks passed; 1 not applicable\n/)
      assert.match(result.stdout, /\nvmpl: \d\n/)
    })

    it('refuses sim evidence by default and accepts it, saying so, only with --allow-sim', async () => {
      const { signSimEvidence } = await import('../../enclave/tee/signSimEvidence.ts')
      const reportData = `0x${'cd'.repeat(64)}` as const
      const evidence = path.join(scratch, 'sim.bin')
      await writeFile(
        evidence,
        await signSimEvidence({
          measurement: `0x${'ab'.repeat(32)}`,
          reportData,
          debug: false,
          issuedAt: new Date(),
        }),
      )
      const refused = await runBocc(['attestation', 'verify', evidence])
      assert.equal(refused.code, 1)
      assert.match(refused.stdout, /^NOT OK: sim/)
      assert.match(refused.stdout, /✘ policy: simulated TEE: sim evidence is refused/)
      const allowed = await runBocc(['attestation', 'verify', evidence, '--allow-sim'])
      assert.equal(allowed.code, 0, allowed.stdout)
      assert.match(allowed.stdout, /^OK: sim .*\nSIMULATED: no hardware protects this enclave/)
      const bound = await runBocc([
        ...['attestation', 'verify', evidence, '--allow-sim', '--json'],
        ...['--expect-report-data', reportData],
      ])
      assert.equal(bound.code, 0)
      assert.equal(JSON.parse(bound.stdout).simulated, true)
      const unbound = await runBocc([
        ...['attestation', 'verify', evidence, '--allow-sim'],
        ...['--expect-report-data', `0x${'00'.repeat(64)}`],
      ])
      assert.equal(unbound.code, 1)
      assert.match(unbound.stdout, /✘ policy: report_data binding/)
    })

    it('verifies GPU evidence and RIMs given beside CPU evidence, recognised by content, by content', async () => {
      const { signSimEvidence } = await import('../../enclave/tee/signSimEvidence.ts')
      const evidence = path.join(scratch, 'cpu.bin')
      await writeFile(
        evidence,
        await signSimEvidence({
          measurement: `0x${'ab'.repeat(32)}`,
          reportData: `0x${'cd'.repeat(64)}`,
          debug: false,
          issuedAt: new Date('2024-06-01T00:00:00Z'),
        }),
      )
      const result = await runBocc([
        ...['attestation', 'verify', evidence, '--allow-sim', '--json'],
        ...['--collateral', v('nvidia-nvtrust/hopperAttestationReport.txt')],
        ...['--certs', v('nvidia-nvtrust/hopperCertChain.txt')],
        ...[
          '--expect-gpu-nonce',
          '931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb',
        ],
        ...['--at', '2024-06-01T00:00:00Z'],
      ])
      assert.equal(result.code, 0, result.stdout)
      const verdict = JSON.parse(result.stdout)
      assert.equal(verdict.gpu.driverVersion, '550.90.07')
      const gpuChecks = verdict.checks.filter((check: { tier: string }) => check.tier === 'gpu')
      assert.deepEqual(
        gpuChecks.map((check: { name: string; status: string }) => `${check.name} ${check.status}`),
        [
          'gpu: evidence structure passed',
          'gpu: spdm signature passed',
          'gpu: certificate chain passed',
          'gpu: certificate revocation not-applicable',
          'gpu: driver rim not-applicable',
          'gpu: vbios rim not-applicable',
          'gpu: rim measurements not-applicable',
          'gpu: nonce passed',
        ],
      )
      const withRims = await runBocc([
        ...['attestation', 'verify', evidence, '--allow-sim'],
        ...['--collateral', v('nvidia-nvtrust/hopperAttestationReport.txt')],
        ...['--collateral', v('nvidia-nvtrust/Driver_RIM_test_no_gpu.swidtag')],
        ...['--certs', v('nvidia-nvtrust/hopperCertChain.txt')],
        ...['--at', '2024-06-01T00:00:00Z'],
      ])
      assert.equal(withRims.code, 1)
      assert.match(withRims.stdout, /✘ gpu: driver rim: The driver RIMs given are for 545.00/)
    })

    it('exits 1 with an error for evidence it does not know, and 2 for a usage error', async () => {
      const unknown = await runBocc(['attestation', 'verify', v('MANIFEST.md'), '--json'])
      assert.equal(unknown.code, 1)
      const unknownVerdict = JSON.parse(unknown.stdout)
      assert.match(unknownVerdict.error, /not an Intel DCAP quote/)
      assert.deepEqual(Object.keys(unknownVerdict), [
        'ok',
        'tee',
        'status',
        'advisoryIds',
        'debug',
        'measurement',
        'reportData',
        'simulated',
        'checks',
        'score',
        'error',
      ])
      const usage = await runBocc([
        'attestation',
        'verify',
        '--at',
        'yesterday',
        v('phala-dcap-qvl/tdx_quote'),
      ])
      assert.equal(usage.code, 2)
      assert.match(usage.stderr, /not an ISO-8601 time/)
      assert.doesNotMatch(usage.stderr, /\n\s+at /)
    })
  })

  describe('bocc attestation verify with a stray collateral file', () => {
    it('names the file it cannot recognise', async () => {
      const result = await runBocc([
        'attestation',
        'verify',
        v('phala-dcap-qvl/tdx_quote'),
        '--collateral',
        v('MANIFEST.md'),
        '--json',
      ])
      assert.equal(result.code, 1)
      assert.match(
        JSON.parse(result.stdout).error,
        /MANIFEST\.md is not a TCB info, QE identity, CRL/,
      )
    })
  })
})
