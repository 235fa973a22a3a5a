import type { Hex } from 'viem'
import { BoccError } from '../errors.ts'
import { type Check, type CheckTier, checkOf } from './checks.ts'
import type { EvidenceVerdict, TcbStatus, TeeKind } from './types.ts'

/**
 * What a relying party accepts, on top of the evidence being authentic. Every field but
 * `allowSim` and `allowedMeasurements` is optional; an omitted field takes the strict default
 * stated beside it. The production policy never allows `sim`.
 */
export type AttestationPolicy = {
  /** Accept evidence of the simulated TEE backend. Never true in production. */
  allowSim: boolean
  /** Accept debug-mode enclaves or TDs (their memory is readable by the host). Default false. */
  allowDebug?: boolean
  /**
   * Accepted values of the evidence's primary measurement: MRTD (TDX), MRENCLAVE (SGX),
   * MEASUREMENT (SEV-SNP, sim). Only that field is compared, never host-chosen fields such as
   * MRCONFIGID. Evidence passes if it matches one entry here or one set in `allowedMeasurementSets`.
   */
  allowedMeasurements: Hex[]
  /**
   * Accepted combinations of measurement fields, by the names the verdict uses (`mrtd`,
   * `rtmr0`…`rtmr3`, `mrconfigid`, `mrenclave`, `mrsigner`, `measurement`, `hostdata`…): every
   * field of one set must match.
   */
  allowedMeasurementSets?: Record<string, Hex>[]
  /** TEE kinds accepted. Default: all hardware kinds, and `sim` only if `allowSim`. */
  allowedTees?: TeeKind[]
  /** Intel TCB statuses accepted. Default `['UpToDate']`. */
  allowedTcbStatuses?: TcbStatus[]
  /** Intel advisories tolerated; evidence with any other advisory is refused. Default: any. */
  allowedAdvisoryIds?: string[]
  /** Intel: the lowest TCB evaluation data number of the collateral used. */
  minimumTcbEvaluationDataNumber?: number
  /** SEV-SNP: the lowest reported TCB per component (`bootloader`, `tee`, `snp`, `microcode`, `fmc`). */
  minimumSnpTcb?: Record<string, number>
  /** TDX: require MRSERVICETD (TD 1.5) to be zero, i.e. no service TD bound. Default false, as Intel. */
  requireNoServiceTd?: boolean
  /**
   * Require the enclave's hardware platform to be registered on-chain and bound to the enclave's
   * provider (the registry's hardware identity registry), so one machine cannot pose as several
   * providers. Checked by whoever reads the chain (the client's `verifyEnclave`), not here: the
   * evidence alone cannot tell. Default false.
   */
  requireRegisteredPlatform?: boolean
  /** Oldest acceptable evidence, for evidence that carries its time (or a time the caller supplies). */
  maxEvidenceAgeSeconds?: number
  /** The report_data the evidence must carry, if the policy itself pins one (64 bytes, hex). */
  reportData?: Hex
  /**
   * Accept any measurement: the allow-list check is reported as not applicable, for a caller that
   * judges the measurement itself (`bocc attestation verify` without a policy file). Default false.
   */
  anyMeasurement?: boolean
  /**
   * TDX: TDATTRIBUTES under `mask` must equal `value` under `mask` (8 bytes each, hex, in the
   * report's byte order: bit 0 DEBUG, 28 SEPT_VE_DISABLE, 30 PKS, 31 KL, 63 PERFMON).
   */
  tdAttributes?: { mask: Hex; value: Hex }
  /** SEV-SNP: the VMPLs the report may come from (0 is the most privileged). Default: any. */
  allowedSnpVmpls?: number[]
  /**
   * TDX: events the replayed event log must hold, each by register and digest, or by register and
   * measured text (e.g. the kernel command line). Requires an event log that replays.
   */
  requiredEvents?: RequiredEvent[]
  /**
   * NVIDIA roots (PEM) trusted in place of the pinned ones: `device` for GPU identity chains,
   * `rim` for RIM signers. Only for networks whose GPU is a test stand-in: the production policy
   * has none, so it refuses every GPU chain that does not end at NVIDIA's own root.
   */
  nvidiaRoots?: { device?: string; rim?: string }
}

/** An event a policy requires: in this register, with this SHA-384 digest or this measured text. */
export type RequiredEvent = { mr: 'rtmr0' | 'rtmr1' | 'rtmr2' | 'rtmr3' } & (
  | { digest: Hex; text?: never }
  | { text: string; digest?: never }
)

export const productionPolicy: AttestationPolicy = {
  allowSim: false,
  allowDebug: false,
  allowedMeasurements: [],
  allowedTees: ['tdx', 'sgx', 'sev-snp'],
  allowedTcbStatuses: ['UpToDate'],
}

export type ApplyPolicyParameters = {
  verdict: EvidenceVerdict
  policy: AttestationPolicy
  /** The report_data the relying party expects (binding of keys and freshness). */
  expectedReportData?: Hex
  /** Verification time. */
  at: Date
  /** When the evidence was produced, if known from elsewhere (hardware evidence carries no time). */
  evidenceTime?: Date
}

/**
 * The measurement field each kind of evidence is identified by. A GPU reports many measurements
 * and none alone identifies it: policies name them in `allowedMeasurementSets`.
 */
export const primaryMeasurementField: Record<TeeKind, string | undefined> = {
  tdx: 'mrtd',
  sgx: 'mrenclave',
  'sev-snp': 'measurement',
  'nvidia-cc': undefined,
  sim: 'measurement',
}

/** Adds the policy's checks to a verdict; `ok` stays true only if the evidence was authentic and every check passed. */
export function applyPolicy(parameters: ApplyPolicyParameters): EvidenceVerdict {
  const { verdict, policy, at } = parameters
  const checks: Check[] = []
  const add = (
    name: string,
    ok: boolean,
    explanation: string,
    tier: CheckTier = 'hardware authenticity',
  ) => checks.push(checkOf(`policy: ${name}`, ok, explanation, tier))

  if (verdict.tee === 'sim')
    add(
      'simulated TEE',
      policy.allowSim,
      policy.allowSim
        ? 'allowed by this (development) policy'
        : 'sim evidence is refused by this policy',
    )
  const allowedTees =
    policy.allowedTees ??
    ([
      'tdx',
      'sgx',
      'sev-snp',
      'nvidia-cc',
      ...(policy.allowSim ? ['sim' as const] : []),
    ] as TeeKind[])
  if (verdict.tee !== 'sim' || policy.allowedTees)
    add(
      'tee kind',
      allowedTees.includes(verdict.tee),
      `${verdict.tee} ${allowedTees.includes(verdict.tee) ? 'is' : 'is not'} among ${allowedTees.join(', ')}`,
    )

  add(
    'debug',
    !verdict.debug || policy.allowDebug === true,
    verdict.debug
      ? `debug ${verdict.tee === 'sev-snp' ? 'allowed by the guest policy' : 'enclave'}${policy.allowDebug ? ', allowed by this policy' : ''}`
      : 'not a debug enclave',
  )

  if (policy.anyMeasurement)
    checks.push({
      name: 'policy: measurement allowed',
      status: 'not-applicable',
      explanation: 'no allow-list was given: compare the measurement above with the one you expect',
      tier: 'supply chain and transparency',
    })
  else {
    const measurementMatch = matchingMeasurement(verdict, policy)
    add(
      'measurement allowed',
      measurementMatch !== undefined,
      measurementMatch ?? 'measurement is not on the allow-list',
      'supply chain and transparency',
    )
  }

  if (verdict.tee === 'tdx' || verdict.tee === 'sgx') {
    const statuses = policy.allowedTcbStatuses ?? ['UpToDate']
    const status = verdict.status
    add(
      'tcb status',
      status !== undefined && statuses.includes(status),
      `${status ?? 'no status'} (accepted: ${statuses.join(', ')})`,
    )
    if (policy.allowedAdvisoryIds) {
      const allowed = policy.allowedAdvisoryIds
      const unexpected = verdict.advisoryIds.filter((id) => !allowed.includes(id))
      add(
        'advisories',
        unexpected.length === 0,
        unexpected.length
          ? `not tolerated: ${unexpected.join(', ')}`
          : `${verdict.advisoryIds.length} advisories, all tolerated`,
      )
    }
    if (policy.minimumTcbEvaluationDataNumber !== undefined) {
      const number = verdict.tcbEvaluationDataNumber
      add(
        'tcb evaluation data number',
        number !== undefined && number >= policy.minimumTcbEvaluationDataNumber,
        `${number ?? 'unknown'} (minimum ${policy.minimumTcbEvaluationDataNumber})`,
      )
    }
  }
  if (verdict.tee === 'tdx' && policy.requireNoServiceTd) {
    const serviceTd = verdict.measurement.mrservicetd
    const none = serviceTd === undefined || /^0x0*$/.test(serviceTd)
    add('service td', none, none ? 'no service TD bound' : `MRSERVICETD ${serviceTd} is bound`)
  }
  if (verdict.tee === 'tdx' && policy.tdAttributes) {
    const actual = hexBytes(verdict.measurement.tdattributes ?? '0x')
    const mask = hexBytes(policy.tdAttributes.mask)
    const value = hexBytes(policy.tdAttributes.value)
    const matches =
      actual.length === 8 &&
      mask.every((byte, index) => ((actual[index] ?? 0) & byte) === ((value[index] ?? 0) & byte))
    add(
      'td attributes',
      matches,
      `TDATTRIBUTES ${verdict.measurement.tdattributes ?? 'absent'} (${describeTdAttributes(actual)}) ${matches ? 'match' : 'do not match'} ${policy.tdAttributes.value} under mask ${policy.tdAttributes.mask}`,
    )
  }
  if (verdict.tee === 'tdx' && policy.requiredEvents) {
    const events = verdict.events
    const missing = policy.requiredEvents.filter(
      (required) =>
        !events?.some(
          (event) =>
            event.mr === required.mr &&
            (required.digest !== undefined
              ? event.digest === required.digest.toLowerCase()
              : event.dataIsMeasured && event.text === required.text),
        ),
    )
    add(
      'events',
      events !== undefined && missing.length === 0,
      events === undefined
        ? 'the policy requires events, but no event log was verified (--event-log)'
        : missing.length
          ? `the event log lacks ${missing.map((event) => `${event.mr} ${event.digest?.slice(0, 18) ?? JSON.stringify(event.text?.slice(0, 40))}`).join(', ')}`
          : `all ${policy.requiredEvents.length} required events are in the replayed log`,
      'supply chain and transparency',
    )
  }
  if (verdict.tee === 'sev-snp' && policy.allowedSnpVmpls) {
    const vmpl = verdict.vmpl
    const allowed = vmpl !== undefined && policy.allowedSnpVmpls.includes(vmpl)
    add(
      'vmpl',
      allowed,
      `the report was requested at VMPL ${vmpl ?? 'unknown'} (accepted: ${policy.allowedSnpVmpls.join(', ')})`,
    )
  }
  if (verdict.tee === 'sev-snp' && policy.minimumSnpTcb) {
    const tcb = verdict.tcb ?? {}
    const low = Object.entries(policy.minimumSnpTcb).filter(
      ([component, minimum]) => (tcb[component] ?? -1) < minimum,
    )
    add(
      'minimum tcb',
      low.length === 0,
      low.length
        ? `below the minimum: ${low.map(([component, minimum]) => `${component} ${tcb[component] ?? 'absent'} < ${minimum}`).join(', ')}`
        : `reported TCB ${Object.entries(tcb)
            .map(([k, v]) => `${k} ${v}`)
            .join('/')} meets the minimum`,
    )
  }

  for (const [name, expected] of [
    ['report_data binding', parameters.expectedReportData],
    ['report_data pinned', policy.reportData],
  ] as const)
    if (expected !== undefined) checks.push(reportDataCheck(verdict, expected, `policy: ${name}`))
  if (policy.maxEvidenceAgeSeconds !== undefined) {
    const producedAt = parameters.evidenceTime ?? verdict.issuedAt
    const age = producedAt ? (at.getTime() - producedAt.getTime()) / 1000 : undefined
    const fresh = age !== undefined && age >= -60 && age <= policy.maxEvidenceAgeSeconds
    add(
      'evidence age',
      fresh,
      age === undefined
        ? 'evidence carries no time and none was given'
        : `${Math.round(age)} s old (limit ${policy.maxEvidenceAgeSeconds} s)`,
      'key and channel binding',
    )
  }

  const failed = checks.find((check) => check.status === 'failed')
  return {
    ...verdict,
    ok: verdict.ok && failed === undefined,
    checks: [...verdict.checks, ...checks],
    ...(verdict.error === undefined && failed
      ? { error: `${failed.name}: ${failed.explanation}` }
      : {}),
  }
}

/** Whether the evidence carries exactly the expected report_data (a GPU's: its nonce). */
export function reportDataCheck(verdict: EvidenceVerdict, expected: Hex, name: string): Check {
  const bound = verdict.reportData.toLowerCase() === expected.toLowerCase()
  const what = verdict.tee === 'nvidia-cc' ? 'the GPU nonce' : 'report_data'
  return checkOf(
    name,
    bound,
    bound
      ? `${what} is the expected value: the evidence was made for these keys and this challenge`
      : `${what} ${verdict.reportData.slice(0, 18)}… differs from the expected ${expected.slice(0, 18)}…`,
    verdict.tee === 'nvidia-cc' ? 'gpu' : 'key and channel binding',
  )
}

const tdAttributeNames: [bit: number, name: string][] = [
  [0, 'DEBUG'],
  [28, 'SEPT_VE_DISABLE'],
  [30, 'PKS'],
  [31, 'KL'],
  [63, 'PERFMON'],
]

function describeTdAttributes(bytes: Uint8Array): string {
  const set = tdAttributeNames
    .filter(([bit]) => ((bytes[bit >> 3] ?? 0) >> (bit & 7)) & 1)
    .map(([, name]) => name)
  return set.length ? set.join(', ') : 'none of DEBUG, SEPT_VE_DISABLE, PKS, KL, PERFMON'
}

function hexBytes(hex: string): Uint8Array {
  const digits = hex.startsWith('0x') ? hex.slice(2) : hex
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16))
}

/** The measurement field names a policy may pin (a GPU's are `measurement1`…`measurement64`). */
export const measurementFieldNames: readonly string[] = [
  'mrtd',
  'rtmr0',
  'rtmr1',
  'rtmr2',
  'rtmr3',
  'mrconfigid',
  'mrowner',
  'mrownerconfig',
  'mrseam',
  'mrsignerseam',
  'tdattributes',
  'xfam',
  'teetcbsvn',
  'mrservicetd',
  'mrenclave',
  'mrsigner',
  'attributes',
  'measurement',
  'hostdata',
  'idkeydigest',
  'authorkeydigest',
  'familyid',
  'imageid',
  'reportedtcb',
  'policy',
  ...Array.from({ length: 64 }, (_, index) => `measurement${index + 1}`),
]

function matchingMeasurement(
  verdict: EvidenceVerdict,
  policy: AttestationPolicy,
): string | undefined {
  const field = primaryMeasurementField[verdict.tee]
  const value = field === undefined ? undefined : measurementOf(verdict, field)
  const allowed =
    value === undefined
      ? undefined
      : policy.allowedMeasurements.find((candidate) => candidate.toLowerCase() === value)
  if (allowed) return `${field} ${allowed} is on the allow-list`
  const set = (policy.allowedMeasurementSets ?? []).find(
    (candidate) =>
      Object.keys(candidate).length > 0 &&
      Object.entries(candidate).every(
        ([name, expected]) => measurementOf(verdict, name) === expected.toLowerCase(),
      ),
  )
  return set ? `${Object.keys(set).join(', ')} match an allowed set` : undefined
}

/** A measurement field of the verdict by name: own fields only, so `constructor` is no field. */
function measurementOf(verdict: EvidenceVerdict, name: string): string | undefined {
  return Object.hasOwn(verdict.measurement, name)
    ? verdict.measurement[name]?.toLowerCase()
    : undefined
}

export class PolicyFormatError extends BoccError {
  override name = 'PolicyFormatError'
}

const tcbStatuses: TcbStatus[] = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
  'TDRelaunchAdvised',
  'TDRelaunchAdvisedConfigurationNeeded',
]

/** A policy from its JSON form (the `--policy FILE` of `bocc attestation verify`), checked field by field. */
export function parsePolicy(json: unknown): AttestationPolicy {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new PolicyFormatError('The policy is not a JSON object.')
  const input = json as Record<string, unknown>
  const known = [
    'allowSim',
    'allowDebug',
    'allowedMeasurements',
    'allowedMeasurementSets',
    'allowedTees',
    'allowedTcbStatuses',
    'allowedAdvisoryIds',
    'minimumTcbEvaluationDataNumber',
    'minimumSnpTcb',
    'requireNoServiceTd',
    'requireRegisteredPlatform',
    'maxEvidenceAgeSeconds',
    'reportData',
    'tdAttributes',
    'allowedSnpVmpls',
    'requiredEvents',
    'nvidiaRoots',
  ]
  const unknown = Object.keys(input).filter((key) => !known.includes(key))
  if (unknown.length)
    throw new PolicyFormatError(`The policy has unknown fields: ${unknown.join(', ')}.`)
  const hex = (value: unknown, where: string): Hex => {
    if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})+$/.test(value))
      throw new PolicyFormatError(`${where} is not 0x-prefixed hex.`)
    return value.toLowerCase() as Hex
  }
  const list = <T>(
    value: unknown,
    where: string,
    item: (entry: unknown, where: string) => T,
  ): T[] => {
    if (!Array.isArray(value)) throw new PolicyFormatError(`${where} is not an array.`)
    return value.map((entry, index) => item(entry, `${where}[${index}]`))
  }
  const boolean = (key: string): boolean | undefined => {
    const value = input[key]
    if (value !== undefined && typeof value !== 'boolean')
      throw new PolicyFormatError(`${key} is not true or false.`)
    return value
  }
  const count = (value: unknown, where: string): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw new PolicyFormatError(`${where} is not a non-negative integer.`)
    return value
  }
  const policy: AttestationPolicy = {
    allowSim: boolean('allowSim') ?? false,
    allowedMeasurements:
      input.allowedMeasurements === undefined
        ? []
        : list(input.allowedMeasurements, 'allowedMeasurements', hex),
  }
  const allowDebug = boolean('allowDebug')
  if (allowDebug !== undefined) policy.allowDebug = allowDebug
  const requireNoServiceTd = boolean('requireNoServiceTd')
  if (requireNoServiceTd !== undefined) policy.requireNoServiceTd = requireNoServiceTd
  const requireRegisteredPlatform = boolean('requireRegisteredPlatform')
  if (requireRegisteredPlatform !== undefined)
    policy.requireRegisteredPlatform = requireRegisteredPlatform
  if (input.allowedMeasurementSets !== undefined)
    policy.allowedMeasurementSets = list(
      input.allowedMeasurementSets,
      'allowedMeasurementSets',
      (entry, where) => {
        if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
          throw new PolicyFormatError(`${where} is not an object.`)
        return Object.fromEntries(
          Object.entries(entry).map(([name, value]) => {
            if (!measurementFieldNames.includes(name.toLowerCase()))
              throw new PolicyFormatError(
                `${where}.${name} is not a measurement field (mrtd, rtmr0…rtmr3, mrenclave, measurement, …).`,
              )
            return [name.toLowerCase(), hex(value, `${where}.${name}`)]
          }),
        )
      },
    )
  if (input.allowedTees !== undefined)
    policy.allowedTees = list(input.allowedTees, 'allowedTees', (entry, where) => {
      if (
        entry !== 'tdx' &&
        entry !== 'sgx' &&
        entry !== 'sev-snp' &&
        entry !== 'nvidia-cc' &&
        entry !== 'sim'
      )
        throw new PolicyFormatError(`${where} is not tdx, sgx, sev-snp, nvidia-cc or sim.`)
      return entry
    })
  if (input.allowedTcbStatuses !== undefined)
    policy.allowedTcbStatuses = list(
      input.allowedTcbStatuses,
      'allowedTcbStatuses',
      (entry, where) => {
        if (!tcbStatuses.includes(entry as TcbStatus))
          throw new PolicyFormatError(
            `${where} is not an Intel TCB status (${tcbStatuses.join(', ')}).`,
          )
        return entry as TcbStatus
      },
    )
  if (input.allowedAdvisoryIds !== undefined)
    policy.allowedAdvisoryIds = list(
      input.allowedAdvisoryIds,
      'allowedAdvisoryIds',
      (entry, where) => {
        if (typeof entry !== 'string') throw new PolicyFormatError(`${where} is not a string.`)
        return entry
      },
    )
  if (input.minimumTcbEvaluationDataNumber !== undefined)
    policy.minimumTcbEvaluationDataNumber = count(
      input.minimumTcbEvaluationDataNumber,
      'minimumTcbEvaluationDataNumber',
    )
  if (input.minimumSnpTcb !== undefined) {
    const minimum = input.minimumSnpTcb
    if (typeof minimum !== 'object' || minimum === null || Array.isArray(minimum))
      throw new PolicyFormatError('minimumSnpTcb is not an object.')
    policy.minimumSnpTcb = Object.fromEntries(
      Object.entries(minimum).map(([component, value]) => {
        if (!['bootloader', 'tee', 'snp', 'microcode', 'fmc'].includes(component))
          throw new PolicyFormatError(
            `minimumSnpTcb.${component} is not bootloader, tee, snp, microcode or fmc.`,
          )
        return [component, count(value, `minimumSnpTcb.${component}`)]
      }),
    )
  }
  if (input.tdAttributes !== undefined) {
    const attributes = input.tdAttributes
    if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))
      throw new PolicyFormatError('tdAttributes is not an object { mask, value }.')
    const { mask, value, ...rest } = attributes as Record<string, unknown>
    if (Object.keys(rest).length)
      throw new PolicyFormatError(
        `tdAttributes has unknown fields: ${Object.keys(rest).join(', ')}.`,
      )
    policy.tdAttributes = {
      mask: hex(mask, 'tdAttributes.mask'),
      value: hex(value, 'tdAttributes.value'),
    }
    if (policy.tdAttributes.mask.length !== 18 || policy.tdAttributes.value.length !== 18)
      throw new PolicyFormatError('tdAttributes.mask and .value are 8 bytes each.')
  }
  if (input.allowedSnpVmpls !== undefined)
    policy.allowedSnpVmpls = list(input.allowedSnpVmpls, 'allowedSnpVmpls', (entry, where) => {
      const vmpl = count(entry, where)
      if (vmpl > 3) throw new PolicyFormatError(`${where} is not a VMPL (0 to 3).`)
      return vmpl
    })
  if (input.requiredEvents !== undefined)
    policy.requiredEvents = list(input.requiredEvents, 'requiredEvents', (entry, where) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
        throw new PolicyFormatError(`${where} is not an object { mr, digest } or { mr, text }.`)
      const { mr, digest, text, ...rest } = entry as Record<string, unknown>
      if (Object.keys(rest).length)
        throw new PolicyFormatError(`${where} has unknown fields: ${Object.keys(rest).join(', ')}.`)
      if (mr !== 'rtmr0' && mr !== 'rtmr1' && mr !== 'rtmr2' && mr !== 'rtmr3')
        throw new PolicyFormatError(`${where}.mr is not rtmr0, rtmr1, rtmr2 or rtmr3.`)
      if ((digest === undefined) === (text === undefined))
        throw new PolicyFormatError(`${where} needs exactly one of digest and text.`)
      if (typeof text === 'string') return { mr, text }
      if (text !== undefined) throw new PolicyFormatError(`${where}.text is not a string.`)
      const value = hex(digest, `${where}.digest`)
      if (value.length !== 98) throw new PolicyFormatError(`${where}.digest is not 48 bytes.`)
      return { mr, digest: value }
    })
  if (input.maxEvidenceAgeSeconds !== undefined)
    policy.maxEvidenceAgeSeconds = count(input.maxEvidenceAgeSeconds, 'maxEvidenceAgeSeconds')
  if (input.reportData !== undefined) {
    policy.reportData = hex(input.reportData, 'reportData')
    if (policy.reportData.length !== 130) throw new PolicyFormatError('reportData is not 64 bytes.')
  }
  if (input.nvidiaRoots !== undefined) {
    const roots = input.nvidiaRoots as Record<string, unknown>
    if (typeof roots !== 'object' || roots === null || Array.isArray(roots))
      throw new PolicyFormatError('nvidiaRoots is not an object { device?, rim? }.')
    const unknownRoots = Object.keys(roots).filter((key) => key !== 'device' && key !== 'rim')
    if (unknownRoots.length)
      throw new PolicyFormatError(`nvidiaRoots has unknown fields: ${unknownRoots.join(', ')}.`)
    policy.nvidiaRoots = {}
    for (const key of ['device', 'rim'] as const) {
      const pem = roots[key]
      if (pem === undefined) continue
      if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----'))
        throw new PolicyFormatError(`nvidiaRoots.${key} is not a PEM certificate.`)
      policy.nvidiaRoots[key] = pem
    }
  }
  return policy
}
