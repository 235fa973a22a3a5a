import { shortMessageOf } from '../../errors.ts'
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
import { checkChainRevocation, readOcspResponse } from '../x509/ocsp.ts'
import { isValidEcdsaSignature } from '../x509/signatures.ts'
import { type Rim, readRim } from './rim.ts'
import { nvidiaDeviceIdentityCaPem, nvidiaRimRootPem } from './roots.ts'
import {
  type GpuOpaqueInfo,
  parseSpdmMeasurements,
  readGpuOpaqueInfo,
  type SpdmMeasurements,
} from './spdmMeasurements.ts'

export type VerifyNvidiaGpuEvidenceParameters = {
  /** The SPDM GET_MEASUREMENTS request followed by the signed MEASUREMENTS response. */
  evidence: Uint8Array
  /** The GPU's certificate chain (PEM or DER files), leaf first or in any order. */
  certificates: Uint8Array[]
  at: Date
  /** Defaults to the pinned NVIDIA Device Identity CA; only tests give another. */
  rootCa?: X509Certificate
  /**
   * NVIDIA's signed reference values (RIM SWID tags) for the GPU's driver and VBIOS, recognised
   * by content; without them the measurements are reported, not compared.
   */
  rims?: Uint8Array[]
  /** Defaults to the pinned NVIDIA RIM signing root; only tests give another. */
  rimRootCa?: X509Certificate
  /**
   * OCSP responses (DER) for the device certificate chain, from NVIDIA's responder: revocation is
   * checked only from these (nothing is fetched), and then for every certificate below the root.
   */
  ocspResponses?: Uint8Array[]
}

/** Every check of NVIDIA GPU evidence, in order, with its tier. */
export const nvidiaCheckTiers: Record<string, CheckTier> = {
  'evidence structure': 'gpu',
  'spdm signature': 'gpu',
  'certificate chain': 'gpu',
  'certificate revocation': 'gpu',
  'driver rim': 'gpu',
  'vbios rim': 'gpu',
  'rim measurements': 'gpu',
}

let pinnedRoot: X509Certificate | undefined
let pinnedRimRoot: X509Certificate | undefined

function nvidiaRootCa(): X509Certificate | undefined {
  pinnedRoot ??= readCertificates(stringToUtf8(nvidiaDeviceIdentityCaPem))[0]
  return pinnedRoot
}

function nvidiaRimRootCa(): X509Certificate | undefined {
  pinnedRimRoot ??= readCertificates(stringToUtf8(nvidiaRimRootPem))[0]
  return pinnedRimRoot
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
    let info: GpuOpaqueInfo = {}
    try {
      info = readGpuOpaqueInfo(spdm.opaqueData)
    } catch (error) {
      checks.fail('evidence structure', shortMessageOf(error))
    }
    const chain = await runChecks(
      spdm,
      parameters.certificates.flatMap(readCertificates),
      root,
      parameters.at,
      checks,
      parameters.rootCa ? 'given' : 'pinned',
    )
    verdict.gpu = { ...gpuIdentityOf(chain), ...info }
    await checkRevocation([...chain, root], parameters.ocspResponses ?? [], parameters.at, checks)
    const rimRoot = parameters.rimRootCa ?? nvidiaRimRootCa()
    if (!rimRoot) throw new Error('The pinned NVIDIA RIM root does not parse.')
    await compareWithRims(spdm, info, parameters.rims ?? [], rimRoot, parameters.at, checks, {
      rootKind: parameters.rimRootCa ? 'given' : 'pinned',
    })
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
  /** Whether the root is NVIDIA's pinned one or one the caller gave (a test network's stand-in). */
  rootKind: 'pinned' | 'given',
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
    `${chain.map(commonNameOf).join(' ← ')} ← ${rootKind} ${commonNameOf(root)}, all valid at ${at.toISOString()}`,
  )
  return chain
}

/** Revocation of the device chain, from the OCSP responses given (none given: not checked, and said so). */
async function checkRevocation(
  chain: X509Certificate[],
  files: Uint8Array[],
  at: Date,
  checks: CheckList,
): Promise<void> {
  const name = 'certificate revocation'
  if (files.length === 0)
    return checks.notApplicable(
      name,
      'no OCSP responses were given (--collateral): revocation of the GPU certificates was not checked',
    )
  try {
    const responses = await Promise.all(files.map(readOcspResponse))
    checks.pass(name, await checkChainRevocation(chain, responses, at))
  } catch (error) {
    checks.fail(name, shortMessageOf(error))
  }
}

/** The GPU's chip and architecture, from the names of its identity certificates (e.g. GH100). */
function gpuIdentityOf(chain: X509Certificate[]): { chip?: string; architecture?: string } {
  const chip = chain
    .map(commonNameOf)
    .join(' ')
    .match(/\bG([HB])(\d{3})\b/)
  if (!chip) return {}
  return { chip: chip[0], architecture: chip[1] === 'H' ? 'Hopper' : 'Blackwell' }
}

/**
 * NVIDIA's reference values: the driver RIM and the VBIOS RIM for the versions the GPU reports,
 * each signed to the RIM root; every active golden value must equal the GPU's measurement at that
 * index (RIM index i is SPDM block i + 1), and no index may be claimed by both RIMs.
 */
async function compareWithRims(
  spdm: SpdmMeasurements,
  info: GpuOpaqueInfo,
  files: Uint8Array[],
  rimRoot: X509Certificate,
  at: Date,
  checks: CheckList,
  { rootKind }: { rootKind: 'pinned' | 'given' },
): Promise<void> {
  if (files.length === 0) {
    const why =
      'no RIMs were given (--collateral): the measurements are reported, not compared with NVIDIA’s reference values'
    for (const name of ['driver rim', 'vbios rim', 'rim measurements'])
      checks.notApplicable(name, why)
    return
  }
  const rims: Rim[] = []
  const unreadable: string[] = []
  for (const file of files)
    try {
      rims.push(await readRim(file, rimRoot, at))
    } catch (error) {
      unreadable.push(shortMessageOf(error))
    }
  const chosen: Record<'driver' | 'vbios', Rim> = {} as Record<'driver' | 'vbios', Rim>
  for (const [kind, version] of [
    ['driver', info.driverVersion],
    ['vbios', info.vbiosVersion],
  ] as const) {
    const name = `${kind} rim`
    const label = kind === 'driver' ? 'driver' : 'VBIOS'
    if (!version) checks.fail(name, `The GPU evidence does not state its ${label} version.`)
    const rim = rims.find(
      (candidate) =>
        candidate.kind === kind && candidate.version.toUpperCase() === version.toUpperCase(),
    )
    if (!rim) {
      const others = rims
        .filter((candidate) => candidate.kind === kind)
        .map((candidate) => candidate.version)
      checks.fail(
        name,
        others.length
          ? `The ${label} RIMs given are for ${others.join(', ')}; the GPU runs ${label} ${version}.`
          : (unreadable[0] ?? `No ${label} RIM was given for ${label} ${version}.`),
      )
    }
    chosen[kind] = rim
    checks.pass(
      name,
      `${label} ${version} RIM for ${rim.product}, signed by ${commonNameOf(rim.signer)} ← ${rootKind} ${commonNameOf(rimRoot)}`,
    )
  }
  const measured = new Map(
    spdm.blocks.map((block) => [block.index - 1, toHex(block.value).slice(2)]),
  )
  const mismatches: string[] = []
  let compared = 0
  for (const index of chosen.driver.measurements.keys()) {
    if (chosen.vbios.measurements.has(index))
      checks.fail(
        'rim measurements',
        `Measurement ${index} is claimed by both the driver and the VBIOS RIM.`,
      )
  }
  for (const rim of [chosen.driver, chosen.vbios])
    for (const [index, golden] of rim.measurements) {
      compared++
      const value = measured.get(index)
      if (value === undefined || !golden.includes(value)) mismatches.push(`${index} (${rim.kind})`)
    }
  if (mismatches.length)
    checks.fail(
      'rim measurements',
      `${mismatches.length} of ${compared} measurements differ from NVIDIA's reference values: ${mismatches.slice(0, 6).join(', ')}${mismatches.length > 6 ? ', …' : ''}.`,
    )
  checks.pass(
    'rim measurements',
    `all ${compared} active measurements equal NVIDIA's signed reference values`,
  )
}
