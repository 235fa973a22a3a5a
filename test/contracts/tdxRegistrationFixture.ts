/**
 * Test support for registration by on-chain verification: the shared TDX vector
 * (phala-dcap-qvl/tdx_quote, UpToDate under its P-TDX collateral) re-issued under a stand-in
 * Intel PKI valid around the chain's own time, so that quotes can bind keys made in the test,
 * and collateral under which the platform falls from UpToDate to OutOfDate.
 */
import { bytesToHex, type Hex, hexToBytes, sha256, zeroHash } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import {
  type IntelCollateral,
  readIntelCollateral,
} from '../../src/attestation/intel/collateral.ts'
import { parseIntelQuote } from '../../src/attestation/intel/quote.ts'
import type { SignedJson } from '../../src/attestation/intel/signedJson.ts'
import type { BoccSigner } from '../../src/chain/boccChain.ts'
import type { EnclaveRegistration } from '../../src/protocol/enclaveApproval.ts'
import { encodeReportData } from '../../src/protocol/reportData.ts'
import { runtimeMeasurementOf } from '../../src/protocol/runtimeMeasurement.ts'
import { collateralSet, evidenceVector } from '../attestationVectors.ts'
import { createFakeIntelPki, type FakeIntelPki } from '../fakeIntelPki.ts'
import { pckChainOf } from './tdxVerifierHarness.ts'

/** Where report_data and TEE_TCB_SVN sit in a v4 quote's signed bytes (48-byte header, then the TD report). */
const reportDataOffset = 48 + 520
const teeTcbSvnOffset = 48

/** The TEE_TCB_SVN byte (a TDX TCB component Intel does not rate yet) the "updated" platform raises. */
const updatedComponent = 3

export type TdxRegistrationFixture = {
  pki: FakeIntelPki
  /** The TDX runtime measurement of every quote here (the chain's 32-byte form). */
  measurement: Hex
  /** TCB info and QE identity (evaluation number 17) under which the platform is UpToDate, with the certificates and CRLs. */
  collateral: IntelCollateral
  /**
   * Newer documents (number 18, issued `minutes` later): the platform as quoted is OutOfDate; a
   * platform whose TDX TCB component 3 was raised (see `updated`) is UpToDate.
   */
  outOfDateCollateral(minutesLater: number): Promise<IntelCollateral>
  /** A quote of the platform carrying `reportData`; `updated`: TDX TCB component 3 raised, as by a platform update. */
  quote(reportData: Hex, options?: { updated?: boolean }): Promise<Uint8Array>
}

const iso = (milliseconds: number) => new Date(milliseconds).toISOString().replace('.000Z', 'Z')

/** Intel JSON `body` re-dated to `issuedAt` (valid 30 days), with evaluation number `number`, then edited. */
function redated(body: string, issuedAt: number, number: number, edit?: (document: never) => void) {
  const document = JSON.parse(body)
  document.issueDate = iso(issuedAt)
  document.nextUpdate = iso(issuedAt + 30 * 86_400_000)
  document.tcbEvaluationDataNumber = number
  edit?.(document as never)
  return JSON.stringify(document)
}

type TcbLevel = { tcb: { tdxtcbcomponents: { svn: number }[] }; tcbStatus: string }

/** The fixture, valid from an hour before `now` (Unix seconds, the chain's time) for 30 days. */
export async function createTdxRegistrationFixture(now: number): Promise<TdxRegistrationFixture> {
  const real = readIntelCollateral(collateralSet('P-TDX'))
  const tcbBody = (real.tcbInfos[0] as SignedJson).body
  const qeBody = (real.qeIdentities[0] as SignedJson).body
  const issuedAt = (now - 3_600) * 1000
  const signature = new Uint8Array(64)
  const pki = await createFakeIntelPki({
    quote: evidenceVector('phala-dcap-qvl/tdx_quote'),
    collateral: {
      ...real,
      tcbInfos: [{ body: redated(tcbBody, issuedAt, 17), signature }],
      qeIdentities: [{ body: redated(qeBody, issuedAt, 17), signature }],
    },
    notBefore: new Date(issuedAt - 86_400_000),
    notAfter: new Date(issuedAt + 60 * 86_400_000),
  })
  const report = parseIntelQuote(pki.quote).body
  if (report.kind === 'sgx') throw new Error('the vector is a TDX quote')
  const rtmrs = Object.fromEntries(
    report.report.rtmrs.map((value, index) => [`rtmr${index}`, bytesToHex(value)]),
  )
  const measurement = runtimeMeasurementOf({
    tee: 'tdx',
    measurement: { mrtd: bytesToHex(report.report.mrTd), ...rtmrs },
  }) as Hex
  const certificates = [...pki.collateral.certificates, ...pckChainOf(pki.quote).slice(1)]
  return {
    pki,
    measurement,
    collateral: { ...pki.collateral, certificates },
    quote: (reportData, options = {}) =>
      pki.issueQuote((signed) => {
        signed.set(hexToBytes(reportData), reportDataOffset)
        if (options.updated) {
          const at = teeTcbSvnOffset + updatedComponent
          signed[at] = (signed[at] ?? 0) + 1
        }
      }),
    async outOfDateCollateral(minutesLater) {
      const later = issuedAt + minutesLater * 60_000
      const tcbInfo = redated(tcbBody, later, 18, (document: { tcbLevels: TcbLevel[] }) => {
        const [top] = document.tcbLevels
        if (!top) throw new Error('the TCB info has no level')
        const updated: TcbLevel = structuredClone(top)
        ;(updated.tcb.tdxtcbcomponents[updatedComponent] as { svn: number }).svn += 1
        top.tcbStatus = 'OutOfDate'
        document.tcbLevels.unshift(updated)
      })
      return {
        tcbInfos: [await pki.signDocument(tcbInfo)],
        qeIdentities: [await pki.signDocument(redated(qeBody, later, 18))],
        crls: [],
        certificates,
      }
    },
  }
}

export type TdxEnclave = {
  /** The enclave's signing key, made by the test. */
  key: ReturnType<typeof privateKeyToAccount>
  registration: EnclaveRegistration
  quote: Uint8Array
  freshnessBlock: bigint
}

/**
 * A TDX enclave with keys made here: its quote's report_data binds them to `provider` on the
 * chain's registry over a recent block (what the TDX module would sign for a runtime).
 */
export async function quoteTdxEnclave(
  fixture: TdxRegistrationFixture,
  provider: BoccSigner,
  options: {
    /** The platform after an update: TDX TCB component 3 raised (UpToDate under the newer collateral). */
    updated?: boolean
    /** Reuse this enclave's keys (a re-attestation). */
    of?: TdxEnclave
    validitySeconds?: number
    /** Edit the binding before it is quoted (to make a quote that binds something else). */
    bind?: Partial<Parameters<typeof encodeReportData>[0]>
  } = {},
): Promise<TdxEnclave> {
  const key = options.of?.key ?? privateKeyToAccount(generatePrivateKey())
  const hpkePublicKey =
    options.of?.registration.hpkePublicKey ?? bytesToHex(crypto.getRandomValues(new Uint8Array(32)))
  // The parent of the latest block: a call simulated on the latest block cannot see its own hash.
  const latest = await provider.publicClient.getBlockNumber()
  const block = await provider.publicClient.getBlock({ blockNumber: latest - 1n })
  const reportData = encodeReportData(
    {
      chainId: provider.chain.id,
      registry: provider.deployment.contracts.registry,
      provider: provider.account.address,
      signer: key.address,
      hpkePublicKey,
      ...options.bind,
    },
    block.hash as Hex,
  )
  const quote = await fixture.quote(reportData, { updated: options.updated ?? false })
  return {
    key,
    quote,
    freshnessBlock: block.number as bigint,
    registration: {
      enclave: key.address,
      provider: provider.account.address,
      hardware: 1,
      expiresAt: Number(block.timestamp) + (options.validitySeconds ?? 7 * 86_400),
      measurement: fixture.measurement,
      hpkePublicKey,
      evidenceHash: sha256(quote),
      collateralHash: zeroHash,
      gpuEvidenceHash: zeroHash,
    },
  }
}
