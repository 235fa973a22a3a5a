import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Address, Hex } from 'viem'
import { BoccError } from '../errors.ts'
import { boccHome } from './boccHome.ts'
import { readSealedKeyFile, writeSealedKeyFile } from './sealedKeyFile.ts'

/**
 * A vendor's content keys (the AES-256 key of a published data set or encrypted solution), kept
 * for the owner agent that releases them order by order: one sealed key file per content hash
 * (`sealedKeyFile.ts`) in `<directory>/<chainId>-<market>/`, with the vendor's release policy
 * beside it in the clear (a policy is not secret).
 */
export type ContentKeyStore = {
  directory: string
  save(parameters: {
    kind: ContentKind
    contentHash: Hex
    key: Uint8Array
    policy?: unknown
  }): Promise<string>
  load(parameters: {
    kind: ContentKind
    contentHash: Hex
  }): Promise<{ key: Uint8Array; policy?: unknown }>
  has(parameters: { kind: ContentKind; contentHash: Hex }): boolean
}

export type ContentKind = 'data' | 'solution'

export class ContentKeyMissingError extends BoccError {
  override name = 'ContentKeyMissingError'
}

export function createContentKeyStore(parameters: {
  chainId: number
  market: Address
  /** The vendor's private key: it seals the stored keys. */
  accountPrivateKey: Hex
  /** Default: `owner-keys/` in the BOCC home. */
  directory?: string
}): ContentKeyStore {
  const directory = join(
    parameters.directory ?? join(boccHome(), 'owner-keys'),
    `${parameters.chainId}-${parameters.market.toLowerCase()}`,
  )
  const pathOf = (kind: ContentKind, contentHash: Hex) =>
    join(directory, `${kind}-${contentHash.toLowerCase().slice(2)}.json`)
  const context = (kind: ContentKind, contentHash: Hex) =>
    `BOCC ${kind} key; chain ${parameters.chainId}; market ${parameters.market.toLowerCase()}; content ${contentHash.toLowerCase()}`
  return {
    directory,
    async save({ kind, contentHash, key, policy }) {
      const path = pathOf(kind, contentHash)
      await writeSealedKeyFile(path, {
        secret: key,
        accountPrivateKey: parameters.accountPrivateKey,
        context: context(kind, contentHash),
        fields: {
          contentHash,
          ...(policy === undefined ? {} : { policy: JSON.stringify(policy) }),
        },
      })
      return path
    },
    async load({ kind, contentHash }) {
      const path = pathOf(kind, contentHash)
      if (!existsSync(path))
        throw new ContentKeyMissingError(`no key for the ${kind} ${contentHash} in ${directory}`)
      const { secret, fields } = await readSealedKeyFile(path, {
        accountPrivateKey: parameters.accountPrivateKey,
        context: context(kind, contentHash),
      })
      return { key: secret, ...(fields.policy ? { policy: JSON.parse(fields.policy) } : {}) }
    },
    has: ({ kind, contentHash }) => existsSync(pathOf(kind, contentHash)),
  }
}
