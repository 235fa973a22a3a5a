import { existsSync } from 'node:fs'
import { rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { Address, Hex } from 'viem'
import { exportHpkePrivateKey, type HpkeKeyPair, importHpkeKeyPair } from '../crypto/hpke.ts'
import { resultKeyContext } from '../crypto/sealedSecret.ts'
import { BoccError } from '../errors.ts'
import { formatOrderId } from '../protocol/orderTerms.ts'
import { boccHome } from './boccHome.ts'
import { readSealedKeyFile, writeSealedKeyFile } from './sealedKeyFile.ts'

/**
 * Where a customer's result keys (the HPKE private keys its orders' results are sealed to) wait
 * between `orders create` and `orders result`: one sealed key file per order (`sealedKeyFile.ts`)
 * in `<directory>/<chainId>-<market>/`. The key is written before the order exists, named by the
 * order request's hash, and renamed to the order id once the order is created, so a crash in
 * between never loses it. Never on-chain, never in logs.
 */
export type ResultKeyStore = {
  directory: string
  /** Keeps the key of an order about to be created (named by its request hash). */
  saveBeforeOrder(parameters: { requestHash: Hex; resultKey: HpkeKeyPair }): Promise<string>
  /** Names the kept key by the order's id, now that the order exists. */
  bindToOrder(parameters: { requestHash: Hex; orderId: bigint }): Promise<string>
  /** The result key of an order this account placed. */
  load(parameters: { orderId: bigint; requestHash: Hex }): Promise<HpkeKeyPair>
}

export class ResultKeyMissingError extends BoccError {
  override name = 'ResultKeyMissingError'
}

export function createResultKeyStore(parameters: {
  chainId: number
  market: Address
  /** The customer's private key: it seals the stored keys. */
  accountPrivateKey: Hex
  /** Default: `result-keys/` in the BOCC home. */
  directory?: string
}): ResultKeyStore {
  const directory = join(
    parameters.directory ?? join(boccHome(), 'result-keys'),
    `${parameters.chainId}-${parameters.market.toLowerCase()}`,
  )
  const context = (requestHash: Hex) =>
    resultKeyContext({ chainId: parameters.chainId, market: parameters.market, requestHash })
  const pendingPath = (requestHash: Hex) =>
    join(directory, `request-${requestHash.toLowerCase().slice(2)}.json`)
  const orderPath = (orderId: bigint) => join(directory, `${formatOrderId(orderId)}.json`)
  return {
    directory,
    async saveBeforeOrder({ requestHash, resultKey }) {
      const path = pendingPath(requestHash)
      const secret = await exportHpkePrivateKey(resultKey)
      try {
        await writeSealedKeyFile(path, {
          secret,
          accountPrivateKey: parameters.accountPrivateKey,
          context: context(requestHash),
          fields: { requestHash, resultPublicKey: resultKey.publicKey },
        })
      } finally {
        secret.fill(0)
      }
      return path
    },
    async bindToOrder({ requestHash, orderId }) {
      await rename(pendingPath(requestHash), orderPath(orderId))
      return orderPath(orderId)
    },
    async load({ orderId, requestHash }) {
      const path = [orderPath(orderId), pendingPath(requestHash)].find((candidate) =>
        existsSync(candidate),
      )
      if (!path)
        throw new ResultKeyMissingError(
          `no result key for order ${formatOrderId(orderId)} in ${directory}; only the account and machine that placed the order can read its result`,
        )
      const { secret, fields } = await readSealedKeyFile(path, {
        accountPrivateKey: parameters.accountPrivateKey,
        context: context(requestHash),
      })
      try {
        return await importHpkeKeyPair({
          privateKey: secret,
          publicKey: fields.resultPublicKey as Hex,
        })
      } finally {
        secret.fill(0)
      }
    },
  }
}
