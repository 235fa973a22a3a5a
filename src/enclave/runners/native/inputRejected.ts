import { BoccError } from '../../../errors.ts'

/** A solution's own refusal of its input (failure reason 2); its message names no input value. */
export class InputRejectedError extends BoccError {
  override name = 'InputRejectedError'
}
