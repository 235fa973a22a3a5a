import type { Hex } from 'viem'
import { BoccError } from '../errors.ts'
import { checkArguments, checkInput, inputHeadBytes } from '../protocol/inputLimits.ts'
import { decodeSolutionDescriptor, type SolutionManifest } from '../protocol/solutionBundle.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { describeInput, type InputSource } from './encryptInput.ts'

/** An input or argument the solution does not accept, refused before anything is escrowed. */
export class InputRefusedError extends BoccError {
  override name = 'InputRefusedError'
}

export type CheckedInputs = {
  manifest: SolutionManifest
  /** The inputs named by the manifest's declarations, in the manifest's order. */
  inputs: (InputSource & { name: string })[]
}

/**
 * Checks an order's inputs and arguments against what the solution declares (its manifest, read
 * from the descriptor blob stored under the solution hash) with the check the enclave runs again
 * (`src/protocol/inputLimits.ts`), before anything is encrypted or escrowed. A file is judged by
 * its size and header only, never read whole. An input without a name is the solution's first
 * declared input.
 */
export async function checkSolutionLimits(parameters: {
  blobs: BlobStore
  solutionHash: Hex
  inputs: InputSource[]
  arguments?: string[]
}): Promise<CheckedInputs> {
  let manifest: SolutionManifest
  try {
    manifest = decodeSolutionDescriptor(
      await parameters.blobs.get(parameters.solutionHash),
    ).manifest
  } catch (error) {
    throw new InputRefusedError(
      `cannot read the manifest of the solution ${parameters.solutionHash} from the blob store, so its limits cannot be checked`,
      { cause: error },
    )
  }
  const named: (InputSource & { name: string })[] = []
  for (const [i, input] of parameters.inputs.entries()) {
    const name = input.name ?? (i === 0 ? manifest.inputs[0]?.name : undefined)
    const declaration = manifest.inputs.find((item) => item.name === name)
    if (!declaration)
      throw new InputRefusedError(
        `the solution ${manifest.name} has no input ${name ?? `number ${i + 1}`} (it takes ${manifest.inputs.map((item) => item.name).join(', ')})`,
      )
    if (named.some((other) => other.name === declaration.name))
      throw new InputRefusedError(`the input ${declaration.name} is given twice`)
    const violation = checkInput(
      declaration,
      await describeInput(input, inputHeadBytes),
      manifest.runner,
    )
    if (violation)
      throw new InputRefusedError(
        'path' in input ? `${input.path}: ${violation.message}` : violation.message,
      )
    named.push({ ...input, name: declaration.name })
  }
  const missing = manifest.inputs.filter((item) => !named.some((input) => input.name === item.name))
  if (missing.length > 0)
    throw new InputRefusedError(
      `the order lacks the input ${missing.map((item) => item.name).join(', ')} of ${manifest.name}`,
    )
  const argumentViolation = checkArguments(manifest, parameters.arguments ?? [])
  if (argumentViolation) throw new InputRefusedError(argumentViolation.message)
  // The first declared input comes first: its ciphertext hash is the order's inputHash.
  const position = (input: { name: string }) =>
    manifest.inputs.findIndex((item) => item.name === input.name)
  named.sort((a, b) => position(a) - position(b))
  return { manifest, inputs: named }
}
