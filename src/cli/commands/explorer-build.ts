import type { Command } from 'commander'
import { buildExplorer } from '../../web/buildExplorer.ts'
import { addExamples } from '../networkOptions.ts'
import { resolveSettings } from '../settings.ts'
import { parseMeasurementArguments, UsageError } from '../usage.ts'

const collect = (value: string, previous: string[] = []) => [...previous, value]

export function define(command: Command) {
  command
    .requiredOption('--out <dir>', 'the folder to write the explorer to')
    .option('--deployment <file>', 'the deployment file of the network (env BOCC_DEPLOYMENT)')
    .option('--rpc <url>', 'the RPC URL the page reads (default: the deployment’s)')
    .option('--blobs <url>', 'the blob server the page reads (default: the deployment’s)')
    .option('--config <file>', 'a config file with defaults (env BOCC_CONFIG)')
    .option('--measurement <hex>', 'an accepted runtime measurement; repeatable', collect)
  addExamples(command, 'bocc explorer build --out site/')
}

/** Writes the web explorer as static files pointed at a deployment, its RPC and blob server. */
export async function run(options: {
  out: string
  deployment?: string
  rpc?: string
  blobs?: string
  config?: string
  measurement?: string[]
}): Promise<number> {
  const measurements = parseMeasurementArguments(options.measurement)
  const settings = await resolveSettings(options)
  if (!settings.deployment)
    throw new UsageError(
      'no deployment: give --deployment FILE (or set BOCC_DEPLOYMENT), or start `bocc dev` in this directory',
    )
  const files = await buildExplorer({
    deploymentFile: settings.deployment.value,
    outDirectory: options.out,
    ...(settings.rpc ? { rpcUrl: settings.rpc.value } : {}),
    ...(settings.blobs ? { blobStoreUrl: settings.blobs.value } : {}),
    ...(measurements.length ? { measurements } : {}),
  })
  for (const file of files) console.log(file)
  return 0
}
