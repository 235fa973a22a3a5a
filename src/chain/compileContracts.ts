import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Hex, sha256 } from 'viem'
import { BoccError } from '../errors.ts'

const require = createRequire(import.meta.url)
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const contractsDir = join(repoRoot, 'contracts')

/** Compiler settings; the optimizer favours cheap calls over cheap deployment. */
export const compilerSettings = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'osaka',
  viaIR: true,
  outputSelection: {
    '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'], '': ['ast'] },
  },
} as const

/** Contracts of libraries the project deploys as they are (BOCC's governance timelock). */
export const libraryContracts = ['TimelockController']

/** The EVM's limit on deployed code (EIP-170). */
export const contractSizeLimit = 24_576

export type CompiledContract = {
  abi: unknown[]
  bytecode: `0x${string}`
  /** Bytes of deployed (runtime) code, which EIP-170 limits. */
  deployedSize: number
}

export type CompiledContracts = {
  contracts: Record<string, CompiledContract>
  /** Every enum the project's contracts declare, by name, with its members in order. */
  enums: Record<string, string[]>
}

export class CompilationError extends BoccError {
  override name = 'CompilationError'
}

type AstNode = { nodeType: string; name?: string; nodes?: AstNode[]; members?: AstNode[] }

/**
 * Compiles every .sol file in contracts/ with the solc npm package (no compiler download); tests
 * pass another `directory` (and quicker `settings`) for their test-only contracts.
 */
export function compileContracts(
  directory = contractsDir,
  settings: object = compilerSettings,
): CompiledContracts {
  const solc = require('solc') as { compile(input: string, callbacks: object): string }
  const sources: Record<string, { content: string }> = {}
  for (const file of listSolidityFiles(directory))
    sources[file] = { content: readFileSync(join(directory, file), 'utf8') }
  const input = { language: 'Solidity', sources, settings }
  const findImports = (path: string) => {
    try {
      return { contents: readFileSync(require.resolve(path), 'utf8') }
    } catch {
      return { error: `import not found: ${path}` }
    }
  }
  type Output = {
    abi: unknown[]
    evm: { bytecode: { object: string }; deployedBytecode: { object: string } }
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts: Record<string, Record<string, Output>>
    sources: Record<string, { ast: AstNode }>
  }
  const errors = (output.errors ?? []).filter((error) => error.severity === 'error')
  if (errors.length > 0)
    throw new CompilationError('the contracts do not compile', {
      metaMessages: errors.map((error) => error.formattedMessage),
    })
  const contracts: Record<string, CompiledContract> = {}
  for (const [file, inFile] of Object.entries(output.contracts))
    for (const [name, contract] of Object.entries(inFile)) {
      const ours = file in sources
      // Libraries of internal functions only have no ABI: nothing deploys them on their own.
      const deployable = contract.evm.bytecode.object.length > 0 && contract.abi.length > 0
      if ((ours || libraryContracts.includes(name)) && deployable)
        contracts[name] = {
          abi: contract.abi,
          bytecode: `0x${contract.evm.bytecode.object}`,
          deployedSize: contract.evm.deployedBytecode.object.length / 2,
        }
    }
  const enums: Record<string, string[]> = {}
  const visit = (node: AstNode) => {
    if (node.nodeType === 'EnumDefinition' && node.name)
      enums[node.name] = (node.members ?? []).map((member) => member.name ?? '')
    for (const child of node.nodes ?? []) visit(child)
  }
  for (const file of Object.keys(sources)) {
    const ast = output.sources[file]?.ast
    if (ast) visit(ast)
  }
  return { contracts, enums }
}

/**
 * A digest of everything the artifacts are compiled from: the compiler's version and settings,
 * every Solidity file of `directory`, and the exact versions of the packages they import. The
 * artifacts module records it, so a test sees at once when the contracts changed since the last
 * `npm run compile` (the full recompilation is `npm run compile:check`).
 */
export function sourcesDigest(directory = contractsDir, settings: object = compilerSettings): Hex {
  const solc = require('solc') as { version(): string }
  const files = Object.fromEntries(
    listSolidityFiles(directory).map((file) => [
      file,
      sha256(new Uint8Array(readFileSync(join(directory, file)))),
    ]),
  )
  const packages = Object.fromEntries(
    importedPackages.map((name) => [name, require(`${name}/package.json`).version as string]),
  )
  return sha256(
    new TextEncoder().encode(
      JSON.stringify({ compiler: solc.version(), settings, files, packages }),
    ),
  )
}

/** Packages whose Solidity the contracts import. */
const importedPackages = ['@openzeppelin/contracts']

/** Solidity files under `directory`, as paths relative to it (the compiler's source unit names). */
function listSolidityFiles(directory: string, prefix = ''): string[] {
  return readdirSync(join(directory, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name
    if (entry.isDirectory()) return listSolidityFiles(directory, path)
    return entry.name.endsWith('.sol') ? [path] : []
  })
}

/** The TypeScript module holding ABIs, bytecode and enums, as `scripts/compile-contracts.ts` writes it. */
export function renderArtifactsModule(compiled: CompiledContracts): string {
  const lines = [
    '// Generated by `npm run compile` from contracts/*.sol; do not edit.',
    '// test/contracts/artifacts.test.ts fails when this file is stale.',
    '',
  ]
  const entries = Object.entries(compiled.contracts).sort(([a], [b]) => a.localeCompare(b))
  for (const [name, contract] of entries) {
    const id = name.charAt(0).toLowerCase() + name.slice(1)
    lines.push(`export const ${id}Abi = ${JSON.stringify(contract.abi)} as const`, '')
    lines.push(`export const ${id}Bytecode = '${contract.bytecode}' as const`, '')
  }
  const sizes = Object.fromEntries(entries.map(([name, contract]) => [name, contract.deployedSize]))
  lines.push('/** Bytes of deployed code per contract (EIP-170 limits it to 24,576). */')
  lines.push(`export const deployedSizes = ${JSON.stringify(sizes)} as const`, '')
  const enums = Object.fromEntries(
    Object.entries(compiled.enums).sort(([a], [b]) => a.localeCompare(b)),
  )
  lines.push(
    '/** The members of every enum the contracts declare, in order (index = on-chain value). */',
  )
  lines.push(`export const contractEnums = ${JSON.stringify(enums)} as const`, '')
  lines.push(
    '/** What these artifacts were compiled from (`sourcesDigest` in compileContracts.ts). */',
  )
  lines.push(`export const sourcesDigest = '${sourcesDigest()}' as const`, '')
  return lines.join('\n')
}

export const artifactsModulePath = join(repoRoot, 'src', 'chain', 'artifacts.ts')
