import { type Address, type Hex, keccak256, parseEventLogs, toHex } from 'viem'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { boccProtocolAbi, boccTokenAbi } from '../../src/chain/artifacts.ts'
import type { SignerConnection } from '../../src/chain/connectChain.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { sendTransaction, TransactionRevertedError } from '../../src/chain/sendTransaction.ts'
import {
  type EnclaveRegistration,
  enclaveApprovalTypes,
} from '../../src/protocol/enclaveApproval.ts'
import type { OrderTerms } from '../../src/protocol/orderTerms.ts'
import { failureTypes, protocolDomain, receiptTypes } from '../../src/protocol/receipt.ts'
import type { LocalProtocol } from './localProtocol.ts'

export const label = (text: string) => keccak256(toHex(text))
export const zeroHash = `0x${'00'.repeat(32)}` as const

/** Short calls for contract tests against a {@link LocalProtocol}. */
export function protocolHarness(dev: LocalProtocol) {
  const protocol = { address: dev.deployment.protocol, abi: boccProtocolAbi } as const
  const token = { address: dev.deployment.token, abi: boccTokenAbi } as const
  const client = dev.signers.deployer.publicClient
  const member = privateKeyToAccount(devPrivateKey(devRoles.committeeMember))

  const send = (signer: SignerConnection, functionName: string, args: unknown[] = []) =>
    sendTransaction(signer, {
      ...protocol,
      functionName: functionName as never,
      args: args as never,
    })
  const read = <result>(functionName: string, args: unknown[] = []) =>
    client.readContract({
      ...protocol,
      functionName: functionName as never,
      args: args as never,
    }) as Promise<result>

  return {
    protocol,
    token,
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
      client.readContract({ ...token, functionName: 'balanceOf', args: [account] }),
    balance: (account: Address) => read<bigint>('balanceOf', [account]),
    async approve(signer: SignerConnection, amount: bigint) {
      await sendTransaction(signer, {
        ...token,
        functionName: 'approve',
        args: [dev.deployment.protocol, amount],
      })
    },
    async now() {
      return Number((await client.getBlock()).timestamp)
    },
    /** Signs `registration` as the given committee members (sorted by address, as the contract wants). */
    async approvals(registration: EnclaveRegistration, members: PrivateKeyAccount[] = [member]) {
      const sorted = [...members].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1))
      return Promise.all(
        sorted.map((signer) =>
          signer.signTypedData({
            domain: protocolDomain(dev.deployment.chainId, dev.deployment.protocol),
            types: enclaveApprovalTypes,
            primaryType: 'EnclaveApproval',
            message: registration,
          }),
        ),
      )
    },
    /** A fresh enclave key and a registration of it for `provider`. */
    async newEnclave(provider: SignerConnection, overrides: Partial<EnclaveRegistration> = {}) {
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
        ...overrides,
      }
      return { key, registration }
    },
    signReceipt(key: PrivateKeyAccount, orderId: bigint, terms: OrderTerms, outputHash: Hex) {
      return key.signTypedData({
        domain: protocolDomain(dev.deployment.chainId, dev.deployment.protocol),
        types: receiptTypes,
        primaryType: 'Receipt',
        message: {
          orderId,
          requestHash: terms.requestHash,
          inputHash: terms.inputHash,
          solutionHash: terms.solutionHash,
          outputHash,
        },
      })
    },
    signFailure(key: PrivateKeyAccount, orderId: bigint, terms: OrderTerms, reason: number) {
      return key.signTypedData({
        domain: protocolDomain(dev.deployment.chainId, dev.deployment.protocol),
        types: failureTypes,
        primaryType: 'Failure',
        message: {
          orderId,
          requestHash: terms.requestHash,
          inputHash: terms.inputHash,
          solutionHash: terms.solutionHash,
          reason,
        },
      })
    },
    /** The id an event gave, from a transaction's logs. */
    idFrom(
      logs: Parameters<typeof parseEventLogs>[0]['logs'],
      eventName: 'TeeOfferCreated' | 'SolutionOfferCreated' | 'DataOfferCreated',
    ) {
      const [event] = parseEventLogs({ abi: boccProtocolAbi, eventName, logs })
      if (!event) throw new Error(`no ${eventName} event`)
      return (event.args as { offerId: number }).offerId
    },
    /** The order id and terms of an `OrderCreated` in a transaction's logs. */
    orderFrom(logs: Parameters<typeof parseEventLogs>[0]['logs']) {
      const [event] = parseEventLogs({ abi: boccProtocolAbi, eventName: 'OrderCreated', logs })
      if (!event) throw new Error('no OrderCreated event')
      return { orderId: event.args.orderId, terms: event.args.terms as OrderTerms }
    },
  }

  async function genesisMeasurement(): Promise<Hex> {
    const [event] = await client.getContractEvents({
      ...protocol,
      eventName: 'MeasurementProposed',
      fromBlock: 0n,
    })
    return (event?.args.measurement ?? zeroHash) as Hex
  }
}
