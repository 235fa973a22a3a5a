import { decodeSnpTcb, parseSevSnpReport } from './amd/report.ts'
import type { AmdProductLine } from './amd/roots.ts'
import { toPlainHex } from './bytes.ts'
import { CollateralError, EvidenceFormatError } from './errors.ts'
import { readPckExtensions } from './intel/pckExtensions.ts'
import { parseIntelQuote } from './intel/quote.ts'
import { readEvidence } from './readEvidence.ts'
import { recogniseEvidence } from './verifyEvidence.ts'
import { readCertificates } from './x509/certificates.ts'

/** One fetched file, named as a person would look for it; verification recognises it by content anyway. */
export type FetchedFile = { name: string; bytes: Uint8Array }

export type FetchCollateralParameters = {
  evidence: Uint8Array
  /** Intel PCS (or a PCCS speaking its v4 API). */
  pcsUrl?: string
  /** AMD KDS. */
  kdsUrl?: string
  /** SEV-SNP v2 reports do not say which product line signed them. */
  productLine?: AmdProductLine
  /** Injected for tests and for environments with their own HTTP client. */
  fetch?: typeof globalThis.fetch
}

export const intelPcsUrl = 'https://api.trustedservices.intel.com'
export const intelRootCaCrlUrl = 'https://certificates.trustedservices.intel.com/IntelSGXRootCA.der'
export const amdKdsUrl = 'https://kdsintf.amd.com'

/**
 * Fetches what offline verification of `evidence` needs: for an Intel quote, the TCB info for its
 * FMSPC, the QE identity, the PCK CRL of the CA that issued its PCK certificate, the root CA CRL,
 * and their issuer chains; for an SEV-SNP report signed by a VCEK, that VCEK and AMD's
 * ASK/ARK chain. This is the only code in BOCC's attestation that opens a network connection;
 * nothing fetched is trusted: verification checks all of it against the pinned roots.
 */
export async function fetchCollateral(
  parameters: FetchCollateralParameters,
): Promise<FetchedFile[]> {
  const bytes = readEvidence(parameters.evidence)
  const kind = recogniseEvidence(bytes)
  const get = parameters.fetch ?? globalThis.fetch
  if (kind === 'intel') return fetchIntelCollateral(bytes, parameters.pcsUrl ?? intelPcsUrl, get)
  if (kind === 'sev-snp')
    return fetchAmdCertificates(bytes, parameters.kdsUrl ?? amdKdsUrl, parameters.productLine, get)
  if (kind === 'sim') throw new EvidenceFormatError('sim evidence needs no collateral.')
  throw new EvidenceFormatError('The evidence is not an Intel DCAP quote or an AMD SEV-SNP report.')
}

async function download(get: typeof globalThis.fetch, url: string): Promise<Response> {
  let response: Response
  try {
    response = await get(url)
  } catch (cause) {
    throw new CollateralError(`Cannot fetch ${url}.`, { cause })
  }
  if (!response.ok) throw new CollateralError(`${url} answered HTTP ${response.status}.`)
  return response
}

async function bodyOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer())
}

function issuerChainOf(response: Response, headers: string[], url: string): Uint8Array {
  for (const header of headers) {
    const value = response.headers.get(header)
    if (value) return new TextEncoder().encode(value)
  }
  throw new CollateralError(`${url} sent no ${headers[0]} header.`)
}

async function fetchIntelCollateral(
  bytes: Uint8Array,
  pcsUrl: string,
  get: typeof globalThis.fetch,
): Promise<FetchedFile[]> {
  const quote = parseIntelQuote(bytes)
  const [pck] = readCertificates(quote.pckCertificateChainPem)
  if (!pck) throw new EvidenceFormatError('The quote carries no readable PCK certificate.')
  const fmspc = toPlainHex(readPckExtensions(pck).fmspc)
  const ca = pck.issuer.includes('Processor') ? 'processor' : 'platform'
  const tee = quote.tee
  const base = pcsUrl.replace(/\/+$/, '')
  const tcbUrl = `${base}/${tee}/certification/v4/tcb?fmspc=${fmspc}`
  const qeUrl = `${base}/${tee}/certification/v4/qe/identity`
  const crlUrl = `${base}/sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`
  const [tcb, qe, crl, rootCrl] = await Promise.all(
    [tcbUrl, qeUrl, crlUrl, intelRootCaCrlUrl].map((url) => download(get, url)),
  )
  if (!tcb || !qe || !crl || !rootCrl)
    throw new CollateralError('A collateral download is missing.')
  return [
    { name: `tcb_info_${fmspc}.json`, bytes: await bodyOf(tcb) },
    {
      name: `tcb_info_${fmspc}_chain.txt`,
      bytes: issuerChainOf(tcb, ['TCB-Info-Issuer-Chain', 'SGX-TCB-Info-Issuer-Chain'], tcbUrl),
    },
    { name: 'qe_identity.json', bytes: await bodyOf(qe) },
    {
      name: 'qe_identity_chain.txt',
      bytes: issuerChainOf(qe, ['SGX-Enclave-Identity-Issuer-Chain'], qeUrl),
    },
    { name: `pck_crl_${ca}.crl`, bytes: await bodyOf(crl) },
    {
      name: `pck_crl_${ca}_chain.txt`,
      bytes: issuerChainOf(crl, ['SGX-PCK-CRL-Issuer-Chain'], crlUrl),
    },
    { name: 'root_ca.crl', bytes: await bodyOf(rootCrl) },
  ]
}

/** The product line from a v3+ report's CPUID (family 19h: Milan models 00–0F, Genoa 10–1F; family 1Ah: Turin). */
export function productLineOfCpuid(cpuid: {
  family: number
  model: number
}): AmdProductLine | undefined {
  if (cpuid.family === 0x19 && cpuid.model < 0x10) return 'Milan'
  if (cpuid.family === 0x19 && cpuid.model >= 0x10 && cpuid.model < 0x20) return 'Genoa'
  if (cpuid.family === 0x1a && cpuid.model < 0x20) return 'Turin'
  return undefined
}

async function fetchAmdCertificates(
  bytes: Uint8Array,
  kdsUrl: string,
  productLine: AmdProductLine | undefined,
  get: typeof globalThis.fetch,
): Promise<FetchedFile[]> {
  const report = parseSevSnpReport(bytes)
  if (report.signingKey !== 0)
    throw new CollateralError(
      'This report is signed by a VLEK, which AMD KDS does not serve publicly; ask the cloud provider for it.',
    )
  const product = productLine ?? (report.cpuid ? productLineOfCpuid(report.cpuid) : undefined)
  if (!product)
    throw new CollateralError(
      'The report does not say its product line (SEV-SNP v2): give Milan, Genoa or Turin.',
    )
  const tcb = decodeSnpTcb(report.reportedTcbRaw, product)
  const hwId = toPlainHex(product === 'Turin' ? report.chipId.subarray(0, 8) : report.chipId)
  const spl = new URLSearchParams({
    ...(product === 'Turin' ? { fmcSPL: String(tcb.fmc) } : {}),
    blSPL: String(tcb.bootloader),
    teeSPL: String(tcb.tee),
    snpSPL: String(tcb.snp),
    ucodeSPL: String(tcb.microcode),
  })
  const base = kdsUrl.replace(/\/+$/, '')
  const vcekUrl = `${base}/vcek/v1/${product}/${hwId}?${spl}`
  const chainUrl = `${base}/vcek/v1/${product}/cert_chain`
  const [vcek, chain] = await Promise.all([download(get, vcekUrl), download(get, chainUrl)])
  return [
    { name: `vcek_${product.toLowerCase()}.der`, bytes: await bodyOf(vcek) },
    { name: `ask_ark_${product.toLowerCase()}.pem`, bytes: await bodyOf(chain) },
  ]
}
