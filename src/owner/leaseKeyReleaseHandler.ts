import { type Address, isAddress } from 'viem'
import { shortMessageOf } from '../errors.ts'
import type { FetchHandler } from '../storage/blobServer.ts'
import type { LeaseKeyReleaser } from './createLeaseKeyReleaser.ts'
import { json } from './keyReleaseHandler.ts'

/** Lease ids are uint256, written in decimal. */
const maxLeaseId = 2n ** 256n - 1n

/**
 * The owner agent's web-standard handler for lease key releases:
 * `GET /lease-key-releases/<leaseId>?enclave=<address>` answers 200 `{ version: 1, leaseId,
 * solutionHash, enclave, release: { enc, ciphertext } }` (leaseId in decimal), the model's key
 * sealed to that enclave for that lease, once the releaser's checks pass; otherwise a status and
 * `{ error }` in one line: 400 a malformed ask, 404 no such lease of this owner's, 410 the lease has
 * ended, 403 the enclave is refused, 503 the chain cannot be read now. A release opens only in its
 * enclave, so whoever relays it (the provider) learns nothing from it.
 */
export function createLeaseKeyReleaseHandler(releaser: LeaseKeyReleaser): FetchHandler {
  return {
    async fetch(request) {
      const url = new URL(request.url)
      const match = /^\/lease-key-releases\/([^/]*)$/.exec(url.pathname)
      if (!match) return json(404, { error: 'not found' })
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return json(405, { error: 'only GET and HEAD' })
      const leaseId = parseLeaseId(match[1] as string)
      if (leaseId === undefined)
        return json(400, { error: 'not a lease id (a decimal number from 1)' })
      const enclave = url.searchParams.get('enclave') ?? ''
      if (!isAddress(enclave, { strict: false }))
        return json(400, { error: 'enclave=<address> must name the enclave to release to' })
      let answer: Awaited<ReturnType<LeaseKeyReleaser['release']>>
      try {
        answer = await releaser.release({ leaseId, enclave: enclave as Address })
      } catch (error) {
        return json(503, { error: `the chain cannot be read now: ${shortMessageOf(error)}` })
      }
      if ('refused' in answer) return json(answer.refused.status, { error: answer.refused.error })
      const { released } = answer
      return json(200, {
        version: 1,
        leaseId: String(released.leaseId),
        solutionHash: released.solutionHash,
        enclave: released.enclave,
        release: released.release,
      })
    },
  }
}

function parseLeaseId(text: string): bigint | undefined {
  if (!/^[1-9][0-9]{0,77}$/.test(text)) return undefined
  const id = BigInt(text)
  return id <= maxLeaseId ? id : undefined
}
