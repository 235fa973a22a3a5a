import { type Hex, hexToBytes } from 'viem'
import { BoccError } from '../errors.ts'

/**
 * A secret sealed for one account (a result key, a vendor's content key): AES-256-GCM under a key
 * derived with HKDF-SHA256 from the account's private key, with a context string (what the secret
 * is for, on which chain and market) as associated data. WebCrypto, so the CLI and the explorer's
 * pages seal and open the same files.
 */
export type SealedSecret = { nonce: Uint8Array; ciphertext: Uint8Array }

export class SealedSecretError extends BoccError {
  override name = 'SealedSecretError'
}

const sealedSecretInfo = 'BOCC/sealed-key-file/v1'

async function accountSealingKey(accountPrivateKey: Hex): Promise<CryptoKey> {
  const secret = hexToBytes(accountPrivateKey) as Uint8Array<ArrayBuffer>
  try {
    const derivable = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey'])
    return await crypto.subtle.deriveKey(
      {
        name: 'HKDF',
        hash: 'SHA-256',
        salt: new Uint8Array(0),
        info: new TextEncoder().encode(sealedSecretInfo),
      },
      derivable,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    )
  } finally {
    secret.fill(0)
  }
}

export async function sealSecret(parameters: {
  secret: Uint8Array
  accountPrivateKey: Hex
  context: string
}): Promise<SealedSecret> {
  const nonce = crypto.getRandomValues(new Uint8Array(12))
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce, additionalData: new TextEncoder().encode(parameters.context) },
    await accountSealingKey(parameters.accountPrivateKey),
    parameters.secret as Uint8Array<ArrayBuffer>,
  )
  return { nonce, ciphertext: new Uint8Array(ciphertext) }
}

/** Opens a sealed secret; throws `SealedSecretError` for another account, context, or an altered one. */
export async function openSealedSecret(
  sealed: SealedSecret,
  parameters: { accountPrivateKey: Hex; context: string },
): Promise<Uint8Array> {
  try {
    const secret = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: sealed.nonce as Uint8Array<ArrayBuffer>,
        additionalData: new TextEncoder().encode(parameters.context),
      },
      await accountSealingKey(parameters.accountPrivateKey),
      sealed.ciphertext as Uint8Array<ArrayBuffer>,
    )
    return new Uint8Array(secret)
  } catch {
    throw new SealedSecretError(
      'the secret does not open with this account key (it was sealed for another account, or altered)',
    )
  }
}

/** The context a result key is sealed under: the order request it belongs to. */
export function resultKeyContext(order: {
  chainId: number
  market: Hex
  requestHash: Hex
}): string {
  return `BOCC result key; chain ${order.chainId}; market ${order.market.toLowerCase()}; request ${order.requestHash.toLowerCase()}`
}
