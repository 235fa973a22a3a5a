import type { Command } from 'commander'
import { notRunDetail } from '../../attestation/checks.ts'
import { readInputFile, readInputFiles } from '../../attestation/node/readInputFiles.ts'
import { parsePolicy } from '../../attestation/policy.ts'
import type { EvidenceVerdict } from '../../attestation/types.ts'
import { verifyEvidence } from '../../attestation/verifyEvidence.ts'
import { BoccError, shortMessageOf } from '../../errors.ts'
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
    .option('--at <time>', 'verify as at this ISO-8601 time (default: now)')
    .option('--policy <file>', 'an attestation policy file (docs/attestation.md)')
  addJsonOption(command)
  addExamples(
    command,
    'bocc attestation verify quote.dat --collateral collateral/ --json',
    'bocc attestation verify report.bin --certs vcek.der --policy policy.json',
  )
}

/** Exit 0 when the evidence verifies (and the policy, if given, accepts it), 1 otherwise. */
export async function run(
  evidencePath: string,
  values: { collateral?: string[]; certs?: string[]; at?: string; policy?: string; json: boolean },
): Promise<number> {
  const at = values.at === undefined ? new Date() : parseTime(values.at)

  let verdict: EvidenceVerdict
  try {
    const policy =
      values.policy === undefined
        ? undefined
        : parsePolicy(parseJsonFile(await readInputFile(values.policy), values.policy))
    verdict = await verifyEvidence(await readInputFile(evidencePath), {
      at,
      collateral: await readInputFiles(values.collateral ?? []),
      certs: (await readInputFiles(values.certs ?? [])).map((file) => file.bytes),
      ...(policy ? { policy } : {}),
    })
  } catch (error) {
    if (!values.json || !(error instanceof BoccError)) throw error
    console.log(JSON.stringify(jsonOf(undefined, shortMessageOf(error)), null, 2))
    return 1
  }
  if (values.json) console.log(JSON.stringify(jsonOf(verdict), null, 2))
  else printVerdict(verdict, at)
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
    ...(verdict?.tcb ? { tcb: verdict.tcb } : {}),
    ...(verdict?.tcbEvaluationDataNumber !== undefined
      ? { tcbEvaluationDataNumber: verdict.tcbEvaluationDataNumber }
      : {}),
    ...(verdict?.issuedAt ? { issuedAt: verdict.issuedAt.toISOString() } : {}),
    checks: verdict?.checks ?? [],
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

function parseJsonFile(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes))
  } catch (cause) {
    throw new BoccError(`The policy file ${file} is not JSON.`, { cause })
  }
}

function printVerdict(verdict: EvidenceVerdict, at: Date): void {
  const lines = [
    `${verdict.ok ? 'OK' : 'NOT OK'}: ${verdict.tee} evidence verified at ${at.toISOString()}`,
  ]
  if (verdict.status)
    lines.push(
      `TCB status: ${verdict.status}${verdict.advisoryIds.length ? ` (${verdict.advisoryIds.join(', ')})` : ''}`,
    )
  lines.push(`debug: ${verdict.debug ? 'yes' : 'no'}`)
  for (const [name, value] of Object.entries(verdict.measurement)) lines.push(`${name}: ${value}`)
  lines.push(`reportData: ${verdict.reportData}`, '')
  for (const check of verdict.checks)
    lines.push(
      `${check.ok ? '✔' : check.detail === notRunDetail ? '·' : '✘'} ${check.name}: ${check.detail}`,
    )
  if (verdict.error) lines.push('', `error: ${verdict.error}`)
  console.log(lines.join('\n'))
}
