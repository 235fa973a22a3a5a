import type { Command } from 'commander'
import { inputLimits } from '../../attestation/limits.ts'
import { readInputFile, readInputFiles } from '../../attestation/node/readInputFiles.ts'
import { type AttestationPolicy, parsePolicy, productionPolicy } from '../../attestation/policy.ts'
import type { EvidenceVerdict } from '../../attestation/types.ts'
import { verifyEvidence } from '../../attestation/verifyEvidence.ts'
import { BoccError, shortMessageOf } from '../../errors.ts'
import { checksJson, formatChecks } from '../formatChecks.ts'
import { addExamples, addJsonOption } from '../networkOptions.ts'
import { UsageError } from '../usage.ts'

const collect = (value: string, previous: string[] = []) => [...previous, value]

export function define(command: Command) {
  command
    .argument('<evidence>', 'the quote, report, GPU evidence or sim evidence file')
    .option(
      '--collateral <path>',
      'a collateral file or directory (Intel PCS files); repeatable',
      collect,
    )
    .option('--certs <path>', 'a certificate file (VCEK, chains); repeatable', collect)
    .option('--event-log <file>', 'a TDX event log (CCEL) to replay; repeatable', collect)
    .option('--at <time>', 'verify as at this ISO-8601 time (default: now)')
    .option('--policy <file>', 'an attestation policy file (default: the production policy)')
    .option('--allow-sim', 'also accept simulated evidence (never in production)')
    .option('--expect-report-data <hex>', 'the 64 bytes of report_data the evidence must carry')
    .option('--expect-gpu-nonce <hex>', 'the 32-byte nonce the GPU evidence must carry')
  addJsonOption(command)
  addExamples(
    command,
    'bocc attestation verify quote.dat --collateral collateral/ --json',
    'bocc attestation verify report.bin --certs vcek.der --policy policy.json',
  )
}

/**
 * Without a policy file the production policy applies (sim and debug refused, Intel TCB
 * UpToDate), any hardware kind of evidence is judged, and the measurement is reported for the
 * caller to compare rather than matched against an allow-list nobody gave.
 */
const defaultPolicy: AttestationPolicy = {
  ...productionPolicy,
  allowedTees: ['tdx', 'sgx', 'sev-snp', 'nvidia-cc'],
  anyMeasurement: true,
}

type Options = {
  collateral?: string[]
  certs?: string[]
  eventLog?: string[]
  at?: string
  policy?: string
  allowSim?: boolean
  expectReportData?: string
  expectGpuNonce?: string
  json?: boolean
}

/** Exit 0 when the evidence verifies and the policy accepts it, 1 otherwise. */
export async function run(evidencePath: string, options: Options): Promise<number> {
  const values = {
    ...options,
    'event-log': options.eventLog,
    'allow-sim': options.allowSim,
    'expect-report-data': options.expectReportData,
    'expect-gpu-nonce': options.expectGpuNonce,
  }
  const at = values.at === undefined ? new Date() : parseTime(values.at)
  const expectedReportData = hexOption(values['expect-report-data'], '--expect-report-data', 64)
  const expectedGpuNonce = hexOption(values['expect-gpu-nonce'], '--expect-gpu-nonce', 32)

  let verdict: EvidenceVerdict
  let policy: AttestationPolicy
  try {
    policy =
      values.policy === undefined
        ? defaultPolicy
        : parsePolicy(parseJsonFile(await readInputFile(values.policy), values.policy))
    if (values['allow-sim'])
      policy = {
        ...policy,
        allowSim: true,
        ...(policy.allowedTees ? { allowedTees: [...policy.allowedTees, 'sim'] } : {}),
      }
    verdict = await verifyEvidence(await readInputFile(evidencePath), {
      at,
      collateral: await readInputFiles(values.collateral ?? []),
      certs: (await readInputFiles(values.certs ?? [])).map((file) => file.bytes),
      eventLog: await Promise.all(
        (values['event-log'] ?? []).map((file) => readInputFile(file, inputLimits.eventLogBytes)),
      ),
      policy,
      ...(expectedReportData ? { expectedReportData } : {}),
      ...(expectedGpuNonce ? { expectedGpuNonce } : {}),
    })
  } catch (error) {
    if (!values.json || !(error instanceof BoccError)) throw error
    console.log(JSON.stringify(jsonOf(undefined, shortMessageOf(error)), null, 2))
    return 1
  }
  if (values.json) console.log(JSON.stringify(jsonOf(verdict), null, 2))
  else printVerdict(verdict, at, policy)
  return verdict.ok ? 0 : 1
}

/** The `--json` object: every documented key always present (null when it does not apply). */
function jsonOf(verdict: EvidenceVerdict | undefined, error?: string) {
  return {
    ok: verdict?.ok ?? false,
    tee: verdict?.tee ?? null,
    status: verdict?.status ?? null,
    advisoryIds: verdict?.advisoryIds ?? [],
    debug: verdict?.debug ?? null,
    measurement: verdict?.measurement ?? {},
    reportData: verdict?.reportData ?? null,
    simulated: verdict ? verdict.tee === 'sim' : null,
    ...(verdict?.tcb ? { tcb: verdict.tcb } : {}),
    ...(verdict?.vmpl !== undefined ? { vmpl: verdict.vmpl } : {}),
    ...(verdict?.tcbEvaluationDataNumber !== undefined
      ? { tcbEvaluationDataNumber: verdict.tcbEvaluationDataNumber }
      : {}),
    ...(verdict?.issuedAt ? { issuedAt: verdict.issuedAt.toISOString() } : {}),
    ...(verdict?.events ? { events: verdict.events } : {}),
    ...(verdict?.gpu ? { gpu: verdict.gpu } : {}),
    ...checksJson(verdict?.checks ?? []),
    ...((error ?? verdict?.error) !== undefined ? { error: error ?? verdict?.error } : {}),
  }
}

function parseTime(text: string): Date {
  const date = new Date(text)
  if (
    !/^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$/.test(text) ||
    Number.isNaN(date.getTime())
  )
    throw new UsageError(`--at ${text} is not an ISO-8601 time (e.g. 2025-06-20T00:00:00Z)`)
  return date
}

function hexOption(
  text: string | undefined,
  option: string,
  length: number,
): `0x${string}` | undefined {
  if (text === undefined) return undefined
  const digits = text.startsWith('0x') ? text.slice(2) : text
  if (!new RegExp(`^[0-9a-fA-F]{${2 * length}}$`).test(digits))
    throw new UsageError(`${option} takes ${length} bytes of hex (${2 * length} digits)`)
  return `0x${digits.toLowerCase()}`
}

function parseJsonFile(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes))
  } catch (cause) {
    throw new BoccError(`The policy file ${file} is not JSON.`, { cause })
  }
}

function printVerdict(verdict: EvidenceVerdict, at: Date, policy: AttestationPolicy): void {
  const lines = [
    `${verdict.ok ? 'OK' : 'NOT OK'}: ${verdict.tee} evidence verified at ${at.toISOString()}`,
  ]
  if (verdict.tee === 'sim')
    lines.push(
      'SIMULATED: no hardware protects this enclave; anyone can forge sim evidence',
      `policy: ${policy.allowSim ? 'development (sim allowed)' : 'refuses sim evidence'}`,
    )
  if (verdict.status)
    lines.push(
      `TCB status: ${verdict.status}${verdict.advisoryIds.length ? ` (${verdict.advisoryIds.join(', ')})` : ''}`,
    )
  lines.push(`debug: ${verdict.debug ? 'yes' : 'no'}`)
  if (verdict.vmpl !== undefined) lines.push(`vmpl: ${verdict.vmpl}`)
  if (verdict.gpu)
    lines.push(
      `gpu: ${verdict.gpu.chip ?? 'unknown chip'} (${verdict.gpu.architecture ?? 'unknown architecture'}), driver ${verdict.gpu.driverVersion ?? 'unknown'}, VBIOS ${verdict.gpu.vbiosVersion ?? 'unknown'}`,
    )
  for (const [name, value] of Object.entries(verdict.measurement)) lines.push(`${name}: ${value}`)
  lines.push(`reportData: ${verdict.reportData}`)
  if (verdict.events) {
    lines.push(`events: ${verdict.events.length} replayed (all of them with --json)`)
    for (const event of verdict.events)
      if (event.dataIsMeasured && event.text?.startsWith('kernel_cmdline: '))
        lines.push(`  ${event.mr} ${event.type}: ${event.text}`)
  }
  lines.push('', formatChecks(verdict.checks))
  if (verdict.error) lines.push('', `error: ${verdict.error}`)
  console.log(lines.join('\n'))
}
