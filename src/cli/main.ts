// The `bocc` command line: commands, their help, and exit codes (started by ./bocc.ts).
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { shortMessageOf } from '../errors.ts'
import { UsageError } from './usage.ts'

/**
 * A command module in ./commands: `define` adds its arguments, options and examples; `run` gets
 * what commander parsed (the positional arguments, then the options) and returns the exit code.
 */
export type CommandModule = {
  define(command: Command): void
  run(...args: never[]): Promise<number>
}

type Entry = { name: string; summary: string; load: () => Promise<CommandModule> }

/** Every command, loaded only when it runs (or shows its help). */
const commands: Entry[] = [
  {
    name: 'dev',
    summary: 'start a local BOCC network that stays up until Ctrl-C (TEE simulated)',
    load: () => import('./commands/dev.ts'),
  },
  {
    name: 'demo',
    summary: 'run one confidential OCR job end to end on a local chain (TEE simulated)',
    load: () => import('./commands/demo.ts'),
  },
  {
    name: 'deploy',
    summary: 'deploy the contracts to any EVM network and write its deployment file',
    load: () => import('./commands/deploy.ts'),
  },
  {
    name: 'keys create',
    summary: 'make a new account key file (mode 0600)',
    load: () => import('./commands/keys-create.ts'),
  },
  {
    name: 'keys show',
    summary: 'print the address of a key file',
    load: () => import('./commands/keys-show.ts'),
  },
  {
    name: 'account balance',
    summary: 'show the account’s wallet and market balances',
    load: () => import('./commands/account-balance.ts'),
  },
  {
    name: 'account deposit',
    summary: 'move payment tokens from the wallet into the market balance',
    load: () => import('./commands/account-deposit.ts'),
  },
  {
    name: 'account withdraw',
    summary: 'move available market balance back to the wallet',
    load: () => import('./commands/account-withdraw.ts'),
  },
  {
    name: 'offers list',
    summary: 'list the TEE, solution and data offers on sale',
    load: () => import('./commands/offers-list.ts'),
  },
  {
    name: 'offers show',
    summary: 'show one offer',
    load: () => import('./commands/offers-show.ts'),
  },
  {
    name: 'solutions pack',
    summary: 'pack a solution directory (solution.json and its files) into one bundle file',
    load: () => import('./commands/solutions-pack.ts'),
  },
  {
    name: 'solutions inspect',
    summary: 'show a bundle file’s solution hash, manifest, limits and files',
    load: () => import('./commands/solutions-inspect.ts'),
  },
  {
    name: 'solutions publish',
    summary: 'upload a solution bundle and offer it for sale',
    load: () => import('./commands/solutions-publish.ts'),
  },
  {
    name: 'data publish',
    summary: 'encrypt a data set, upload it, and offer it for sale',
    load: () => import('./commands/data-publish.ts'),
  },
  {
    name: 'orders create',
    summary: 'encrypt inputs, choose an offer your policy accepts, and order with escrow',
    load: () => import('./commands/orders-create.ts'),
  },
  {
    name: 'orders list',
    summary: 'list the account’s orders',
    load: () => import('./commands/orders-list.ts'),
  },
  {
    name: 'orders show',
    summary: 'print an order’s on-chain record',
    load: () => import('./commands/orders-show.ts'),
  },
  {
    name: 'orders wait',
    summary: 'wait until an order is completed (or ends without a result)',
    load: () => import('./commands/orders-wait.ts'),
  },
  {
    name: 'orders result',
    summary: 'download, check and decrypt an order’s result',
    load: () => import('./commands/orders-result.ts'),
  },
  {
    name: 'orders cancel',
    summary: 'cancel an order not accepted yet; the escrow comes back',
    load: () => import('./commands/orders-cancel.ts'),
  },
  {
    name: 'orders refund',
    summary: 'refund an order whose acceptance or delivery is overdue',
    load: () => import('./commands/orders-refund.ts'),
  },
  {
    name: 'owner serve',
    summary: 'release a vendor’s keys to enclaves its policy accepts, for paid orders',
    load: () => import('./commands/owner-serve.ts'),
  },
  {
    name: 'provider start',
    summary: 'run the provider daemon: stake, offer, enclaves, and serve orders until SIGTERM',
    load: () => import('./commands/provider-start.ts'),
  },
  {
    name: 'provider check',
    summary: 'check a provider’s configuration, key file, chain, stake and committee',
    load: () => import('./commands/provider-check.ts'),
  },
  {
    name: 'leases open',
    summary: 'lease a chat model on a TEE offer: escrow a time window and a token budget',
    load: () => import('./commands/leases-open.ts'),
  },
  {
    name: 'leases show',
    summary: 'show a lease: its terms, settled tokens and where it stands',
    load: () => import('./commands/leases-show.ts'),
  },
  {
    name: 'leases close',
    summary: 'end a lease now; after its settlement window, refund the unused escrow',
    load: () => import('./commands/leases-close.ts'),
  },
  {
    name: 'leases contest',
    summary: 'prove a settlement of a lease claims more than the enclave signed to you',
    load: () => import('./commands/leases-contest.ts'),
  },
  {
    name: 'proxy',
    summary: 'serve a lease as an OpenAI-compatible API on 127.0.0.1, verified and encrypted',
    load: () => import('./commands/proxy.ts'),
  },
  {
    name: 'chat',
    summary: 'chat with a leased model in the terminal, end to end encrypted',
    load: () => import('./commands/chat.ts'),
  },
  {
    name: 'verify order',
    summary: 're-check an order from public data: enclave, evidence, key sealing, receipt, hashes',
    load: () => import('./commands/verify-order.ts'),
  },
  {
    name: 'explorer build',
    summary:
      'write the web explorer as static files pointed at a deployment, its RPC and blob server',
    load: () => import('./commands/explorer-build.ts'),
  },
  {
    name: 'attestation verify',
    summary: 'verify Intel TDX/SGX, AMD SEV-SNP, NVIDIA GPU or sim evidence offline',
    load: () => import('./commands/attestation-verify.ts'),
  },
  {
    name: 'attestation fetch-collateral',
    summary: 'download the collateral or VCEK that offline verification of EVIDENCE needs',
    load: () => import('./commands/attestation-fetch-collateral.ts'),
  },
]

const groups: Record<string, { summary: string; aliases?: string[] }> = {
  keys: { summary: 'account key files' },
  account: { summary: 'the account’s balances in the market' },
  offers: { summary: 'what is on sale: TEE machines, solutions, data sets' },
  solutions: { summary: 'sell a solution (a model or program)' },
  data: { summary: 'sell a data set' },
  orders: { summary: 'order jobs and get their results', aliases: ['order'] },
  leases: { summary: 'lease chat models, served end to end encrypted', aliases: ['lease'] },
  owner: { summary: 'the owner agent of a data or solution vendor' },
  provider: { summary: 'run a provider node' },
  verify: { summary: 'check orders from public data' },
  explorer: { summary: 'the web explorer' },
  attestation: { summary: 'hardware evidence, offline' },
}

function version(): string {
  const manifest = new URL('../../package.json', import.meta.url)
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
}

/** The entry the command line names (its first words, aliases followed), if any. */
function matchingEntry(args: string[]): Entry | undefined {
  const [first = '', second = ''] = args
  const group =
    Object.entries(groups).find(([, value]) => value.aliases?.includes(first))?.[0] ?? first
  return commands.find((entry) => entry.name === `${group} ${second}` || entry.name === group)
}

/** Where a command line's help and errors go (the process's stdout and stderr by default). */
export type CommandOutput = { writeOut(text: string): void; writeErr(text: string): void }

const processOutput: CommandOutput = {
  writeOut: (text) => process.stdout.write(text),
  writeErr: (text) => process.stderr.write(text),
}

function buildProgram(output: CommandOutput): Command {
  const program = new Command('bocc')
    .description(
      'BOCC: confidential AI jobs in attested enclaves, ordered, paid for and audited on an EVM chain',
    )
    .version(version(), '--version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .option('--verbose', 'print the details and stack of an error')
    .exitOverride()
    .configureOutput({
      writeOut: output.writeOut,
      writeErr: output.writeErr,
      outputError: (text, write) => write(`bocc: ${text.replace(/^error: /, '').trimEnd()}\n`),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 a failed operation or verification, 2 a usage error.\nSee docs/cli.md for every command and its --json keys.',
    )
  for (const [name, group] of Object.entries(groups))
    program
      .command(name)
      .description(group.summary)
      .aliases(group.aliases ?? [])
  return program
}

/** Runs one command line; resolves to the exit code. */
export async function main(argv: string[], output = processOutput): Promise<number> {
  const verbose = argv.includes('--verbose')
  const args = argv.filter((arg) => arg !== '--verbose')
  const program = buildProgram(output)
  const matched = matchingEntry(args)
  for (const entry of commands) {
    const words = entry.name.split(' ')
    const parent =
      words.length === 2 ? program.commands.find((command) => command.name() === words[0]) : program
    const command = (parent ?? program).command(words.at(-1) as string).description(entry.summary)
    if (entry !== matched) continue
    const module = await entry.load()
    module.define(command)
    command.action(async (...parsed: unknown[]) => {
      process.exitCode = await module.run(...(parsed.slice(0, -1) as never[]))
    })
  }
  if (args.length === 0) {
    program.outputHelp({ error: true })
    return 2
  }
  try {
    process.exitCode = 0
    await program.parseAsync(args, { from: 'user' })
    return Number(process.exitCode ?? 0)
  } catch (error) {
    if (error instanceof CommanderError)
      return ['commander.helpDisplayed', 'commander.version'].includes(error.code) ? 0 : 2
    const hint =
      error instanceof UsageError && matched ? ` (see \`bocc ${matched.name} --help\`)` : ''
    output.writeErr(`bocc: ${shortMessageOf(error)}${hint}\n`)
    if (verbose && error instanceof Error) output.writeErr(`${error.stack ?? error.message}\n`)
    return error instanceof UsageError ? 2 : 1
  }
}
