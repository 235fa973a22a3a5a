/**
 * Node-only test support: reads the shared real-hardware attestation vectors, which CI keeps beside
 * the clone (`../shared/attestation-vectors/` from the repository root). They are never copied in.
 * `BOCC_ATTESTATION_VECTORS` points elsewhere (a test uses it to prove the suites skip without them).
 * Every suite that reads them passes `{ skip: vectorsMissing }` and reads them inside its body.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { hexToBytes } from '../src/attestation/bytes.ts'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const vectorsDirectory =
  process.env.BOCC_ATTESTATION_VECTORS ?? path.join(repoRoot, '..', 'shared', 'attestation-vectors')

/** The one line a suite that needs the vectors skips with when they are absent, else false. */
export const vectorsMissing: string | false = existsSync(path.join(vectorsDirectory, 'MANIFEST.md'))
  ? false
  : `the attestation vectors are missing: they belong in ../shared/attestation-vectors beside the repository (or set BOCC_ATTESTATION_VECTORS), not in ${vectorsDirectory}`

/** A vector file's bytes (`folder/name` relative to the vectors directory). */
export function vector(name: string): Uint8Array {
  if (vectorsMissing) throw new Error(vectorsMissing)
  return new Uint8Array(readFileSync(path.join(vectorsDirectory, name)))
}

/** A quote or report, decoding hex text files (`0x…`) to bytes. */
export function evidenceVector(name: string): Uint8Array {
  const bytes = vector(name)
  const text = new TextDecoder().decode(bytes).trim()
  return /^(0x)?[0-9a-fA-F]+$/.test(text) ? (hexToBytes(text) as Uint8Array) : bytes
}

/** Collateral sets named as in MANIFEST.md. */
export const collateralSets = {
  'P-SGX': ['phala-dcap-qvl/sgx_quote_collateral.json'],
  'P-TDX': ['phala-dcap-qvl/tdx_quote_collateral.json'],
  'P-2026': ['phala-dcap-qvl/tdx_quote_outdated_collateral.json'],
  'G-2023': [
    'google-go-tdx-guest/sample_tcbInfo_response',
    'google-go-tdx-guest/sample_qeIdentity_response',
    'google-go-tdx-guest/pckcrl',
    'google-go-tdx-guest/rootcrl.der',
    'google-go-tdx-guest/tcb_signing_issuer_chain_2018.pem',
  ],
  'T-90c06f': [
    'tinfoilsh-verifier/tcb_info_90c06f000000.json',
    'tinfoilsh-verifier/qe_identity.json',
    'tinfoilsh-verifier/pck_crl_platform.crl',
    'tinfoilsh-verifier/root_ca.crl',
    'tinfoilsh-verifier/tcb_info_90c06f000000_chain.txt',
  ],
} as const

export type CollateralSetName = keyof typeof collateralSets

export function collateralSet(name: CollateralSetName): Uint8Array[] {
  return collateralSets[name].map(vector)
}
