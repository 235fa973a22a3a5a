import { InputUnreadableError } from './inputUnreadableError.ts'

/** A page has no file paths: its inputs are bytes the user picked (`inputFiles.ts` is Node's). */
export async function describeInputFile(path: string): Promise<never> {
  throw new InputUnreadableError(`a page cannot read the file ${path} by its path`)
}

export function readInputFile(path: string): never {
  throw new InputUnreadableError(`a page cannot read the file ${path} by its path`)
}
