import { parseArgs } from 'node:util'
import { checkProviderSetup } from '../../provider/checkProviderSetup.ts'
import { UsageError } from '../usage.ts'

export const usage = 'bocc provider check --config FILE [--json]'
export const summary =
  'check a provider’s configuration, key file, chain, stake and committee without starting'

/** `bocc provider check`: one line per check (✔ passed, ✘ failed); exit 1 if any failed. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, json: { type: 'boolean' } },
  })
  if (!values.config) throw new UsageError('give --config FILE')
  const checks = await checkProviderSetup(values.config)
  const ok = checks.every((check) => check.ok)
  if (values.json) console.log(JSON.stringify({ ok, checks }, null, 2))
  else {
    for (const check of checks)
      console.log(`${check.ok ? '✔' : '✘'} ${check.name}: ${check.detail}`)
    console.log(ok ? 'the provider is ready to start' : 'the provider cannot start as configured')
  }
  return ok ? 0 : 1
}
