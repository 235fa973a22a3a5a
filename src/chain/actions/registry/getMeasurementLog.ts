import type { Hash, Hex } from 'viem'
import { registryAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'

/** One entry of the measurement transparency log. */
export type MeasurementLogEntry =
  | {
      kind: 'proposed'
      measurement: Hex
      effectiveAt: number
      provenanceUri: string
      blockNumber: bigint
      transactionHash: Hash
    }
  | { kind: 'removed'; measurement: Hex; blockNumber: bigint; transactionHash: Hash }

/** The whole measurement transparency log, oldest first (the events alone rebuild the list). */
export async function getMeasurementLog(chain: BoccChain): Promise<MeasurementLogEntry[]> {
  const events = await chain.publicClient.getContractEvents({
    address: chain.deployment.contracts.registry,
    abi: registryAbi,
    fromBlock: chain.deployment.fromBlock,
    strict: true,
  })
  return events.flatMap((event): MeasurementLogEntry[] => {
    if (event.eventName === 'MeasurementProposed')
      return [
        {
          kind: 'proposed',
          measurement: event.args.measurement,
          effectiveAt: event.args.effectiveAt,
          provenanceUri: event.args.provenanceUri,
          blockNumber: event.blockNumber,
          transactionHash: event.transactionHash,
        },
      ]
    if (event.eventName === 'MeasurementRemoved')
      return [
        {
          kind: 'removed',
          measurement: event.args.measurement,
          blockNumber: event.blockNumber,
          transactionHash: event.transactionHash,
        },
      ]
    return []
  })
}
