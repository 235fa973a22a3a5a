import { createRequire } from 'node:module'
import type { Abi, Hex } from 'viem'
import {
  boccMarketAbi,
  boccTokenAbi,
  catalogAbi,
  enclaveRegistryAbi,
  orderExitsAbi,
  timelockControllerAbi,
} from './artifacts.ts'

/**
 * The ABIs of BOCC's contracts, as the chain layer uses them. The market's address answers its
 * own functions and, through delegation, those of OrderExits: its ABI is both.
 */
export const marketAbi = [...boccMarketAbi, ...orderExitsAbi] as const
export const registryAbi = enclaveRegistryAbi
export { boccTokenAbi as tokenAbi, catalogAbi, timelockControllerAbi as timelockAbi }

/** The audited Safe v1.4.1 build (@safe-global/safe-contracts): BOCC's governance multisig. */
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

/** Every ABI the chain layer knows, for decoding any BOCC error or event. */
export const allAbis = [...marketAbi, ...registryAbi, ...catalogAbi, ...boccTokenAbi] as const
