import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Hex, keccak256, sha256, toHex, zeroHash } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { checksPassed } from '../../src/attestation/checks.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { ApprovalRefusedError, approveEnclave } from '../../src/committee/approveEnclave.ts'
import { generateHpkeKeyPair } from '../../src/crypto/hpke.ts'
import { measureRuntime } from '../../src/enclave/measureRuntime.ts'
import { signSimEvidence } from '../../src/enclave/tee/signSimEvidence.ts'
import type { EnclaveRegistration } from '../../src/protocol/enclaveApproval.ts'
import { encodeReportData } from '../../src/protocol/reportData.ts'
import { requestApprovals } from '../../src/provider/requestApprovals.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'

/** The committee member signs only what the evidence proves; everything else is refused. */
describe('committee approval', () => {
  let dev: LocalProtocol
  const member = privateKeyToAccount(devPrivateKey(devRoles.committeeMember))
  const measurement = measureRuntime()

  before(async () => {
    dev = await startLocalProtocol()
  })
  after(() => dev.stop())

  /** A registration and sim evidence that agree, with `change` applied to either. */
  async function candidate(
    change: {
      evidenceMeasurement?: Hex
      freshness?: Hex
      boundSigner?: Hex
      boundProvider?: Hex
      expiresIn?: number
      debug?: boolean
    } = {},
  ) {
    const enclave = privateKeyToAccount(generatePrivateKey())
    const { publicKey } = await generateHpkeKeyPair()
    const block = await dev.signers.deployer.publicClient.getBlock()
    const evidence = await signSimEvidence({
      measurement: change.evidenceMeasurement ?? measurement,
      reportData: encodeReportData(
        {
          chainId: dev.deployment.chainId,
          registry: dev.deployment.contracts.registry,
          provider: change.boundProvider ?? dev.signers.provider.account.address,
          signer: change.boundSigner ?? enclave.address,
          hpkePublicKey: publicKey,
        },
        change.freshness ?? (block.hash as Hex),
      ),
      debug: change.debug ?? false,
      issuedAt: new Date(),
    })
    const registration: EnclaveRegistration = {
      enclave: enclave.address,
      provider: dev.signers.provider.account.address,
      hardware: 0,
      expiresAt: Number(block.timestamp) + (change.expiresIn ?? 86_400),
      measurement,
      hpkePublicKey: publicKey,
      evidenceHash: sha256(evidence),
      collateralHash: zeroHash,
      gpuEvidenceHash: zeroHash,
    }
    return { registration, evidence }
  }

  const approve = (registration: EnclaveRegistration, evidence: Uint8Array, allowSim = true) =>
    approveEnclave(dev.signers.deployer, {
      member,
      registration,
      evidence,
      allowSim,
    })

  async function refused(promise: Promise<unknown>, pattern: RegExp) {
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof ApprovalRefusedError, String(error))
      assert.match(error.shortMessage, pattern)
      return true
    })
  }

  it('approves evidence that proves the registration', async () => {
    const { registration, evidence } = await candidate()
    const { signature, checks } = await approve(registration, evidence)
    assert.match(signature, /^0x[0-9a-f]{130}$/)
    assert.ok(checksPassed(checks), JSON.stringify(checks))
  })

  it('refuses sim evidence unless its policy allows sim', async () => {
    const { registration, evidence } = await candidate()
    await refused(approve(registration, evidence, false), /simulated TEE/)
  })

  it('refuses a registration whose fields the evidence does not prove', async () => {
    const { registration, evidence } = await candidate()
    await refused(
      approve({ ...registration, hpkePublicKey: keccak256(toHex('other key')) }, evidence),
      /report_data binding/,
    )
    await refused(
      approve(
        { ...registration, enclave: privateKeyToAccount(generatePrivateKey()).address },
        evidence,
      ),
      /report_data binding/,
    )
    // Registration squatting: whoever saw this evidence cannot register the enclave as theirs.
    await refused(
      approve({ ...registration, provider: dev.signers.stranger.account.address }, evidence),
      /report_data binding/,
    )
    await refused(approve({ ...registration, hardware: 1 }, evidence), /hardware/)
    await refused(
      approve({ ...registration, measurement: keccak256(toHex('other')) }, evidence),
      /measurement ↔ record/,
    )
    await refused(
      approve({ ...registration, evidenceHash: keccak256(toHex('other')) }, evidence),
      /evidence ↔ record/,
    )
    await refused(
      approve({ ...registration, expiresAt: registration.expiresAt + 365 * 86_400 }, evidence),
      /validity/,
    )
  })

  it('refuses a measurement that is not on the on-chain allow-list, debug enclaves, and tampered evidence', async () => {
    const unlisted = await candidate({ evidenceMeasurement: keccak256(toHex('unlisted runtime')) })
    await refused(
      approve(
        { ...unlisted.registration, measurement: keccak256(toHex('unlisted runtime')) },
        unlisted.evidence,
      ),
      /measurement allowed/,
    )
    const debug = await candidate({ debug: true })
    await refused(approve(debug.registration, debug.evidence), /debug/)
    const { registration, evidence } = await candidate()
    const tampered = evidence.slice()
    tampered[30] = (tampered[30] ?? 0) ^ 1
    await refused(
      approve({ ...registration, evidenceHash: sha256(tampered) }, tampered),
      /signature|allow-list|measurement/,
    )
  })

  it('refuses freshness that is not a recent block of this chain', async () => {
    const foreign = await candidate({ freshness: keccak256(toHex('not a block')) })
    await refused(approve(foreign.registration, foreign.evidence), /freshness block/)
    const old = await candidate()
    await dev.increaseTime(3600)
    await refused(
      approve(old.registration, old.evidence),
      /freshness block on this chain: .* s ago \(limit/,
    )
  })

  it('answers over HTTP, and the provider side counts approvals against the threshold', async () => {
    const { registration, evidence } = await candidate()
    const [signature] = await requestApprovals({
      committeeUrls: [dev.committee.url],
      registration,
      evidence,
      threshold: 1,
      committeeEpoch: 1n,
    })
    assert.match(signature ?? '', /^0x[0-9a-f]{130}$/)
    await assert.rejects(
      requestApprovals({
        committeeUrls: [dev.committee.url],
        registration: { ...registration, hardware: 2 },
        evidence,
        threshold: 1,
        committeeEpoch: 1n,
      }),
      /approved the enclave 0 times, 1 needed: .*hardware/,
    )
    await assert.rejects(
      requestApprovals({
        committeeUrls: ['http://127.0.0.1:1'],
        registration,
        evidence,
        threshold: 1,
        committeeEpoch: 1n,
      }),
      /0 times/,
    )
  })

  it('bounds and pre-checks what it accepts before verifying anything', async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${dev.committee.url}/v1/approvals`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      })
    const oversized = await post(JSON.stringify({ evidence: `0x${'00'.repeat(600_000)}` }))
    assert.equal(oversized.status, 413)
    const { registration } = await candidate()
    const junk = toHex(new Uint8Array(4096).fill(7))
    const unknownKind = await post(
      JSON.stringify({
        registration: { ...registration, evidenceHash: sha256(junk) },
        evidence: junk,
      }),
    )
    assert.equal(unknownKind.status, 422)
    assert.match(
      ((await unknownKind.json()) as { error: string }).error,
      /no kind this verifier knows/,
    )
    const unnamed = await post(JSON.stringify({ registration, evidence: junk }))
    assert.equal(unnamed.status, 422)
    assert.match(((await unnamed.json()) as { error: string }).error, /does not hash to/)
  })
})
