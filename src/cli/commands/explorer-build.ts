import { parseArgs } from 'node:util'
import type { Hex } from 'viem'
import { buildExplorer } from '../../web/buildExplorer.ts'
import { UsageError } from '../usage.ts'

export const usage =
  'bocc explorer build --deployment FILE --out DIR [--rpc URL] [--blobs URL] [--measurement HEX]...'
export const summary =
  'write the web explorer as static files pointed at a deployment, its RPC and blob server'

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      deployment: { type: 'string' },
      out: { type: 'string' },
      rpc: { type: 'string' },
      blobs: { type: 'string' },
      measurement: { type: 'string', multiple: true, default: [] },
    },
  })
  const deploymentFile = values.deployment ?? process.env.BOCC_DEPLOYMENT
  if (!deploymentFile) throw new UsageError('give --deployment FILE (or set BOCC_DEPLOYMENT)')
  if (!values.out) throw new UsageError('give --out DIR, the folder to write the explorer to')
  const measurements = values.measurement ?? []
  for (const measurement of measurements)
    if (!/^0x[0-9a-fA-F]{64}$/.test(measurement))
      throw new UsageError(`--measurement ${measurement} is not 32 bytes of hex`)
  const files = await buildExplorer({
    deploymentFile,
    outDirectory: values.out,
    ...(values.rpc ? { rpcUrl: values.rpc } : {}),
    ...(values.blobs ? { blobStoreUrl: values.blobs } : {}),
    ...(measurements.length ? { measurements: measurements as Hex[] } : {}),
  })
  for (const file of files) console.log(file)
  return 0
}
