import {
  boccMarketAbi,
  boccTokenAbi,
  catalogAbi,
  enclaveRegistryAbi,
  leaseMarketAbi,
  orderExitsAbi,
  timelockControllerAbi,
} from './artifacts.ts'

/**
 * The ABIs of BOCC's contracts, as the chain layer uses them. The market's address answers its
 * own functions and, through delegation, those of OrderExits: its ABI is both.
 */
export const marketAbi = [...boccMarketAbi, ...orderExitsAbi] as const
export const registryAbi = enclaveRegistryAbi
export {
  boccTokenAbi as tokenAbi,
  catalogAbi,
  leaseMarketAbi as leasesAbi,
  timelockControllerAbi as timelockAbi,
}

/** Every ABI the chain layer knows, for decoding any BOCC error or event. */
export const allAbis = [
  ...marketAbi,
  ...registryAbi,
  ...catalogAbi,
  ...boccTokenAbi,
  ...leaseMarketAbi,
] as const
