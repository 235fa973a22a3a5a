import { shortMessageOf } from '../errors.ts'
import { ProviderConfigError, readProviderConfig } from './config.ts'
import { type ProviderDaemon, startProviderDaemon } from './providerDaemon.ts'

/**
 * Runs the daemon in this process until SIGTERM or SIGINT (graceful stop) or SIGUSR2 (stop at
 * once, leaving the enclave runtimes to the next daemon: an upgrade), and returns the exit
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
    if (daemon) void daemon.stop(`received ${signal}`, { detach: signal === 'SIGUSR2' })
    else startup.abort()
  }
  const onTerm = () => onSignal('SIGTERM')
  const onInt = () => onSignal('SIGINT')
  const onUpgrade = () => onSignal('SIGUSR2')
  process.on('SIGTERM', onTerm)
  process.on('SIGINT', onInt)
  process.on('SIGUSR2', onUpgrade)
  try {
    const config = await readProviderConfig(parameters.configFile, env)
    daemon = await startProviderDaemon(config, {
      signal: startup.signal,
      ...(env.BOCC_PROVIDER_TEST_CRASH_AT ? { testCrashAt: env.BOCC_PROVIDER_TEST_CRASH_AT } : {}),
    })
    if (signalled) void daemon.stop(`received ${signalled}`, { detach: signalled === 'SIGUSR2' })
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
    process.off('SIGUSR2', onUpgrade)
  }
}
