import { access, writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { type Address, formatEther, getAddress, type Hex, isAddress, isHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getSafeOwners } from '../../chain/actions/governance/getSafeOwners.ts'
import { connectSigner } from '../../chain/connectChain.ts'
import { deployContracts } from '../../chain/deployContracts.ts'
import { type Deployment, encodeDeployment } from '../../chain/deployment.ts'
import { councilRoles, devPrivateKey, devRoles } from '../../chain/devAccounts.ts'
import { readKeyFile } from '../../chain/keyFile.ts'
import { measureRuntime } from '../../enclave/measureRuntime.ts'
import { BoccError } from '../../errors.ts'
import { openBlobStore } from '../../storage/openBlobStore.ts'
import { addExamples, addJsonOption } from '../networkOptions.ts'
import { printJson } from '../output.ts'
import { parseCount, UsageError } from '../usage.ts'

export function define(command: Command) {
  command
    .requiredOption('--rpc <url>', 'the JSON-RPC endpoint of the EVM network to deploy to')
    .requiredOption(
      '--key <file>',
      'the deployer’s key file, or a file holding only its 0x hex private key (mode 0600)',
    )
    .option(
      '--out <file>',
      'where to write the deployment file (refuses to overwrite)',
      'deployment.json',
    )
    .option(
      '--confirmations <n>',
      'blocks each transaction must be under before the next is sent (default: 1 on local chains 31337 and 1337, 3 elsewhere)',
    )
    .option(
      '--blob-store <url>',
      'the blob store to name in the deployment: file:///dir, http(s)://host/ or s3://bucket/prefix',
    )
    .option(
      '--safe-owners <addresses>',
      'the governance Safe’s owners, comma-separated (at least 2)',
    )
    .option('--safe-threshold <n>', 'owner signatures a governance change needs (at least 2)')
    .option(
      '--dev-governance',
      'govern with a 2-of-3 Safe of the public dev keys: for development networks only',
    )
    .option('--committee <addresses>', 'the verifier committee’s members, comma-separated')
    .option('--committee-threshold <n>', 'approvals an enclave needs (default: 1 with one member)')
    .option(
      '--measurement <hex>',
      'a runtime measurement allowed from the start; repeatable (default: this checkout’s runtime)',
      collect,
    )
    .option(
      '--token <address>',
      'an existing ERC-20 payment token (default: deploy a test token with a faucet)',
    )
    .option(
      '--timelock-delay <seconds>',
      'how long a governance change waits on the timelock',
      '172800',
    )
    .option(
      '--governance-delay <seconds>',
      'how long an executed change waits before it applies',
      '86400',
    )
    .option(
      '--resend-after <seconds>',
      'send a transaction again with higher fees when unmined this long',
      '60',
    )
  addJsonOption(command)
  addExamples(
    command,
    'bocc deploy --rpc https://rpc.example.org --key deployer.key --safe-owners 0xA…,0xB…,0xC… --safe-threshold 2 --committee 0xD…,0xE… --committee-threshold 2 --token 0xF…',
    'bocc deploy --rpc http://127.0.0.1:8545 --key deployer.json --dev-governance --committee 0xD… --blob-store s3://bocc/blobs',
  )
}

type Options = {
  rpc: string
  key: string
  out: string
  confirmations?: string
  blobStore?: string
  safeOwners?: string
  safeThreshold?: string
  devGovernance?: boolean
  committee?: string
  committeeThreshold?: string
  measurement?: string[]
  token?: string
  timelockDelay: string
  governanceDelay: string
  resendAfter: string
  json: boolean
}

export class DeployerUnfundedError extends BoccError {
  override name = 'DeployerUnfundedError'
  constructor(deployer: Address, chainId: number) {
    super(`the deployer ${deployer} has no native currency on chain ${chainId} to pay for gas`)
  }
}

/** The one line said when the governance is the public dev keys'. */
export const developmentGovernanceNotice =
  'development governance: a 2-of-3 Safe of the public dev keys, so anyone can change what this registry trusts; never use it where value is at stake'

/**
 * `bocc deploy`: deploys BOCC to any EVM network (fees, confirmations and dropped transactions
 * handled as that network needs) and writes the deployment file every other command reads.
 */
export async function run(options: Options): Promise<number> {
  const governance = governanceOf(options)
  const committee = addressList(options.committee, '--committee')
  if (committee.length === 0)
    throw new UsageError('give the verifier committee: --committee ADDRESS[,ADDRESS…]')
  const committeeThreshold =
    options.committeeThreshold !== undefined
      ? parseCount(options.committeeThreshold, '--committee-threshold')
      : committee.length === 1
        ? 1
        : undefined
  if (committeeThreshold === undefined)
    throw new UsageError('give --committee-threshold N with a committee of several members')
  if (committeeThreshold > committee.length)
    throw new UsageError(
      `--committee-threshold ${committeeThreshold} is more than the ${committee.length} members`,
    )
  const measurements = (options.measurement ?? []).map((value) => {
    if (!isHex(value) || value.length !== 66)
      throw new UsageError(`--measurement ${value} is not 0x and 64 hex digits`)
    return value.toLowerCase() as Hex
  })
  const token = options.token === undefined ? undefined : oneAddress(options.token, '--token')
  if (options.blobStore !== undefined) openBlobStore(options.blobStore)
  const timelockDelaySeconds = seconds(options.timelockDelay, '--timelock-delay')
  const governanceDelaySeconds = seconds(options.governanceDelay, '--governance-delay')
  const resendAfterMs = parseCount(options.resendAfter, '--resend-after') * 1000
  const { privateKey } = await readKeyFile(options.key)
  await refuseExisting(options.out)

  const connection = await connectSigner(options.rpc, privateKey)
  const chainId = connection.chain.id
  const confirmations =
    options.confirmations !== undefined
      ? parseCount(options.confirmations, '--confirmations')
      : chainId === 31337 || chainId === 1337
        ? 1
        : 3
  const deployer = connection.account.address
  const balance = await connection.publicClient.getBalance({ address: deployer })
  if (balance === 0n) throw new DeployerUnfundedError(deployer, chainId)
  const say = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`)
  if (governance.development) say(developmentGovernanceNotice)
  say(`chain ${chainId} at ${options.rpc}; deployer ${deployer} (${formatEther(balance)} native)`)
  say(`waiting for ${confirmations} confirmation${confirmations === 1 ? '' : 's'} per transaction`)

  const genesisMeasurements = measurements.length > 0 ? measurements : [measureRuntime()]
  const deployment: Deployment = await deployContracts(
    connection,
    {
      genesisMeasurements,
      committee,
      committeeThreshold,
      governanceOwners: governance.owners,
      governanceThreshold: governance.threshold,
      timelockDelaySeconds,
      governanceDelaySeconds,
      ...(token ? { token } : {}),
    },
    {
      confirmations,
      resendAfterMs,
      onSent: ({ hash, nonce, attempt }) =>
        process.stderr.write(
          `sent ${hash} (nonce ${nonce}${attempt > 1 ? `, attempt ${attempt} with higher fees` : ''})\n`,
        ),
    },
  )
  // Read the governance back from the chain before naming it in the file.
  const deployedSafe = await getSafeOwners(connection, { safe: deployment.contracts.safe })
  const asked = new Set(governance.owners.map((owner) => owner.toLowerCase()))
  if (
    deployedSafe.threshold !== governance.threshold ||
    deployedSafe.owners.length !== asked.size ||
    !deployedSafe.owners.every((owner) => asked.has(owner.toLowerCase()))
  )
    throw new BoccError(
      `the deployed Safe ${deployment.contracts.safe} does not have the owners and threshold asked for`,
    )
  if (options.blobStore !== undefined) deployment.blobStore = options.blobStore
  await writeFile(options.out, encodeDeployment(deployment), { flag: 'wx' })
  if (options.json)
    printJson({
      file: options.out,
      chainId,
      rpcUrl: deployment.rpcUrl,
      fromBlock: deployment.fromBlock,
      contracts: deployment.contracts,
      blobStore: deployment.blobStore ?? null,
      testToken: token === undefined,
      governance: {
        owners: governance.owners,
        threshold: governance.threshold,
        development: governance.development,
      },
      committee,
      committeeThreshold,
      genesisMeasurements,
    })
  else {
    for (const [name, address] of Object.entries(deployment.contracts))
      console.log(`${name}: ${address}`)
    if (token === undefined) console.log('token is a test token with a faucet (no --token given)')
    console.log(`deployment: ${options.out} (from block ${deployment.fromBlock})`)
  }
  return 0
}

function governanceOf(options: Options): {
  owners: Address[]
  threshold: number
  development: boolean
} {
  if (options.devGovernance) {
    if (options.safeOwners !== undefined || options.safeThreshold !== undefined)
      throw new UsageError('--dev-governance and --safe-owners/--safe-threshold exclude each other')
    return {
      owners: councilRoles.map(
        (role) => privateKeyToAccount(devPrivateKey(devRoles[role])).address,
      ),
      threshold: 2,
      development: true,
    }
  }
  if (options.safeOwners === undefined || options.safeThreshold === undefined)
    throw new UsageError(
      'give the governance Safe: --safe-owners A,B,C --safe-threshold 2 (or --dev-governance, public dev keys, for a development network)',
    )
  const owners = addressList(options.safeOwners, '--safe-owners')
  const threshold = parseCount(options.safeThreshold, '--safe-threshold')
  if (new Set(owners).size < 2 || threshold < 2 || threshold > new Set(owners).size)
    throw new UsageError(
      `governance needs at least 2 distinct owners and a threshold from 2 to their number (got ${threshold} of ${new Set(owners).size})`,
    )
  return { owners, threshold, development: false }
}

function addressList(value: string | undefined, flag: string): Address[] {
  if (value === undefined) return []
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => oneAddress(item, flag))
}

function oneAddress(value: string, flag: string): Address {
  if (!isAddress(value, { strict: false }))
    throw new UsageError(`${flag}: ${value} is not an address`)
  return getAddress(value)
}

function seconds(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new UsageError(`${flag} must be a whole number of seconds, not ${value}`)
  return Number(value)
}

async function refuseExisting(path: string): Promise<void> {
  const exists = await access(path).then(
    () => true,
    () => false,
  )
  if (exists) throw new UsageError(`${path} exists; refusing to overwrite a deployment file`)
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}
