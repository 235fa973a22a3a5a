import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runBocc } from '../../../test/support/runBocc.ts'

describe('bocc solutions pack / inspect', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bocc-solutions-'))
    await mkdir(join(dir, 'hello', 'lib'), { recursive: true })
    // The bundle of the protocol document's test vector.
    await writeFile(
      join(dir, 'hello', 'solution.json'),
      JSON.stringify(
        {
          name: 'hello',
          version: '1.0.0',
          runner: 'wasm',
          entry: 'main.wasm',
          inputs: [{ name: 'data', maxBytes: 1024 }],
          outputs: [{ name: 'result' }],
          limits: { memoryMiB: 64, timeoutMs: 1000 },
        },
        null,
        2,
      ),
    )
    await writeFile(
      join(dir, 'hello', 'main.wasm'),
      new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    )
    await writeFile(join(dir, 'hello', 'lib', 'readme.txt'), 'hi\n')
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('packs a directory reproducibly and inspects the pack', async () => {
    const out = join(dir, 'hello.bundle')
    const packed = await runBocc(['solutions', 'pack', join(dir, 'hello'), '--out', out])
    assert.equal(packed.code, 0, packed.stderr)
    assert.equal(
      packed.stdout.trim(),
      '0x9890394032a252d5c1a5bd1d322666056080cf03ea5a872aac10bd3e9894a36f',
    )
    const json = await runBocc(['solutions', 'pack', join(dir, 'hello'), '--out', out, '--json'])
    assert.deepEqual(JSON.parse(json.stdout), {
      solutionHash: '0x9890394032a252d5c1a5bd1d322666056080cf03ea5a872aac10bd3e9894a36f',
      runner: 'wasm',
      name: 'hello',
      version: '1.0.0',
      bytes: 263,
    })
    const shown = await runBocc(['solutions', 'inspect', out])
    assert.equal(shown.code, 0, shown.stderr)
    assert.match(shown.stdout, /^hello 1\.0\.0 \(runner wasm\)$/m)
    assert.match(
      shown.stdout,
      /bundle hash {4}0x96856cf5a85be8280e88063992e57ed14ae6341ca77424b917dd10ed945333be/,
    )
    const inspected = JSON.parse((await runBocc(['solutions', 'inspect', out, '--json'])).stdout)
    assert.equal(inspected.files.length, 2)
  })

  it('refuses bad input with one line and no stack trace', async () => {
    await writeFile(join(dir, 'broken.json'), '{}')
    await mkdir(join(dir, 'broken'), { recursive: true })
    await writeFile(join(dir, 'broken', 'solution.json'), '{"name":"x","runner":"python"}')
    for (const [args, pattern] of [
      [
        ['solutions', 'pack', join(dir, 'broken'), '--out', join(dir, 'x')],
        /^bocc: solution\.json: runner must be one of ocr, onnx, wasm, llm$/,
      ],
      [
        ['solutions', 'pack', join(dir, 'nowhere'), '--out', join(dir, 'x')],
        /has no solution\.json$/,
      ],
      [
        ['solutions', 'inspect', join(dir, 'broken.json')],
        /^bocc: the solution bundle does not start with BOCCSOL1$/,
      ],
    ] as const) {
      const result = await runBocc([...args])
      assert.equal(result.code, 1)
      assert.match(result.stderr.trim(), pattern)
      assert.doesNotMatch(result.stderr, /\n\s+at /)
    }
  })
})
