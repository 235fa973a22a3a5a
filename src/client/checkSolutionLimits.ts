import type { Hex } from 'viem'
import { isSupportedImage } from '../enclave/solutions/ocr/isSupportedImage.ts'
import { BoccError } from '../errors.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { describeInput, type InputSource } from './encryptInput.ts'
import { nameOfSolution } from './solutionNames.ts'

/** An input or argument the solution does not accept, refused before anything is escrowed. */
export class InputRefusedError extends BoccError {
  override name = 'InputRefusedError'
}

/**
 * Checks an order's inputs and arguments against what the solution declares it accepts, before
 * anything is encrypted or escrowed. This is the one seam for limits: solution bundles bring a
 * manifest (inputs with `maxBytes`, `maxPixels`, arguments) and one limit check shared with the
 * enclave (docs/protocol.md, "Solution bundles"), which replace the body of this function. Until
 * then the limits known are those of the v1 order request (one input, no arguments) and of the
 * runtime's built-in OCR (a PNG or JPEG image).
 */
export async function checkSolutionLimits(parameters: {
  blobs: BlobStore
  solutionHash: Hex
  inputs: InputSource[]
  arguments?: string[]
}): Promise<void> {
  const { inputs } = parameters
  if (inputs.length !== 1)
    throw new InputRefusedError(
      `this market's orders take exactly one input (v1 order requests); ${inputs.length} were given`,
    )
  if ((parameters.arguments ?? []).length > 0)
    throw new InputRefusedError("this market's orders take no arguments (v1 order requests)")
  const solution = await nameOfSolution(parameters.blobs, parameters.solutionHash)
  if (solution.nameSource === 'built-in') {
    const input = inputs[0] as InputSource
    const { head } = await describeInput(input, 16)
    if (!isSupportedImage(head))
      throw new InputRefusedError(
        `${'path' in input ? input.path : 'the input'} is not a PNG or JPEG image, which ${solution.name} needs`,
      )
  }
}
