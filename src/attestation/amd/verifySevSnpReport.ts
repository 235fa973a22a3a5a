import { shortMessageOf } from '../../errors.ts'
import { bytesEqual, isAllZero, stringToUtf8, toHex, toPlainHex } from '../bytes.ts'
import { CheckList, unreadableEvidenceVerdict } from '../checkList.ts'
import type { CheckTier } from '../checks.ts'
import { AttestationCheckError } from '../errors.ts'
import type { EvidenceVerdict } from '../types.ts'
import {
  crlListsCertificate,
  isCertificateValidAt,
  isCrlCurrentAt,
  isSignedBy,
  publicKeyOf,
  readCertificateFiles,
  readCertificates,
  type X509Certificate,
  type X509Crl,
} from '../x509/certificates.ts'
import { isValidEcdsaSignature } from '../x509/signatures.ts'
import {
  decodeSnpTcb,
  isDebugAllowed,
  parseSevSnpReport,
  type SevSnpReport,
  type SnpTcb,
} from './report.ts'
import { type AmdProductLine, type AmdTrustAnchors, amdTrustAnchors } from './roots.ts'
import { readVcekExtensions } from './vcekExtensions.ts'

export type VerifySevSnpReportParameters = {
  report: Uint8Array
  /** Certificate files (DER or PEM): the VCEK or VLEK, optionally ASK/ASVK and ARK, and the ARK's CRL. */
  certificates: Uint8Array[]
  at: Date
  /**
   * Trust anchors by product line. Defaults to the pinned AMD ARKs (with AMD's ASK and ASVK);
   * only tests give others.
   */
  trustAnchors?: Partial<Record<AmdProductLine, AmdTrustAnchors>>
}

/**
 * Verifies an AMD SEV-SNP report offline: the ECDSA P-384 signature by the VCEK or VLEK, that
 * key's chain (RSA-PSS) through the ASK or ASVK to the pinned ARK of Milan, Genoa or Turin, the
 * reported TCB against the certificate's TCB extensions, and the chip ID against its hwID.
 */
export async function verifySevSnpReport(
  parameters: VerifySevSnpReportParameters,
): Promise<EvidenceVerdict> {
  let report: SevSnpReport
  try {
    report = parseSevSnpReport(parameters.report)
  } catch (error) {
    return unreadableEvidenceVerdict({
      tee: 'sev-snp',
      structureCheck: 'report structure',
      tiers: sevSnpCheckTiers(0),
      error,
    })
  }
  const checks = new CheckList(sevSnpCheckTiers(report.signingKey))
  checks.pass(
    'report structure',
    `SEV-SNP report v${report.version}, signed by the ${signerName(report)}`,
  )
  const verdict: EvidenceVerdict = {
    ok: false,
    tee: 'sev-snp',
    advisoryIds: [],
    debug: isDebugAllowed(report),
    measurement: {
      measurement: toHex(report.measurement),
      hostdata: toHex(report.hostData),
      idkeydigest: toHex(report.idKeyDigest),
      authorkeydigest: toHex(report.authorKeyDigest),
      familyid: toHex(report.familyId),
      imageid: toHex(report.imageId),
      reportedtcb: toHex(report.reportedTcbRaw),
      policy: `0x${report.policy.toString(16).padStart(16, '0')}`,
    },
    reportData: toHex(report.reportData),
    checks: checks.checks,
    vmpl: report.vmpl,
  }
  try {
    await runChecks(report, parameters, checks, verdict)
    verdict.ok = true
  } catch (error) {
    if (error instanceof AttestationCheckError) checks.record(error)
    checks.markNotRun()
    verdict.error = error instanceof AttestationCheckError ? error.shortMessage : String(error)
  }
  return verdict
}

/** Every check of an SEV-SNP report, in order, with its tier ('chip id' for VCEK-signed reports). */
export function sevSnpCheckTiers(signingKey: number): Record<string, CheckTier> {
  const hardware = 'hardware authenticity'
  return {
    'report structure': hardware,
    'report signature': hardware,
    'certificate chain': hardware,
    'reported tcb': hardware,
    ...(signingKey === 0 ? { 'chip id': hardware } : {}),
  }
}

function signerName(report: SevSnpReport): string {
  return report.signingKey === 0
    ? 'VCEK'
    : report.signingKey === 1
      ? 'VLEK'
      : `unknown key ${report.signingKey}`
}

type Anchor = {
  productLine: AmdProductLine
  ark: X509Certificate
  intermediates: X509Certificate[]
}
const anchorCache = new WeakMap<object, Anchor[]>()

function anchorsOf(trustAnchors: Partial<Record<AmdProductLine, AmdTrustAnchors>>): Anchor[] {
  let anchors = anchorCache.get(trustAnchors)
  if (!anchors) {
    anchors = (Object.entries(trustAnchors) as [AmdProductLine, AmdTrustAnchors][]).flatMap(
      ([productLine, pems]) => {
        const [ark] = readCertificates(stringToUtf8(pems.ark))
        if (!ark) return []
        return [
          {
            productLine,
            ark,
            intermediates: [
              ...readCertificates(stringToUtf8(pems.ask)),
              ...readCertificates(stringToUtf8(pems.asvk)),
            ],
          },
        ]
      },
    )
    anchorCache.set(trustAnchors, anchors)
  }
  return anchors
}

async function runChecks(
  report: SevSnpReport,
  parameters: VerifySevSnpReportParameters,
  checks: CheckList,
  verdict: EvidenceVerdict,
): Promise<void> {
  if (report.signingKey !== 0 && report.signingKey !== 1)
    checks.fail(
      'report signature',
      `The report is signed by key ${report.signingKey}, neither a VCEK (0) nor a VLEK (1).`,
    )
  const leafName = report.signingKey === 0 ? 'SEV-VCEK' : 'SEV-VLEK'
  let files: ReturnType<typeof readCertificateFiles>
  try {
    files = readCertificateFiles(parameters.certificates)
  } catch (error) {
    return checks.fail('report signature', shortMessageOf(error))
  }
  const supplied = files.certificates
  const leaves = supplied.filter((certificate) => commonName(certificate) === leafName)
  if (leaves.length === 0)
    checks.fail('report signature', `No ${leafName} certificate was given (--certs).`)

  let leaf: X509Certificate | undefined
  for (const candidate of leaves)
    if (
      await isValidEcdsaSignature(
        publicKeyOf(candidate),
        report.signature,
        report.signedBytes,
        'SHA-384',
      )
    ) {
      leaf = candidate
      break
    }
  if (!leaf)
    checks.fail(
      'report signature',
      `The report signature does not verify with any given ${leafName} (${leaves.length} tried).`,
    )
  checks.pass(
    'report signature',
    `bytes 0x000–0x29F signed (ECDSA P-384, SHA-384) by the ${leafName}`,
  )

  const { productLine } = await chainToPinnedArk(
    leaf,
    supplied,
    parameters.at,
    checks,
    parameters.trustAnchors,
    files.crls,
  )
  const extensions = readVcekExtensions(leaf)

  const reported = decodeSnpTcb(report.reportedTcbRaw, productLine)
  verdict.tcb = { ...reported }
  const mismatches = (Object.keys(reported) as (keyof SnpTcb)[]).filter(
    (field) => extensions[field] !== undefined && extensions[field] !== reported[field],
  )
  // Turin VCEKs carry the FMC SPL, and AMD's spec compares it like the others: a Turin VCEK
  // without it cannot vouch for the reported FMC.
  const required = [
    'bootloader',
    'tee',
    'snp',
    'microcode',
    ...(productLine === 'Turin' ? ['fmc' as const] : []),
  ] as const
  const missing = required.filter((field) => extensions[field] === undefined)
  if (missing.length)
    checks.fail('reported tcb', `The ${leafName} lacks the TCB extensions ${missing.join(', ')}.`)
  if (mismatches.length)
    checks.fail(
      'reported tcb',
      `REPORTED_TCB ${describeTcb(reported)} differs from the ${leafName}'s TCB ${describeTcb(extensions)} in ${mismatches.join(', ')}.`,
    )
  checks.pass(
    'reported tcb',
    `REPORTED_TCB ${describeTcb(reported)} is the TCB the ${leafName} was issued for`,
  )

  if (report.signingKey === 0) {
    const hwId = extensions.hwId
    if (!hwId) checks.fail('chip id', 'The VCEK has no hwID extension.')
    if (isAllZero(report.chipId))
      checks.pass('chip id', 'CHIP_ID is masked in the report; the VCEK signature binds the chip')
    else if (
      !bytesEqual(report.chipId.subarray(0, hwId.length), hwId) ||
      !isAllZero(report.chipId.subarray(hwId.length))
    )
      checks.fail(
        'chip id',
        `CHIP_ID ${toPlainHex(report.chipId).slice(0, 16)}… is not the VCEK's hwID ${toPlainHex(hwId).slice(0, 16)}….`,
      )
    else
      checks.pass(
        'chip id',
        `CHIP_ID equals the VCEK's hwID (${productLine}, ${extensions.productName ?? 'no product name'})`,
      )
  }
}

/** The chain from `leaf` through a supplied or pinned ASK/ASVK to a pinned ARK; fails the check if there is none. */
export async function chainToPinnedArk(
  leaf: X509Certificate,
  supplied: X509Certificate[],
  at: Date,
  checks: CheckList,
  trustAnchors: Partial<Record<AmdProductLine, AmdTrustAnchors>> = amdTrustAnchors,
  crls: X509Crl[] = [],
) {
  const name = 'certificate chain'
  for (const anchor of anchorsOf(trustAnchors)) {
    const intermediates = [...supplied, ...anchor.intermediates].filter(
      (candidate) => candidate.subject === leaf.issuer && candidate.issuer === anchor.ark.subject,
    )
    for (const intermediate of intermediates) {
      if (!(await isSignedBy(leaf, intermediate)) || !(await isSignedBy(intermediate, anchor.ark)))
        continue
      for (const certificate of [leaf, intermediate, anchor.ark])
        if (!isCertificateValidAt(certificate, at))
          checks.fail(
            name,
            `${commonName(certificate)} is not valid at ${at.toISOString()} (${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}).`,
          )
      const revocation = await checkArkCrl(anchor.ark, intermediate, crls, at)
      checks.pass(
        name,
        `${commonName(leaf)} ← ${commonName(intermediate)} ← pinned ${commonName(anchor.ark)} (RSA-PSS), all valid at ${at.toISOString()}; ${revocation}`,
      )
      return { productLine: anchor.productLine, intermediate }
    }
  }
  return checks.fail(
    name,
    `${commonName(leaf)} (issuer ${commonName({ subject: leaf.issuer })}) does not chain to the pinned ARK of Milan, Genoa or Turin.`,
  )
}

/**
 * AMD KDS publishes, per product line, a CRL signed by the ARK that lists revoked ASKs and ASVKs.
 * When one is given it must verify, be current and not list the intermediate; without one,
 * the check says revocation was not checked.
 */
async function checkArkCrl(
  ark: X509Certificate,
  intermediate: X509Certificate,
  crls: X509Crl[],
  at: Date,
): Promise<string> {
  const fromArk: X509Crl[] = []
  for (const crl of crls)
    if (crl.issuer === ark.subject && (await isSignedBy(crl, ark))) fromArk.push(crl)
  if (fromArk.length === 0) {
    if (crls.some((crl) => crl.issuer === ark.subject))
      throw new AttestationCheckError(
        'certificate chain',
        `The ${commonName(ark)} CRL given does not verify with the ARK.`,
      )
    return `no ${commonName(ark)} CRL given, so ${commonName(intermediate)} revocation was not checked`
  }
  // The newest current CRL, whatever order the files came in (as on the Intel path).
  const current = fromArk
    .filter((crl) => isCrlCurrentAt(crl, at))
    .sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime())[0]
  if (!current)
    throw new AttestationCheckError(
      'certificate chain',
      `The ${commonName(ark)} CRL is not current at ${at.toISOString()}.`,
    )
  if (crlListsCertificate(current, intermediate))
    throw new AttestationCheckError(
      'certificate chain',
      `${commonName(intermediate)} (serial ${intermediate.serialNumber}) is revoked by the ${commonName(ark)} CRL.`,
    )
  return `${commonName(intermediate)} not revoked by the current ${commonName(ark)} CRL`
}

function commonName(certificate: { subject: string }): string {
  return /CN=([^,]+)/.exec(certificate.subject)?.[1] ?? certificate.subject
}

function describeTcb(tcb: Partial<SnpTcb>): string {
  const parts = [
    tcb.fmc === undefined ? undefined : `fmc ${tcb.fmc}`,
    `bootloader ${tcb.bootloader}`,
    `tee ${tcb.tee}`,
    `snp ${tcb.snp}`,
    `microcode ${tcb.microcode}`,
  ]
  return parts.filter(Boolean).join('/')
}
