import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { BoccError } from '../errors.ts'
import { stopProcess } from '../processes/stopProcess.ts'

const require = createRequire(import.meta.url)

export class PortInUseError extends BoccError {
  override name = 'PortInUseError'
  constructor(port: number) {
    super(`port ${port} on 127.0.0.1 is in use; choose another port or stop what holds it`)
  }
}

export class ChainStartError extends BoccError {
  override name = 'ChainStartError'
}

export type LocalChain = {
  rpcUrl: string
  port: number
  process: ChildProcess
  stop(): Promise<void>
}

export type StartLocalChainParameters = {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number
  /** Seconds per block; omitted: a block per transaction (automine). */
  blockTime?: number
  /** Default 31337, the development chain. */
  chainId?: number
  /** Default `osaka` (the P-256 precompile); an earlier one gives a network without it. */
  hardfork?: string
}

/** Path of the anvil binary shipped in the `@foundry-rs/anvil-<platform>` npm package. */
export function anvilBinaryPath(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const packageJson = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`)
  return join(dirname(packageJson), 'bin', 'anvil')
}

/** Starts an anvil node bound to 127.0.0.1 and resolves once it accepts JSON-RPC. */
export async function startLocalChain(
  parameters: StartLocalChainParameters = {},
): Promise<LocalChain> {
  const requestedPort = parameters.port ?? 0
  const args = ['--host', '127.0.0.1', '--port', String(requestedPort)]
  args.push('--hardfork', parameters.hardfork ?? 'osaka')
  if (parameters.blockTime !== undefined) args.push('--block-time', String(parameters.blockTime))
  if (parameters.chainId !== undefined) args.push('--chain-id', String(parameters.chainId))
  let binary: string
  try {
    binary = anvilBinaryPath()
  } catch (error) {
    throw new ChainStartError('the anvil binary is missing; run `npm install`', { cause: error })
  }
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const port = await new Promise<number>((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(output)
      if (match) resolve(Number(match[1]))
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('error', (error) =>
      reject(new ChainStartError('anvil failed to start', { cause: error })),
    )
    child.once('exit', (code) => {
      if (/address already in use|Address in use/i.test(output))
        reject(new PortInUseError(requestedPort))
      else reject(new ChainStartError(`anvil exited with code ${code} before listening`))
    })
  })
  // Drain output so the pipe never fills; anvil's log holds only public chain data.
  child.stdout?.resume()
  child.stderr?.resume()
  return {
    rpcUrl: `http://127.0.0.1:${port}`,
    port,
    process: child,
    stop: () => stopProcess(child),
  }
}
