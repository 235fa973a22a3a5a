import {
  type FetchCollateralParameters,
  type FetchedFile,
  fetchCollateral,
} from '../attestation/fetchCollateral.ts'
import { parseIntelQuote } from '../attestation/intel/quote.ts'
import { recogniseEvidence } from '../attestation/verifyEvidence.ts'
import { BoccError } from '../errors.ts'
import { decodeNamedBlobs, encodeNamedBlobs } from './namedBlobs.ts'

/**
 * The collateral bundle (docs/protocol.md, "Collateral bundle"): everything a customer needs to
 * verify a hardware enclave's evidence offline, as one content-addressed blob whose hash the
 * enclave record holds (`collateralHash`). Named blobs with magic "BOCCCOL1": first `tee` (the
 * evidence kind, UTF-8), then the files sorted by name — for TDX Intel's collateral (TCB info,
 * QE identity, PCK and root CRLs and their issuer chains), for SEV-SNP the VCEK and its ASK/ARK
 * chain (and the ARK's CRL when served). An enclave with a confidential GPU adds the GPU's files
 * under `gpu/`: its certificate chain, and NVIDIA's RIMs and OCSP responses when it has them (a
 * `sim` enclave's bundle holds only those).
 */
const collateralMagic = 'BOCCCOL1'

export type CollateralBundle = { tee: 'tdx' | 'sev-snp' | 'sgx' | 'sim'; files: FetchedFile[] }

/** Where a bundle keeps the GPU's files. */
const gpuPrefix = 'gpu/'

export class MalformedCollateralError extends BoccError {
  override name = 'MalformedCollateralError'
}

export function encodeCollateralBundle(bundle: CollateralBundle): Uint8Array {
  const files = [...bundle.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (let i = 1; i < files.length; i++)
    if (files[i]?.name === files[i - 1]?.name)
      throw new MalformedCollateralError(`the collateral holds ${files[i]?.name} twice`)
  return encodeNamedBlobs(collateralMagic, [
    { name: 'tee', bytes: new TextEncoder().encode(bundle.tee) },
    ...files.map((file) => ({ name: file.name, bytes: file.bytes })),
  ])
}

export function decodeCollateralBundle(bytes: Uint8Array): CollateralBundle {
  const [tee, ...files] = decodeNamedBlobs(collateralMagic, bytes, 'the collateral bundle', {
    maxEntries: 64,
    maxBytes: 16 << 20,
  })
  const kind = tee?.name === 'tee' ? new TextDecoder().decode(tee.bytes) : ''
  if (kind !== 'tdx' && kind !== 'sev-snp' && kind !== 'sgx' && kind !== 'sim')
    throw new MalformedCollateralError('the collateral bundle does not start with its TEE kind')
  return { tee: kind, files: files.map((file) => ({ name: file.name, bytes: file.bytes })) }
}

/**
 * Builds the bundle for `evidence` by fetching its collateral (Intel PCS, AMD KDS: network, on
 * the provider's side, never inside the enclave). Nothing fetched is trusted: verification checks
 * it all against the pinned vendor roots.
 */
export async function buildCollateralBundle(
  parameters: FetchCollateralParameters,
): Promise<{ bytes: Uint8Array; tee: CollateralBundle['tee'] }> {
  const files = await fetchCollateral(parameters)
  const kind = recogniseEvidence(parameters.evidence)
  const tee = kind === 'intel' ? parseIntelQuote(parameters.evidence).tee : 'sev-snp'
  return { bytes: encodeCollateralBundle({ tee, files }), tee }
}

/** What `verifyEvidence` takes from a bundle: Intel files as collateral, AMD ones as certificates. */
export function collateralForVerification(bundle: CollateralBundle): {
  collateral?: Uint8Array[]
  certs?: Uint8Array[]
} {
  const bytes = bundle.files
    .filter((file) => !file.name.startsWith(gpuPrefix))
    .map((file) => file.bytes)
  return bundle.tee === 'sev-snp' ? { certs: bytes } : { collateral: bytes }
}

/** The GPU's files as a bundle holds them: its certificate chain first, then its collateral. */
export function gpuCollateralFiles(gpu: {
  certificates: Uint8Array
  collateral: Uint8Array[]
}): FetchedFile[] {
  return [
    { name: `${gpuPrefix}certificates.pem`, bytes: gpu.certificates },
    ...gpu.collateral.map((bytes, i) => ({
      name: `${gpuPrefix}collateral-${String(i).padStart(2, '0')}`,
      bytes,
    })),
  ]
}

/** What verifying the GPU's evidence takes from a bundle: its chain, RIMs and OCSP responses. */
export function gpuCollateralOf(bundle: CollateralBundle): Uint8Array[] {
  return bundle.files.filter((file) => file.name.startsWith(gpuPrefix)).map((file) => file.bytes)
}
