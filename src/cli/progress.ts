import type { ProgressEvent, ProgressListener } from '../client/progress.ts'

/**
 * Progress a person can see on a terminal: the current stage and its elapsed time, redrawn in
 * place on stderr, and one line per finished stage. Silent when stdout is not a terminal or with
 * `--json`, so scripts see only the output.
 */
export type TerminalProgress = {
  listener: ProgressListener
  /** Starts a stage by name (for waits the SDK does not report itself). */
  stage(label: string): void
  /** Ends the current stage (printing how long it took) and stops redrawing. */
  done(): void
}

export function createProgress(
  options: {
    json?: boolean
    /** Whether stdout and stderr are terminals (default: ask them). */
    terminal?: boolean
    /** Where to draw (default: stderr). */
    write?: (text: string) => void
  } = {},
): TerminalProgress {
  const terminal =
    options.terminal ?? (process.stdout.isTTY === true && process.stderr.isTTY === true)
  const enabled = !options.json && terminal
  const write = options.write ?? ((text: string) => process.stderr.write(text))
  let label: string | undefined
  let detail = ''
  let started = 0
  let timer: NodeJS.Timeout | undefined
  const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`
  const draw = () => {
    if (label !== undefined) write(`\r\x1b[2K… ${label}${detail} · ${seconds()}`)
  }
  const finish = () => {
    if (label !== undefined) write(`\r\x1b[2K✓ ${label} (${seconds()})\n`)
    label = undefined
    detail = ''
  }
  const stage = (next: string) => {
    if (!enabled || next === label) return
    finish()
    label = next
    started = performance.now()
    timer ??= setInterval(draw, 100)
    timer.unref()
    draw()
  }
  return {
    listener(event) {
      if (!enabled) return
      stage(labelOf(event))
      if (event.stage === 'uploading' || event.stage === 'downloading') {
        detail =
          event.totalBytes > 0 ? ` ${mebibytes(event.bytes)} of ${mebibytes(event.totalBytes)}` : ''
        draw()
      }
    },
    stage,
    done() {
      if (!enabled) return
      finish()
      clearInterval(timer)
      timer = undefined
    },
  }
}

function labelOf(event: ProgressEvent): string {
  switch (event.stage) {
    case 'choosing-offer':
      return 'choosing an offer'
    case 'verifying-enclave':
      return `verifying enclave ${event.enclave.slice(0, 10)}… against your policy`
    case 'uploading':
      return `encrypting and uploading ${event.name}`
    case 'escrowing':
      return 'escrowing the price'
    case 'transacting':
      return event.what
    case 'waiting':
      return event.status === 'created'
        ? 'waiting for a provider to accept'
        : event.status === 'accepted'
          ? 'waiting for the enclave’s result'
          : `order ${event.status}`
    case 'downloading':
      return 'downloading the result'
    case 'decrypting':
      return 'checking and decrypting the result'
  }
}

function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`
}
