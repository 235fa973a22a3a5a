// The `bocc` command: `bocc <command> [subcommand] [options]`.
import { enableCompileCache } from 'node:module'

// Node keeps the compiled (and type-stripped) code of the CLI's modules in its compile cache in
// the temporary directory, which halves the start of every command after the first.
enableCompileCache()
const { main } = await import('./main.ts')
process.exitCode = await main(process.argv.slice(2))
