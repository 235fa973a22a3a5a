import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
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

/** The local node implementations BOCC can start: anvil (Foundry) and Hardhat's EDR node. */
export type LocalChainNode = 'anvil' | 'hardhat'

export type LocalChain = {
  rpcUrl: string
  port: number
  node: LocalChainNode
  process: ChildProcess
  stop(): Promise<void>
}

export type StartLocalChainParameters = {
  /** Port on `host`; 0 (the default) picks a free one. */
  port?: number
  /** The address to bind (default 127.0.0.1). */
  host?: string
  /** Seconds per block; omitted: a block per transaction (automine). */
  blockTime?: number
  /** Which node to run (default `BOCC_LOCAL_CHAIN`, else anvil). */
  node?: LocalChainNode
  /** A command the node runs under, such as `ip netns exec NAME` (default none). */
  launcher?: readonly string[]
  /** Keep every execution step, for `debug_traceTransaction`'s struct logger (gas profiles; anvil). */
  stepsTracing?: boolean
  /** Default 31337, the development chain (anvil). */
  chainId?: number
  /** Default `osaka` (the P-256 precompile); an earlier one gives a network without it (anvil). */
  hardfork?: string
}

/** Path of the anvil binary shipped in the `@foundry-rs/anvil-<platform>` npm package. */
export function anvilBinaryPath(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const packageJson = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`)
  return join(dirname(packageJson), 'bin', 'anvil')
}

/** The node `BOCC_LOCAL_CHAIN` names (anvil when unset). */
export function defaultLocalChainNode(): LocalChainNode {
  const named = process.env.BOCC_LOCAL_CHAIN ?? 'anvil'
  if (named !== 'anvil' && named !== 'hardhat')
    throw new ChainStartError(`BOCC_LOCAL_CHAIN must be anvil or hardhat, not ${named}`)
  return named
}

/**
 * Starts a local EVM node (anvil, or Hardhat's EDR node with `node: 'hardhat'`) on the osaka
 * hardfork with the well-known dev accounts, bound to 127.0.0.1, and resolves once it accepts
 * JSON-RPC.
 */
export async function startLocalChain(
  parameters: StartLocalChainParameters = {},
): Promise<LocalChain> {
  const node = parameters.node ?? defaultLocalChainNode()
  const host = parameters.host ?? '127.0.0.1'
  const requestedPort = parameters.port ?? 0
  const launch =
    node === 'anvil'
      ? anvilCommand(host, requestedPort, parameters)
      : await hardhatCommand(host, requestedPort, parameters.blockTime)
  const [command, ...args] = [...(parameters.launcher ?? []), ...launch.command]
  const child = spawn(command as string, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...launch.env },
  })
  const listening = new RegExp(`${launch.listening}${host.replaceAll('.', '\\.')}:(\\d+)`)
  const port = await new Promise<number>((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = listening.exec(output)
      if (match) resolve(Number(match[1]))
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('error', (error) =>
      reject(new ChainStartError(`${node} failed to start`, { cause: error })),
    )
    child.once('exit', (code) => {
      if (/address already in use|Address in use|EADDRINUSE/i.test(output))
        reject(new PortInUseError(requestedPort))
      else if (/HHE200|native binding/.test(output))
        // EDR's native binding is an optional dependency for Node ≥ 22, which npm skips when it
        // runs under an older Node.
        reject(
          new ChainStartError(
            'Hardhat’s EDR native binding is missing; run `PATH=node_modules/.bin:$PATH npm install` (npm under Node 24)',
          ),
        )
      else {
        const reason = output
          .trim()
          .split('\n')
          .find((line) => /error/i.test(line))
        reject(
          new ChainStartError(
            `${node} exited with code ${code} before listening${reason ? `: ${reason.trim().slice(0, 300)}` : ''}`,
          ),
        )
      }
    })
  })
  // Drain output so the pipe never fills; the node's log holds only public chain data.
  child.stdout?.resume()
  child.stderr?.resume()
  return {
    rpcUrl: `http://${host}:${port}`,
    port,
    node,
    process: child,
    async stop() {
      await stopProcess(child)
      await launch.cleanUp?.()
    },
  }
}

type NodeCommand = {
  command: string[]
  env?: Record<string, string>
  /** What the node prints before `host:port` once it listens. */
  listening: string
  cleanUp?(): Promise<void>
}

function anvilCommand(
  host: string,
  port: number,
  parameters: StartLocalChainParameters,
): NodeCommand {
  let binary: string
  try {
    binary = anvilBinaryPath()
  } catch (error) {
    throw new ChainStartError('the anvil binary is missing; run `npm install`', { cause: error })
  }
  const command = [binary, '--host', host, '--port', String(port)]
  command.push('--hardfork', parameters.hardfork ?? 'osaka')
  if (parameters.blockTime !== undefined) command.push('--block-time', String(parameters.blockTime))
  if (parameters.chainId !== undefined) command.push('--chain-id', String(parameters.chainId))
  if (parameters.stepsTracing) command.push('--steps-tracing')
  return { command, listening: 'Listening on ' }
}

/** `hardhat node` under this Node, with src/chain/hardhat/hardhat.config.ts. */
async function hardhatCommand(
  host: string,
  port: number,
  blockTime: number | undefined,
): Promise<NodeCommand> {
  let cli: string
  try {
    cli = join(dirname(require.resolve('hardhat')), 'cli.js')
  } catch (error) {
    throw new ChainStartError('Hardhat is missing; run `npm install`', { cause: error })
  }
  const scratch = await mkdtemp(join(tmpdir(), 'bocc-hardhat-'))
  const config = fileURLToPath(new URL('./hardhat/hardhat.config.ts', import.meta.url))
  return {
    command: [
      process.execPath,
      cli,
      '--config',
      config,
      'node',
      '--hostname',
      host,
      '--port',
      String(port),
    ],
    env: {
      BOCC_HARDHAT_BLOCK_TIME_MS: String(Math.round((blockTime ?? 0) * 1000)),
      BOCC_HARDHAT_DIR: scratch,
      HARDHAT_DISABLE_TELEMETRY: 'true',
      // Never prompts or checks for updates from a test or a script.
      CI: 'true',
    },
    listening: 'JSON-RPC server at http://',
    cleanUp: () => rm(scratch, { recursive: true, force: true }),
  }
}
