import type { MarketSettings } from '../chain/actions/market/getMarketSettings.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import type { ChainClock } from './chainClock.ts'
import type { ProviderConfig } from './config.ts'
import type { EnclaveFleet } from './enclaveFleet.ts'
import type { ProviderLog } from './providerEvents.ts'
import type { ProviderMetrics } from './providerMetrics.ts'
import type { ProviderState } from './providerState.ts'
import type { CrashStep } from './testCrashPoint.ts'

/** What every step of the daemon works with. */
export type DaemonContext = {
  config: ProviderConfig
  chain: BoccSigner
  state: ProviderState
  blobs: BlobStore
  log: ProviderLog
  metrics: ProviderMetrics
  settings: MarketSettings
  offerId: number
  fleet: EnclaveFleet
  clock: ChainClock
  /** Tests only: see src/provider/testCrashPoint.ts. */
  crashPoint(step: CrashStep): void
  /** Runs the order loop again now instead of at the next block. */
  wake(): void
}
