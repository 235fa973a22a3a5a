import { createServer, type Server } from 'node:http'
import { type Hex, hexToBytes, isAddress, isHex, sha256 } from 'viem'
import type { LocalAccount } from 'viem/accounts'
import { inputLimits } from '../attestation/limits.ts'
import { recogniseEvidence } from '../attestation/verifyEvidence.ts'
import type { BoccChain } from '../chain/boccChain.ts'
import { PortInUseError } from '../chain/startLocalChain.ts'
import { shortMessageOf } from '../errors.ts'
import type { EnclaveRegistration } from '../protocol/enclaveApproval.ts'
import { type ApproveEnclaveParameters, approveEnclave } from './approveEnclave.ts'

/** Largest request body accepted: the largest evidence the verifier takes, as hex, and its registration. */
const maxBodyBytes = 2 * inputLimits.evidenceBytes + 8192

export type CommitteeServer = { url: string; server: Server; close(): Promise<void> }

/**
 * A committee member's verifier service on 127.0.0.1: `POST /v1/approvals` with
 * `{ registration, evidence }` answers `{ signer, signature, committeeEpoch }` or `{ error }`
 * (HTTP 422). A registration that names GPU evidence is checked with the GPU evidence and
 * collateral bundle read from `blobs` by its hashes.
 */
export async function startCommitteeServer(
  parameters: {
    chain: BoccChain
    member: LocalAccount
    allowSim: boolean
    port?: number
  } & Pick<ApproveEnclaveParameters, 'blobs' | 'nvidiaRoots'>,
): Promise<CommitteeServer> {
  const server = createServer(async (request, response) => {
    const reply = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(body))
    }
    if (request.method !== 'POST' || request.url !== '/v1/approvals')
      return reply(404, { error: 'not found' })
    if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes)
      return reply(413, { error: 'request too large' })
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of request) {
      size += (chunk as Buffer).length
      if (size > maxBodyBytes) return reply(413, { error: 'request too large' })
      chunks.push(chunk as Buffer)
    }
    let body: { registration?: EnclaveRegistration; evidence?: Hex }
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      return reply(400, { error: 'the body is not JSON' })
    }
    const registration = body.registration
    if (!registration || !isAddress(String(registration.enclave)) || !isHex(body.evidence))
      return reply(400, { error: 'expected { registration, evidence }' })
    // Cheap checks before the costly verification: the evidence is of a known kind and is the
    // evidence the registration names, so unauthenticated junk never reaches the verifier.
    const evidence = hexToBytes(body.evidence)
    if (sha256(evidence) !== String(registration.evidenceHash).toLowerCase())
      return reply(422, { error: 'the evidence does not hash to the registration’s evidenceHash' })
    if (recogniseEvidence(evidence) === undefined)
      return reply(422, { error: 'the evidence is of no kind this verifier knows' })
    try {
      const { signature, committeeEpoch } = await approveEnclave(parameters.chain, {
        member: parameters.member,
        registration,
        evidence,
        allowSim: parameters.allowSim,
        ...(parameters.blobs ? { blobs: parameters.blobs } : {}),
        ...(parameters.nvidiaRoots ? { nvidiaRoots: parameters.nvidiaRoots } : {}),
      })
      reply(200, {
        signer: parameters.member.address,
        signature,
        committeeEpoch: committeeEpoch.toString(),
      })
    } catch (error) {
      reply(422, { error: shortMessageOf(error) })
    }
  })
  const port = parameters.port ?? 0
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error),
    )
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const address = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
