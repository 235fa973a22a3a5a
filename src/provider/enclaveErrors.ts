import { BoccError } from '../errors.ts'

/** The enclave runtime (or its host) refused a request, or could not be started. */
export class EnclaveError extends BoccError {
  override name = 'EnclaveError'
}

/**
 * The connection to an enclave runtime or its host failed: not listening yet, gone, reset or
 * closed. The request may or may not have reached it; a caller retries, or treats the enclave as
 * lost once its host is gone.
 */
export class EnclaveUnreachableError extends EnclaveError {
  override name = 'EnclaveUnreachableError'
}
