import { stringToUtf8, toHex } from '../bytes.ts'
import { CheckList, unreadableEvidenceVerdict } from '../checkList.ts'
import type { CheckTier } from '../checks.ts'
import { AttestationCheckError } from '../errors.ts'
import type { EvidenceVerdict } from '../types.ts'
import {
  commonNameOf,
  isCertificateValidAt,
  isSignedBy,
  publicKeyOf,
  readCertificates,
  type X509Certificate,
} from '../x509/certificates.ts'
import { isValidEcdsaSignature } from '../x509/signatures.ts'
import { nvidiaDeviceIdentityCaPem } from './roots.ts'
import { parseSpdmMeasurements, type SpdmMeasurements } from './spdmMeasurements.ts'

export type VerifyNvidiaGpuEvidenceParameters = {
  /** The SPDM GET_MEASUREMENTS request followed by the signed MEASUREMENTS response. */
  evidence: Uint8Array
  /** The GPU's certificate chain (PEM or DER files), leaf first or in any order. */
  certificates: Uint8Array[]
  at: Date
  /** Defaults to the pinned NVIDIA Device Identity CA; only tests give another. */
  rootCa?: X509Certificate
}

/** Every check of NVIDIA GPU evidence, in order, with its tier. */
export const nvidiaCheckTiers: Record<string, CheckTier> = {
  'evidence structure': 'gpu',
  'spdm signature': 'gpu',
  'certificate chain': 'gpu',
}

let pinnedRoot: X509Certificate | undefined

function nvidiaRootCa(): X509Certificate | undefined {
  pinnedRoot ??= readCertificates(stringToUtf8(nvidiaDeviceIdentityCaPem))[0]
  return pinnedRoot
}

/**
 * Verifies NVIDIA GPU (Hopper) confidential-computing evidence offline: the SPDM measurements
 * signature (ECDSA P-384) by the device key, and the device certificate chain up to the pinned
 * NVIDIA Device Identity CA. The measurements are reported as `measurement<index>`; comparing
 * them with NVIDIA's signed reference values (RIMs) is a policy matter not done here.
 */
export async function verifyNvidiaGpuEvidence(
  parameters: VerifyNvidiaGpuEvidenceParameters,
): Promise<EvidenceVerdict> {
  let spdm: SpdmMeasurements
  try {
    spdm = parseSpdmMeasurements(parameters.evidence)
  } catch (error) {
    return unreadableEvidenceVerdict({
      tee: 'nvidia-cc',
      structureCheck: 'evidence structure',
      tiers: nvidiaCheckTiers,
      error,
    })
  }
  const checks = new CheckList(nvidiaCheckTiers)
  checks.pass(
    'evidence structure',
    `SPDM 1.1 MEASUREMENTS with ${spdm.blocks.length} blocks and ${spdm.opaqueData.length} bytes of opaque data`,
  )
  const verdict: EvidenceVerdict = {
    ok: false,
    tee: 'nvidia-cc',
    advisoryIds: [],
    debug: false,
    measurement: Object.fromEntries(
      spdm.blocks.map((block) => [`measurement${block.index}`, toHex(block.value)]),
    ),
    reportData: toHex(spdm.requestNonce),
    checks: checks.checks,
  }
  try {
    const root = parameters.rootCa ?? nvidiaRootCa()
    if (!root) throw new Error('The pinned NVIDIA Device Identity CA does not parse.')
    await runChecks(
      spdm,
      parameters.certificates.flatMap(readCertificates),
      root,
      parameters.at,
      checks,
    )
    verdict.ok = true
  } catch (error) {
    if (error instanceof AttestationCheckError) checks.record(error)
    checks.markNotRun()
    verdict.error = error instanceof AttestationCheckError ? error.shortMessage : String(error)
  }
  return verdict
}

async function runChecks(
  spdm: SpdmMeasurements,
  certificates: X509Certificate[],
  root: X509Certificate,
  at: Date,
  checks: CheckList,
) {
  let leaf: X509Certificate | undefined
  for (const candidate of certificates)
    if (
      await isValidEcdsaSignature(
        publicKeyOf(candidate),
        spdm.signature,
        spdm.signedBytes,
        'SHA-384',
      )
    ) {
      leaf = candidate
      break
    }
  if (!leaf)
    checks.fail(
      'spdm signature',
      `The measurements signature does not verify with any of the ${certificates.length} given certificates.`,
    )
  checks.pass(
    'spdm signature',
    `request and response signed (ECDSA P-384, SHA-384) by ${commonNameOf(leaf)}`,
  )

  const chain = [leaf]
  for (let current = leaf; ; ) {
    if (!isCertificateValidAt(current, at))
      checks.fail(
        'certificate chain',
        `${commonNameOf(current)} is not valid at ${at.toISOString()} (${current.notBefore.toISOString()} to ${current.notAfter.toISOString()}).`,
      )
    if (current.issuer === root.subject && (await isSignedBy(current, root))) break
    let issuer: X509Certificate | undefined
    for (const candidate of certificates)
      if (
        candidate.subject === current.issuer &&
        candidate.subject !== current.subject &&
        (await isSignedBy(current, candidate))
      ) {
        issuer = candidate
        break
      }
    if (!issuer || chain.length > 8)
      checks.fail(
        'certificate chain',
        `${commonNameOf(current)} does not chain to the pinned ${commonNameOf(root)}.`,
      )
    chain.push(issuer)
    current = issuer
  }
  checks.pass(
    'certificate chain',
    `${chain.map(commonNameOf).join(' ← ')} ← pinned ${commonNameOf(root)}, all valid at ${at.toISOString()}`,
  )
}
