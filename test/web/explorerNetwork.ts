import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { type PlacedOrder, placeOrder } from '../../src/client/placeOrder.ts'
import { type OrderRecord, waitForOrderCompletion } from '../../src/client/readOrder.ts'
import { verifyEnclave } from '../../src/client/verifyEnclave.ts'
import { type DevNetwork, devBlobStore, startDevNetwork } from '../../src/devnet/startDevNetwork.ts'
import { type RunningExplorer, startExplorer } from '../../src/web/startExplorer.ts'

/** A development network with real orders on it and the explorer serving it, for browser tests. */
export type ExplorerNetwork = {
  network: DevNetwork
  explorer: RunningExplorer
  /** An OCR order of the sample lab report, completed. */
  completed: { placed: PlacedOrder; record: OrderRecord }
  /** The image the completed order read. */
  image: Uint8Array
  stop(): Promise<void>
}

export const sampleImagePath = new URL('../../examples/lab-report.png', import.meta.url)

/** Starts a dev network, places and waits for one OCR order, and serves the explorer with the customer's dev key. */
export async function startExplorerNetwork(
  options: { devKeys?: Record<string, Hex> } = {},
): Promise<ExplorerNetwork> {
  const directory = await mkdtemp(join(tmpdir(), 'bocc-explorer-'))
  let network: DevNetwork | undefined
  let explorer: RunningExplorer | undefined
  const stop = async () => {
    await explorer?.close()
    await network?.stop()
    await rm(directory, { recursive: true, force: true })
  }
  try {
    network = await startDevNetwork({ directory })
    explorer = await startExplorer({
      deploymentFile: network.deploymentFile,
      devKeys: options.devKeys ?? { customer: devPrivateKey(devRoles.customer) },
    })
    const image = new Uint8Array(await readFile(sampleImagePath))
    const customer = await network.signer('customer')
    const blobs = devBlobStore(network)
    const enclave = await verifyEnclave(customer, {
      enclave: network.provider.enclave,
      blobs,
      policy: network.policy,
    })
    const placed = await placeOrder(customer, {
      blobs,
      teeOfferId: network.provider.offerId,
      solutionOfferId: network.ocr.offerId,
      enclave,
      solutionHash: network.ocr.solutionHash,
      solutionBundleHash: network.ocr.bundleHash,
      inputs: [{ bytes: image }],
    })
    const record = await waitForOrderCompletion(customer, { orderId: placed.orderId })
    return { network, explorer, completed: { placed, record }, image, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
