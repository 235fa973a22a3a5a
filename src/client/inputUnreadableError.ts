import { BoccError } from '../errors.ts'

/** An order input that cannot be read (a missing file, a directory). */
export class InputUnreadableError extends BoccError {
  override name = 'InputUnreadableError'
}
