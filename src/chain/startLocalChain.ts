import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BoccError } from '../errors.ts'
import { stopProcess } from '../processes/stopProcess.ts'
import { forgetNonces } from './connectChain.ts'

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
  /** The node's current process (another one after `restart`). */
  process: ChildProcess
  /**
   * Stops the node and starts it again on the same port and chain id from the state it dumped on
   * exit (anvil started with `keepState`): what a node operator's restart does. The chain's clock
   * goes on from the last block's time. Its history before the restart (state at old blocks) is
   * not kept: reads at those blocks need an archive node.
   */
  restart(): Promise<void>
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
  /** Dump the state on exit and load it on `restart` (anvil). */
  keepState?: boolean
}

/**
 * Every node this process started and has not seen exit, with its scratch directory. When the
 * process exits without stopping them (an uncaught error, `process.exit`, a signal handler that
 * exits), they are killed and their directories removed: a node never outlives its starter.
 */
const runningNodes = new Map<ChildProcess, string | undefined>()
let stopsNodesOnExit = false

function trackNode(child: ChildProcess, scratch: string | undefined) {
  runningNodes.set(child, scratch)
  child.once('exit', () => runningNodes.delete(child))
  if (stopsNodesOnExit) return
  stopsNodesOnExit = true
  // Only synchronous work runs on exit: no time to wait for a graceful stop.
  process.once('exit', () => {
    for (const [node, directory] of runningNodes) {
      node.kill('SIGKILL')
      if (directory) rmSync(directory, { recursive: true, force: true })
    }
  })
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
  if (parameters.keepState && node !== 'anvil')
    throw new ChainStartError('only anvil can keep its state across a restart')
  // anvil writes the states it keeps of recent blocks under a cache directory it never removes:
  // one of our own, removed at stop, holds them (and the state dumped for a restart).
  const scratch = node === 'anvil' ? await mkdtemp(join(tmpdir(), 'bocc-anvil-')) : undefined
  const launch =
    node === 'anvil'
      ? anvilCommand(host, parameters, scratch as string)
      : await hardhatCommand(host, parameters.blockTime)
  const cleanUp = async () => {
    await launch.cleanUp?.()
    if (scratch) await rm(scratch, { recursive: true, force: true })
  }
  let running: { child: ChildProcess; port: number }
  try {
    running = await launchNode(node, host, parameters.port ?? 0, launch, parameters.launcher)
    trackNode(running.child, scratch)
  } catch (error) {
    await cleanUp()
    throw error
  }
  const rpcUrl = `http://${host}:${running.port}`
  // A fresh node: nothing this process numbered at this URL before counts on it.
  forgetNonces(rpcUrl)
  const chain: LocalChain = {
    rpcUrl,
    port: running.port,
    node,
    process: running.child,
    async restart() {
      if (!parameters.keepState)
        throw new ChainStartError('this chain was started without keepState: it cannot restart')
      // anvil dumps its state on SIGTERM but goes on answering, and mining, until it exits: a
      // block mined after the dump would vanish with the restart, a reorg that no restart of a
      // real node causes. Mining stops first; what is sent meanwhile stays in the pool and is lost
      // with it, as on a node restarted without its pool (senders see it dropped and send again).
      await rpcRequest(chain.rpcUrl, 'evm_setAutomine', [false])
      if (parameters.blockTime !== undefined)
        await rpcRequest(chain.rpcUrl, 'evm_setIntervalMining', [0])
      const lastBlockTime = await latestBlockTime(chain.rpcUrl)
      // A large state takes a while to write.
      await stopProcess(running.child, 60_000)
      running = await launchNode(node, host, chain.port, launch, parameters.launcher)
      trackNode(running.child, scratch)
      chain.process = running.child
      // The dump keeps blocks and balances but not the offset `evm_increaseTime` added to the
      // clock: without this the next block would be older than the last.
      const behind = lastBlockTime - Math.floor(Date.now() / 1000)
      if (behind > 0) await rpcRequest(chain.rpcUrl, 'evm_increaseTime', [behind + 1])
    },
    async stop() {
      await stopProcess(running.child)
      await cleanUp()
    },
  }
  return chain
}

/** Spawns the node on `port` (0: any free one); resolves with the port once it listens. */
async function launchNode(
  node: LocalChainNode,
  host: string,
  requestedPort: number,
  launch: NodeCommand,
  launcher: readonly string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const [command, ...args] = [...launcher, ...launch.command(requestedPort)]
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
  return { child, port }
}

/** One JSON-RPC call over plain fetch (the node's own test methods, before any client exists). */
async function rpcRequest(rpcUrl: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const answer = (await response.json()) as { result?: unknown; error?: { message: string } }
  if (answer.error) throw new ChainStartError(`${method} failed: ${answer.error.message}`)
  return answer.result
}

async function latestBlockTime(rpcUrl: string): Promise<number> {
  const block = (await rpcRequest(rpcUrl, 'eth_getBlockByNumber', ['latest', false])) as {
    timestamp: string
  }
  return Number(block.timestamp)
}

type NodeCommand = {
  /** The command line that listens on `port`. */
  command(port: number): string[]
  env?: Record<string, string>
  /** What the node prints before `host:port` once it listens. */
  listening: string
  cleanUp?(): Promise<void>
}

function anvilCommand(
  host: string,
  parameters: StartLocalChainParameters,
  scratch: string,
): NodeCommand {
  let binary: string
  try {
    binary = anvilBinaryPath()
  } catch (error) {
    throw new ChainStartError('the anvil binary is missing; run `npm install`', { cause: error })
  }
  const options = ['--hardfork', parameters.hardfork ?? 'osaka', '--cache-path', scratch]
  if (parameters.blockTime !== undefined) options.push('--block-time', String(parameters.blockTime))
  if (parameters.chainId !== undefined) options.push('--chain-id', String(parameters.chainId))
  if (parameters.stepsTracing) options.push('--steps-tracing')
  if (parameters.keepState) options.push('--state', join(scratch, 'state.json'))
  return {
    command: (port) => [binary, '--host', host, '--port', String(port), ...options],
    listening: 'Listening on ',
  }
}

/** `hardhat node` under this Node, with src/chain/hardhat/hardhat.config.ts. */
async function hardhatCommand(host: string, blockTime: number | undefined): Promise<NodeCommand> {
  let cli: string
  try {
    cli = join(dirname(require.resolve('hardhat')), 'cli.js')
  } catch (error) {
    throw new ChainStartError('Hardhat is missing; run `npm install`', { cause: error })
  }
  const scratch = await mkdtemp(join(tmpdir(), 'bocc-hardhat-'))
  const config = fileURLToPath(new URL('./hardhat/hardhat.config.ts', import.meta.url))
  return {
    command: (port) => [
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
