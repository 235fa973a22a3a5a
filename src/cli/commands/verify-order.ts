import { parseArgs } from 'node:util'
import type { Hex } from 'viem'
import { type AttestationPolicy, productionPolicy } from '../../attestation/policy.ts'
import { auditOrder } from '../../client/auditOrder.ts'
import { measureRuntime } from '../../enclave/measureRuntime.ts'
import { formatOrderId } from '../../protocol/orderTerms.ts'
import { checksJson, formatChecks } from '../formatChecks.ts'
import {
  blobStoreFrom,
  chainFrom,
  networkOptions,
  networkPolicy,
  simulatedTeeNotice,
} from '../networkOptions.ts'
import { orderIdArgument, UsageError } from '../usage.ts'

export const usage =
  'bocc verify order ORDER_ID --deployment FILE [--rpc URL] [--blobs DIR] [--measurement HEX]... [--allow-sim] [--json]'
export const summary =
  're-check an order from public data: enclave, evidence, key sealing, receipt, hashes'

/**
 * On a development network its own policy applies (and the command says the TEE is simulated);
 * elsewhere accepted measurements default to the runtime built from this checkout, which anyone
 * can recompute, and simulated evidence is refused unless `--allow-sim` is given.
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...networkOptions,
      measurement: { type: 'string', multiple: true, default: [] },
      'allow-sim': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  })
  const orderId = orderIdArgument(positionals)
  const measurements = values.measurement ?? []
  for (const measurement of measurements)
    if (!isMeasurement(measurement))
      throw new UsageError(`--measurement ${measurement} is not 32 bytes of hex`)
  const chain = await chainFrom(values)
  const requested: AttestationPolicy = {
    ...productionPolicy,
    allowSim: values['allow-sim'] ?? false,
    ...(values['allow-sim']
      ? { allowedTees: [...(productionPolicy.allowedTees ?? []), 'sim'] }
      : {}),
    allowedMeasurements: measurements.length > 0 ? (measurements as Hex[]) : [measureRuntime()],
  }
  const { policy, development } = await networkPolicy(chain.deployment, requested)
  if (development && !values.json) console.log(simulatedTeeNotice)
  const audit = await auditOrder(chain, {
    orderId,
    blobs: blobStoreFrom(values, chain.deployment),
    policy,
  })
  // Refused only because production policy refuses the simulated TEE: say how to accept it.
  const simulatedOnly =
    !audit.ok &&
    audit.enclave.verdict.tee === 'sim' &&
    audit.checks
      .filter((check) => check.status !== 'passed' && check.status !== 'not-applicable')
      .every((check) => simulatedTeeChecks.includes(check.name))
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          verified: audit.ok,
          orderId: formatOrderId(orderId),
          status: audit.order.status,
          ...checksJson(audit.checks),
        },
        null,
        2,
      ),
    )
  } else {
    console.log(formatChecks(audit.checks, '  '))
    console.log(
      audit.ok
        ? '\nverified'
        : simulatedOnly
          ? '\nNOT verified: the enclave is simulated; give --allow-sim to accept a simulated TEE'
          : '\nNOT verified: see the failed checks above',
    )
  }
  return audit.ok ? 0 : 1
}

const simulatedTeeChecks = ['evidence: policy: simulated TEE', 'evidence: policy: tee kind']

function isMeasurement(value: string): boolean {
  return /^0x[0-9a-fA-F]{64}$/.test(value)
}
