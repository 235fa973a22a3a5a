// The `bocc` command: `bocc <command> [subcommand] [options]`.
import { shortMessageOf } from '../errors.ts'
import { UsageError } from './usage.ts'

type Command = { usage: string; summary: string; run(args: string[]): Promise<number> }

/** Each command is one module in ./commands exporting `usage`, `summary` and `run`. */
const commands: Record<string, () => Promise<Command>> = {
  demo: () => import('./commands/demo.ts'),
  'order show': () => import('./commands/order-show.ts'),
  'verify order': () => import('./commands/verify-order.ts'),
  'attestation verify': () => import('./commands/attestation-verify.ts'),
  'attestation fetch-collateral': () => import('./commands/attestation-fetch-collateral.ts'),
  'solutions pack': () => import('./commands/solutions-pack.ts'),
  'solutions inspect': () => import('./commands/solutions-inspect.ts'),
  'explorer build': () => import('./commands/explorer-build.ts'),
  'provider start': () => import('./commands/provider-start.ts'),
  'provider check': () => import('./commands/provider-check.ts'),
}

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose')
  const args = argv.filter((arg) => arg !== '--verbose')
  if (args.length === 0 || args[0] === '--help' || args[0] === 'help') {
    await printHelp()
    return args.length === 0 ? 2 : 0
  }
  const name = [`${args[0]} ${args[1] ?? ''}`, args[0] ?? ''].find(
    (candidate) => candidate in commands,
  )
  if (!name) {
    process.stderr.write(`bocc: unknown command "${args.join(' ')}"; see \`bocc --help\`\n`)
    return 2
  }
  const command = await commands[name]?.()
  if (!command) return 2
  const rest = args.slice(name.split(' ').length)
  if (rest.includes('--help')) {
    console.log(`usage: ${command.usage}\n\n${command.summary}`)
    return 0
  }
  try {
    return await command.run(rest)
  } catch (error) {
    process.stderr.write(`bocc: ${shortMessageOf(error)}\n`)
    if (verbose && error instanceof Error) process.stderr.write(`${error.stack ?? error.message}\n`)
    const isUsage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    if (isUsage) process.stderr.write(`usage: ${command.usage}\n`)
    return isUsage ? 2 : 1
  }
}

async function printHelp() {
  console.log('usage: bocc <command> [options] [--verbose]\n\ncommands:')
  for (const [name, load] of Object.entries(commands)) {
    const command = await load()
    console.log(`  ${name.padEnd(30)} ${command.summary}`)
  }
}

process.exitCode = await main(process.argv.slice(2))
