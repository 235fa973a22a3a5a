import type { Address, Hash } from 'viem'
import { type EnclaveRecord, getEnclave } from '../../chain/actions/registry/getEnclave.ts'
import { getRegisteredEnclaves } from '../../chain/actions/registry/getRegisteredEnclaves.ts'
import { isEnclaveUsable } from '../../chain/actions/registry/isEnclaveUsable.ts'
import type { BoccChain } from '../../chain/boccChain.ts'

export type EnclaveSummary = {
  enclave: Address
  record: EnclaveRecord
  /** Registered, not revoked, not expired, and its measurement allowed now. */
  usable: boolean
  registeredAt: { blockNumber: bigint; transactionHash: Hash }
}

/** Every registered enclave with its on-chain record, newest first. */
export async function loadEnclaves(chain: BoccChain): Promise<EnclaveSummary[]> {
  const registrations = await getRegisteredEnclaves(chain)
  const summaries = await Promise.all(
    registrations.map(async ({ enclave, blockNumber, transactionHash }) => {
      const [record, usable] = await Promise.all([
        getEnclave(chain, { enclave }),
        isEnclaveUsable(chain, { enclave }),
      ])
      return record
        ? [{ enclave, record, usable, registeredAt: { blockNumber, transactionHash } }]
        : []
    }),
  )
  return summaries.flat().reverse()
}
