// One cold verification, in the fresh process that runs this file: the import of the verifier and
// the first TDX verification, as a command-line verifier pays them. `bench/attestation.ts` runs it
// repeatedly. `dcap-qvl` as the argument measures @phala/dcap-qvl the same way.
import { readFileSync } from 'node:fs'
import { enableCompileCache } from 'node:module'
import { vectorsDirectory } from '../test/attestationVectors.ts'

const read = (name: string) => new Uint8Array(readFileSync(`${vectorsDirectory}/${name}`))
const quote = read('phala-dcap-qvl/tdx_quote')
const collateral = read('phala-dcap-qvl/tdx_quote_collateral.json')
const at = new Date('2025-06-20T00:00:00Z')

const started = performance.now()
// As the `bocc` CLI does (src/cli/bocc.ts): Node's compile cache keeps the type-stripped and
// compiled code of earlier runs, so a verifier that has run once before starts without either.
enableCompileCache()
if (process.argv[2] === 'dcap-qvl') {
  const { createRequire } = await import('node:module')
  const phala = createRequire(import.meta.url)('@phala/dcap-qvl') as {
    verify(quote: Uint8Array, collateral: unknown, now: number): { status: string }
  }
  const report = phala.verify(
    quote,
    JSON.parse(new TextDecoder().decode(collateral)),
    at.getTime() / 1000,
  )
  if (report.status !== 'UpToDate') throw new Error(`dcap-qvl: ${report.status}`)
} else {
  const { verifyEvidence } = await import('../src/attestation/verifyEvidence.ts')
  const verdict = await verifyEvidence(quote, { at, collateral: [collateral] })
  if (!verdict.ok) throw new Error(`BOCC: ${verdict.error}`)
}
console.log((performance.now() - started).toFixed(2))
