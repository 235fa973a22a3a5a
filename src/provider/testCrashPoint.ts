import { BoccError } from '../errors.ts'

/**
 * FOR TESTS ONLY: `BOCC_PROVIDER_TEST_CRASH_AT=STEP[:N]` makes the daemon kill itself with
 * SIGKILL the N-th time (default 1) it reaches the named step, so tests can prove that a crash
 * at exactly that point loses nothing. It is honoured only on a development network (a
 * deployment with a `development` policy) and refused elsewhere; never set it in production.
 */
export const crashSteps = [
  /** The acceptance is mined; the daemon has not recorded it. */
  'after-accept',
  /** The order is in the enclave. */
  'job-started',
  /** The receipt is stored; it is not on-chain yet. */
  'after-job',
  /** A batch of receipts is mined; the daemon has not recorded it. */
  'after-submit',
] as const

export type CrashStep = (typeof crashSteps)[number]

export class TestCrashPointError extends BoccError {
  override name = 'TestCrashPointError'
}

/** The crash point from the environment: a function to call at each step. */
export function testCrashPoint(
  value: string | undefined,
  development: boolean,
  onCrash: (step: CrashStep) => void,
): (step: CrashStep) => void {
  if (!value) return () => {}
  if (!development)
    throw new TestCrashPointError(
      'BOCC_PROVIDER_TEST_CRASH_AT is for tests on a development network only; unset it',
    )
  const [step, count] = value.split(':')
  if (!crashSteps.includes(step as CrashStep) || (count !== undefined && !/^\d+$/.test(count)))
    throw new TestCrashPointError(
      `BOCC_PROVIDER_TEST_CRASH_AT must be one of ${crashSteps.join(', ')}, optionally with :N`,
    )
  let remaining = Number(count ?? 1)
  return (reached) => {
    if (reached !== step || --remaining > 0) return
    onCrash(reached)
    process.kill(process.pid, 'SIGKILL')
  }
}
