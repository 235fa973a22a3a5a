import assert from 'node:assert/strict'
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { bytesToHex, type Hex, hexToBytes } from 'viem'
import { exportHpkePrivateKey, generateHpkeKeyPair, unwrapKey, wrapKey } from '../../crypto/hpke.ts'
import { resultKeyInfo } from '../../protocol/resultKey.ts'
import { resultKeyFromInput } from './resultKeyInput.ts'

const order = {
  chainId: 31337,
  market: '0x00000000000000000000000000000000000000Aa' as const,
  requestHash: `0x${'cd'.repeat(32)}` as Hex,
  resultPublicKey: `0x${'00'.repeat(32)}` as Hex,
}
const context = `BOCC result key; chain 31337; market ${order.market.toLowerCase()}; request ${order.requestHash}`

/** A sealed key file as the CLI writes one (AES-256-GCM under HKDF-SHA256 of the account key), made with node:crypto. */
function sealedKeyFile(secret: Uint8Array, accountPrivateKey: Hex, fileContext = context): string {
  const key = Buffer.from(
    hkdfSync(
      'sha256',
      hexToBytes(accountPrivateKey),
      new Uint8Array(0),
      'BOCC/sealed-key-file/v1',
      32,
    ),
  )
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  cipher.setAAD(new TextEncoder().encode(fileContext))
  const ciphertext = Buffer.concat([cipher.update(secret), cipher.final(), cipher.getAuthTag()])
  return JSON.stringify({
    version: 1,
    context: fileContext,
    fields: { requestHash: order.requestHash },
    nonce: bytesToHex(nonce),
    ciphertext: bytesToHex(ciphertext),
  })
}

describe('result keys a customer gives the page', async () => {
  const pair = await generateHpkeKeyPair()
  const secret = await exportHpkePrivateKey(pair)
  const key = crypto.getRandomValues(new Uint8Array(32))
  const aad = new Uint8Array([1, 2, 3])
  const wrapped = await wrapKey({
    recipientPublicKey: pair.publicKey,
    key,
    info: resultKeyInfo,
    aad,
  })
  const opens = async (resultKey: { privateKey: CryptoKey }) =>
    assert.deepEqual(
      await unwrapKey({
        recipientPrivateKey: resultKey.privateKey,
        wrapped,
        info: resultKeyInfo,
        aad,
      }),
      key,
    )
  const accountKey = `0x${'42'.repeat(32)}` as Hex

  it('takes the raw key, with or without 0x', async () => {
    await opens(await resultKeyFromInput({ text: ` ${bytesToHex(secret)}\n`, order }))
    await opens(await resultKeyFromInput({ text: bytesToHex(secret).slice(2), order }))
  })

  it('opens the CLI’s sealed key file with the account’s key file or key, in WebCrypto', async () => {
    const file = sealedKeyFile(secret, accountKey)
    const keyFile = JSON.stringify({ version: 1, address: '0x…', privateKey: accountKey })
    await opens(await resultKeyFromInput({ text: file, accountKey: keyFile, order }))
    await opens(await resultKeyFromInput({ text: file, accountKey, order }))
  })

  it('says in one line why a key or file does not do', async () => {
    const file = sealedKeyFile(secret, accountKey)
    const refusals: [Parameters<typeof resultKeyFromInput>[0], RegExp][] = [
      [{ text: 'hello', order }, /neither a result key/],
      [{ text: file, order }, /give its key file too/],
      [
        { text: file, accountKey: `0x${'43'.repeat(32)}`, order },
        /does not open with this account key/,
      ],
      [
        { text: sealedKeyFile(secret, accountKey, 'another context'), accountKey, order },
        /for something else/,
      ],
      [{ text: file, accountKey: 'not a key', order }, /not a key file or 0x/],
      [{ text: '{"version":1}', order }, /not a BOCC sealed key file/],
    ]
    for (const [input, message] of refusals)
      await assert.rejects(resultKeyFromInput(input), { shortMessage: message })
  })
})
