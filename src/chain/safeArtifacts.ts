import { createRequire } from 'node:module'
import type { Abi, Hex } from 'viem'

/**
 * The audited Safe v1.4.1 build (@safe-global/safe-contracts): BOCC's governance multisig. Kept
 * apart from `abis.ts`, which browsers load: only deploying and governing need it, in Node.
 */
type HardhatArtifact = { abi: Abi; bytecode: Hex }
const require = createRequire(import.meta.url)
const safeArtifact =
  require('@safe-global/safe-contracts/build/artifacts/contracts/Safe.sol/Safe.json') as HardhatArtifact
const safeProxyFactoryArtifact =
  require('@safe-global/safe-contracts/build/artifacts/contracts/proxies/SafeProxyFactory.sol/SafeProxyFactory.json') as HardhatArtifact

export const safe = { abi: safeArtifact.abi, bytecode: safeArtifact.bytecode }
export const safeProxyFactory = {
  abi: safeProxyFactoryArtifact.abi,
  bytecode: safeProxyFactoryArtifact.bytecode,
}
