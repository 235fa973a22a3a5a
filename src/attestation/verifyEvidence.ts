import { looksLikeSevSnpReport } from './amd/report.ts'
import { verifySevSnpReport } from './amd/verifySevSnpReport.ts'
import { latin1ToString, stringToUtf8 } from './bytes.ts'
import type { Check } from './checks.ts'
import { EvidenceFormatError } from './errors.ts'
import { type IntelCollateral, type NamedFile, readIntelCollateral } from './intel/collateral.ts'
import { eventLogBytes } from './intel/eventLog.ts'
import { looksLikeIntelQuote } from './intel/quote.ts'
import { verifyIntelQuote } from './intel/verifyIntelQuote.ts'
import { checkFileSizes, inputLimits } from './limits.ts'
import { looksLikeRim } from './nvidia/rim.ts'
import { looksLikeSpdmMeasurements } from './nvidia/spdmMeasurements.ts'
import { verifyNvidiaGpuEvidence } from './nvidia/verifyNvidiaGpuEvidence.ts'
import { type AttestationPolicy, applyPolicy, reportDataCheck } from './policy.ts'
import { readEvidence } from './readEvidence.ts'
import { readCertificates, type X509Certificate } from './x509/certificates.ts'
import { looksLikeOcspResponse } from './x509/ocsp.ts'

/** The first bytes of sim evidence (`sim/simEvidenceFormat.ts`), checked without loading the sim verifier. */
const simEvidenceMagic = 'BOCCSIM1'

import type { EvidenceVerdict, TeeKind } from './types.ts'

export type VerifyEvidenceOptions = {
  /** The time of verification. Nothing is fetched: collateral and certificates must be valid then. */
  at: Date
  /**
   * Intel collateral: raw files (PCS responses, CRLs, issuer chains, dcap-qvl bundles),
   * recognised by content, or collateral already read with `readIntelCollateral`.
   */
  collateral?: (Uint8Array | NamedFile)[] | IntelCollateral
  /**
   * Certificates, DER or PEM, recognised by content: for SEV-SNP the VCEK or VLEK (optionally
   * ASK/ASVK/ARK), for an NVIDIA GPU its device certificate chain.
   */
  certs?: Uint8Array[]
  /** TDX: the CCEL event log (its data, and optionally the ACPI CCEL table), replayed into RTMR0–3. */
  eventLog?: Uint8Array[]
  /** When given, the verdict is `ok` only if the policy also accepts the evidence. */
  policy?: AttestationPolicy
  /** The report_data the relying party expects: checked with or without a policy. */
  expectedReportData?: `0x${string}`
  /** The nonce the relying party gave the GPU (32 bytes, hex): checked against NVIDIA GPU evidence. */
  expectedGpuNonce?: `0x${string}`
  /** When the evidence was produced, if known from elsewhere (for the policy's maximum age). */
  evidenceTime?: Date
  /** NVIDIA roots (PEM) in place of the pinned ones (a test network's policy `nvidiaRoots`, also taken from `policy`). */
  nvidiaRoots?: { device?: string; rim?: string }
}

/** The kind of evidence `bytes` hold (binary form), or undefined if no verifier knows it. */
export function recogniseEvidence(bytes: Uint8Array): TeeKind | 'intel' | undefined {
  if (latin1ToString(bytes.subarray(0, 8)) === simEvidenceMagic) return 'sim'
  if (looksLikeIntelQuote(bytes)) return 'intel'
  if (looksLikeSevSnpReport(bytes)) return 'sev-snp'
  if (looksLikeSpdmMeasurements(bytes)) return 'nvidia-cc'
  return undefined
}

/**
 * Verifies TEE evidence of any kind BOCC knows (Intel TDX/SGX DCAP quotes, AMD SEV-SNP reports,
 * NVIDIA GPU SPDM measurements, `sim` evidence) offline at `options.at`, then applies `options.policy` if given.
 * Throws EvidenceFormatError only when the bytes are no known kind of evidence; every other
 * problem is a failed check in the verdict.
 */
export async function verifyEvidence(
  evidence: Uint8Array,
  options: VerifyEvidenceOptions,
): Promise<EvidenceVerdict> {
  const bytes = readEvidence(evidence)
  const kind = recogniseEvidence(bytes)
  const files = sortFiles(options)
  let verdict: EvidenceVerdict
  // Loaded only for sim evidence: its signature scheme (secp256k1, from viem) is heavy to import.
  if (kind === 'sim')
    verdict = await (await import('./sim/simEvidence.ts')).verifySimEvidence(bytes)
  else if (kind === 'intel') {
    const collateral = Array.isArray(options.collateral)
      ? readIntelCollateral(files.collateral)
      : (options.collateral ?? readIntelCollateral([]))
    verdict = await verifyIntelQuote({
      quote: bytes,
      collateral,
      at: options.at,
      ...(options.eventLog?.length ? { eventLog: eventLogBytes(options.eventLog) } : {}),
    })
  } else if (kind === 'nvidia-cc') {
    const certificates = [...files.certs, ...files.collateral.map(bytesOf)]
    checkFileSizes([...certificates, ...files.rims], 'certificate')
    verdict = await verifyNvidiaGpuEvidence({
      evidence: bytes,
      certificates,
      rims: files.rims,
      ocspResponses: files.ocspResponses,
      at: options.at,
      ...nvidiaRootsOf(options),
    })
  } else if (kind === 'sev-snp')
    verdict = await verifySevSnpReport({
      report: bytes,
      certificates: files.certs,
      at: options.at,
    })
  else
    throw new EvidenceFormatError(
      'The evidence is not an Intel DCAP quote, an AMD SEV-SNP report, NVIDIA GPU SPDM measurements or BOCC sim evidence.',
    )
  if (kind !== 'nvidia-cc' && files.gpuEvidence.length > 0)
    verdict = await withGpuEvidence(verdict, files, options)
  if (options.expectedGpuNonce && kind === 'nvidia-cc')
    verdict = withCheck(verdict, reportDataCheck(verdict, options.expectedGpuNonce, 'gpu nonce'))
  if (!options.policy)
    return options.expectedReportData && kind !== 'nvidia-cc'
      ? withCheck(
          verdict,
          reportDataCheck(verdict, options.expectedReportData, 'report_data binding'),
        )
      : verdict
  return applyPolicy({
    verdict,
    policy: options.policy,
    at: options.at,
    ...(options.expectedReportData ? { expectedReportData: options.expectedReportData } : {}),
    ...(options.evidenceTime ? { evidenceTime: options.evidenceTime } : {}),
  })
}

type SortedFiles = {
  /** Intel collateral (and, for GPU evidence, whatever else came as collateral). */
  collateral: (Uint8Array | NamedFile)[]
  certs: Uint8Array[]
  rims: Uint8Array[]
  ocspResponses: Uint8Array[]
  gpuEvidence: Uint8Array[]
}

/**
 * The files given as collateral and certificates, sorted by content: NVIDIA RIMs and GPU evidence
 * may come with either, beside the CPU's own collateral and certificates.
 */
function sortFiles(options: VerifyEvidenceOptions): SortedFiles {
  const sorted: SortedFiles = {
    collateral: [],
    certs: [],
    rims: [],
    ocspResponses: [],
    gpuEvidence: [],
  }
  const sort = (file: Uint8Array | NamedFile, rest: (file: Uint8Array | NamedFile) => void) => {
    const bytes = bytesOf(file)
    if (looksLikeRim(bytes)) sorted.rims.push(bytes)
    else if (looksLikeOcspResponse(bytes)) sorted.ocspResponses.push(bytes)
    else if (isGpuEvidence(bytes)) sorted.gpuEvidence.push(readEvidence(bytes))
    else rest(file)
  }
  if (Array.isArray(options.collateral))
    for (const file of options.collateral) sort(file, (rest) => sorted.collateral.push(rest))
  for (const file of options.certs ?? []) sort(file, (rest) => sorted.certs.push(bytesOf(rest)))
  return sorted
}

/** The roots a policy trusts in place of NVIDIA's pinned ones; a root that does not parse trusts nothing. */
function nvidiaRootsOf(options: VerifyEvidenceOptions): {
  rootCa?: X509Certificate
  rimRootCa?: X509Certificate
} {
  const read = (pem: string) =>
    readCertificates(stringToUtf8(pem))[0] ??
    (() => {
      throw new EvidenceFormatError('A policy’s NVIDIA root is not a certificate.')
    })()
  const { device, rim } = options.nvidiaRoots ?? options.policy?.nvidiaRoots ?? {}
  return {
    ...(device ? { rootCa: read(device) } : {}),
    ...(rim ? { rimRootCa: read(rim) } : {}),
  }
}

function bytesOf(file: Uint8Array | NamedFile): Uint8Array {
  return file instanceof Uint8Array ? file : file.bytes
}

function isGpuEvidence(file: Uint8Array): boolean {
  if (file.length > inputLimits.evidenceBytes) return false
  return looksLikeSpdmMeasurements(readEvidence(file))
}

/**
 * CPU evidence given with GPU evidence: the GPU's is verified too (signature, chain, RIMs, the
 * expected nonce), its checks join the verdict in the GPU tier, and the verdict is ok only if both
 * are. Which GPU belongs to which CPU is the protocol's to say (report_data naming the GPU evidence).
 */
async function withGpuEvidence(
  verdict: EvidenceVerdict,
  files: SortedFiles,
  options: VerifyEvidenceOptions,
): Promise<EvidenceVerdict> {
  const [gpuEvidence, ...more] = files.gpuEvidence
  if (!gpuEvidence || more.length > 0)
    throw new EvidenceFormatError('Give at most one GPU evidence file with CPU evidence.')
  checkFileSizes([...files.certs, ...files.rims], 'certificate')
  let gpu = await verifyNvidiaGpuEvidence({
    evidence: gpuEvidence,
    certificates: files.certs,
    rims: files.rims,
    ocspResponses: files.ocspResponses,
    at: options.at,
    ...nvidiaRootsOf(options),
  })
  if (options.expectedGpuNonce)
    gpu = withCheck(gpu, reportDataCheck(gpu, options.expectedGpuNonce, 'nonce'))
  const checks = gpu.checks.map((check) => ({
    ...check,
    name: `gpu: ${check.name}`,
    tier: 'gpu' as const,
  }))
  return {
    ...verdict,
    ok: verdict.ok && gpu.ok,
    checks: [...verdict.checks, ...checks],
    ...(gpu.gpu ? { gpu: gpu.gpu } : {}),
    ...(verdict.error === undefined && gpu.error !== undefined
      ? { error: `gpu: ${gpu.error}` }
      : {}),
  }
}

/** The verdict with one more check; a failed one makes it not ok and, if none was, its error. */
function withCheck(verdict: EvidenceVerdict, check: Check): EvidenceVerdict {
  const failed = check.status === 'failed'
  return {
    ...verdict,
    ok: verdict.ok && !failed,
    checks: [...verdict.checks, check],
    ...(failed && verdict.error === undefined
      ? { error: `${check.name}: ${check.explanation}` }
      : {}),
  }
}
