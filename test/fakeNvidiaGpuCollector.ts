/**
 * Test-only GPU collector for the stand-in GPU of test/fakeNvidiaGpu.ts, called as the runtime
 * calls NVIDIA's: `fakeNvidiaGpuCollector.ts STATE NONCE_HEX OUT_DIR`. It writes the stand-in's
 * evidence for that nonce, its certificate chain and its collateral, as a real collector would.
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { resignWithNonce } from './fakeNvidiaGpu.ts'

const [state, nonceHex, out] = process.argv.slice(2) as [string, string, string]
const misbehave = await readFile(join(state, 'misbehave'), 'utf8').catch(() => '')
if (misbehave === 'fail') {
  process.stderr.write('nvidia: no GPU in confidential-computing mode\n')
  process.exit(1)
}
const nonce = Uint8Array.from(Buffer.from(nonceHex, 'hex'))
if (misbehave === 'other-nonce') nonce[0] = (nonce[0] ?? 0) ^ 1
const key = await crypto.subtle.importKey(
  'pkcs8',
  await readFile(join(state, 'device-key.pk8')),
  { name: 'ECDSA', namedCurve: 'P-384' },
  false,
  ['sign'],
)
const evidence = await resignWithNonce(
  new Uint8Array(await readFile(join(state, 'evidence.bin'))),
  nonce,
  key,
)
await writeFile(join(out, 'evidence.bin'), Buffer.from(evidence).toString('hex'))
await copyFile(join(state, 'certificates.pem'), join(out, 'certificates.pem'))
await mkdir(join(out, 'collateral'))
for (const name of await readdir(join(state, 'collateral')))
  await copyFile(join(state, 'collateral', name), join(out, 'collateral', name))
