import type { Command } from 'commander'
import { formatOrderId } from '../../protocol/orderTerms.ts'
import { checksJson, formatChecks } from '../formatChecks.ts'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
  noticeDevelopmentPolicy,
} from '../networkOptions.ts'
import { printJson } from '../output.ts'
import { parseMeasurementArguments, parseOrderIdArgument } from '../usage.ts'

const collect = (value: string, previous: string[] = []) => [...previous, value]

export function define(command: Command) {
  command
    .argument('<order-id>', 'the order id (0x and 64 hex digits)')
    .option(
      '--measurement <hex>',
      'an accepted runtime measurement (default: this checkout’s); repeatable',
      collect,
    )
    .option('--allow-sim', 'accept a simulated TEE (never in production)')
    .option('--policy <file>', 'judge the enclave by this attestation policy instead')
  addNetworkOptions(command)
  addJsonOption(command)
  addExamples(
    command,
    'bocc verify order 0x0c4d…8cca',
    'bocc verify order 0x0c4d…8cca --allow-sim --json',
  )
}

/**
 * On a development network its own policy applies (and the command says the TEE is simulated);
 * elsewhere accepted measurements default to the runtime built from this checkout, which anyone
 * can recompute, and simulated evidence is refused unless `--allow-sim` is given.
 */
export async function run(
  text: string,
  options: NetworkFlags & { measurement?: string[]; json: boolean },
): Promise<number> {
  const orderId = parseOrderIdArgument(text)
  const measurements = parseMeasurementArguments(options.measurement)
  const { client } = await clientFrom(options)
  const policy =
    measurements.length > 0
      ? { ...client.policy.policy, allowedMeasurements: measurements }
      : client.policy.policy
  noticeDevelopmentPolicy(client, options)
  const audit = await client.verifyOrder({ orderId, policy })
  if (options.json) {
    printJson({
      verified: audit.ok,
      orderId: formatOrderId(orderId),
      status: audit.order.status,
      simulatedTee: audit.enclave.verdict.tee === 'sim',
      policy: client.policy.source,
      ...checksJson(audit.checks),
    })
    return audit.ok ? 0 : 1
  }
  console.log(formatChecks(audit.checks, '  '))
  console.log(
    audit.ok
      ? '\nverified'
      : audit.simulatedOnly
        ? '\nNOT verified: the enclave is simulated; give --allow-sim to accept a simulated TEE'
        : '\nNOT verified: see the failed checks above',
  )
  return audit.ok ? 0 : 1
}
