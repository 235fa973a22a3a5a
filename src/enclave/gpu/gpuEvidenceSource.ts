import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex, type Hex, hexToBytes, isHex } from 'viem'
import { parseSpdmMeasurements } from '../../attestation/nvidia/spdmMeasurements.ts'
import { BoccError, shortMessageOf } from '../../errors.ts'

/** What a confidential GPU attests with: its SPDM evidence and what verifying it needs. */
export type GpuEvidence = {
  /** The SPDM GET_MEASUREMENTS request (carrying the nonce) and the GPU's signed response. */
  evidence: Uint8Array
  /** The GPU's device certificate chain (PEM), leaf first. */
  certificates: Uint8Array
  /** NVIDIA's RIMs for its driver and VBIOS and OCSP responses for its chain, when the collector has them. */
  collateral: Uint8Array[]
}

/** Asks the GPU for evidence over a nonce; the evidence carries exactly that nonce. */
export type GpuEvidenceSource = { collect(nonce: Hex): Promise<GpuEvidence> }

export class GpuUnavailableError extends BoccError {
  override name = 'GpuUnavailableError'
}

/** Bounds on what a collector may write: evidence is a few KiB, a RIM some tens of KiB. */
const maxFileBytes = 256 << 10
const maxCollateralFiles = 16
const defaultTimeoutMs = 60_000

/**
 * A GPU evidence source backed by an operator-configured collector command (docs/operations.md,
 * "Confidential GPUs"), so the runtime needs no native addon to reach NVIDIA's driver: it runs
 * `collector <nonce: 64 hex digits> <output directory>` and reads back `evidence.bin` (binary or
 * hex text), `certificates.pem` and, optionally, the files under `collateral/`. It probes the
 * GPU once at start with a random nonce and fails closed: a GPU that cannot attest stops the
 * runtime before it generates any evidence.
 */
export async function createGpuEvidenceSource(parameters: {
  collector: string
  timeoutMs?: number
}): Promise<GpuEvidenceSource> {
  const source: GpuEvidenceSource = {
    collect: (nonce) => collectWith(parameters.collector, nonce, parameters.timeoutMs),
  }
  const probe = bytesToHex(crypto.getRandomValues(new Uint8Array(32)))
  try {
    await source.collect(probe)
  } catch (error) {
    throw new GpuUnavailableError(
      `a confidential GPU is configured but gives no evidence: ${shortMessageOf(error)}`,
      { cause: error },
    )
  }
  return source
}

async function collectWith(collector: string, nonce: Hex, timeoutMs?: number) {
  if (!isHex(nonce) || nonce.length !== 66)
    throw new GpuUnavailableError('the GPU nonce must be 32 bytes of hex')
  const directory = await mkdtemp(join(tmpdir(), 'bocc-gpu-'))
  try {
    await new Promise<void>((resolve, reject) =>
      execFile(
        collector,
        [nonce.slice(2), directory],
        { timeout: timeoutMs ?? defaultTimeoutMs, maxBuffer: 64 << 10 },
        (error, _stdout, stderr) =>
          error
            ? reject(
                new GpuUnavailableError(
                  `the GPU collector failed: ${String(stderr).trim().split('\n').at(-1) || error.message.split('\n')[0]}`,
                ),
              )
            : resolve(),
      ),
    )
    const evidence = decodeHexText(await readBounded(join(directory, 'evidence.bin')))
    let requestNonce: Uint8Array
    try {
      requestNonce = parseSpdmMeasurements(evidence).requestNonce
    } catch (error) {
      throw new GpuUnavailableError(`the GPU evidence does not parse: ${shortMessageOf(error)}`)
    }
    // Verify before trusting: evidence for any other nonce is not this enclave's.
    if (bytesToHex(requestNonce) !== nonce.toLowerCase())
      throw new GpuUnavailableError(
        `the GPU evidence carries nonce ${bytesToHex(requestNonce).slice(0, 18)}…, not the one asked for`,
      )
    const certificates = await readBounded(join(directory, 'certificates.pem'))
    const collateralDirectory = join(directory, 'collateral')
    const names = (await readdir(collateralDirectory).catch(() => [])).sort()
    if (names.length > maxCollateralFiles)
      throw new GpuUnavailableError(
        `the GPU collector wrote ${names.length} collateral files, at most ${maxCollateralFiles} are taken`,
      )
    const collateral = await Promise.all(
      names.map((name) => readBounded(join(collateralDirectory, name))),
    )
    return { evidence, certificates, collateral }
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

async function readBounded(path: string): Promise<Uint8Array> {
  const size = await stat(path).then(
    (found) => found.size,
    () => {
      throw new GpuUnavailableError(`the GPU collector wrote no ${path.split('/').at(-1)}`)
    },
  )
  if (size > maxFileBytes)
    throw new GpuUnavailableError(
      `the GPU collector's ${path.split('/').at(-1)} is ${size} bytes, at most ${maxFileBytes} are taken`,
    )
  return new Uint8Array(await readFile(path))
}

/** nvtrust's tools print evidence as hex: take hex text as the bytes it spells. */
function decodeHexText(bytes: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(bytes).trim()
  if (!/^(0x)?([0-9a-fA-F]{2})+$/.test(text)) return bytes
  return hexToBytes((text.startsWith('0x') ? text : `0x${text}`) as Hex)
}
