import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { getAddress } from 'viem'
import type { LeaseUsageRecord } from '../../protocol/leaseChannel.ts'
import { boccHome } from '../boccHome.ts'

/**
 * The customer's record of a lease's signed usage, `lease-usage/<leaseId>.json` in the BOCC home:
 * `{ version: 1, leaseId, usages: [LeaseUsageRecord, …] }`, the latest usage (most requests) of
 * each enclave that served the lease. It is what `bocc leases contest` submits against an
 * over-claim, so it is written whole or not at all (a temporary file renamed over it).
 */
export type LeaseUsageFile = { version: 1; leaseId: string; usages: LeaseUsageRecord[] }

/** The default directory of the records. */
export const defaultLeaseUsageDirectory = () => join(boccHome(), 'lease-usage')

const fileOf = (directory: string, leaseId: bigint) => join(directory, `${leaseId}.json`)

/** The record of a lease, or undefined when there is none. */
export async function readLeaseUsageFile(
  directory: string,
  leaseId: bigint,
): Promise<LeaseUsageFile | undefined> {
  const text = await readFile(fileOf(directory, leaseId), 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  const parsed = JSON.parse(text) as LeaseUsageFile
  return parsed?.version === 1 && Array.isArray(parsed.usages) ? parsed : undefined
}

/**
 * Keeps each new signed usage in the lease's record, one write after another (a later usage is
 * never overwritten by an earlier one finishing late); resolves when it is on disk.
 */
export function createLeaseUsageRecorder(directory: string, leaseId: bigint) {
  let writing: Promise<void> = Promise.resolve()
  return (usage: LeaseUsageRecord): Promise<void> => {
    writing = writing
      .catch(() => undefined)
      .then(async () => {
        await mkdir(directory, { recursive: true, mode: 0o700 })
        const file = (await readLeaseUsageFile(directory, leaseId)) ?? {
          version: 1 as const,
          leaseId: String(leaseId),
          usages: [],
        }
        const enclave = getAddress(usage.enclave)
        const known = file.usages.find((item) => getAddress(item.enclave) === enclave)
        if (known && BigInt(known.requests) >= BigInt(usage.requests)) return
        file.usages = [...file.usages.filter((item) => item !== known), usage]
        const path = fileOf(directory, leaseId)
        await writeFile(`${path}.tmp`, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
        await rename(`${path}.tmp`, path)
      })
    return writing
  }
}
