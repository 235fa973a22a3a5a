import { readFile } from 'node:fs/promises'
import { type AttestationPolicy, parsePolicy, productionPolicy } from '../attestation/policy.ts'
import type { Deployment } from '../chain/deployment.ts'
import { measureRuntime } from '../enclave/measureRuntime.ts'
import { BoccError } from '../errors.ts'

/** The policy a customer or auditor applies, and why that one. */
export type CustomerPolicy = {
  policy: AttestationPolicy
  /**
   * `given`: the caller's own; `development`: the policy of a `bocc dev` network, which accepts
   * the simulated TEE; `production`: the production policy with this checkout's runtime
   * measurement (anyone can recompute it), and the simulated TEE only if `allowSim` was asked.
   */
  source: 'given' | 'development' | 'production'
}

export class PolicyFileError extends BoccError {
  override name = 'PolicyFileError'
}

/**
 * The attestation policy for a deployment: the caller's when given; else a development network's
 * own (its deployment names it); else the production policy.
 */
export async function resolveCustomerPolicy(
  deployment: Deployment,
  options: { policy?: AttestationPolicy; allowSim?: boolean } = {},
): Promise<CustomerPolicy> {
  if (options.policy) return { policy: options.policy, source: 'given' }
  if (deployment.development)
    return { policy: await readPolicyFile(deployment.development.policy), source: 'development' }
  const allowSim = options.allowSim ?? false
  return {
    policy: {
      ...productionPolicy,
      allowSim,
      ...(allowSim ? { allowedTees: [...(productionPolicy.allowedTees ?? []), 'sim'] } : {}),
      allowedMeasurements: [measureRuntime()],
    },
    source: 'production',
  }
}

/** Reads a policy file (`docs/attestation.md`, "Policy"), with a one-line error. */
export async function readPolicyFile(path: string): Promise<AttestationPolicy> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new PolicyFileError(`cannot read the policy file ${path}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new PolicyFileError(`the policy file ${path} is not JSON`)
  }
  try {
    return parsePolicy(json)
  } catch (error) {
    throw new PolicyFileError(
      `the policy file ${path}: ${(error as BoccError).shortMessage ?? error}`,
      {
        cause: error,
      },
    )
  }
}
