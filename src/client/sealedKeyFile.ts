import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { bytesToHex, type Hex, hexToBytes, isHex } from 'viem'
import { openSealedSecret, sealSecret } from '../crypto/sealedSecret.ts'
import { BoccError } from '../errors.ts'

/**
 * A secret kept on disk for one account (a result key between `orders create` and `orders
 * result`, a vendor's content key), sealed to the account's key under a context string
 * (`sealedSecret.ts`), in a file of mode 0600 inside a directory of mode 0700. Whoever has the
 * file alone learns nothing; whoever has the account's key file could spend its funds anyway.
 */
export type SealedKeyFile = {
  version: 1
  /** What the secret is, and for what: the associated data of the encryption. */
  context: string
  /** Public values kept beside the secret (never secret themselves). */
  fields: Record<string, string>
  nonce: Hex
  ciphertext: Hex
}

export class SealedKeyFileError extends BoccError {
  override name = 'SealedKeyFileError'
}

/** Writes the sealed secret atomically (a reader never sees half a file); mode 0600. */
export async function writeSealedKeyFile(
  path: string,
  parameters: {
    secret: Uint8Array
    accountPrivateKey: Hex
    context: string
    fields?: Record<string, string>
  },
): Promise<void> {
  const { nonce, ciphertext } = await sealSecret(parameters)
  const file: SealedKeyFile = {
    version: 1,
    context: parameters.context,
    fields: parameters.fields ?? {},
    nonce: bytesToHex(nonce),
    ciphertext: bytesToHex(ciphertext),
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.partial`
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  await rename(temporary, path)
}

/** Reads and opens a sealed secret; refuses a file others can read, or one sealed for another context. */
export async function readSealedKeyFile(
  path: string,
  parameters: { accountPrivateKey: Hex; context: string },
): Promise<{ secret: Uint8Array; fields: Record<string, string> }> {
  let text: string
  let mode: number
  try {
    mode = (await stat(path)).mode
    text = await readFile(path, 'utf8')
  } catch {
    throw new SealedKeyFileError(`cannot read the key file ${path}`)
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0)
    throw new SealedKeyFileError(
      `${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${path}\``,
    )
  let file: SealedKeyFile
  try {
    file = JSON.parse(text)
  } catch {
    throw new SealedKeyFileError(`${path} is not a BOCC sealed key file`)
  }
  if (file?.version !== 1 || !isHex(file.nonce) || !isHex(file.ciphertext))
    throw new SealedKeyFileError(`${path} is not a BOCC sealed key file`)
  if (file.context !== parameters.context)
    throw new SealedKeyFileError(`${path} holds a key for something else (${file.context})`)
  const sealed = hexToBytes(file.ciphertext)
  if (sealed.length < 16) throw new SealedKeyFileError(`${path} is truncated`)
  try {
    const secret = await openSealedSecret(
      { nonce: hexToBytes(file.nonce), ciphertext: sealed },
      parameters,
    )
    return { secret, fields: file.fields ?? {} }
  } catch {
    throw new SealedKeyFileError(
      `${path} does not open with this account's key (it was sealed for another account, or altered)`,
    )
  }
}
