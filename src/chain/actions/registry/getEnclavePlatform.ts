import { type Address, type Hex, zeroAddress, zeroHash } from 'viem'
import type { BoccChain } from '../../boccChain.ts'
import { readRegistry } from './readRegistry.ts'

export type GetEnclavePlatformParameters = { enclave: Address; blockNumber?: bigint }

export type GetEnclavePlatformReturnType =
  | {
      /** For TDX the PCK certificate's platform instance ID, else its PPID (16 bytes, left-aligned in 32). */
      platform: Hex
      /** The provider the platform is bound to for this enclave; undefined once that binding ended. */
      boundProvider: Address | undefined
    }
  | undefined

/** The hardware platform an enclave registered on, or undefined if it registered none (committee path). */
export async function getEnclavePlatform(
  chain: BoccChain,
  parameters: GetEnclavePlatformParameters,
): Promise<GetEnclavePlatformReturnType> {
  const [platform, boundProvider] = await readRegistry(
    chain,
    'platformOf',
    [parameters.enclave],
    parameters,
  )
  if (platform === zeroHash) return undefined
  return { platform, boundProvider: boundProvider === zeroAddress ? undefined : boundProvider }
}
