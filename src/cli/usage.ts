import { BoccError } from '../errors.ts'

/** A command line that cannot be run as written (exit code 2). */
export class UsageError extends BoccError {
  override name = 'UsageError'
}
