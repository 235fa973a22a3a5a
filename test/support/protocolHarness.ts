import { type Address, type Hex, keccak256, parseEventLogs, toHex } from 'viem'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { catalogAbi, marketAbi, registryAbi, tokenAbi } from '../../src/chain/abis.ts'
import type { BoccSigner } from '../../src/chain/boccChain.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import {
  TransactionRevertedError,
  writeContractAndWait,
} from '../../src/chain/writeContractAndWait.ts'
import {
  type EnclaveRegistration,
  enclaveApprovalTypes,
  registryDomain,
} from '../../src/protocol/enclaveApproval.ts'
import type { OrderTerms } from '../../src/protocol/orderTerms.ts'
import { failureTypes, marketDomain, receiptTypes } from '../../src/protocol/receipt.ts'
import type { LocalProtocol } from './localProtocol.ts'

export const label = (text: string) => keccak256(toHex(text))
export const zeroHash = `0x${'00'.repeat(32)}` as const

type ContractName = 'market' | 'registry' | 'catalog' | 'token'
const abis = { market: marketAbi, registry: registryAbi, catalog: catalogAbi, token: tokenAbi }

/** Which contract serves a function, by name (the contracts share no function names). */
function contractOf(functionName: string): ContractName {
  for (const name of ['market', 'registry', 'catalog'] as const)
    if (abis[name].some((item) => item.type === 'function' && item.name === functionName))
      return name
  return 'token'
}

/**
 * Short calls for contract tests against a {@link LocalProtocol}: raw calls by function name to
 * whichever BOCC contract serves it, so tests can build any call an attacker could.
 */
export function protocolHarness(dev: LocalProtocol) {
  const client = dev.signers.deployer.publicClient
  const member = privateKeyToAccount(devPrivateKey(devRoles.committeeMember))
  const target = (functionName: string) => {
    const name = contractOf(functionName)
    return { address: dev.deployment.contracts[name], abi: abis[name] }
  }

  const send = (signer: BoccSigner, functionName: string, args: unknown[] = []) =>
    writeContractAndWait(signer, {
      ...target(functionName),
      functionName: functionName as never,
      args: args as never,
    } as never)
  const read = <result>(functionName: string, args: unknown[] = []) =>
    client.readContract({
      ...target(functionName),
      functionName: functionName as never,
      args: args as never,
    } as never) as Promise<result>
  const allAbis = [...marketAbi, ...registryAbi, ...catalogAbi]

  return {
    client,
    member,
    send,
    read,
    /** Asserts the call reverts with the custom error `errorName`. */
    async reverts(promise: Promise<unknown>, errorName: string) {
      try {
        await promise
      } catch (error) {
        if (error instanceof TransactionRevertedError && error.errorName === errorName) return
        throw new Error(`expected ${errorName}, got ${String(error)}`)
      }
      throw new Error(`expected ${errorName}, but the call succeeded`)
    },
    tokenBalance: (account: Address) =>
      client.readContract({
        address: dev.deployment.contracts.token,
        abi: tokenAbi,
        functionName: 'balanceOf',
        args: [account],
      }),
    /** An account's available market balance. */
    balance: (account: Address) => read<bigint>('balanceOf', [account]),
    async approve(signer: BoccSigner, amount: bigint) {
      await writeContractAndWait(signer, {
        address: dev.deployment.contracts.token,
        abi: tokenAbi,
        functionName: 'approve',
        args: [dev.deployment.contracts.market, amount],
      })
    },
    async now() {
      return Number((await client.getBlock()).timestamp)
    },
    /** Signs `registration` as committee members for the current epoch (sorted by address, as the registry wants). */
    async approvals(
      registration: EnclaveRegistration,
      members: PrivateKeyAccount[] = [member],
      epoch?: bigint,
    ) {
      const committeeEpoch = epoch ?? (await read<bigint>('committeeEpoch'))
      const sorted = [...members].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1))
      return Promise.all(
        sorted.map((signer) =>
          signer.signTypedData({
            domain: registryDomain(dev.deployment.chainId, dev.deployment.contracts.registry),
            types: enclaveApprovalTypes,
            primaryType: 'EnclaveApproval',
            message: { ...registration, committeeEpoch },
          }),
        ),
      )
    },
    /** Registers `registration` with the committee's approvals for the current epoch. */
    async register(provider: BoccSigner, registration: EnclaveRegistration) {
      const epoch = await read<bigint>('committeeEpoch')
      return send(provider, 'registerEnclave', [
        registration,
        epoch,
        await this.approvals(registration, [member], epoch),
      ])
    },
    /** A fresh enclave key and a registration of it for `provider`. */
    async newEnclave(provider: BoccSigner, overrides: Partial<EnclaveRegistration> = {}) {
      const key = privateKeyToAccount(generatePrivateKey())
      const measurement = overrides.measurement ?? (await genesisMeasurement())
      const registration: EnclaveRegistration = {
        enclave: key.address,
        provider: provider.account.address,
        hardware: 0,
        expiresAt: Number((await client.getBlock()).timestamp) + 86_400,
        measurement,
        hpkePublicKey: label(`hpke ${key.address}`),
        evidenceHash: label(`evidence ${key.address}`),
        collateralHash: zeroHash,
        gpuEvidenceHash: zeroHash,
        ...overrides,
      }
      return { key, registration }
    },
    signReceipt(key: PrivateKeyAccount, orderId: bigint, outputHash: Hex, wrappedResultKey: Hex) {
      return key.signTypedData({
        domain: marketDomain(dev.deployment.chainId, dev.deployment.contracts.market),
        types: receiptTypes,
        primaryType: 'Receipt',
        message: { orderId, outputHash, wrappedResultKey },
      })
    },
    signFailure(key: PrivateKeyAccount, orderId: bigint, reason: number) {
      return key.signTypedData({
        domain: marketDomain(dev.deployment.chainId, dev.deployment.contracts.market),
        types: failureTypes,
        primaryType: 'Failure',
        message: { orderId, reason },
      })
    },
    /** The id an event gave, from a transaction's logs. */
    idFrom(
      logs: Parameters<typeof parseEventLogs>[0]['logs'],
      eventName: 'TeeOfferCreated' | 'SolutionOfferCreated' | 'DataOfferCreated',
    ) {
      const [event] = parseEventLogs({ abi: allAbis, eventName, logs })
      if (!event) throw new Error(`no ${eventName} event`)
      return (event.args as { offerId: number }).offerId
    },
    /** The order id and terms of an `OrderCreated` in a transaction's logs. */
    orderFrom(logs: Parameters<typeof parseEventLogs>[0]['logs']) {
      const [event] = parseEventLogs({ abi: marketAbi, eventName: 'OrderCreated', logs })
      if (!event) throw new Error('no OrderCreated event')
      return { orderId: event.args.orderId, terms: event.args.terms as OrderTerms }
    },
    /** The events a transaction emitted, decoded with every BOCC ABI. */
    eventsOf(logs: Parameters<typeof parseEventLogs>[0]['logs']) {
      return parseEventLogs({ abi: allAbis, logs })
    },
  }

  async function genesisMeasurement(): Promise<Hex> {
    const [event] = await client.getContractEvents({
      address: dev.deployment.contracts.registry,
      abi: registryAbi,
      eventName: 'MeasurementProposed',
      fromBlock: 0n,
    })
    return (event?.args.measurement ?? zeroHash) as Hex
  }
}
