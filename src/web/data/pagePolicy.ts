import type { Hex } from 'viem'
import { type AttestationPolicy, productionPolicy } from '../../attestation/policy.ts'
import { getMeasurementLog } from '../../chain/actions/registry/getMeasurementLog.ts'
import { isMeasurementAllowed } from '../../chain/actions/registry/isMeasurementAllowed.ts'
import type { BoccChain } from '../../chain/boccChain.ts'
import type { ExplorerConfig } from '../explorerConfig.ts'

export type PagePolicy = {
  policy: AttestationPolicy
  /** A development network's policy, which accepts the simulated TEE. */
  development: boolean
  /** One sentence saying which policy applies and what it accepts. */
  description: string
}

/**
 * The policy a page judges evidence by at `at`: a development network's own (it accepts the
 * simulated TEE, and the page says so), else the production policy, accepting the measurements
 * the page was built with or, without any, those the on-chain transparency log allowed then.
 */
export async function pagePolicy(
  config: ExplorerConfig,
  chain: BoccChain,
  at: Date,
): Promise<PagePolicy> {
  if (config.developmentPolicy)
    return {
      policy: config.developmentPolicy,
      development: true,
      description:
        'Development network: its own policy applies, which accepts the simulated TEE. A simulated TEE protects nothing; it is for trying BOCC out.',
    }
  if (config.measurements)
    return {
      policy: { ...productionPolicy, allowedMeasurements: config.measurements },
      development: false,
      description: `Production policy: real hardware only (Intel TDX, Intel SGX, AMD SEV-SNP) at an up-to-date TCB, running one of the ${config.measurements.length} measurements this explorer was built to accept.`,
    }
  const time = Math.floor(at.getTime() / 1000)
  const proposed = [
    ...new Set(
      (await getMeasurementLog(chain)).flatMap((entry) =>
        entry.kind === 'proposed' ? [entry.measurement] : [],
      ),
    ),
  ]
  const allowed = await Promise.all(
    proposed.map((measurement) => isMeasurementAllowed(chain, { measurement, time })),
  )
  const allowedMeasurements: Hex[] = proposed.filter((_, index) => allowed[index])
  return {
    policy: { ...productionPolicy, allowedMeasurements },
    development: false,
    description:
      'Production policy: real hardware only (Intel TDX, Intel SGX, AMD SEV-SNP) at an up-to-date TCB, running a measurement the on-chain transparency log allowed at the time.',
  }
}
