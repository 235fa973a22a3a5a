import { sha256 } from '@noble/hashes/sha2'
import { bytesToHex, type Hex } from 'viem'

/** An incremental SHA-256 whose digest is `0x` + 64 lower-case hex digits. */
export type Sha256Hasher = { update(bytes: Uint8Array): void; digestHex(): Hex }

/**
 * SHA-256 from `node:crypto` where the runtime has it (fetched without an import, so bundlers leave
 * it alone; about ten times faster than JavaScript: 39 against 463 ms for 64 MiB here), else the
 * audited pure-JS one of @noble/hashes (browsers). Models and bundles of hundreds of MiB are hashed
 * several times on their way into an enclave: this is the one SHA-256 for bytes of any size.
 */
export function createSha256(): Sha256Hasher {
  const nodeCrypto = globalThis.process?.getBuiltinModule?.('node:crypto')
  if (nodeCrypto) {
    const hash = nodeCrypto.createHash('sha256')
    return { update: (bytes) => hash.update(bytes), digestHex: () => `0x${hash.digest('hex')}` }
  }
  const hash = sha256.create()
  return { update: (bytes) => hash.update(bytes), digestHex: () => bytesToHex(hash.digest()) }
}

/** The SHA-256 of `bytes`, as `0x` + 64 lower-case hex digits (what viem's `sha256` returns). */
export function sha256Of(bytes: Uint8Array): Hex {
  const hash = createSha256()
  hash.update(bytes)
  return hash.digestHex()
}
