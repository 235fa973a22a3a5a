import { type Address, zeroAddress } from 'viem'
import type { TcbStatus } from '../../../attestation/types.ts'
import { tdxQuoteVerifierAbi } from '../../artifacts.ts'
import type { BoccChain } from '../../boccChain.ts'
import { tdxTcbStatuses } from '../tdx/tdxVerdictNames.ts'
import { readRegistry } from './readRegistry.ts'

/** keccak256 of the Intel SGX Root CA's public key (contracts/attestation/IntelRootCa.sol). */
export const intelRootKeyHash = '0x89f72d7c488e5b53a77c23ebcb36970ef7eb5bcf6658e9b8292cfbe4703a8473'

export type GetTdxVerificationReturnType =
  | {
      verifier: Address
      /** The collateral store the verifier reads: where anyone posts newer collateral. */
      store: Address
      /** Whether the verifier's root is Intel's SGX Root CA (false: a stand-in, development chains only). */
      usesIntelRoot: boolean
      /** The TCB statuses an enclave verified on-chain may have. */
      acceptedTcbStatuses: TcbStatus[]
    }
  | undefined

/** The registry's on-chain TDX verification, or undefined where it has none (committee only). */
export async function getTdxVerification(chain: BoccChain): Promise<GetTdxVerificationReturnType> {
  const [verifier, mask] = await Promise.all([
    readRegistry(chain, 'tdxVerifier', []),
    readRegistry(chain, 'acceptedTcbStatuses', []),
  ])
  if (verifier === zeroAddress) return undefined
  const read = (functionName: 'collateralStore' | 'rootKeyHash') =>
    chain.publicClient.readContract({ address: verifier, abi: tdxQuoteVerifierAbi, functionName })
  const [store, rootKeyHash] = await Promise.all([read('collateralStore'), read('rootKeyHash')])
  return {
    verifier,
    store: store as Address,
    usesIntelRoot: rootKeyHash === intelRootKeyHash,
    acceptedTcbStatuses: tdxTcbStatuses.filter((_, index) => (mask >> index) & 1),
  }
}
