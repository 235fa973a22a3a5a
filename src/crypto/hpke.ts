import {
  Aes256Gcm,
  CipherSuite,
  HkdfSha256,
  DhkemX25519HkdfSha256 as WebCryptoX25519,
} from '@hpke/core'
import { DhkemX25519HkdfSha256 as JavaScriptX25519 } from '@hpke/dhkem-x25519'
import { bytesToHex, type Hex, hexToBytes } from 'viem'
import { BoccError } from '../errors.ts'

/**
 * RFC 9180 suite used for every key wrap in BOCC: X25519, HKDF-SHA256, AES-256-GCM. X25519 is
 * WebCrypto's where the platform has it (Node, current browsers: about ten times faster, measured
 * in BENCHMARKS.md), else the audited pure-JavaScript one (noble); both are the same function, so
 * either end may use either. Chosen once per process: a key pair made by one stays with it.
 */
let chosen: Promise<{ suite: CipherSuite; x25519: 'webcrypto' | 'javascript' }> | undefined
const choose = () =>
  (chosen ??= globalThis.crypto.subtle
    .generateKey({ name: 'X25519' }, false, ['deriveBits'])
    .then(
      () => 'webcrypto' as const,
      () => 'javascript' as const,
    )
    .then((x25519) => ({
      x25519,
      suite: new CipherSuite({
        kem: x25519 === 'webcrypto' ? new WebCryptoX25519() : new JavaScriptX25519(),
        kdf: new HkdfSha256(),
        aead: new Aes256Gcm(),
      }),
    })))
const suiteOf = async () => (await choose()).suite

/** Which X25519 this process uses: WebCrypto's, or the pure-JavaScript fallback. */
export async function x25519Implementation(): Promise<'webcrypto' | 'javascript'> {
  return (await choose()).x25519
}

/** A key sealed to one recipient: the HPKE encapsulated key and the ciphertext. */
export type WrappedKey = { enc: Hex; ciphertext: Hex }

export type HpkeKeyPair = { publicKey: Hex; privateKey: CryptoKey }

export class KeyUnwrapError extends BoccError {
  override name = 'KeyUnwrapError'
  constructor(cause?: unknown) {
    super('the wrapped key could not be opened with this key and context', { cause })
  }
}

/** Generates an X25519 key pair; the private key stays a non-exported CryptoKey where possible. */
export async function generateHpkeKeyPair(): Promise<HpkeKeyPair> {
  const suite = await suiteOf()
  const pair = await suite.kem.generateKeyPair()
  return { publicKey: await serializePublicKey(pair.publicKey), privateKey: pair.privateKey }
}

/**
 * The raw 32-byte X25519 private key, to keep a key pair beyond this process (encrypted at rest).
 * A copy: the library hands out the key's own bytes, which wiping the export must not erase.
 */
export async function exportHpkePrivateKey(pair: HpkeKeyPair): Promise<Uint8Array> {
  const suite = await suiteOf()
  return new Uint8Array(await suite.kem.serializePrivateKey(pair.privateKey)).slice()
}

/** A key pair from its raw private key and its public key, as {@link exportHpkePrivateKey} kept them. */
export async function importHpkeKeyPair(parameters: {
  privateKey: Uint8Array
  publicKey: Hex
}): Promise<HpkeKeyPair> {
  const suite = await suiteOf()
  const privateKey = await suite.kem.deserializePrivateKey(toArrayBuffer(parameters.privateKey))
  return { publicKey: parameters.publicKey, privateKey }
}

async function serializePublicKey(key: CryptoKey): Promise<Hex> {
  const suite = await suiteOf()
  return bytesToHex(new Uint8Array(await suite.kem.serializePublicKey(key)))
}

export type WrapKeyParameters = {
  /** Raw 32-byte X25519 public key of the recipient. */
  recipientPublicKey: Hex
  /** The secret to seal (a data key). */
  key: Uint8Array
  /** Context string naming the purpose of the key (domain separation). */
  info: string
  /** Public values the key is bound to; the same bytes are needed to open it. */
  aad: Uint8Array
}

/** Seals `key` to the recipient (HPKE base mode, single shot). */
export async function wrapKey(parameters: WrapKeyParameters): Promise<WrappedKey> {
  const suite = await suiteOf()
  const recipientPublicKey = await suite.kem.deserializePublicKey(
    toArrayBuffer(hexToBytes(parameters.recipientPublicKey)),
  )
  const { enc, ct } = await suite.seal(
    { recipientPublicKey, info: toArrayBuffer(new TextEncoder().encode(parameters.info)) },
    toArrayBuffer(parameters.key),
    toArrayBuffer(parameters.aad),
  )
  return {
    enc: bytesToHex(new Uint8Array(enc)),
    ciphertext: bytesToHex(new Uint8Array(ct)),
  }
}

export type UnwrapKeyParameters = {
  recipientPrivateKey: CryptoKey
  wrapped: WrappedKey
  info: string
  aad: Uint8Array
}

/** Opens a key sealed by {@link wrapKey}; throws {@link KeyUnwrapError} on any mismatch. */
export async function unwrapKey(parameters: UnwrapKeyParameters): Promise<Uint8Array> {
  const suite = await suiteOf()
  try {
    const plaintext = await suite.open(
      {
        recipientKey: parameters.recipientPrivateKey,
        enc: toArrayBuffer(hexToBytes(parameters.wrapped.enc)),
        info: toArrayBuffer(new TextEncoder().encode(parameters.info)),
      },
      toArrayBuffer(hexToBytes(parameters.wrapped.ciphertext)),
      toArrayBuffer(parameters.aad),
    )
    return new Uint8Array(plaintext)
  } catch (error) {
    throw new KeyUnwrapError(error)
  }
}

/** A message sealed to one recipient, and a secret both sides export from the same HPKE context. */
export type SealedWithSecret = {
  enc: Hex
  ciphertext: Hex
  exportedSecret: Uint8Array
  /** One secret per `moreExporterContexts`, in their order. */
  moreSecrets: Uint8Array[]
}

type ExportParameters = {
  /** The exporter context (RFC 9180 §5.3) naming what the exported secret is for. */
  exporterContext: string
  /** Bytes of secret to export (also of each further one). */
  exportLength: number
  /** Further secrets to export from the same context, each for its own purpose. */
  moreExporterContexts?: string[]
}

export type SealAndExportParameters = WrapKeyParameters & ExportParameters

/** The secrets an HPKE context exports, first the main one. */
async function exportSecrets(
  context: { export(exporterContext: ArrayBuffer, length: number): Promise<ArrayBuffer> },
  parameters: ExportParameters,
): Promise<Uint8Array[]> {
  const secrets: Uint8Array[] = []
  for (const name of [parameters.exporterContext, ...(parameters.moreExporterContexts ?? [])])
    secrets.push(
      new Uint8Array(
        await context.export(
          toArrayBuffer(new TextEncoder().encode(name)),
          parameters.exportLength,
        ),
      ),
    )
  return secrets
}

/**
 * Seals one message to the recipient (HPKE base mode) and exports a secret from the same context,
 * as Oblivious HTTP (RFC 9458) derives its response key: only the recipient can derive it too.
 */
export async function sealAndExport(
  parameters: SealAndExportParameters,
): Promise<SealedWithSecret> {
  const suite = await suiteOf()
  const recipientPublicKey = await suite.kem.deserializePublicKey(
    toArrayBuffer(hexToBytes(parameters.recipientPublicKey)),
  )
  const sender = await suite.createSenderContext({
    recipientPublicKey,
    info: toArrayBuffer(new TextEncoder().encode(parameters.info)),
  })
  const ciphertext = await sender.seal(toArrayBuffer(parameters.key), toArrayBuffer(parameters.aad))
  const [exportedSecret, ...moreSecrets] = await exportSecrets(sender, parameters)
  return {
    enc: bytesToHex(new Uint8Array(sender.enc)),
    ciphertext: bytesToHex(new Uint8Array(ciphertext)),
    exportedSecret: exportedSecret as Uint8Array,
    moreSecrets,
  }
}

/** Opens a message of {@link sealAndExport} and exports the same secret; throws {@link KeyUnwrapError}. */
export async function openAndExport(
  parameters: UnwrapKeyParameters & ExportParameters,
): Promise<{ plaintext: Uint8Array; exportedSecret: Uint8Array; moreSecrets: Uint8Array[] }> {
  const suite = await suiteOf()
  try {
    const recipient = await suite.createRecipientContext({
      recipientKey: parameters.recipientPrivateKey,
      enc: toArrayBuffer(hexToBytes(parameters.wrapped.enc)),
      info: toArrayBuffer(new TextEncoder().encode(parameters.info)),
    })
    const plaintext = await recipient.open(
      toArrayBuffer(hexToBytes(parameters.wrapped.ciphertext)),
      toArrayBuffer(parameters.aad),
    )
    const [exportedSecret, ...moreSecrets] = await exportSecrets(recipient, parameters)
    return {
      plaintext: new Uint8Array(plaintext),
      exportedSecret: exportedSecret as Uint8Array,
      moreSecrets,
    }
  } catch (error) {
    throw new KeyUnwrapError(error)
  }
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer
}
