import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { bytesToHex, type Hex } from 'viem'
import { evidenceVector, vectorsMissing } from '../../../test/attestationVectors.ts'
import { createFakeNvidiaGpu, type FakeNvidiaGpu } from '../../../test/fakeNvidiaGpu.ts'
import { parseSpdmMeasurements } from '../../attestation/nvidia/spdmMeasurements.ts'
import { verifyNvidiaGpuEvidence } from '../../attestation/nvidia/verifyNvidiaGpuEvidence.ts'
import { createGpuEvidenceSource, GpuUnavailableError } from './gpuEvidenceSource.ts'

describe('the GPU evidence source, with a stand-in GPU', { skip: vectorsMissing }, () => {
  let gpu: FakeNvidiaGpu
  let directory: string
  const window = { notBefore: new Date('2026-01-01'), notAfter: new Date('2027-12-31') }

  before(async () => {
    gpu = await createFakeNvidiaGpu(
      evidenceVector('nvidia-nvtrust/hopperAttestationReport.txt'),
      window,
    )
    directory = await mkdtemp(join(tmpdir(), 'bocc-gpu-test-'))
  })
  after(() => rm(directory, { recursive: true, force: true }))

  it('collects evidence over the nonce asked for, signed by the device, with its chain and collateral', async () => {
    const collector = await gpu.writeCollector(join(directory, 'good'), {
      collateral: [new TextEncoder().encode('a RIM')],
    })
    const source = await createGpuEvidenceSource({ collector })
    const nonce = bytesToHex(crypto.getRandomValues(new Uint8Array(32)))
    const collected = await source.collect(nonce)
    assert.equal(bytesToHex(parseSpdmMeasurements(collected.evidence).requestNonce), nonce)
    assert.deepEqual(collected.collateral, [new TextEncoder().encode('a RIM')])
    const verdict = await verifyNvidiaGpuEvidence({
      evidence: collected.evidence,
      certificates: [collected.certificates],
      rootCa: gpu.root,
      at: new Date('2026-12-01'),
    })
    assert.equal(verdict.ok, true, verdict.error)
    assert.equal(verdict.reportData, nonce)
    // The pinned NVIDIA root does not know the stand-in: what it signs is refused there.
    const pinned = await verifyNvidiaGpuEvidence({
      evidence: collected.evidence,
      certificates: [collected.certificates],
      at: new Date('2026-12-01'),
    })
    assert.equal(pinned.ok, false)
    assert.match(pinned.error ?? '', /does not chain to the pinned NVIDIA Device Identity CA/)
  })

  it('refuses evidence for another nonce than the one asked for', async () => {
    const collector = await gpu.writeCollector(join(directory, 'other'), {
      misbehave: 'other-nonce',
    })
    await assert.rejects(
      createGpuEvidenceSource({ collector }),
      (error: unknown) =>
        error instanceof GpuUnavailableError &&
        /gives no evidence: the GPU evidence carries nonce 0x.*, not the one asked for$/.test(
          error.shortMessage,
        ),
    )
  })

  it('fails closed when the GPU gives no evidence, with the collector’s own last line', async () => {
    const collector = await gpu.writeCollector(join(directory, 'fail'), { misbehave: 'fail' })
    await assert.rejects(
      createGpuEvidenceSource({ collector }),
      (error: unknown) =>
        error instanceof GpuUnavailableError &&
        error.shortMessage ===
          'a confidential GPU is configured but gives no evidence: the GPU collector failed: nvidia: no GPU in confidential-computing mode',
    )
    await assert.rejects(
      createGpuEvidenceSource({ collector: join(directory, 'absent') }),
      GpuUnavailableError,
    )
    const source = await createGpuEvidenceSource({
      collector: await gpu.writeCollector(join(directory, 'good2')),
    })
    await assert.rejects(source.collect('0x1234' as Hex), /32 bytes of hex/)
  })
})
