import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Hex, keccak256, toHex } from 'viem'
import { readIntelCollateral } from '../../src/attestation/intel/collateral.ts'
import { readPckExtensions } from '../../src/attestation/intel/pckExtensions.ts'
import type { SignedJson } from '../../src/attestation/intel/signedJson.ts'
import { verifyIntelQuote } from '../../src/attestation/intel/verifyIntelQuote.ts'
import type { EvidenceVerdict } from '../../src/attestation/types.ts'
import { commonNameOf } from '../../src/attestation/x509/certificates.ts'
import { postTdxCollateral } from '../../src/chain/actions/tdx/postTdxCollateral.ts'
import { postTdxCrl } from '../../src/chain/actions/tdx/postTdxCrl.ts'
import { postTdxTcbInfo } from '../../src/chain/actions/tdx/postTdxTcbInfo.ts'
import { readTdxTcbStatus } from '../../src/chain/actions/tdx/readTdxTcbStatus.ts'
import { intelAdvisoryId, tdxTcbStatusName } from '../../src/chain/actions/tdx/tdxVerdictNames.ts'
import {
  type VerifyTdxQuoteReturnType,
  verifyTdxQuote,
} from '../../src/chain/actions/tdx/verifyTdxQuote.ts'
import { tdxCollateralStoreAbi, tdxQuoteVerifierAbi } from '../../src/chain/artifacts.ts'
import { type CollateralSetName, collateralSet, evidenceVector } from '../attestationVectors.ts'
import { createFakeIntelPki } from '../fakeIntelPki.ts'
import {
  deployUnderStandIn,
  deployWithCollateral,
  expectRevert,
  pckChainOf,
  startTdxChain,
  type TdxChain,
  vectorCollateral,
} from './tdxVerifierHarness.ts'

/** The on-chain verdict must say what the off-chain verifier says of the same quote at the same time. */
function assertSameVerdict(
  onChain: VerifyTdxQuoteReturnType,
  offChain: EvidenceVerdict,
  quote: Uint8Array,
) {
  assert.equal(offChain.error, undefined)
  assert.equal(tdxTcbStatusName(onChain.status), offChain.status)
  assert.deepEqual(onChain.advisoryIds.map(intelAdvisoryId), offChain.advisoryIds)
  assert.equal(onChain.tcbEvaluationDataNumber, offChain.tcbEvaluationDataNumber)
  const m = offChain.measurement
  assert.deepEqual(
    [onChain.mrTd, onChain.rtmr0, onChain.rtmr1, onChain.rtmr2, onChain.rtmr3],
    [m.mrtd, m.rtmr0, m.rtmr1, m.rtmr2, m.rtmr3],
  )
  assert.deepEqual(
    [
      onChain.mrConfigId,
      onChain.mrOwner,
      onChain.mrOwnerConfig,
      onChain.tdAttributes,
      onChain.xfam,
    ],
    [m.mrconfigid, m.mrowner, m.mrownerconfig, m.tdattributes, m.xfam],
  )
  assert.equal(onChain.reportData, offChain.reportData)
  const [pck] = pckChainOf(quote)
  assert.ok(pck)
  assert.equal(onChain.fmspc, toHex(readPckExtensions(pck).fmspc))
}

/** The contract error for the off-chain verifier's "No matching TCB level" of either kind. */
function noMatchingLevelError(offChainError: string | undefined): string {
  if (/PCK certificate TCB is below/.test(offChainError ?? '')) return 'NoMatchingSgxTcbLevel'
  if (/TEE_TCB_SVN is below/.test(offChainError ?? '')) return 'NoMatchingTdxTcbLevel'
  throw new Error(`not a no-matching-level verdict: ${offChainError}`)
}

/** keccak256 of the Intel SGX Root CA's public key (contracts/attestation/IntelRootCa.sol). */
const intelRootKeyHash = '0x89f72d7c488e5b53a77c23ebcb36970ef7eb5bcf6658e9b8292cfbe4703a8473'

let tdx: TdxChain
before(async () => {
  tdx = await startTdxChain()
})
after(() => tdx.stop())

describe('real Intel TDX quotes with their collateral: the same verdict on-chain as off-chain (MANIFEST.md)', () => {
  const cases: { set: CollateralSetName; at: string; quotes: string[] }[] = [
    {
      set: 'P-TDX',
      at: '2025-06-20T00:00:00Z',
      quotes: [
        'phala-dcap-qvl/tdx_quote',
        'phala-dcap-qvl/tdx-quote.hex',
        'phala-dcap-qvl/quote-from-tappd.hex',
      ],
    },
    {
      set: 'P-2026',
      at: '2026-02-19T00:00:00Z',
      quotes: ['google-go-tdx-guest/quote_v5_sample.dat', 'phala-dcap-qvl/tdx_quote_outdated'],
    },
    {
      set: 'T-90c06f',
      at: '2026-02-01T00:00:00Z',
      quotes: ['google-go-tdx-guest/quote_v5_sample.dat'],
    },
    {
      set: 'G-2023',
      at: '2023-07-01T01:00:00Z',
      quotes: ['google-go-tdx-guest/tdx_prod_quote_SPR_E4.dat'],
    },
  ]
  for (const { set, at, quotes } of cases) {
    it(`${set} at ${at}: ${quotes.join(', ')}`, async () => {
      const first = evidenceVector(quotes[0] as string)
      const { verifier } = await deployWithCollateral(tdx, vectorCollateral(set, first), at)
      for (const name of quotes) {
        const quote = evidenceVector(name)
        const offChain = await verifyIntelQuote({
          quote,
          collateral: readIntelCollateral(collateralSet(set)),
          at: new Date(at),
        })
        if (offChain.ok)
          assertSameVerdict(await verifyTdxQuote(tdx.signer, { verifier, quote }), offChain, quote)
        else
          await expectRevert(
            verifyTdxQuote(tdx.signer, { verifier, quote }),
            noMatchingLevelError(offChain.error),
          )
      }
    })
  }

  it('holds exactly within the joint validity window of the collateral (P-TDX), and fails a second outside it', async () => {
    const quote = evidenceVector('phala-dcap-qvl/tdx_quote')
    const { verifier } = await deployWithCollateral(
      tdx,
      vectorCollateral('P-TDX', quote),
      '2025-06-20T00:00:00Z',
    )
    await tdx.setTime('2025-07-19T10:00:35Z')
    assert.equal((await verifyTdxQuote(tdx.signer, { verifier, quote })).status, 0)
    await tdx.setTime('2025-07-19T10:00:36Z')
    await expectRevert(verifyTdxQuote(tdx.signer, { verifier, quote }), 'CrlNotCurrent')
    await tdx.setTime('2025-06-19T10:32:27Z')
    assert.equal((await verifyTdxQuote(tdx.signer, { verifier, quote })).status, 0)
    await tdx.setTime('2025-06-19T10:32:26Z')
    await expectRevert(verifyTdxQuote(tdx.signer, { verifier, quote }), 'QeIdentityNotCurrent')
    await tdx.setTime('2025-08-01T00:00:00Z')
    await expectRevert(verifyTdxQuote(tdx.signer, { verifier, quote }), 'CrlNotCurrent')
  })
})

// Only the stand-in Intel PKI (test/fakeIntelPki.ts) can reach the states below; real quotes cover the rest.

describe('tampered quotes fail with the error that names the broken check', () => {
  const at = '2025-06-20T00:00:00Z'
  const original = evidenceVector('phala-dcap-qvl/tdx_quote')
  // v4 layout: header 48, TD report 584, signature data length 4, then signature, attestation key,
  // certification data type and size, QE report, its signature, QE auth data, PCK chain.
  const signature = 48 + 584 + 4
  const qeReport = signature + 128 + 6
  const qeAuthData = qeReport + 384 + 64 + 2
  const begin = (from = 0) => Buffer.from(original).indexOf('-----BEGIN CERTIFICATE-----', from)
  const pem = begin()
  let verifier: Hex
  before(async () => {
    ;({ verifier } = await deployWithCollateral(tdx, vectorCollateral('P-TDX', original), at))
  })

  /** A copy of the quote with `edit` applied. */
  const tampered = (edit: (quote: Uint8Array) => void) => {
    const quote = Uint8Array.from(original)
    edit(quote)
    return quote
  }
  const flip = (offset: number) => (quote: Uint8Array) => {
    quote[offset] = (quote[offset] as number) ^ 1
  }
  const set = (offset: number, value: number) => (quote: Uint8Array) => {
    quote[offset] = value
  }
  /** A different base64 character at `offset`. */
  const otherBase64 = (offset: number) => set(offset, original[offset] === 0x41 ? 0x42 : 0x41)
  // Line 7 of a certificate's PEM (after the 28-byte BEGIN line, 65 bytes a line) is inside its TBS.
  const line = (block: number, row: number, column: number) => block + 28 + row * 65 + column

  const cases: [string, (quote: Uint8Array) => void, string][] = [
    ['a byte of the TD report (MRTD)', flip(48 + 136), 'QuoteSignatureInvalid'],
    ['a byte of the header (QE SVN)', flip(8), 'QuoteSignatureInvalid'],
    ['a byte of the quote signature', flip(signature + 5), 'QuoteSignatureInvalid'],
    ['the attestation key', flip(signature + 64 + 3), 'AttestationKeyNotBound'],
    ['a byte of the QE report', flip(qeReport + 100), 'QeReportSignatureInvalid'],
    ['the QE report signature', flip(qeReport + 384 + 7), 'QeReportSignatureInvalid'],
    ['the QE authentication data (binding)', flip(qeAuthData), 'AttestationKeyNotBound'],
    ['the certification data type', set(signature + 128, 7), 'UnsupportedCertificationDataType'],
    ['the PCK chain type', set(pem - 6, 3), 'UnsupportedCertificationDataType'],
    ['the PCK certificate (its key)', otherBase64(line(pem, 7, 5)), 'SignatureInvalid'],
    ['the PEM layout', set(line(pem, 1, -1), 0x20), 'MalformedPem'],
    ['the QE vendor', flip(12), 'UnknownQeVendor'],
    ['the TEE type', set(4, 0), 'UnsupportedTeeType'],
    ['the version', set(0, 3), 'UnsupportedQuoteVersion'],
    ['the signature data length', set(48 + 584 + 1, 0xff), 'QuoteTruncated'],
  ]
  for (const [what, edit, error] of cases)
    it(`${what}: ${error}`, async () => {
      await expectRevert(verifyTdxQuote(tdx.signer, { verifier, quote: tampered(edit) }), error)
    })

  it('a truncated quote: QuoteTruncated', async () => {
    await expectRevert(
      verifyTdxQuote(tdx.signer, { verifier, quote: original.subarray(0, 2000) }),
      'QuoteTruncated',
    )
  })

  it('the PCK CA the quote carries: ignored once that CA is cached, refused while it is not', async () => {
    const quote = tampered(otherBase64(line(begin(pem + 1), 5, 9)))
    assert.equal((await verifyTdxQuote(tdx.signer, { verifier, quote })).status, 0)
    const { verifier: empty } = await tdx.deploy()
    await expectRevert(verifyTdxQuote(tdx.signer, { verifier: empty, quote }), 'SignatureInvalid')
  })

  it('the untouched quote still verifies after every attempt', async () => {
    assert.equal((await verifyTdxQuote(tdx.signer, { verifier, quote: original })).status, 0)
  })
})

describe('collateral: only verified, current and newer documents are kept', () => {
  const at = '2025-06-20T00:00:00Z'
  const quote = evidenceVector('phala-dcap-qvl/tdx_quote')
  const collateral = vectorCollateral('P-TDX', quote)
  const tcbInfo = collateral.tcbInfos[0] as SignedJson
  let deployment: Awaited<ReturnType<typeof deployWithCollateral>>
  let signerCertificateHash: Hex
  before(async () => {
    deployment = await deployWithCollateral(tdx, collateral, at)
    const signer = collateral.certificates.find((c) => commonNameOf(c) === 'Intel SGX TCB Signing')
    assert.ok(signer)
    signerCertificateHash = keccak256(new Uint8Array(signer.rawData))
  })
  const post = (document: SignedJson, signer = signerCertificateHash) =>
    postTdxTcbInfo(tdx.signer, {
      store: deployment.store,
      tcbInfo: document,
      signerCertificateHash: signer,
    })

  it('a higher-numbered forged TCB info beside the valid one is refused, and the valid one still serves', async () => {
    const forged = {
      ...tcbInfo,
      body: tcbInfo.body.replace('"tcbEvaluationDataNumber":17', '"tcbEvaluationDataNumber":99'),
    }
    assert.notEqual(forged.body, tcbInfo.body)
    await expectRevert(post(forged), 'CollateralSignatureInvalid')
    const flipped = Uint8Array.from(tcbInfo.signature)
    flipped[40] = (flipped[40] as number) ^ 1
    await expectRevert(post({ ...tcbInfo, signature: flipped }), 'CollateralSignatureInvalid')
    assert.equal(
      (await verifyTdxQuote(tdx.signer, { verifier: deployment.verifier, quote }))
        .tcbEvaluationDataNumber,
      17,
    )
  })

  it('the same document again is not newer; a signer that is not Intel SGX TCB Signing is refused', async () => {
    await expectRevert(post(tcbInfo), 'CollateralNotNewer')
    const [, pckCa] = pckChainOf(quote)
    assert.ok(pckCa)
    await expectRevert(
      post(tcbInfo, keccak256(new Uint8Array(pckCa.rawData))),
      'WrongCertificateRole',
    )
    await expectRevert(post(tcbInfo, keccak256('0x01')), 'CertificateNotCached')
  })

  it('CRLs: a forged signature and a replayed CRL are refused', async () => {
    const [, pckCa] = pckChainOf(quote)
    assert.ok(pckCa)
    const pckCrl = collateral.crls.find((crl) => crl.issuer === pckCa.subject)
    assert.ok(pckCrl)
    const der = new Uint8Array(pckCrl.rawData)
    const issuerCertificateHash = keccak256(new Uint8Array(pckCa.rawData))
    const forged = Uint8Array.from(der)
    forged[der.length - 3] = (der[der.length - 3] as number) ^ 1
    await expectRevert(
      postTdxCrl(tdx.signer, { store: deployment.store, crl: forged, issuerCertificateHash }),
      'SignatureInvalid',
    )
    await expectRevert(
      postTdxCrl(tdx.signer, { store: deployment.store, crl: der, issuerCertificateHash }),
      'CrlNotNewer',
    )
    // The PCK CA's CRL is not the root's: posted as the root's, its issuer name does not match.
    await expectRevert(
      postTdxCrl(tdx.signer, { store: deployment.store, crl: der }),
      'IssuerMismatch',
    )
  })

  it('expired collateral is refused at posting', async () => {
    await tdx.setTime('2025-08-01T00:00:00Z')
    const { store } = await tdx.deploy()
    await expectRevert(postTdxCollateral(tdx.signer, { store, collateral }), 'DocumentNotCurrent')
  })
})

describe('the root of trust', () => {
  it("is Intel's SGX Root CA unless a stand-in is given, and says so on-chain", async () => {
    await tdx.setTime('2025-06-20T00:00:00Z')
    const intel = await tdx.deploy()
    const read = (address: Hex, functionName: 'rootKeyHash' | 'usesIntelRoot') =>
      tdx.signer.publicClient.readContract({ address, abi: tdxCollateralStoreAbi, functionName })
    assert.equal(await read(intel.store, 'rootKeyHash'), intelRootKeyHash)
    assert.equal(await read(intel.store, 'usesIntelRoot'), true)
    assert.equal(
      await tdx.signer.publicClient.readContract({
        address: intel.verifier,
        abi: tdxQuoteVerifierAbi,
        functionName: 'rootKeyHash',
      }),
      intelRootKeyHash,
    )
    const pki = await standInPki()
    const standIn = await tdx.deploy({ standInRootCertificate: new Uint8Array(pki.root.rawData) })
    assert.notEqual(await read(standIn.store, 'rootKeyHash'), intelRootKeyHash)
    assert.equal(await read(standIn.store, 'usesIntelRoot'), false)
  })

  it("refuses a look-alike chain under Intel's root", async () => {
    const quote = evidenceVector('phala-dcap-qvl/tdx_quote')
    const { verifier } = await deployWithCollateral(
      tdx,
      vectorCollateral('P-TDX', quote),
      '2025-06-20T00:00:00Z',
    )
    const pki = await standInPki()
    // Its CA names "Intel SGX Root CA" as issuer, but not in the bytes Intel's root has.
    await expectRevert(verifyTdxQuote(tdx.signer, { verifier, quote: pki.quote }), 'IssuerMismatch')
  })
})

/** The tdx_quote vector re-issued under a stand-in Intel PKI, with any extra documents re-signed by it. */
function standInPki(extra: { tcbInfos?: string[]; qeIdentities?: string[] } = {}) {
  const collateral = readIntelCollateral(collateralSet('P-TDX'))
  const signature = new Uint8Array(64)
  return createFakeIntelPki({
    quote: evidenceVector('phala-dcap-qvl/tdx_quote'),
    collateral: {
      ...collateral,
      tcbInfos: [
        ...collateral.tcbInfos,
        ...(extra.tcbInfos ?? []).map((body) => ({ body, signature })),
      ],
      qeIdentities: [
        ...collateral.qeIdentities,
        ...(extra.qeIdentities ?? []).map((body) => ({ body, signature })),
      ],
    },
    notBefore: new Date('2025-06-01T00:00:00Z'),
    notAfter: new Date('2025-08-01T00:00:00Z'),
  })
}

type IntelLevel = { tcbStatus: string; advisoryIDs?: string[] }
/** The parts of a TCB info or QE identity the variants below edit. */
type IntelDocument = {
  tcbLevels: [IntelLevel, ...IntelLevel[]]
  tdxModuleIdentities: [unknown, { tcbLevels: [IntelLevel, ...IntelLevel[]] }]
}

/** `body` (Intel JSON) edited, as evaluation data number `number` issued `minutes` after the original. */
function newerDocument(
  body: string,
  number: number,
  minutes: number,
  edit: (document: IntelDocument) => void = () => {},
) {
  const document = JSON.parse(body)
  document.tcbEvaluationDataNumber = number
  document.issueDate = new Date(Date.parse(document.issueDate) + minutes * 60_000)
    .toISOString()
    .replace('.000Z', 'Z')
  edit(document)
  return JSON.stringify(document)
}

describe('a stand-in Intel PKI: TCB status under newer collateral, and revocation', () => {
  const original = readIntelCollateral(collateralSet('P-TDX'))
  const tcbBody = (original.tcbInfos[0] as SignedJson).body
  const qeBody = (original.qeIdentities[0] as SignedJson).body
  // Each variant is posted as a newer document; the QE identity is re-posted with it.
  const variants: {
    name: string
    tcb?: (d: IntelDocument) => void
    qe?: (d: IntelDocument) => void
  }[] = [
    {
      name: 'the platform level falls to OutOfDate',
      tcb: (d) => {
        d.tcbLevels[0].tcbStatus = 'OutOfDate'
      },
    },
    {
      name: 'SWHardeningNeeded with advisories',
      tcb: (d) =>
        Object.assign(d.tcbLevels[0], {
          tcbStatus: 'SWHardeningNeeded',
          advisoryIDs: ['INTEL-SA-00615', 'INTEL-SA-00289'],
        }),
    },
    {
      name: 'ConfigurationNeeded and an OutOfDate TDX module',
      tcb: (d) => {
        d.tcbLevels[0].tcbStatus = 'ConfigurationNeeded'
        Object.assign(d.tdxModuleIdentities[1].tcbLevels[0], {
          tcbStatus: 'OutOfDate',
          advisoryIDs: ['INTEL-SA-01099'],
        })
      },
    },
    {
      name: 'an OutOfDate quoting enclave',
      qe: (d) =>
        Object.assign(d.tcbLevels[0], { tcbStatus: 'OutOfDate', advisoryIDs: ['INTEL-SA-00999'] }),
    },
    {
      name: 'a Revoked quoting enclave',
      tcb: (d) => {
        d.tcbLevels[0].tcbStatus = 'ConfigurationAndSWHardeningNeeded'
      },
      qe: (d) => {
        d.tcbLevels[0].tcbStatus = 'Revoked'
      },
    },
    {
      name: 'a Revoked TDX module',
      tcb: (d) => {
        d.tdxModuleIdentities[1].tcbLevels[0].tcbStatus = 'Revoked'
      },
    },
    {
      name: 'a Revoked platform level',
      tcb: (d) => {
        d.tcbLevels[0].tcbStatus = 'Revoked'
      },
    },
    { name: 'up to date again' },
  ]
  const bodies = variants.map((variant, index) => ({
    tcb: newerDocument(tcbBody, 100 + index, 60 + index, variant.tcb),
    qe: newerDocument(qeBody, 100 + index, 60 + index, variant.qe),
  }))
  let pki: Awaited<ReturnType<typeof standInPki>>
  let deployment: Awaited<ReturnType<typeof deployWithCollateral>>
  let verdict: VerifyTdxQuoteReturnType
  before(async () => {
    pki = await standInPki({
      tcbInfos: bodies.map((b) => b.tcb),
      qeIdentities: bodies.map((b) => b.qe),
    })
    const first = {
      ...pki.collateral,
      tcbInfos: pki.collateral.tcbInfos.slice(0, 1),
      qeIdentities: pki.collateral.qeIdentities.slice(0, 1),
    }
    deployment = await deployUnderStandIn(tdx, pki, '2025-06-20T00:00:00Z', first)
  })

  it('verifies the re-issued quote UpToDate, as the off-chain verifier does under the same root', async () => {
    verdict = await verifyTdxQuote(tdx.signer, { verifier: deployment.verifier, quote: pki.quote })
    const first = {
      ...pki.collateral,
      tcbInfos: pki.collateral.tcbInfos.slice(0, 1),
      qeIdentities: pki.collateral.qeIdentities.slice(0, 1),
    }
    assertSameVerdict(
      verdict,
      await verifyIntelQuote({
        quote: pki.quote,
        collateral: first,
        at: new Date('2025-06-20T00:00:00Z'),
        rootCa: pki.root,
      }),
      pki.quote,
    )
    assert.equal(tdxTcbStatusName(verdict.status), 'UpToDate')
  })

  variants.forEach((variant, index) => {
    it(`then ${variant.name}: tcbStatusOf gives what the off-chain verifier gives`, async () => {
      const signers = pki.collateral.certificates
      const documents = {
        ...pki.collateral,
        tcbInfos: [pki.collateral.tcbInfos[1 + index] as SignedJson],
        qeIdentities: [pki.collateral.qeIdentities[1 + index] as SignedJson],
        crls: [],
        certificates: signers,
      }
      await tdx.setTime(new Date(Date.parse('2025-06-20T00:00:00Z') + index * 60_000))
      await postTdxCollateral(tdx.signer, { store: deployment.store, collateral: documents })
      const onChain = await readTdxTcbStatus(tdx.signer, {
        verifier: deployment.verifier,
        tcb: verdict.tcb,
      })
      const offChain = await verifyIntelQuote({
        quote: pki.quote,
        collateral: { ...documents, crls: pki.collateral.crls },
        at: new Date(Date.parse('2025-06-20T00:00:00Z') + index * 60_000),
        rootCa: pki.root,
      })
      assert.equal(tdxTcbStatusName(onChain.status), offChain.status)
      assert.deepEqual(onChain.advisoryIds.map(intelAdvisoryId), offChain.advisoryIds)
      assert.equal(onChain.tcbEvaluationDataNumber, 100 + index)
      if (offChain.status === 'Revoked')
        await expectRevert(
          verifyTdxQuote(tdx.signer, { verifier: deployment.verifier, quote: pki.quote }),
          'TcbRevoked',
        )
      else
        assertSameVerdict(
          await verifyTdxQuote(tdx.signer, { verifier: deployment.verifier, quote: pki.quote }),
          offChain,
          pki.quote,
        )
    })
  })

  it('a CRL that lists the PCK certificate revokes it for new quotes and for the status query', async () => {
    // The revoking CRL was issued at the same time as the one stored, so it goes to a deployment of its own.
    const fresh = await deployUnderStandIn(tdx, pki, '2025-06-20T00:00:00Z', {
      ...pki.revokingCollateral,
      tcbInfos: pki.collateral.tcbInfos.slice(0, 1),
      qeIdentities: pki.collateral.qeIdentities.slice(0, 1),
    })
    await expectRevert(
      verifyTdxQuote(tdx.signer, { verifier: fresh.verifier, quote: pki.quote }),
      'CertificateRevoked',
    )
    await expectRevert(
      readTdxTcbStatus(tdx.signer, { verifier: fresh.verifier, tcb: verdict.tcb }),
      'CertificateRevoked',
    )
  })
})

describe('TDX module rating, the TD 1.5 relaunch check and the v5 TD 1.0 layout (stand-in PKI), as off-chain', () => {
  const window = {
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2027-01-01T00:00:00Z'),
  }
  /** quote_v5_sample: TEE_TCB_SVN at quote byte 54 (ISVSVN, then major version), TEE_TCB_SVN2 at 638. */
  const v5Cases: { name: string; edit: (signed: Uint8Array) => void; error?: string }[] = [
    {
      name: 'a TDX module at an OutOfDate ISVSVN, TEE_TCB_SVN2 too',
      edit: (signed) => {
        signed[54] = 4
        signed[638] = 4
      },
    },
    {
      name: 'TEE_TCB_SVN2 current: a relaunch is advised',
      edit: (signed) => {
        signed[54] = 4
      },
    },
    {
      name: 'a major version the TCB info does not describe',
      edit: (signed) => {
        signed[55] = 7
      },
      error: 'TdxModuleIdentityMissing',
    },
  ]
  for (const testCase of v5Cases)
    it(testCase.name, async () => {
      const at = '2026-02-01T00:00:00Z'
      const pki = await createFakeIntelPki({
        quote: evidenceVector('google-go-tdx-guest/quote_v5_sample.dat'),
        collateral: readIntelCollateral(collateralSet('T-90c06f')),
        ...window,
        editSignedBytes: testCase.edit,
      })
      const { verifier } = await deployUnderStandIn(tdx, pki, at)
      const offChain = await verifyIntelQuote({
        quote: pki.quote,
        collateral: pki.collateral,
        at: new Date(at),
        rootCa: pki.root,
      })
      if (testCase.error) {
        assert.equal(offChain.ok, false)
        await expectRevert(
          verifyTdxQuote(tdx.signer, { verifier, quote: pki.quote }),
          testCase.error,
        )
      } else
        assertSameVerdict(
          await verifyTdxQuote(tdx.signer, { verifier, quote: pki.quote }),
          offChain,
          pki.quote,
        )
    })

  it('a v4 quote re-encoded as v5 with a TD 1.0 body (type 2): UpToDate', async () => {
    const at = '2025-06-20T00:00:00Z'
    const pki = await createFakeIntelPki({
      quote: evidenceVector('phala-dcap-qvl/tdx_quote'),
      collateral: readIntelCollateral(collateralSet('P-TDX')),
      ...window,
      rewriteSignedBytes: (signed) => {
        const header = Uint8Array.from(signed.subarray(0, 48))
        header[0] = 5
        const bodyHeader = new Uint8Array(6)
        new DataView(bodyHeader.buffer).setUint16(0, 2, true)
        new DataView(bodyHeader.buffer).setUint32(2, signed.length - 48, true)
        return Uint8Array.from([...header, ...bodyHeader, ...signed.subarray(48)])
      },
    })
    const { verifier } = await deployUnderStandIn(tdx, pki, at)
    const offChain = await verifyIntelQuote({
      quote: pki.quote,
      collateral: pki.collateral,
      at: new Date(at),
      rootCa: pki.root,
    })
    const onChain = await verifyTdxQuote(tdx.signer, { verifier, quote: pki.quote })
    assertSameVerdict(onChain, offChain, pki.quote)
    assert.equal(onChain.tcb.tdReport15, false)
  })
})
