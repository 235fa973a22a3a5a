import assert from 'node:assert/strict'
import { chmod, cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import { createTestClient, http } from 'viem'
import { createSolutionBundle, packSolutionBundle } from '../../src/protocol/solutionBundle.ts'
import { textLineTensor } from '../../src/solutions/textorientation/textLineTensor.ts'
import { repositoryRoot, runBocc } from '../support/runBocc.ts'
import { runBoccInProcess } from '../support/runBoccInProcess.ts'
import { type BoccDev, startBoccDev } from '../support/startBoccDev.ts'

const labReport = join(repositoryRoot, 'examples', 'lab-report.png')
const notice = 'simulated TEE accepted by this development network’s policy'

/** Bad input gets one clear line on stderr and the right exit code, never a stack trace. */
function assertOneLineError(
  result: { code: number | null; stderr: string },
  code: number,
  pattern: RegExp,
) {
  assert.equal(result.code, code, result.stderr)
  const lines = result.stderr.trim().split('\n')
  assert.equal(lines.length, 1, result.stderr)
  assert.match(lines[0] ?? '', pattern)
  assert.doesNotMatch(result.stderr, /\n\s+at /)
}

const orderIdPattern = /^0x[0-9a-f]{64}$/

describe('bocc dev, and every command against it from other processes', () => {
  let dev: BoccDev
  // The first order runs each command as its own process, as a person would; the other commands
  // run in this process (the same code, much faster).
  const bocc = (args: string[], env: Record<string, string> = {}) =>
    runBoccInProcess(args, { cwd: dev.workspace, env: { ...dev.env, ...env } })
  const boccProcess = (args: string[]) => runBocc(args, { cwd: dev.workspace, env: dev.env })
  const json = async (args: string[]) => {
    const result = await bocc([...args, '--json'])
    assert.equal(result.code, 0, result.stderr)
    return JSON.parse(result.stdout)
  }
  let solutionHash: string
  let firstOrderId: string

  before(async () => {
    dev = await startBoccDev()
  })
  after(async () => {
    assert.equal(await dev.stop(), 0)
  })

  it('prints where its files are, writes funded key files of mode 0600 and the workspace defaults', async () => {
    const deploymentFile = dev.lines.deployment as string
    assert.equal(deploymentFile, join(dev.workspace, '.bocc', 'dev', 'deployment.json'))
    const deployment = JSON.parse(await readFile(deploymentFile, 'utf8'))
    assert.equal(deployment.chainId, 31337)
    assert.match(deployment.blobStore, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    assert.equal(deployment.development.policy, 'policy.json')
    assert.equal(dev.keys.customer, join(dev.workspace, '.bocc', 'dev', 'keys', 'customer.json'))
    assert.equal((await stat(dev.keys.customer as string)).mode & 0o777, 0o600)
    const config = JSON.parse(await readFile(join(dev.workspace, '.bocc', 'config.json'), 'utf8'))
    assert.deepEqual(config, {
      writtenBy: 'bocc dev',
      deployment: join('dev', 'deployment.json'),
      key: join('dev', 'keys', 'customer.json'),
    })
    assert.match(dev.stdout(), /bocc orders create --solution 0x[0-9a-f]{64} --input \S+ --wait/)
  })

  it('serves the web explorer, pointed at the network, with the dev customer as its wallet', async () => {
    const url = dev.lines.explorer as string
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    const page = await fetch(url)
    assert.equal(page.status, 200)
    assert.match(await page.text(), /explorer\.js/)
    const config = await (await fetch(new URL('config.json', url))).json()
    const deployment = JSON.parse(await readFile(dev.lines.deployment as string, 'utf8'))
    assert.equal(config.deployment.contracts.market.toLowerCase(), deployment.contracts.market)
    assert.deepEqual(
      config.devWallet.accounts.map((account: { role: string }) => account.role),
      ['customer'],
    )
  })

  it('refuses a second bocc dev on the same directory, and a directory that holds something else', async () => {
    assertOneLineError(
      await boccProcess(['dev']),
      1,
      /^bocc: a bocc dev \(process \d+\) is running on \/.*\.bocc\/dev; stop it first$/,
    )
    const other = join(dev.workspace, 'not-a-network')
    await mkdir(other)
    await writeFile(join(other, 'notes.txt'), 'mine')
    assertOneLineError(
      await boccProcess(['dev', '--dir', other]),
      2,
      /not-a-network exists and does not hold a bocc dev network; give another --dir/,
    )
    assert.equal(await readFile(join(other, 'notes.txt'), 'utf8'), 'mine')
  })

  it('places a first order with no other flag: offers list, orders create --wait, orders result, verify order', async () => {
    const listed = await boccProcess(['offers', 'list', '--json'])
    assert.equal(listed.code, 0, listed.stderr)
    const { offers } = JSON.parse(listed.stdout)
    const ocr = offers.find(
      (offer: { kind: string; name: string }) =>
        offer.kind === 'solution' && offer.name === 'paddleocr',
    )
    assert.ok(ocr, JSON.stringify(offers))
    assert.deepEqual(Object.keys(ocr).slice(0, 5), ['kind', 'id', 'owner', 'price', 'active'])
    assert.equal(ocr.price, '2000000000000000000')
    assert.equal(ocr.nameSource, 'manifest')
    solutionHash = ocr.solutionHash

    const created = await bocc([
      'orders',
      'create',
      '--solution',
      solutionHash,
      '--input',
      labReport,
      '--wait',
    ])
    assert.equal(created.code, 0, created.stderr)
    assert.equal(created.stdout.split('\n')[0], notice)
    assert.match(created.stdout, /^escrow 7\.07 tBOCC \(TEE offer 1, solution offer 1\)$/m)
    firstOrderId = /^order (0x[0-9a-f]{64})$/m.exec(created.stdout)?.[1] as string
    assert.match(firstOrderId, orderIdPattern)

    const result = await boccProcess(['orders', 'result', firstOrderId, '--out', 'text.json'])
    assert.equal(result.code, 0, result.stderr)
    const text = JSON.parse(await readFile(join(dev.workspace, 'text.json'), 'utf8'))
    assert.ok(
      text.lines.some((line: { text: string }) => line.text === 'NORTHGATE CLINICAL LABORATORY'),
    )

    const verified = await boccProcess(['verify', 'order', firstOrderId])
    assert.equal(verified.code, 0, verified.stdout)
    assert.equal(verified.stdout.split('\n')[0], notice)
    assert.equal(verified.stdout.trim().split('\n').pop(), 'verified')
  })

  it('shows, lists and waits for orders with the documented JSON keys', async () => {
    const shown = await json(['orders', 'show', firstOrderId])
    for (const key of [
      'orderId',
      'status',
      'customer',
      'enclave',
      'solutionHash',
      'inputHash',
      'outputHash',
      'price',
      'deadline',
    ])
      assert.ok(key in shown, key)
    assert.equal(shown.orderId, firstOrderId)
    assert.equal(shown.status, 'completed')
    assert.equal(shown.price, '7070000000000000000')
    assert.match(shown.deadline, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    assert.match(shown.outputHash, /^0x[0-9a-f]{64}$/)
    const { orders } = await json(['orders', 'list'])
    assert.deepEqual(
      orders.map((order: { orderId: string }) => order.orderId),
      [firstOrderId],
    )
    assert.equal((await json(['orders', 'wait', firstOrderId])).status, 'completed')
    const verified = await json(['verify', 'order', firstOrderId])
    assert.equal(verified.verified, true)
    assert.ok(verified.checks.length > 10)
    const text = await bocc(['orders', 'show', firstOrderId])
    assert.match(
      text.stdout,
      /^price +7\.07 tBOCC \(TEE 5 tBOCC, solution 2 tBOCC, data 0 tBOCC, fee 0\.07 tBOCC\)$/m,
    )
  })

  it('writes the result file and the JSON of orders create and orders result', async () => {
    const created = await json([
      'orders',
      'create',
      '--solution',
      solutionHash,
      '--input',
      `image=${labReport}`,
      '--wait',
    ])
    assert.match(created.orderId, orderIdPattern)
    assert.equal(created.status, 'completed')
    assert.equal(created.escrow, '7070000000000000000')
    assert.equal(created.policy, 'development')
    assert.equal((await stat(created.resultKeyFile)).mode & 0o777, 0o600)
    const result = await json([
      'orders',
      'result',
      created.orderId,
      '--out',
      join(dev.workspace, 'second.json'),
    ])
    assert.deepEqual(Object.keys(result), ['orderId', 'outputHash', 'outputs'])
    assert.equal(
      result.outputs[0].bytes,
      (await readFile(join(dev.workspace, 'second.json'))).length,
    )
  })

  /** The solution offer `bocc offers list` shows under this name, and the listing's text line. */
  const solutionNamed = async (name: string) => {
    const { offers } = await json(['offers', 'list', '--kind', 'solution'])
    const offer = offers.find((item: { name?: string }) => item.name === name)
    assert.ok(offer, JSON.stringify(offers))
    assert.equal(offer.nameSource, 'manifest')
    assert.ok(
      dev.solutions.some((line) => line.startsWith(`${offer.solutionHash} ${name}: `)),
      `bocc dev prints a solution line for ${name}: ${dev.solutions.join('; ')}`,
    )
    const listed = await bocc(['offers', 'list'])
    assert.match(
      listed.stdout,
      new RegExp(
        `^solution +${offer.id} .* ${name} ${offer.solutionHash} \\(name: manifest\\)$`,
        'm',
      ),
    )
    return offer as { id: number; solutionHash: string }
  }

  /** Orders `solutionHash` on `input` with --wait, and returns its one output's bytes. */
  const orderAndFetch = async (solution: string, input: string, out: string) => {
    const created = await json([
      'orders',
      'create',
      '--solution',
      solution,
      '--input',
      join(dev.workspace, input),
      '--wait',
    ])
    assert.equal(created.status, 'completed')
    await json(['orders', 'result', created.orderId, '--out', join(dev.workspace, out)])
    return readFile(join(dev.workspace, out))
  }

  it('serves the ONNX solution: text-orientation tells an upright line of the report from one upside down', async () => {
    const { solutionHash: orientation } = await solutionNamed('text-orientation')
    // The customer's side: one line of the sample report (its title), as the model's tensor.
    const title = await sharp(labReport)
      .extract({ left: 55, top: 50, width: 180, height: 45 })
      .png()
      .toBuffer()
    const tensors = {
      upright: await textLineTensor(new Uint8Array(title)),
      flipped: await textLineTensor(new Uint8Array(await sharp(title).rotate(180).toBuffer())),
    }
    const classes: Record<string, number[]> = {}
    for (const [name, tensor] of Object.entries(tensors)) {
      await writeFile(join(dev.workspace, `${name}.tensor`), tensor)
      const output = JSON.parse(
        (await orderAndFetch(orientation, `${name}.tensor`, `${name}.json`)).toString(),
      )
      assert.deepEqual([output.dtype, output.dims], ['float32', [1, 2]])
      classes[name] = output.data
    }
    const [upright, flipped] = [classes.upright as number[], classes.flipped as number[]]
    assert.ok((upright[0] as number) > 0.9, `the upright line: ${upright}`)
    assert.ok((flipped[1] as number) > 0.9, `the flipped line: ${flipped}`)
  })

  it('serves the WASM solution: wordcount counts the words of a text', async () => {
    const { solutionHash: wordcount } = await solutionNamed('wordcount')
    await writeFile(join(dev.workspace, 'note.txt'), 'Glucose (fasting) 5.4 mmol/L\nHbA1c 5.9 %\n')
    const counts = JSON.parse(
      (await orderAndFetch(wordcount, 'note.txt', 'counts.json')).toString(),
    )
    assert.deepEqual(counts, { lines: 2, words: 7, characters: 41, bytes: 41 })
  })

  it('refuses, before anything is escrowed, what cannot be ordered: a policy that rejects every offer, a budget too small, an input that is not an image, no funds', async () => {
    const before = await json(['account', 'balance'])
    const strict = join(dev.workspace, 'strict-policy.json')
    await writeFile(strict, JSON.stringify({ allowSim: false, allowedMeasurements: [] }))
    const order = ['orders', 'create', '--solution', solutionHash, '--input', labReport]
    assertOneLineError(
      await bocc([...order, '--policy', strict]),
      1,
      /^bocc: no offer satisfies your policy and budget: TEE offer 1: your policy refuses enclave 0x[0-9a-fA-F]{8}… \(evidence: policy: simulated TEE/,
    )
    assertOneLineError(
      await bocc([...order, '--max-price', '7']),
      1,
      /^bocc: no offer satisfies your policy and budget: TEE offer 1 with solution offer 1 costs 7\.07 tBOCC, over your 7 tBOCC$/,
    )
    assertOneLineError(
      await bocc([
        'orders',
        'create',
        '--solution',
        solutionHash,
        '--input',
        join(repositoryRoot, 'package.json'),
      ]),
      1,
      /package\.json: input "image" is not a PNG or JPEG image whose size its header gives$/,
    )
    const poor = join(dev.workspace, 'poor.json')
    assert.equal((await bocc(['keys', 'create', '--out', poor])).code, 0)
    assertOneLineError(
      await bocc([...order, '--key', poor]),
      1,
      /^bocc: the order needs 7\.07 tBOCC more than 0x[0-9a-fA-F]{40} holds \(market balance 0 tBOCC, wallet 0 tBOCC\); see `bocc account deposit`$/,
    )
    assert.deepEqual(await json(['account', 'balance']), before)
  })

  it('keys: creates, shows, and refuses a key file others can read or one that is malformed', async () => {
    const file = join(dev.workspace, 'me.json')
    const created = await json(['keys', 'create', '--out', file])
    assert.match(created.address, /^0x[0-9a-fA-F]{40}$/)
    assert.equal((await stat(file)).mode & 0o777, 0o600)
    assert.deepEqual(await json(['keys', 'show', '--key', file]), created)
    assertOneLineError(
      await bocc(['keys', 'create', '--out', file]),
      1,
      /exists; refusing to overwrite/,
    )
    await chmod(file, 0o644)
    assertOneLineError(
      await bocc(['account', 'balance', '--key', file]),
      1,
      /^bocc: .*me\.json can be read by other users \(mode 644\); run `chmod 600 /,
    )
    const malformed = join(dev.workspace, 'malformed.json')
    await writeFile(malformed, '{"version":1,', { mode: 0o600 })
    assertOneLineError(
      await bocc(['account', 'balance', '--key', malformed]),
      1,
      /is neither a BOCC key file nor a hex private key$/,
    )
  })

  it('account: balance, deposit and withdraw in token units, and refuses more than there is', async () => {
    const deposited = await json(['account', 'deposit', '2.5'])
    assert.equal(deposited.amount, '2500000000000000000')
    assert.equal(deposited.available, '2500000000000000000')
    const shown = await bocc(['account', 'balance'])
    assert.match(shown.stdout, /^available +2\.5 tBOCC$/m)
    assertOneLineError(
      await bocc(['account', 'withdraw', '3']),
      1,
      /^bocc: 0x[0-9a-fA-F]{40} can withdraw at most 2\.5 tBOCC now, not 3 tBOCC$/,
    )
    assertOneLineError(await bocc(['account', 'deposit', '1.5 ETH']), 2, /pays in tBOCC, not ETH/)
    assertOneLineError(await bocc(['account', 'deposit', 'lots']), 2, /is not an amount/)
    assertOneLineError(
      await bocc(['account', 'deposit', '100000']),
      1,
      /less than the 100000 tBOCC to deposit$/,
    )
    const withdrawn = await json(['account', 'withdraw', '2.5'])
    assert.equal(withdrawn.available, '0')
  })

  it('offers: shows one offer, and says so for an unknown id', async () => {
    const tee = await json(['offers', 'show', 'tee:1'])
    assert.equal(tee.kind, 'tee')
    assert.equal(tee.hardware, 'sim')
    assert.equal(
      (await json(['offers', 'show', '1', '--kind', 'solution'])).solutionHash,
      solutionHash,
    )
    assertOneLineError(
      await bocc(['offers', 'show', '1']),
      2,
      /tee:1, solution:1 all exist; give KIND:ID or --kind/,
    )
    assertOneLineError(
      await bocc(['offers', 'show', 'data:9']),
      1,
      /^bocc: there is no data offer 9$/,
    )
    assertOneLineError(
      await bocc(['offers', 'list', '--kind', 'gpu']),
      2,
      /Allowed choices are tee, solution, data/,
    )
  })

  it('solutions publish: uploads a bundle and offers it, named by its manifest', async () => {
    // The bundle of the protocol document's test vector (docs/protocol.md, "Solution bundles").
    const bundle = createSolutionBundle(
      {
        name: 'hello',
        version: '1.0.0',
        runner: 'wasm',
        entry: 'main.wasm',
        inputs: [{ name: 'data', maxBytes: 1024 }],
        outputs: [{ name: 'result' }],
        limits: { memoryMiB: 64, timeoutMs: 1000 },
      },
      [
        { path: 'main.wasm', bytes: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) },
        { path: 'lib/readme.txt', bytes: new TextEncoder().encode('hi\n') },
      ],
    )
    const file = join(dev.workspace, 'hello.bundle')
    await writeFile(file, packSolutionBundle(bundle))
    const published = await json([
      'solutions',
      'publish',
      file,
      '--price',
      '1.5',
      '--key',
      dev.keys.modelVendor as string,
    ])
    assert.equal(
      published.solutionHash,
      '0x9890394032a252d5c1a5bd1d322666056080cf03ea5a872aac10bd3e9894a36f',
    )
    assert.equal(
      published.bundleHash,
      '0x96856cf5a85be8280e88063992e57ed14ae6341ca77424b917dd10ed945333be',
    )
    assert.equal(published.price, '1500000000000000000')
    const shown = await json(['offers', 'show', `solution:${published.offerId}`])
    assert.equal(shown.name, 'hello')
    assert.equal(shown.nameSource, 'manifest')
    await writeFile(join(dev.workspace, 'not-a.bundle'), 'nope')
    assertOneLineError(
      await bocc([
        'solutions',
        'publish',
        join(dev.workspace, 'not-a.bundle'),
        '--price',
        '1',
        '--key',
        dev.keys.modelVendor as string,
      ]),
      1,
      /^bocc: the solution bundle /,
    )
  })

  it('data publish: encrypts and offers a data set, which offers list shows', async () => {
    const file = join(dev.workspace, 'records.csv')
    await writeFile(file, 'id,glucose\n1,5.4\n')
    const vendorKey = dev.keys.dataVendor as string
    const published = await json(['data', 'publish', file, '--price', '3', '--key', vendorKey])
    assert.match(published.dataHash, /^0x[0-9a-f]{64}$/)
    assert.equal(published.price, '3000000000000000000')
    const { offers } = await json(['offers', 'list', '--kind', 'data'])
    assert.deepEqual(
      offers.map((offer: { id: number; dataHash: string }) => [offer.id, offer.dataHash]),
      [[published.offerId, published.dataHash]],
    )
    // The ciphertext is not the data.
    assert.ok(
      !(
        await readFile(join(dev.workspace, '.bocc', 'dev', 'blobs', published.dataHash.slice(2)))
      ).includes('glucose'),
    )
  })

  it('cancels an order no provider can serve, and refunds one whose acceptance is overdue', async () => {
    // A copy of the store (with the enclave's evidence) that only this customer writes to: the
    // provider cannot read these orders' inputs, so it never accepts them.
    const privateStore = join(dev.workspace, 'private-blobs')
    await cp(join(dev.workspace, '.bocc', 'dev', 'blobs'), privateStore, { recursive: true })
    const order = [
      'orders',
      'create',
      '--solution',
      solutionHash,
      '--input',
      labReport,
      '--blobs',
      privateStore,
    ]
    const first = await json(order)
    const second = await json(order)
    assert.equal(first.status, 'created')
    const cancelled = await json(['orders', 'cancel', first.orderId])
    assert.equal(cancelled.status, 'cancelled')
    assertOneLineError(
      await bocc(['orders', 'refund', second.orderId]),
      1,
      /refundOrder was rejected: /,
    )
    const chain = createTestClient({ mode: 'anvil', transport: http(dev.lines.rpc) })
    await chain.increaseTime({ seconds: 121 })
    await chain.mine({ blocks: 1 })
    const refunded = await json(['orders', 'refund', second.orderId])
    assert.equal(refunded.status, 'refunded')
    assert.equal(refunded.refund, '7070000000000000000')
    assertOneLineError(
      await bocc(['orders', 'wait', second.orderId]),
      1,
      /^bocc: order 0x[0-9a-f]{64} was refunded without a result$/,
    )
  })

  it('verify order against a production deployment names --allow-sim; --allow-sim verifies', async () => {
    const deployment = JSON.parse(await readFile(dev.lines.deployment as string, 'utf8'))
    delete deployment.development
    const production = join(dev.workspace, 'production.json')
    await writeFile(production, JSON.stringify(deployment))
    const refused = await bocc(['verify', 'order', firstOrderId, '--deployment', production])
    assert.equal(refused.code, 1)
    assert.doesNotMatch(refused.stdout, /simulated TEE accepted/)
    assert.equal(
      refused.stdout.trim().split('\n').pop(),
      'NOT verified: the enclave is simulated; give --allow-sim to accept a simulated TEE',
    )
    const allowed = await bocc([
      'verify',
      'order',
      firstOrderId,
      '--deployment',
      production,
      '--allow-sim',
    ])
    assert.equal(allowed.code, 0, allowed.stdout)
  })

  it('bad networks and ids: an unknown order, a deployment for another chain, an RPC that is down, flags over the workspace defaults', async () => {
    assertOneLineError(
      await bocc(['orders', 'show', `0x${'ab'.repeat(32)}`]),
      1,
      /^bocc: order 0xabab[0-9a-f]{60} does not exist on the BOCC market 0x/,
    )
    assertOneLineError(await bocc(['orders', 'show', 'nope']), 2, /order id/)
    const deployment = JSON.parse(await readFile(dev.lines.deployment as string, 'utf8'))
    const other = join(dev.workspace, 'other-chain.json')
    await writeFile(other, JSON.stringify({ ...deployment, chainId: 1 }))
    assertOneLineError(
      await bocc(['orders', 'list', '--deployment', other]),
      1,
      /^bocc: the RPC at http:\/\/127\.0\.0\.1:\d+ serves chain 31337, but the deployment is on chain 1/,
    )
    assertOneLineError(
      await bocc(['offers', 'list'], { BOCC_RPC_URL: 'http://127.0.0.1:1' }),
      1,
      /^bocc: cannot reach the chain RPC at http:\/\/127\.0\.0\.1:1/,
    )
    assertOneLineError(
      await bocc(['offers', 'list', '--rpc', 'http://127.0.0.1:1'], {
        BOCC_RPC_URL: dev.lines.rpc as string,
      }),
      1,
      /cannot reach the chain RPC at http:\/\/127\.0\.0\.1:1/,
    )
    assertOneLineError(
      await runBoccInProcess(['offers', 'list']),
      2,
      /^bocc: no deployment: give --deployment FILE \(or set BOCC_DEPLOYMENT\), or start `bocc dev`/,
    )
  })
})

describe('bocc --help', () => {
  it('every command and group has help with a description of each flag, and every command an example', async () => {
    const top = await runBoccInProcess(['--help'])
    assert.equal(top.code, 0)
    const commandsOf = (help: string) => help.split('\nCommands:\n')[1] ?? ''
    const groups = [...commandsOf(top.stdout).matchAll(/^ {2}([a-z-]+)(?:\|[a-z]+)? {2,}/gm)]
      .map((match) => match[1] as string)
      .filter((name) => name !== 'help')
    assert.ok(groups.includes('orders') && groups.includes('dev'), top.stdout)
    const commands: string[][] = []
    for (const group of groups) {
      const help = await runBoccInProcess([group, '--help'])
      assert.equal(help.code, 0, `${group}: ${help.stderr}`)
      const subcommands = [...commandsOf(help.stdout).matchAll(/^ {2}([a-z-]+) {2,}/gm)]
        .map((match) => match[1] as string)
        .filter((name) => name !== 'help')
      if (subcommands.length === 0) commands.push([group])
      else for (const name of subcommands) commands.push([group, name])
    }
    assert.ok(commands.length >= 20, JSON.stringify(commands))
    for (const command of commands) {
      const help = await runBoccInProcess([...command, '-h'])
      assert.equal(help.code, 0, `${command.join(' ')}: ${help.stderr}`)
      assert.match(help.stdout, /\nExamples?:\n {2}\$ bocc /, command.join(' '))
      assert.match(help.stdout, /-h, --help/)
    }
    assert.match((await runBoccInProcess(['--version'])).stdout, /^\d+\.\d+\.\d+\n$/)
  })
})
