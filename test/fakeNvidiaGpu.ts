/**
 * Test-only: a stand-in NVIDIA device hierarchy (root → ICA → device leaf, ECDSA P-384) with keys
 * the test holds, the real H100 SPDM evidence re-signed by its leaf, and an OCSP responder for it.
 * No OCSP response of NVIDIA's ships with the vectors, and none can be made for the real chain.
 * It also plays the GPU for an enclave runtime: `evidenceFor` answers any nonce the way the GPU
 * would (the real H100 evidence with that nonce in its request, re-signed by the stand-in leaf),
 * and `writeCollector` installs a collector command that does so (test/fakeNvidiaGpuCollector.ts).
 * Its root is no NVIDIA root: the production policy refuses all it signs.
 */
import 'reflect-metadata'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  id_pkix_ocsp_basic,
  OCSPResponse,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
} from '@peculiar/asn1-ocsp'
import { AsnConvert, OctetString } from '@peculiar/asn1-schema'
import { AlgorithmIdentifier, Name, SubjectPublicKeyInfo } from '@peculiar/asn1-x509'
import { type X509Certificate, X509CertificateGenerator } from '@peculiar/x509'
import { parseSpdmMeasurements } from '../src/attestation/nvidia/spdmMeasurements.ts'

const p384 = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const

type Authority = { certificate: X509Certificate; keys: CryptoKeyPair }

export type FakeNvidiaGpu = {
  root: X509Certificate
  /** The device chain, leaf first, as PEM. */
  chainPem: Uint8Array
  /** The real evidence with its signature replaced by the stand-in leaf's. */
  evidence: Uint8Array
  leaf: X509Certificate
  ica: X509Certificate
  /** The real evidence with `nonce` (32 bytes) as the request's nonce, signed by the stand-in leaf. */
  evidenceFor(nonce: Uint8Array): Promise<Uint8Array>
  /**
   * Writes a collector command into `directory` that answers like this GPU (docs/operations.md,
   * "Confidential GPUs"), with `collateral` (RIMs, OCSP responses) beside its evidence; resolves
   * to the command's path. `misbehave` makes it answer for another nonce, or fail.
   */
  writeCollector(
    directory: string,
    options?: { collateral?: Uint8Array[]; misbehave?: 'other-nonce' | 'fail' },
  ): Promise<string>
  /** An OCSP response by `by` ('root' or 'ica') about `certificate`, with that status. */
  ocspResponse(parameters: {
    by: 'root' | 'ica'
    certificate: X509Certificate
    status: 'good' | 'revoked' | 'unknown'
    thisUpdate: Date
    nextUpdate: Date
  }): Promise<Uint8Array>
}

export async function createFakeNvidiaGpu(
  realEvidence: Uint8Array,
  window: { notBefore: Date; notAfter: Date },
): Promise<FakeNvidiaGpu> {
  const keys = () =>
    crypto.subtle.generateKey(p384, true, ['sign', 'verify']) as Promise<CryptoKeyPair>
  const [rootKeys, icaKeys, leafKeys] = await Promise.all([keys(), keys(), keys()])
  const root = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Stand-in NVIDIA Device Identity CA, O=BOCC tests',
    ...window,
    keys: rootKeys,
    signingAlgorithm: p384,
  })
  const issue = (serialNumber: string, subject: string, issuer: Authority, publicKey: CryptoKey) =>
    X509CertificateGenerator.create({
      serialNumber,
      subject,
      issuer: issuer.certificate.subject,
      ...window,
      publicKey,
      signingKey: issuer.keys.privateKey,
      signingAlgorithm: p384,
    })
  const ica = await issue(
    '02',
    'CN=Stand-in GH100 ICA, O=BOCC tests',
    { certificate: root, keys: rootKeys },
    icaKeys.publicKey,
  )
  const leaf = await issue(
    '03',
    'CN=Stand-in GH100 GSP FMC LF, O=BOCC tests',
    { certificate: ica, keys: icaKeys },
    leafKeys.publicKey,
  )
  const { signedBytes, requestNonce } = parseSpdmMeasurements(realEvidence)
  const evidence = await resignWithNonce(realEvidence, requestNonce, leafKeys.privateKey)
  const authorities: Record<'root' | 'ica', Authority> = {
    root: { certificate: root, keys: rootKeys },
    ica: { certificate: ica, keys: icaKeys },
  }
  return {
    root,
    leaf,
    ica,
    chainPem: new TextEncoder().encode(
      [leaf, ica, root].map((certificate) => certificate.toString('pem')).join('\n'),
    ),
    evidence,
    evidenceFor: (nonce) => resignWithNonce(realEvidence, nonce, leafKeys.privateKey),
    async writeCollector(directory, options = {}) {
      const state = join(directory, 'state')
      await mkdir(join(state, 'collateral'), { recursive: true })
      const key = new Uint8Array(await crypto.subtle.exportKey('pkcs8', leafKeys.privateKey))
      await writeFile(join(state, 'device-key.pk8'), key, { mode: 0o600 })
      await writeFile(
        join(state, 'evidence.bin'),
        realEvidence.subarray(0, signedBytes.length + 96),
      )
      await writeFile(
        join(state, 'certificates.pem'),
        [leaf, ica, root].map((certificate) => certificate.toString('pem')).join('\n'),
      )
      await Promise.all(
        (options.collateral ?? []).map((file, i) =>
          writeFile(join(state, 'collateral', `file-${i}`), file),
        ),
      )
      if (options.misbehave) await writeFile(join(state, 'misbehave'), options.misbehave)
      const command = join(directory, 'gpu-collector')
      await writeFile(
        command,
        `#!/bin/sh\nexec '${process.execPath}' '${collectorScript}' '${state}' "$@"\n`,
      )
      await chmod(command, 0o755)
      return command
    },
    async ocspResponse({ by, certificate, status, thisUpdate, nextUpdate }) {
      const issuer = authorities[by]
      const sha256 = async (bytes: ArrayBuffer) =>
        new OctetString(await crypto.subtle.digest('SHA-256', bytes))
      const keyBits = AsnConvert.parse(
        issuer.certificate.publicKey.rawData,
        SubjectPublicKeyInfo,
      ).subjectPublicKey
      const tbsResponseData = new ResponseData({
        responderID: new ResponderID({
          byName: AsnConvert.parse(issuer.certificate.subjectName.toArrayBuffer(), Name),
        }),
        producedAt: thisUpdate,
        responses: [
          new SingleResponse({
            certID: new CertID({
              hashAlgorithm: new AlgorithmIdentifier({
                algorithm: '2.16.840.1.101.3.4.2.1',
                parameters: null,
              }),
              issuerNameHash: await sha256(issuer.certificate.subjectName.toArrayBuffer()),
              issuerKeyHash: await sha256(keyBits),
              serialNumber: Uint8Array.from(Buffer.from(certificate.serialNumber, 'hex')).buffer,
            }),
            certStatus: new CertStatus(
              status === 'good'
                ? { good: null }
                : status === 'revoked'
                  ? { revoked: new RevokedInfo({ revocationTime: thisUpdate }) }
                  : { unknown: null },
            ),
            thisUpdate,
            nextUpdate,
          }),
        ],
      })
      const signed = AsnConvert.serialize(tbsResponseData)
      const raw = new Uint8Array(await crypto.subtle.sign(p384, issuer.keys.privateKey, signed))
      const basic = new BasicOCSPResponse({
        tbsResponseData,
        signatureAlgorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.3' }),
        signature: derSignature(raw).buffer as ArrayBuffer,
      })
      return new Uint8Array(
        AsnConvert.serialize(
          new OCSPResponse({
            responseStatus: 0,
            responseBytes: new ResponseBytes({
              responseType: id_pkix_ocsp_basic,
              response: new OctetString(AsnConvert.serialize(basic)),
            }),
          }),
        ),
      )
    },
  }
}

const collectorScript = join(dirname(fileURLToPath(import.meta.url)), 'fakeNvidiaGpuCollector.ts')

/** SPDM evidence with `nonce` in place of its request's nonce, signed (ECDSA P-384) by `key`. */
export async function resignWithNonce(
  evidence: Uint8Array,
  nonce: Uint8Array,
  key: CryptoKey,
): Promise<Uint8Array> {
  if (nonce.length !== 32) throw new Error('an SPDM nonce is 32 bytes')
  const signedBytes = Uint8Array.from(parseSpdmMeasurements(evidence).signedBytes)
  // The request is header (4 bytes) ‖ nonce (32) ‖ slot: the nonce sits at bytes 4..35.
  signedBytes.set(nonce, 4)
  const signature = new Uint8Array(await crypto.subtle.sign(p384, key, signedBytes))
  const out = new Uint8Array(signedBytes.length + signature.length)
  out.set(signedBytes)
  out.set(signature, signedBytes.length)
  return out
}

/** r ‖ s as a DER SEQUENCE of two INTEGERs. */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0
    while (start < bytes.length - 1 && bytes[start] === 0) start++
    const value = bytes.subarray(start)
    const padded = (value[0] as number) & 0x80 ? Uint8Array.of(0, ...value) : value
    return Uint8Array.of(0x02, padded.length, ...padded)
  }
  const half = raw.length / 2
  const body = Uint8Array.of(...integer(raw.subarray(0, half)), ...integer(raw.subarray(half)))
  return Uint8Array.of(0x30, body.length, ...body)
}
