/**
 * Why an enclave could not run an order, for causes the provider does not control: it signs a
 * `Failure(orderId, reason)` that refunds the customer without slashing. The codes are the
 * `FailureReason` enum of contracts/interfaces/IOrderTypes.sol (index = code; the chain layer's
 * test checks the two lists are the same).
 */
export const failureReasons = [
  { name: 'None', description: 'no failure' },
  { name: 'InputUndecryptable', description: 'the input could not be decrypted' },
  { name: 'InputRejected', description: 'the solution rejected the input' },
  { name: 'InputOverLimit', description: 'the input is over the solution’s declared limits' },
  { name: 'KeyNotReleased', description: 'a vendor’s key was not released for this order' },
  {
    name: 'SolutionUnavailable',
    description: 'the solution bundle was unavailable or did not match its hash',
  },
  { name: 'JobCrashed', description: 'the job crashed' },
  { name: 'JobTimedOut', description: 'the job exceeded its time limit' },
  { name: 'JobOutOfMemory', description: 'the job exceeded its memory limit' },
] as const

export type FailureReasonName = (typeof failureReasons)[number]['name']

/** The code of a failure reason, by name. */
export function failureCode(name: FailureReasonName): number {
  return failureReasons.findIndex((reason) => reason.name === name)
}

/** One line a person can read for a failure code. */
export function describeFailureReason(code: number): string {
  return failureReasons[code]?.description ?? `unknown failure reason ${code}`
}
