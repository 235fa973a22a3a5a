import type { Hex } from 'viem'
import type { Check, EvidenceVerdict } from './types.ts'

/**
 * What a relying party accepts. The production policy never allows `sim`.
 * (First version: measurements, sim, debug, report_data binding and evidence age.)
 */
export type AttestationPolicy = {
  /** Accept evidence of the simulated TEE backend. Never true in production. */
  allowSim: boolean
  /** Accept debug-mode enclaves (their memory is readable by the host). */
  allowDebug?: boolean
  /** Accepted measurements; evidence must match one of them exactly. */
  allowedMeasurements: Hex[]
  /** Oldest acceptable evidence, for evidence that carries its time. */
  maxEvidenceAgeSeconds?: number
}

export const productionPolicy: AttestationPolicy = {
  allowSim: false,
  allowDebug: false,
  allowedMeasurements: [],
}

export type ApplyPolicyParameters = {
  verdict: EvidenceVerdict
  policy: AttestationPolicy
  /** The report_data the relying party expects (binding of keys and freshness). */
  expectedReportData?: Hex
  /** Verification time. */
  at: Date
}

/** Adds the policy's checks to a verdict; `ok` stays true only if every check passed. */
export function applyPolicy(parameters: ApplyPolicyParameters): EvidenceVerdict {
  const { verdict, policy, expectedReportData, at } = parameters
  const checks: Check[] = []
  if (verdict.tee === 'sim')
    checks.push({
      name: 'policy: simulated TEE',
      ok: policy.allowSim,
      detail: policy.allowSim
        ? 'allowed by this (development) policy'
        : 'sim evidence is refused by this policy',
    })
  checks.push({
    name: 'policy: debug',
    ok: !verdict.debug || policy.allowDebug === true,
    detail: verdict.debug ? 'debug enclave' : 'not a debug enclave',
  })
  const measured = Object.values(verdict.measurement).map((value) => value.toLowerCase())
  const allowed = policy.allowedMeasurements.find((candidate) =>
    measured.includes(candidate.toLowerCase()),
  )
  checks.push({
    name: 'policy: measurement allowed',
    ok: allowed !== undefined,
    detail: allowed ? `${allowed} is on the allow-list` : 'measurement is not on the allow-list',
  })
  if (expectedReportData !== undefined) {
    const bound = verdict.reportData.toLowerCase() === expectedReportData.toLowerCase()
    checks.push({
      name: 'policy: report_data binding',
      ok: bound,
      detail: bound ? 'report_data binds the expected keys and freshness' : 'report_data differs',
    })
  }
  if (policy.maxEvidenceAgeSeconds !== undefined) {
    const age = verdict.issuedAt ? (at.getTime() - verdict.issuedAt.getTime()) / 1000 : undefined
    const fresh = age !== undefined && age >= -60 && age <= policy.maxEvidenceAgeSeconds
    checks.push({
      name: 'policy: evidence age',
      ok: fresh,
      detail:
        age === undefined
          ? 'evidence carries no time'
          : `${Math.round(age)} s old (limit ${policy.maxEvidenceAgeSeconds} s)`,
    })
  }
  const allChecks = [...verdict.checks, ...checks]
  const ok = verdict.ok && checks.every((check) => check.ok)
  const failed = checks.find((check) => !check.ok)
  return {
    ...verdict,
    ok,
    checks: allChecks,
    ...(verdict.error === undefined && failed ? { error: `${failed.name}: ${failed.detail}` } : {}),
  }
}
