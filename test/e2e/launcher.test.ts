import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { it } from 'node:test'

// The machine's own Node, whatever its version (not the project's, which npm puts first on PATH).
const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path))

it('bin/bocc.js runs the command under the project’s Node 24 whatever node started it', {
  skip: !systemNode && 'no system node',
}, () => {
  const result = spawnSync(systemNode as string, ['bin/bocc.js', '--help'], { encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stdout, /^Usage: bocc \[options\] \[command\]/)
  const version = spawnSync(
    systemNode as string,
    ['-e', 'process.stdout.write(process.versions.node)'],
    { encoding: 'utf8' },
  ).stdout
  const unknown = spawnSync(systemNode as string, ['bin/bocc.js', 'frobnicate'], {
    encoding: 'utf8',
  })
  assert.equal(unknown.status, 2, `exit code passes through from Node 24 (system node ${version})`)
})
