import { readFile, stat, writeFile } from 'node:fs/promises'
import { type Address, getAddress, type Hex, isAddress, isHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { BoccError } from '../errors.ts'

/** A key file's content: `{ version: 1, address, privateKey }` (docs/protocol.md, "Key files"). */
export type KeyFile = { version: 1; address: Address; privateKey: Hex }

export class KeyFileError extends BoccError {
  override name = 'KeyFileError'
}

/** Writes a key file readable by its owner only (mode 0600); refuses to overwrite one. */
export async function writeKeyFile(
  path: string,
  privateKey: Hex = generatePrivateKey(),
): Promise<KeyFile> {
  const key: KeyFile = { version: 1, address: privateKeyToAccount(privateKey).address, privateKey }
  try {
    await writeFile(path, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new KeyFileError(`${path} exists; refusing to overwrite a key file`)
    throw new KeyFileError(`cannot write the key file ${path}`, { cause: error })
  }
  return key
}

/**
 * Reads a key file: the project's JSON format, or a file holding only a 0x-prefixed hex private
 * key. A file that group or others can read is refused: the key would not be the owner's alone.
 */
export async function readKeyFile(path: string): Promise<KeyFile> {
  let mode: number
  let text: string
  try {
    mode = (await stat(path)).mode
    text = (await readFile(path, 'utf8')).trim()
  } catch {
    throw new KeyFileError(`cannot read the key file ${path}`)
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0)
    throw new KeyFileError(
      `${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${path}\``,
    )
  if (isHex(text) && text.length === 66)
    return { version: 1, address: privateKeyToAccount(text).address, privateKey: text }
  let value: Partial<KeyFile>
  try {
    value = JSON.parse(text)
  } catch {
    throw new KeyFileError(`${path} is neither a BOCC key file nor a hex private key`)
  }
  if (value.version !== 1 || !isHex(value.privateKey) || value.privateKey.length !== 66)
    throw new KeyFileError(
      `${path} is not a BOCC key file (expected { version: 1, address, privateKey })`,
    )
  const address = privateKeyToAccount(value.privateKey).address
  if (!isAddress(String(value.address)) || getAddress(String(value.address)) !== address)
    throw new KeyFileError(`${path}: the address does not belong to the private key`)
  return { version: 1, address, privateKey: value.privateKey }
}
