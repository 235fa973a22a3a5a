import { type Address, type Hex, hexToBytes, isHex } from 'viem'
import { type HpkeKeyPair, importHpkeKeyPair } from '../../crypto/hpke.ts'
import { openSealedSecret, resultKeyContext } from '../../crypto/sealedSecret.ts'
import { BoccError } from '../../errors.ts'

export class ResultKeyInputError extends BoccError {
  override name = 'ResultKeyInputError'
}

/** The order a result key is for: where the CLI's sealed key file binds it. */
export type ResultKeyOrder = {
  chainId: number
  market: Address
  requestHash: Hex
  /** The order request's result public key. */
  resultPublicKey: Hex
}

/**
 * A result key from what a customer pastes or picks, opened in this page only:
 * - the raw X25519 private key, 0x and 64 hex digits (what the page shows after placing an order);
 * - or the CLI's sealed key file (`{ version: 1, context, fields, nonce, ciphertext }`, sealed as
 *   `sealedSecret.ts` says), with the account's key file (`{ privateKey }`) or its private key in hex.
 */
export async function resultKeyFromInput(parameters: {
  text: string
  accountKey?: string
  order: ResultKeyOrder
}): Promise<HpkeKeyPair> {
  const text = parameters.text.trim()
  const raw = /^(0x)?([0-9a-fA-F]{64})$/.exec(text)
  let privateKey: Uint8Array
  if (raw) privateKey = hexToBytes(`0x${raw[2]}`)
  else {
    let file: Record<string, unknown>
    try {
      file = JSON.parse(text)
    } catch {
      throw new ResultKeyInputError(
        'this is neither a result key (0x and 64 hex digits) nor a BOCC sealed key file',
      )
    }
    privateKey = await openSealedResultKey(file, parameters)
  }
  try {
    return await importHpkeKeyPair({ privateKey, publicKey: parameters.order.resultPublicKey })
  } catch (error) {
    throw new ResultKeyInputError('this is not an X25519 private key', { cause: error })
  } finally {
    privateKey.fill(0)
  }
}

async function openSealedResultKey(
  file: Record<string, unknown>,
  parameters: { accountKey?: string; order: ResultKeyOrder },
): Promise<Uint8Array> {
  if (file?.version !== 1 || !isHex(file.nonce) || !isHex(file.ciphertext))
    throw new ResultKeyInputError('this is not a BOCC sealed key file')
  const { order } = parameters
  const context = resultKeyContext(order)
  if (file.context !== context)
    throw new ResultKeyInputError(`this key file is for something else (${String(file.context)})`)
  const accountPrivateKey = accountPrivateKeyOf(parameters.accountKey)
  try {
    return await openSealedSecret(
      { nonce: hexToBytes(file.nonce), ciphertext: hexToBytes(file.ciphertext) },
      { accountPrivateKey, context },
    )
  } catch {
    throw new ResultKeyInputError(
      'the key file does not open with this account key (it was sealed for another account, or altered)',
    )
  }
}

/** The account's private key from its key file (`{ "privateKey": "0x…" }`) or as hex. */
function accountPrivateKeyOf(text: string | undefined): Hex {
  if (!text?.trim())
    throw new ResultKeyInputError(
      'a sealed key file opens with the account key that placed the order: give its key file too',
    )
  let candidate = text.trim()
  try {
    const parsed = JSON.parse(candidate) as { privateKey?: unknown }
    if (typeof parsed?.privateKey === 'string') candidate = parsed.privateKey
  } catch {}
  if (!/^0x[0-9a-fA-F]{64}$/.test(candidate))
    throw new ResultKeyInputError('the account key is not a key file or 0x and 64 hex digits')
  return candidate as Hex
}
