import assert from 'node:assert/strict'
import { type ChildProcess, fork, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { sendEntry } from './entryPipe.ts'

/**
 * A worker that receives `length` bytes on its entry pipe, as a runner's worker does, and answers
 * with the SHA-256 of the file it got and the names in /dev/shm while that file is open.
 */
async function workerReceiving(length: number): Promise<ChildProcess> {
  const script = join(await scripts, `worker-${length}.ts`)
  await writeFile(
    script,
    `import { createHash } from 'node:crypto'
     import { readdirSync, readFileSync } from 'node:fs'
     import { receiveEntry } from ${JSON.stringify(new URL('./entryPipe.ts', import.meta.url).pathname)}
     try {
       const file = receiveEntry(${length})
       const digest = createHash('sha256').update(readFileSync(file.path)).digest('hex')
       process.send({ digest, shm: readdirSync('/dev/shm') }, () => process.exit(0))
     } catch (error) {
       process.send({ error: error.message }, () => process.exit(0))
     }`,
  )
  return fork(script, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc', 'ignore', 'pipe'] })
}

const scripts = mkdtemp(join(tmpdir(), 'bocc-entry-pipe-'))
after(async () => rm(await scripts, { recursive: true, force: true }))

describe('the entry pipe', () => {
  it('gives the worker every byte, in a file with no name on any file system', async () => {
    // Over two of the reads' chunks, so the file is put together from several.
    const bytes = randomBytes(40 << 20)
    const before = await readdir('/dev/shm')
    const child = await workerReceiving(bytes.length)
    sendEntry(child, bytes)
    const [answer] = (await once(child, 'message')) as [{ digest: string; shm: string[] }]
    assert.equal(answer.digest, createHash('sha256').update(bytes).digest('hex'))
    assert.deepEqual(
      answer.shm.filter((name) => !before.includes(name) && name.startsWith('bocc-model-')),
      [],
    )
  })

  it('fails a load whose pipe ends before the whole entry came', async () => {
    const child = await workerReceiving(1000)
    sendEntry(child, randomBytes(999))
    const [answer] = (await once(child, 'message')) as [{ error: string }]
    assert.equal(answer.error, 'the entry pipe ended after 999 of 1000 bytes')
  })

  it('refuses to send to a worker started without an entry pipe', () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    })
    try {
      assert.throws(() => sendEntry(child, new Uint8Array(1)), /without an entry pipe/)
    } finally {
      child.kill('SIGKILL')
    }
  })
})
