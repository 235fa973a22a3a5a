import { bytesToHex, concatBytes, hexToBigInt } from 'viem'
import type { ChainConnection } from '../../connectChain.ts'

/** EIP-7951 P256VERIFY (active from the osaka hardfork): what on-chain TDX verification rests on. */
export const p256PrecompileAddress = '0x0000000000000000000000000000000000000100'

const ecdsaP256 = { name: 'ECDSA', namedCurve: 'P-256' } as const

/**
 * Whether the chain answers the P-256 precompile: a signature made now with a fresh key must
 * verify (return 1) and the same signature over another digest must not (return nothing).
 */
export async function hasP256Precompile(connection: ChainConnection): Promise<boolean> {
  const keys = (await crypto.subtle.generateKey(ecdsaP256, true, ['sign'])) as CryptoKeyPair
  const message = new TextEncoder().encode('BOCC/p256-probe/v1')
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', message))
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, message),
  )
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey)).subarray(1)
  const answer = async (hash: Uint8Array) => {
    const { data } = await connection.publicClient
      .call({
        to: p256PrecompileAddress,
        data: bytesToHex(concatBytes([hash, signature, publicKey])),
      })
      .catch(() => ({ data: undefined }))
    return data && data.length === 66 ? hexToBigInt(data) : 0n
  }
  const wrongDigest = Uint8Array.from(digest)
  wrongDigest[0] = (wrongDigest[0] ?? 0) ^ 1
  return (await answer(digest)) === 1n && (await answer(wrongDigest)) === 0n
}
