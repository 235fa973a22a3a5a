import { shortMessageOf } from '../errors.ts'
import { ProviderConfigError, readProviderConfig } from './config.ts'
import { type ProviderDaemon, startProviderDaemon } from './providerDaemon.ts'

/**
 * Runs the daemon in this process until SIGTERM or SIGINT (graceful stop) and returns the exit
 * code: 0 after a stop, 1 when it cannot start. Each configuration problem is reported on a line
 * of its own on stderr, prefixed with `prefix`.
 */
export async function runProviderDaemon(parameters: {
  configFile: string
  prefix: string
  env?: Record<string, string | undefined>
}): Promise<number> {
  const env = parameters.env ?? process.env
  const startup = new AbortController()
  let daemon: ProviderDaemon | undefined
  let signalled: string | undefined
  const onSignal = (signal: string) => {
    signalled ??= signal
    if (daemon) void daemon.stop(`received ${signal}`)
    else startup.abort()
  }
  const onTerm = () => onSignal('SIGTERM')
  const onInt = () => onSignal('SIGINT')
  process.on('SIGTERM', onTerm)
  process.on('SIGINT', onInt)
  try {
    const config = await readProviderConfig(parameters.configFile, env)
    daemon = await startProviderDaemon(config, {
      signal: startup.signal,
      ...(env.BOCC_PROVIDER_TEST_CRASH_AT ? { testCrashAt: env.BOCC_PROVIDER_TEST_CRASH_AT } : {}),
    })
    if (signalled) void daemon.stop(`received ${signalled}`)
    await daemon.stopped
    return 0
  } catch (error) {
    if (signalled) return 0
    const lines =
      error instanceof ProviderConfigError
        ? error.problems.map((problem) => `${parameters.configFile}: ${problem}`)
        : [shortMessageOf(error)]
    for (const line of lines) process.stderr.write(`${parameters.prefix}: ${line}\n`)
    return 1
  } finally {
    process.off('SIGTERM', onTerm)
    process.off('SIGINT', onInt)
  }
}
