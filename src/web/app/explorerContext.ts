import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { TokenInfo } from '../../chain/actions/token/getTokenInfo.ts'
import type { BoccChain, BoccSigner } from '../../chain/boccChain.ts'
import type { HpkeKeyPair } from '../../crypto/hpke.ts'
import type { BlobStore } from '../../storage/blobStore.ts'
import type { ExplorerConfig } from '../explorerConfig.ts'

/** What every page of the explorer reads from: set once at start, `head` and the wallet change. */
export type Explorer = {
  config: ExplorerConfig
  chain: BoccChain
  blobs: BlobStore
  token: TokenInfo
  /** The latest block the page has seen: pages reload what they show when it moves. */
  head: bigint
  /** The connected wallet (an injected one, or a dev key the page's server signs with). */
  signer: BoccSigner | undefined
  setSigner(signer: BoccSigner | undefined): void
  /**
   * Result keys of orders placed from this page, by order id, in memory only: they open the
   * results here, and are gone when the page closes unless the customer saved them.
   */
  resultKeys: Map<bigint, HpkeKeyPair>
}

export const ExplorerContext = createContext<Explorer | undefined>(undefined)

export function useExplorer(): Explorer {
  const explorer = useContext(ExplorerContext)
  if (!explorer) throw new Error('unreachable: pages render inside the explorer')
  return explorer
}
