/**
 * Node-only test support: Phala's DCAP verifiers, for cross-checks. `@phala/dcap-qvl` is their
 * pure-JS port; `@phala/dcap-qvl-web` is the WebAssembly build of their Rust crate.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { toPlainHex } from '../src/attestation/bytes.ts'
import type { IntelCollateral } from '../src/attestation/intel/collateral.ts'
import type { X509Certificate } from '../src/attestation/x509/certificates.ts'

const require = createRequire(import.meta.url)

type PhalaReport = { status: string; advisory_ids: string[] }
type PhalaCollateral = Record<string, string>
type PhalaJs = {
  verify(quote: Uint8Array, collateral: PhalaCollateral, nowSeconds: number): PhalaReport
  QuoteVerifier: {
    newWithRootCa(rootDer: Uint8Array): {
      verify(quote: Uint8Array, collateral: PhalaCollateral, nowSeconds: number): PhalaReport
    }
  }
}
const phalaJs = require('@phala/dcap-qvl') as PhalaJs

type PhalaWeb = {
  initSync(options: { module: Uint8Array }): unknown
  js_verify(quote: Uint8Array, collateral: PhalaCollateral, now: bigint): PhalaReport
}
const phalaWeb = (await import('@phala/dcap-qvl-web')) as unknown as PhalaWeb
phalaWeb.initSync({
  module: readFileSync(require.resolve('@phala/dcap-qvl-web/dcap-qvl-web_bg.wasm')),
})

/** A verifier's outcome as one comparable line: `UpToDate [INTEL-SA-…]` or `error: …`. */
export type Outcome = string

function outcomeOf(run: () => PhalaReport): Outcome {
  try {
    const report = run()
    return `${report.status} [${report.advisory_ids.join(', ')}]`
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`
  }
}

function pem(certificate: X509Certificate): string {
  return certificate.toString('pem')
}

/** BOCC's collateral in dcap-qvl's QuoteCollateralV3 layout. */
export function toPhalaCollateral(collateral: IntelCollateral): PhalaCollateral {
  const [tcbInfo] = collateral.tcbInfos
  const [qeIdentity] = collateral.qeIdentities
  if (!tcbInfo || !qeIdentity) throw new Error('collateral without TCB info or QE identity')
  const rootCrl = collateral.crls.find((crl) => crl.issuer.includes('Root CA'))
  const pckCrl = collateral.crls.find((crl) => !crl.issuer.includes('Root CA'))
  if (!rootCrl || !pckCrl) throw new Error('collateral without both CRLs')
  const chainOf = (label: string) =>
    [
      ...collateral.certificates.filter((certificate) => certificate.subject.includes(label)),
      ...collateral.certificates.filter((certificate) => certificate.subject.includes('Root CA')),
    ]
      .map(pem)
      .filter((text, index, all) => all.indexOf(text) === index)
      .join('\n')
  const chain = chainOf('TCB Signing')
  const pckChain = collateral.certificates.some((certificate) =>
    certificate.subject.includes('PCK'),
  )
    ? chainOf('PCK')
    : chain
  return {
    pck_crl_issuer_chain: pckChain,
    root_ca_crl: toPlainHex(new Uint8Array(rootCrl.rawData)),
    pck_crl: toPlainHex(new Uint8Array(pckCrl.rawData)),
    tcb_info_issuer_chain: chain,
    tcb_info: tcbInfo.body,
    tcb_info_signature: toPlainHex(tcbInfo.signature),
    qe_identity_issuer_chain: chain,
    qe_identity: qeIdentity.body,
    qe_identity_signature: toPlainHex(qeIdentity.signature),
  }
}

export function verifyWithPhalaJs(
  quote: Uint8Array,
  collateral: IntelCollateral,
  at: Date,
  rootCa?: X509Certificate,
): Outcome {
  const phalaCollateral = toPhalaCollateral(collateral)
  const now = Math.floor(at.getTime() / 1000)
  return outcomeOf(() =>
    rootCa
      ? phalaJs.QuoteVerifier.newWithRootCa(Buffer.from(rootCa.rawData)).verify(
          quote,
          phalaCollateral,
          now,
        )
      : phalaJs.verify(quote, phalaCollateral, now),
  )
}

export function verifyWithPhalaWasm(
  quote: Uint8Array,
  collateral: IntelCollateral,
  at: Date,
): Outcome {
  const phalaCollateral = toPhalaCollateral(collateral)
  return outcomeOf(() =>
    phalaWeb.js_verify(quote, phalaCollateral, BigInt(Math.floor(at.getTime() / 1000))),
  )
}
