import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sha256, toBytes } from 'viem'
import { checkInput, imageDimensions } from './inputLimits.ts'
import {
  createSolutionBundle,
  decodeSolutionDescriptor,
  type InputDeclaration,
  packSolutionBundle,
  parseSolutionManifest,
  unpackSolutionBundle,
} from './solutionBundle.ts'

// The test vector of docs/protocol.md, "Solution bundles".
const manifest = {
  name: 'hello',
  version: '1.0.0',
  runner: 'wasm',
  entry: 'main.wasm',
  inputs: [{ name: 'data', maxBytes: 1024 }],
  outputs: [{ name: 'result' }],
  limits: { memoryMiB: 64, timeoutMs: 1000 },
}
const files = [
  { path: 'main.wasm', bytes: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) },
  { path: 'lib/readme.txt', bytes: toBytes('hi\n') },
]

describe('solution bundles', () => {
  it('match the test vectors of the protocol document', () => {
    const bundle = createSolutionBundle(manifest, files)
    assert.equal(
      new TextDecoder().decode(bundle.descriptor),
      'BOCC/solution/v2\n{"entry":"main.wasm","inputs":[{"maxBytes":1024,"name":"data"}],"limits":{"memoryMiB":64,"timeoutMs":1000},"name":"hello","outputs":[{"name":"result"}],"runner":"wasm","version":"1.0.0"}\n' +
        '98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4 lib/readme.txt\n' +
        '93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476 main.wasm\n',
    )
    assert.equal(
      bundle.solutionHash,
      '0x9890394032a252d5c1a5bd1d322666056080cf03ea5a872aac10bd3e9894a36f',
    )
    const pack = packSolutionBundle(bundle)
    assert.equal(pack.length, 263)
    assert.equal(sha256(pack), '0x96856cf5a85be8280e88063992e57ed14ae6341ca77424b917dd10ed945333be')
  })

  it('hash the same whatever the key or file order, and change with any byte', () => {
    const reordered = createSolutionBundle(
      Object.fromEntries(Object.entries(manifest).reverse()),
      [...files].reverse(),
    )
    assert.equal(reordered.solutionHash, createSolutionBundle(manifest, files).solutionHash)
    const changed = createSolutionBundle(manifest, [
      { path: 'main.wasm', bytes: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 1]) },
      files[1] as (typeof files)[number],
    ])
    assert.notEqual(changed.solutionHash, reordered.solutionHash)
    const limits = createSolutionBundle(
      { ...manifest, limits: { memoryMiB: 65, timeoutMs: 1000 } },
      files,
    )
    assert.notEqual(limits.solutionHash, reordered.solutionHash)
  })

  it('unpack to the same bundle, and read the published descriptor back', () => {
    const bundle = createSolutionBundle(manifest, files)
    const unpacked = unpackSolutionBundle(packSolutionBundle(bundle))
    assert.equal(unpacked.solutionHash, bundle.solutionHash)
    assert.deepEqual(
      unpacked.files.map((file) => file.name),
      ['lib/readme.txt', 'main.wasm'],
    )
    const read = decodeSolutionDescriptor(bundle.descriptor)
    assert.equal(read.solutionHash, bundle.solutionHash)
    assert.equal(read.manifest.runner, 'wasm')
  })

  it('refuse bad manifests, paths and packs with one line naming the field', () => {
    const bad: [unknown, RegExp][] = [
      [{ ...manifest, runner: 'python' }, /runner must be one of ocr, onnx, wasm, llm/],
      [{ ...manifest, inputs: [] }, /inputs must be an array of 1 to 16/],
      [
        { ...manifest, inputs: [{ name: 'data', maxBytes: -1 }] },
        /inputs\[0\]\.maxBytes must be an integer/,
      ],
      [{ ...manifest, limits: { memoryMiB: 64 } }, /limits\.timeoutMs must be an integer/],
      [{ ...manifest, colour: 'red' }, /unknown field "colour"/],
      [
        { ...manifest, entry: '../etc/passwd' },
        /entry: "\.\.\/etc\/passwd" is not a plain relative path/,
      ],
      [{ ...manifest, entry: 'other.wasm' }, /the bundle has no file other\.wasm/],
      [{ ...manifest, runner: 'onnx' }, /the onnx runner needs a tensor for data/],
      [
        {
          ...manifest,
          inputs: [
            { name: 'x', maxBytes: 1, tensor: { dtype: 'float32', shape: [-1], format: 'raw' } },
          ],
        },
        /a raw tensor needs a fixed shape/,
      ],
    ]
    for (const [value, message] of bad)
      assert.throws(
        () => createSolutionBundle(value, files),
        (error: Error) => {
          assert.match(error.message, message)
          assert.equal(error.message.split('\n').length, 1)
          return true
        },
      )
    assert.throws(() => parseSolutionManifest('x'), /the manifest must be an object/)
    const pack = packSolutionBundle(createSolutionBundle(manifest, files))
    assert.throws(() => unpackSolutionBundle(pack.subarray(0, pack.length - 1)), /truncated/)
    assert.throws(() => unpackSolutionBundle(new Uint8Array(20)), /does not start with BOCCSOL1/)
    assert.throws(
      () => unpackSolutionBundle(pack, { maxBytes: 100, maxFiles: 10 }),
      /over 100 bytes/,
    )
    assert.throws(
      () => unpackSolutionBundle(pack, { maxBytes: 1000, maxFiles: 1 }),
      /3 entries, at most 2/,
    )
  })
})

describe('input limits', () => {
  const png = (width: number, height: number) => {
    const head = new Uint8Array(33)
    head.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
    new DataView(head.buffer).setUint32(16, width)
    new DataView(head.buffer).setUint32(20, height)
    return head
  }
  // SOI, an APP0 segment, then SOF0 with height 600, width 800.
  const jpeg = new Uint8Array([
    0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0x02, 0x58, 0x03, 0x20, 3, 0, 0, 0,
  ])
  const image = { name: 'image', maxBytes: 1000, maxPixels: 4096 * 4096 }

  it('read image dimensions from PNG and JPEG headers only', () => {
    assert.deepEqual(imageDimensions(png(12_000, 9)), { width: 12_000, height: 9 })
    assert.deepEqual(imageDimensions(jpeg), { width: 800, height: 600 })
    assert.equal(imageDimensions(toBytes('GIF89a')), undefined)
  })

  it('name the limit: size, pixels, image kind, raw tensor size', () => {
    assert.equal(checkInput(image, { size: 33, head: png(4096, 4096) }, 'ocr'), undefined)
    assert.equal(
      checkInput(image, { size: 33, head: png(12_000, 12_000) }, 'ocr')?.message,
      'image is 12000×12000 pixels, the solution accepts at most 4096×4096',
    )
    const big = checkInput(image, { size: 300 << 20, head: png(10, 10) }, 'ocr')
    assert.equal(big?.reason, 3)
    assert.equal(
      big?.message,
      'input "image" is 314572800 bytes, the solution accepts at most 1000',
    )
    assert.doesNotMatch(big?.limit ?? '', /314572800/, 'the host sees the limit, not the input')
    assert.equal(checkInput(image, { size: 6, head: toBytes('GIF89a') }, 'ocr')?.reason, 2)
    const raw: InputDeclaration = {
      name: 'x',
      maxBytes: 100,
      tensor: { dtype: 'float32', shape: [1, 4], format: 'raw' },
    }
    assert.equal(checkInput(raw, { size: 16, head: new Uint8Array(16) }, 'onnx'), undefined)
    assert.match(
      checkInput(raw, { size: 12, head: new Uint8Array(12) }, 'onnx')?.message ?? '',
      /is 16/,
    )
  })
})
