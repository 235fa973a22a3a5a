/**
 * The one base error of BOCC. Every error that crosses an API boundary derives from it, so the
 * CLI can print `shortMessage` (one line a person can act on) and keep the rest for `--verbose`.
 */
export type BoccErrorOptions = {
  /** The error that caused this one; its message becomes `details`. */
  cause?: unknown
  /** Extra lines that explain the situation, printed under the short message with `--verbose`. */
  metaMessages?: string[]
}

export class BoccError extends Error {
  override name = 'BoccError'
  /** One line a person can act on. */
  readonly shortMessage: string
  /** The message of the cause, if any. */
  readonly details: string
  readonly metaMessages: string[]

  constructor(shortMessage: string, options: BoccErrorOptions = {}) {
    const details = detailsOf(options.cause)
    super(
      [
        shortMessage,
        ...(options.metaMessages ?? []),
        ...(details ? [`Details: ${details}`] : []),
      ].join('\n'),
      options.cause === undefined ? undefined : { cause: options.cause },
    )
    this.shortMessage = shortMessage
    this.details = details
    this.metaMessages = options.metaMessages ?? []
  }
}

function detailsOf(cause: unknown): string {
  if (cause === undefined || cause === null) return ''
  if (cause instanceof BoccError) return cause.shortMessage
  if (cause instanceof Error) return cause.message.split('\n')[0] ?? ''
  return String(cause)
}

/** The one line to show a person for any thrown value. */
export function shortMessageOf(error: unknown): string {
  if (error instanceof BoccError) return error.shortMessage
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name
  return String(error)
}
