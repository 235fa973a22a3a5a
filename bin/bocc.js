#!/usr/bin/env node
// Launches the `bocc` command under the Node 24 that the project brings as a dev dependency,
// whatever `node` happens to be first on PATH (machines here ship an end-of-life Node 20).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const entry = join(root, 'src', 'cli', 'bocc.ts')
const major = Number(process.versions.node.split('.')[0])
const bundledNode = join(root, 'node_modules', 'node', 'bin', 'node')

if (major === 24) {
  await import(entry)
} else if (existsSync(bundledNode)) {
  const child = spawn(bundledNode, [entry, ...process.argv.slice(2)], { stdio: 'inherit' })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {})
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)))
} else {
  console.error(`bocc: needs Node 24 (found ${process.versions.node}); run \`npm install\` first`)
  process.exit(1)
}
