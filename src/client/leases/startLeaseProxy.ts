import { type RunningServer, serveFetch } from '../../storage/startBlobServer.ts'
import type { LeaseClient } from './createLeaseClient.ts'
import { createLeaseFetch } from './createLeaseFetch.ts'

/**
 * Serves a lease as plain OpenAI-compatible HTTP on 127.0.0.1 (`bocc proxy`): any OpenAI client
 * pointed at `<url>v1` works unchanged, while the verification and encryption happen here, on the
 * customer's machine.
 */
export function startLeaseProxy(
  client: LeaseClient,
  options: { port?: number } = {},
): Promise<RunningServer> {
  const leaseFetch = createLeaseFetch(client)
  return serveFetch(
    { fetch: (request) => leaseFetch(request) },
    {
      host: '127.0.0.1',
      ...(options.port === undefined ? {} : { port: options.port }),
    },
  )
}
