import { parseArgs } from 'node:util'
import { type Hex, isAddress, isHex } from 'viem'
import type { AttestationPolicy } from '../../attestation/policy.ts'
import { connectChain } from '../../chain/connectChain.ts'
import { auditOrder } from '../../client/auditOrder.ts'
import { measureRuntime } from '../../enclave/measureRuntime.ts'
import { formatOrderId } from '../../protocol/orderTerms.ts'
import { createFsBlobStore } from '../../storage/blobStore.ts'
import { formatChecks } from '../formatChecks.ts'
import { orderIdArgument, UsageError } from '../usage.ts'

export const usage =
  'bocc verify order ORDER_ID --rpc URL --protocol ADDRESS --blobs DIR [--measurement HEX]... [--allow-sim] [--json]'
export const summary =
  're-check an order from public data: enclave, evidence, key sealing, receipt, hashes'

/**
 * Accepted measurements default to the runtime built from this checkout, which anyone can
 * recompute; simulated evidence is refused unless `--allow-sim` is given.
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rpc: { type: 'string' },
      protocol: { type: 'string' },
      blobs: { type: 'string' },
      measurement: { type: 'string', multiple: true, default: [] },
      'allow-sim': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  })
  const orderId = orderIdArgument(positionals)
  if (!values.rpc) throw new UsageError('--rpc is required')
  if (!values.protocol || !isAddress(values.protocol))
    throw new UsageError('--protocol must be an address')
  if (!values.blobs) throw new UsageError('--blobs is required')
  const measurements = values.measurement ?? []
  for (const measurement of measurements)
    if (!isHex(measurement) || measurement.length !== 66)
      throw new UsageError(`--measurement ${measurement} is not 32 bytes of hex`)
  const policy: AttestationPolicy = {
    allowSim: values['allow-sim'] ?? false,
    allowedMeasurements: measurements.length > 0 ? (measurements as Hex[]) : [measureRuntime()],
  }
  const audit = await auditOrder({
    connection: await connectChain(values.rpc),
    protocol: values.protocol,
    orderId,
    blobs: createFsBlobStore(values.blobs),
    policy,
  })
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          ok: audit.ok,
          orderId: formatOrderId(orderId),
          status: audit.order.status,
          checks: audit.checks,
        },
        null,
        2,
      ),
    )
  } else {
    console.log(formatChecks(audit.checks, '  '))
    console.log(audit.ok ? '\nverified' : '\nNOT verified: see the failed checks above')
  }
  return audit.ok ? 0 : 1
}
