import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Hex, hexToBytes, parseEther, sha256, toBytes, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { parseSpdmMeasurements } from '../../src/attestation/nvidia/spdmMeasurements.ts'
import type { AttestationPolicy } from '../../src/attestation/policy.ts'
import { parseSimEvidence } from '../../src/attestation/sim/simEvidenceFormat.ts'
import { acceptOrders } from '../../src/chain/actions/market/acceptOrders.ts'
import { createTeeOffer } from '../../src/chain/actions/market/createTeeOffer.ts'
import { submitReceipts } from '../../src/chain/actions/market/submitReceipts.ts'
import { getEnclave } from '../../src/chain/actions/registry/getEnclave.ts'
import { writeDeployment } from '../../src/chain/deployment.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { auditOrder } from '../../src/client/auditOrder.ts'
import { placeOrder } from '../../src/client/placeOrder.ts'
import { verifyEnclave } from '../../src/client/verifyEnclave.ts'
import { ApprovalRefusedError, approveEnclave } from '../../src/committee/approveEnclave.ts'
import { type CommitteeServer, startCommitteeServer } from '../../src/committee/committeeServer.ts'
import { generateHpkeKeyPair } from '../../src/crypto/hpke.ts'
import { measureRuntime } from '../../src/enclave/measureRuntime.ts'
import { signSimEvidence } from '../../src/enclave/tee/signSimEvidence.ts'
import { encodeCollateralBundle, gpuCollateralFiles } from '../../src/protocol/collateralBundle.ts'
import type { EnclaveRegistration } from '../../src/protocol/enclaveApproval.ts'
import { decodeReportData, encodeReportData, gpuNonceOf } from '../../src/protocol/reportData.ts'
import { createSolutionBundle, publishSolutionBundle } from '../../src/protocol/solutionBundle.ts'
import { type EnclaveClient, startEnclave } from '../../src/provider/enclaveClient.ts'
import { spawnEnclaveHost } from '../../src/provider/enclaveHostClient.ts'
import { ensureStake } from '../../src/provider/ensureStake.ts'
import { registerEnclave } from '../../src/provider/registerEnclave.ts'
import { runOrderInEnclave } from '../../src/provider/runOrderInEnclave.ts'
import { type BlobStore, createFsBlobStore } from '../../src/storage/blobStore.ts'
import { evidenceVector, vectorsMissing } from '../attestationVectors.ts'
import { createFakeNvidiaGpu, type FakeNvidiaGpu } from '../fakeNvidiaGpu.ts'
import { createFakeRimPki } from '../fakeNvidiaRims.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'
import { matMulModel } from '../support/onnxModel.ts'
import { protocolHarness } from '../support/protocolHarness.ts'
import { runBoccInProcess } from '../support/runBoccInProcess.ts'

/** The GPU checks an enclave with a confidential GPU must pass, as verifyEnclaveEvidence names them. */
const gpuChecks = [
  'cpu-gpu binding',
  'gpu: evidence structure',
  'gpu: spdm signature',
  'gpu: certificate chain',
  'gpu: certificate revocation',
  'gpu: driver rim',
  'gpu: vbios rim',
  'gpu: rim measurements',
  'gpu: nonce',
]

/**
 * An enclave runtime with a confidential GPU, end to end: the runtime asks the stand-in GPU
 * (test/fakeNvidiaGpu.ts: the real H100 evidence re-signed by a stand-in device key, with
 * stand-in RIMs and OCSP responses — a composite no real machine gave us) for evidence over the
 * nonce its keys derive, binds its hash in report_data, the provider publishes it, the committee
 * verifies it before approving, an order runs, and the audit shows the GPU tier passed. Every
 * mismatched pairing is refused by the committee and by the customer.
 */
describe('GPU evidence from the enclave runtime to the audit', { skip: vectorsMissing }, () => {
  let dev: LocalProtocol
  let gpu: FakeNvidiaGpu
  let blobs: BlobStore
  let committee: CommitteeServer
  let runtime: EnclaveClient
  let workDir: string
  let policy: AttestationPolicy
  let gpuCollateral: Uint8Array[]
  let nvidiaRoots: { device: string; rim: string }
  const measurement = measureRuntime()
  const member = privateKeyToAccount(devPrivateKey(devRoles.committeeMember))

  before(async () => {
    dev = await startLocalProtocol()
    workDir = await mkdtemp(join(tmpdir(), 'bocc-gpu-e2e-'))
    blobs = createFsBlobStore(join(workDir, 'blobs'))
    const now = Date.now()
    const window = {
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + 365 * 86_400_000),
    }
    const realEvidence = evidenceVector('nvidia-nvtrust/hopperAttestationReport.txt')
    gpu = await createFakeNvidiaGpu(realEvidence, window)
    // Stand-in RIMs for the report's own driver and VBIOS (the real RIMs are for others).
    const rims = await createFakeRimPki(window)
    const measured = new Map(
      parseSpdmMeasurements(realEvidence).blocks.map((block) => [
        block.index - 1,
        toHex(block.value).slice(2),
      ]),
    )
    const pick = (keep: (index: number) => boolean) =>
      new Map([...measured].filter(([index]) => keep(index)))
    const ocsp = {
      thisUpdate: new Date(now - 3_600_000),
      nextUpdate: new Date(now + 7 * 86_400_000),
    }
    gpuCollateral = [
      await rims.signRim(
        'driver',
        '550.90.07',
        pick((index) => index < 32),
      ),
      await rims.signRim(
        'vbios',
        '96.00.9F.00.01',
        pick((index) => index >= 32),
      ),
      await gpu.ocspResponse({ by: 'ica', certificate: gpu.leaf, status: 'good', ...ocsp }),
      await gpu.ocspResponse({ by: 'root', certificate: gpu.ica, status: 'good', ...ocsp }),
    ]
    nvidiaRoots = { device: gpu.root.toString('pem'), rim: rims.root.toString('pem') }
    policy = { allowSim: true, allowedMeasurements: [measurement], nvidiaRoots }
    committee = await startCommitteeServer({
      chain: dev.signers.deployer,
      member,
      allowSim: true,
      blobs,
      nvidiaRoots,
    })
    runtime = await startEnclave({
      tee: 'sim',
      args: [
        '--gpu-collector',
        await gpu.writeCollector(join(workDir, 'gpu'), { collateral: gpuCollateral }),
      ],
    })
  })
  after(async () => {
    await runtime?.stop()
    await committee?.close()
    await dev?.stop()
    await rm(workDir, { recursive: true, force: true })
  })

  let orderId: bigint

  it('the runtime binds its GPU, the committee approves, an order runs, the audit passes the GPU tier', async () => {
    const identity = await runtime.request('identity', {})
    const { provider, customer } = dev.signers
    await ensureStake(provider)
    const { registration } = await registerEnclave({
      chain: provider,
      enclave: runtime,
      identity,
      blobs,
      committeeUrls: [committee.url],
    })
    assert.notEqual(registration.gpuEvidenceHash, `0x${'00'.repeat(32)}`)
    // The GPU signed the nonce the enclave's keys and freshness derive.
    const gpuEvidence = await blobs.get(registration.gpuEvidenceHash)
    const cpuEvidence = await blobs.get(registration.evidenceHash)
    const { freshness } = decodeReportData(parseSimEvidence(cpuEvidence).reportData)
    assert.equal(
      toHex(parseSpdmMeasurements(gpuEvidence).requestNonce),
      gpuNonceOf({ signer: identity.signer, hpkePublicKey: identity.hpkePublicKey, freshness }),
    )

    const { offerId: teeOfferId } = await createTeeOffer(provider, {
      hardware: 0,
      price: parseEther('1'),
      capacity: 4,
    })
    const verified = await verifyEnclave(customer, { enclave: identity.signer, blobs, policy })
    assert.ok(verified.ok, verified.checks.find((check) => check.status === 'failed')?.explanation)
    // An ONNX job, not a WASM one: WASM jobs use /dev/shm, which the canary test watches.
    const tensor = { dtype: 'float32', format: 'json' } as const
    const solution = await publishSolutionBundle(
      blobs,
      createSolutionBundle(
        {
          name: 'matmul',
          version: '1',
          runner: 'onnx',
          entry: 'model.onnx',
          inputs: [{ name: 'x', maxBytes: 4096, tensor: { ...tensor, shape: [1, 4] } }],
          outputs: [{ name: 'y', tensor: { ...tensor, shape: [1, 2] } }],
          limits: { memoryMiB: 1024, timeoutMs: 20_000 },
        },
        [{ path: 'model.onnx', bytes: matMulModel([1, 0, 0, 1, 1, 0, 0, 1]) }],
      ),
    )
    const placed = await placeOrder(customer, {
      blobs,
      teeOfferId,
      solutionOfferId: 0,
      enclave: verified,
      solutionHash: solution.solutionHash,
      solutionBundleHash: solution.bundleHash,
      inputs: [{ bytes: toBytes(JSON.stringify({ dims: [1, 4], data: [1, 2, 3, 4] })) }],
    })
    await acceptOrders(provider, { terms: [placed.terms] })
    const result = await runOrderInEnclave({
      enclave: runtime,
      chainId: dev.deployment.chainId,
      market: dev.deployment.contracts.market,
      terms: placed.terms,
      blobs,
    })
    assert.ok('output' in result)
    await blobs.put(result.output)
    await submitReceipts(provider, {
      receipts: [
        {
          terms: placed.terms,
          outputHash: result.outputHash,
          wrappedResultKey: result.wrappedResultKey,
          signature: result.signature,
        },
      ],
    })
    orderId = placed.orderId

    const audit = await auditOrder(customer, { orderId, blobs, policy })
    assert.ok(audit.ok, audit.checks.find((check) => check.status !== 'passed')?.name)
    for (const name of gpuChecks) {
      const check = audit.checks.find((item) => item.name === `evidence: ${name}`)
      assert.equal(check?.status, 'passed', `${name}: ${check?.explanation}`)
      assert.equal(check?.tier, 'gpu')
    }
    assert.equal(audit.enclave.verdict.ok, true)

    // NVIDIA's pinned root is no friend of the stand-in: without the test roots, refused.
    const pinned = await auditOrder(customer, {
      orderId,
      blobs,
      policy: { allowSim: true, allowedMeasurements: [measurement] },
    })
    assert.equal(pinned.ok, false)
    const chain = pinned.checks.find((item) => item.name === 'evidence: gpu: certificate chain')
    assert.equal(chain?.status, 'failed')
    assert.match(chain?.explanation ?? '', /does not chain to the pinned NVIDIA Device Identity CA/)
  })

  it('bocc verify order prints the GPU tier, every check passed, and counts it in the score', async () => {
    const deploymentFile = join(workDir, 'deployment.json')
    await writeDeployment(deploymentFile, dev.deployment)
    const policyFile = join(workDir, 'policy.json')
    await writeFile(policyFile, JSON.stringify(policy))
    const { code, stdout } = await runBoccInProcess([
      'verify',
      'order',
      toHex(orderId, { size: 32 }),
      '--deployment',
      deploymentFile,
      '--blobs',
      `file://${join(workDir, 'blobs')}`,
      '--policy',
      policyFile,
    ])
    assert.equal(code, 0, stdout)
    const lines = stdout.split('\n')
    const tier = lines.findIndex((line) => line.trim() === 'gpu')
    assert.ok(tier >= 0, stdout)
    const gpuLines = lines.slice(tier + 1, tier + 1 + gpuChecks.length)
    for (const [i, name] of gpuChecks.entries())
      assert.ok(gpuLines[i]?.trim().startsWith(`✔ evidence: ${name}: `), gpuLines[i])
    for (const line of gpuLines) assert.match(line, /^\s+✔ /)
    const score = lines.find((line) => line.trim().startsWith('score:'))?.trim() ?? ''
    const [, passed, applicable] =
      score.match(/^score: (\d+)\/(\d+) applicable checks passed/) ?? []
    assert.equal(passed, applicable, score)
    assert.ok(Number(passed) >= gpuChecks.length + 10, score)
    assert.equal(lines.at(-2), 'verified')
  })

  /**
   * A registration whose CPU and GPU evidence do not belong together, as a provider running a
   * forged runtime could make it (sim evidence anyone can sign stands for that runtime).
   */
  async function mismatched(variant: 'other-nonce' | 'swapped' | 'gpu-less') {
    const { provider } = dev.signers
    const key = privateKeyToAccount(generatePrivateKey())
    const { publicKey } = await generateHpkeKeyPair()
    const block = await dev.signers.deployer.publicClient.getBlock()
    const freshness = block.hash as Hex
    const own = { signer: key.address, hpkePublicKey: publicKey, freshness }
    // Another enclave's keys: its GPU evidence is valid, but made for its nonce.
    const another = { ...own, signer: privateKeyToAccount(generatePrivateKey()).address }
    const nonce = gpuNonceOf(variant === 'other-nonce' ? another : own)
    const named = await gpu.evidenceFor(hexToBytes(nonce))
    // Evidence for the same nonce signed again hashes differently: a swap after registration.
    const recorded = variant === 'swapped' ? await gpu.evidenceFor(hexToBytes(nonce)) : named
    const evidence = await signSimEvidence({
      measurement,
      reportData: encodeReportData(
        {
          chainId: dev.deployment.chainId,
          registry: dev.deployment.contracts.registry,
          provider: provider.account.address,
          signer: key.address,
          hpkePublicKey: publicKey,
          ...(variant === 'gpu-less' ? {} : { gpuEvidenceHash: sha256(named) }),
        },
        freshness,
      ),
      debug: false,
      issuedAt: new Date(),
    })
    const registration: EnclaveRegistration = {
      enclave: key.address,
      provider: provider.account.address,
      hardware: 0,
      expiresAt: Number(block.timestamp) + 86_400,
      measurement,
      hpkePublicKey: publicKey,
      evidenceHash: await blobs.put(evidence),
      collateralHash: await blobs.put(
        encodeCollateralBundle({
          tee: 'sim',
          files: gpuCollateralFiles({
            certificates: gpu.chainPem,
            collateral: gpuCollateral,
          }),
        }),
      ),
      gpuEvidenceHash: await blobs.put(recorded),
    }
    return { registration, evidence }
  }

  const refusals = {
    'other-nonce': /evidence: gpu: nonce: /,
    swapped: /evidence: policy: report_data binding: /,
    'gpu-less': /evidence: policy: report_data binding: /,
  } as const

  for (const [variant, refusal] of Object.entries(refusals) as [keyof typeof refusals, RegExp][])
    it(`${variant}: the committee refuses it, and the customer refuses it once on-chain`, async () => {
      const { registration, evidence } = await mismatched(variant)
      await assert.rejects(
        approveEnclave(dev.signers.deployer, {
          member,
          registration,
          evidence,
          allowSim: true,
          blobs,
          nvidiaRoots,
        }),
        (error: unknown) => {
          assert.ok(error instanceof ApprovalRefusedError, String(error))
          assert.match(error.shortMessage, new RegExp(`^approval refused: ${refusal.source}`))
          return true
        },
      )
      // A committee that signed anyway (here: its key, without its checks) is no excuse.
      await protocolHarness(dev).register(dev.signers.provider, registration)
      assert.ok(await getEnclave(dev.signers.customer, { enclave: registration.enclave }))
      const verified = await verifyEnclave(dev.signers.customer, {
        enclave: registration.enclave,
        blobs,
        policy,
      })
      assert.equal(verified.ok, false)
      const failed = verified.checks.find((check) => check.status === 'failed')
      assert.match(`${failed?.name}: ${failed?.explanation}`, refusal)
    })

  it('a committee without a blob store refuses a registration that names GPU evidence', async () => {
    const { registration, evidence } = await mismatched('other-nonce')
    await assert.rejects(
      approveEnclave(dev.signers.deployer, { member, registration, evidence, allowSim: true }),
      /^ApprovalRefusedError: approval refused: evidence: cpu-gpu binding: the enclave names GPU evidence 0x.*, but none was given/,
    )
  })

  it('the provider’s enclave host passes its configured GPU collector to the runtime', async () => {
    const collector = await gpu.writeCollector(join(workDir, 'host-broken-gpu'), {
      misbehave: 'fail',
    })
    await assert.rejects(
      spawnEnclaveHost({
        tee: 'sim',
        socketPath: join(workDir, 'host-gpu.sock'),
        orphanSeconds: 60,
        gpuCollector: collector,
      }),
      /a confidential GPU is configured but gives no evidence/,
    )
  })

  it('a runtime whose configured GPU gives no evidence does not start', async () => {
    const collector = await gpu.writeCollector(join(workDir, 'broken-gpu'), { misbehave: 'fail' })
    await assert.rejects(
      startEnclave({ tee: 'sim', args: ['--gpu-collector', collector] }),
      /^EnclaveUnreachableError: the enclave runtime exited \(code 1\): fatal: a confidential GPU is configured but gives no evidence: the GPU collector failed: nvidia: no GPU in confidential-computing mode$/m,
    )
  })
})
