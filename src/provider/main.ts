// The provider daemon as a process of its own (what `bocc provider start` runs in-process):
//
//   node src/provider/main.ts --config FILE
//
// It logs one JSON object per line on stdout (public values only); see docs/operations.md.
import { parseArgs } from 'node:util'
import { shortMessageOf } from '../errors.ts'
import { runProviderDaemon } from './runProviderDaemon.ts'

let configFile: string | undefined
try {
  configFile = parseArgs({ options: { config: { type: 'string' } } }).values.config
} catch (error) {
  process.stderr.write(`provider: ${(error as Error).message}\n`)
  process.exit(2)
}
if (!configFile) {
  process.stderr.write('provider: --config FILE is required\n')
  process.exit(2)
}
// A fault nothing caught: one line (no stack trace), and exit; the supervisor restarts the daemon,
// which takes up where its state says.
for (const event of ['uncaughtException', 'unhandledRejection'] as const)
  process.on(event, (error: unknown) => {
    process.stderr.write(`provider: internal error: ${shortMessageOf(error)}\n`)
    process.exit(1)
  })
process.exit(await runProviderDaemon({ configFile, prefix: 'provider' }))
