import type { Hex } from 'viem'
import { BoccError } from '../errors.ts'
import {
  type ChainConnection,
  connectChain,
  connectSigner,
  type SignerConnection,
} from './connectChain.ts'
import type { Deployment } from './deployment.ts'

/** A connection to the network of a BOCC deployment: what every read action takes. */
export type BoccChain = ChainConnection & { deployment: Deployment }
/** The same with a signing account: what every write action takes. */
export type BoccSigner = SignerConnection & { deployment: Deployment }

export class WrongChainError extends BoccError {
  override name = 'WrongChainError'
  constructor(rpcUrl: string, found: number, expected: number) {
    super(
      `the RPC at ${rpcUrl} serves chain ${found}, but the deployment is on chain ${expected}; check --deployment and --rpc`,
    )
  }
}

/** Connects to a deployment's network (or `rpcUrl` instead of its own) and checks the chain id. */
export async function connectBoccChain(
  deployment: Deployment,
  options: { rpcUrl?: string } = {},
): Promise<BoccChain> {
  const connection = await connectChain(options.rpcUrl ?? deployment.rpcUrl)
  checkChain(connection, deployment)
  return { ...connection, deployment }
}

/** {@link connectBoccChain} with a local signing key. */
export async function connectBoccSigner(
  deployment: Deployment,
  privateKey: Hex,
  options: { rpcUrl?: string } = {},
): Promise<BoccSigner> {
  const connection = await connectSigner(options.rpcUrl ?? deployment.rpcUrl, privateKey)
  checkChain(connection, deployment)
  return { ...connection, deployment }
}

function checkChain(connection: ChainConnection, deployment: Deployment) {
  if (connection.chain.id !== deployment.chainId)
    throw new WrongChainError(connection.rpcUrl, connection.chain.id, deployment.chainId)
}
