import { isAbsolute, resolve } from 'node:path'
import { type Command, Option } from 'commander'
import { readKeyFile } from '../chain/keyFile.ts'
import { type BoccClient, createBoccClient } from '../client/createBoccClient.ts'
import { readPolicyFile } from '../client/customerPolicy.ts'
import { resolveSettings, type SettingFlags, type Settings } from './settings.ts'
import { UsageError } from './usage.ts'

/** The flags of a command that talks to a network (see `settings.ts` for what else sets them). */
export type NetworkFlags = SettingFlags & { policy?: string; allowSim?: boolean }

/** Adds `--deployment`, `--rpc`, `--blobs`, `--config` and, for commands that sign, `--key`. */
export function addNetworkOptions(command: Command, options: { key?: boolean } = {}): Command {
  command
    .addOption(
      new Option('--deployment <file>', 'the deployment file of the network (env BOCC_DEPLOYMENT)'),
    )
    .addOption(new Option('--rpc <url>', 'another RPC URL for its chain (env BOCC_RPC_URL)'))
    .addOption(
      new Option(
        '--blobs <url>',
        'another blob store: file:///dir, a directory, http(s)://host/ or s3://bucket/prefix (env BOCC_BLOB_STORE)',
      ),
    )
  if (options.key)
    command.addOption(new Option('--key <file>', 'the account’s key file (env BOCC_KEY_FILE)'))
  return command.addOption(
    new Option('--config <file>', 'a config file with defaults (env BOCC_CONFIG)'),
  )
}

/** Adds `--json`: print one object with documented keys (docs/cli.md) instead of text. */
export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print one JSON object (keys in docs/cli.md)')
}

/** Adds a `Example:` section to a command's help. */
export function addExamples(command: Command, ...examples: string[]): Command {
  return command.addHelpText(
    'after',
    `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((line) => `  $ ${line}`).join('\n')}`,
  )
}

/**
 * A client for the network the settings name (flags, environment, config files, or the
 * workspace `bocc dev` made), with the account's key when `account` is asked for.
 */
export async function clientFrom(
  flags: NetworkFlags,
  options: { account?: boolean } = {},
): Promise<{ client: BoccClient; settings: Settings; privateKey?: `0x${string}` }> {
  const settings = await resolveSettings(flags)
  if (!settings.deployment)
    throw new UsageError(
      'no deployment: give --deployment FILE (or set BOCC_DEPLOYMENT), or start `bocc dev` in this directory',
    )
  let privateKey: `0x${string}` | undefined
  if (options.account) {
    if (!settings.key)
      throw new UsageError(
        'no account: give --key FILE (or set BOCC_KEY_FILE); `bocc keys create` makes one',
      )
    privateKey = (await readKeyFile(settings.key.value)).privateKey
  }
  const policy = flags.policy ? await readPolicyFile(flags.policy) : undefined
  const client = await createBoccClient({
    deployment: settings.deployment.value,
    ...(privateKey ? { account: privateKey } : {}),
    ...(settings.blobs ? { storage: blobStoreUrl(settings.blobs.value) } : {}),
    ...(settings.rpc ? { rpcUrl: settings.rpc.value } : {}),
    ...(policy ? { policy } : {}),
    ...(flags.allowSim ? { allowSim: true } : {}),
  })
  return { client, settings, ...(privateKey ? { privateKey } : {}) }
}

/** A blob store given as a URL, or as a directory path (relative to the working directory). */
function blobStoreUrl(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z]:[\\/]/i.test(value)) return value
  return isAbsolute(value) ? value : resolve(value)
}

/** The one line a command prints when a development network's policy accepts the simulated TEE. */
export const simulatedTeeNotice = 'simulated TEE accepted by this development network’s policy'

/**
 * Prints {@link simulatedTeeNotice} as the first line of a command's text output when the
 * development policy applies (`--json` says it with the `policy` key instead).
 */
export function noticeDevelopmentPolicy(client: BoccClient, options: { json?: boolean }): void {
  if (client.policy.source === 'development' && !options.json) console.log(simulatedTeeNotice)
}
