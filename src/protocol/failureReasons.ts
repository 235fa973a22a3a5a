/**
 * Why an enclave could not run an order: codes only, so a signed failure reveals nothing of the
 * input. The contracts declare the same codes as the `FailureReason` enum of
 * contracts/interfaces/IOrderTypes.sol (src/chain/abis.test.ts checks the two agree); a failure
 * refunds the customer and does not slash the provider (docs/protocol.md, "Failure reasons").
 */
export const failureReasons = {
  /** The data key could not be opened or an input's ciphertext did not authenticate. */
  inputUndecryptable: 1,
  /** The solution rejected the decrypted input (for OCR: not an image it can read). */
  inputRejected: 2,
  /** An input is over the limits the solution declares (size, pixels, tensor shape). */
  inputOverLimits: 3,
  /** The solution's owner did not release its key to this enclave for this order. */
  vendorKeyNotReleased: 4,
  /** The solution bundle was not handed over, does not match its hash, or its runner is unknown. */
  solutionUnavailable: 5,
  /** The job crashed (a trap, an exception, a worker that died). */
  jobCrashed: 6,
  /** The job ran past the solution's time limit. */
  jobTimedOut: 7,
  /** The job needed more memory than the solution's limit. */
  jobOutOfMemory: 8,
} as const

export type FailureReason = (typeof failureReasons)[keyof typeof failureReasons]

const descriptions: Record<FailureReason, string> = {
  1: 'the input could not be decrypted',
  2: 'the solution rejected the input',
  3: 'the input is over the solution’s declared limits',
  4: 'the solution owner’s key was not released for this order',
  5: 'the solution was unavailable or did not match its hash',
  6: 'the job crashed',
  7: 'the job exceeded its time limit',
  8: 'the job exceeded its memory limit',
}

export function isFailureReason(reason: unknown): reason is FailureReason {
  return typeof reason === 'number' && reason in descriptions
}

/** One line for a person, for any code (an unknown one says so). */
export function describeFailureReason(reason: number): string {
  return isFailureReason(reason) ? descriptions[reason] : `unknown reason ${reason}`
}
