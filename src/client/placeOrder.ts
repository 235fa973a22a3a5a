import { type Address, type Hex, parseEventLogs } from 'viem'
import { boccProtocolAbi, boccTokenAbi } from '../chain/artifacts.ts'
import type { SignerConnection } from '../chain/connectChain.ts'
import { sendTransaction } from '../chain/sendTransaction.ts'
import { encryptObject } from '../crypto/chunkedAead.ts'
import { generateHpkeKeyPair, type HpkeKeyPair } from '../crypto/hpke.ts'
import { BoccError } from '../errors.ts'
import { checkArguments, checkInput, inputHeadBytes } from '../protocol/inputLimits.ts'
import { encodeOrderRequest, sealOrderRequest } from '../protocol/orderRequest.ts'
import type { OrderTerms } from '../protocol/orderTerms.ts'
import { decodeSolutionDescriptor } from '../protocol/solutionBundle.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import type { VerifiedEnclave } from './verifyEnclave.ts'

/** An input or argument the solution does not accept, refused before anything is escrowed. */
export class InputRefusedError extends BoccError {
  override name = 'InputRefusedError'
}

export type PlacedOrder = {
  orderId: bigint
  terms: OrderTerms
  /** The key the result is sealed to; its private half never leaves this process. */
  resultKey: HpkeKeyPair
  transaction: Hex
}

/**
 * Encrypts the input on this machine under a fresh key, seals that key to the verified enclave,
 * stores both blobs, and orders with escrow. Only ciphertext and hashes leave the process.
 */
export async function placeOrder(parameters: {
  connection: SignerConnection
  protocol: Address
  blobs: BlobStore
  teeOfferId: number
  /** Zero: no solution offer. */
  solutionOfferId: number
  enclave: VerifiedEnclave
  solutionHash: Hex
  /** Where the solution's bundle blob is (its pack or the pack's ciphertext). */
  solutionBundleHash: Hex
  /** The inputs; one without a name is the solution's first declared input. */
  inputs: { name?: string; bytes: Uint8Array }[]
  /** The job's arguments (WASM argv), sealed to the enclave with the data keys. */
  arguments?: string[]
  /** Seconds the provider has to accept, and to deliver. */
  acceptWithinSeconds?: number
  deliverWithinSeconds?: number
}): Promise<PlacedOrder> {
  const { connection, protocol, blobs, enclave } = parameters
  if (!enclave.ok) throw new BoccError('refusing to order from an enclave that failed verification')
  const client = connection.publicClient
  const contract = { address: protocol, abi: boccProtocolAbi } as const

  // The solution's declared limits, checked before anything is encrypted or escrowed.
  const { manifest } = decodeSolutionDescriptor(await blobs.get(parameters.solutionHash))
  const named = parameters.inputs.map((input, i) => {
    const name = input.name ?? (i === 0 ? manifest.inputs[0]?.name : undefined)
    const declaration = manifest.inputs.find((item) => item.name === name)
    if (!declaration)
      throw new InputRefusedError(
        `the solution ${manifest.name} has no input ${name ?? `number ${i + 1}`} (it takes ${manifest.inputs.map((item) => item.name).join(', ')})`,
      )
    const violation = checkInput(
      declaration,
      { size: input.bytes.length, head: input.bytes.subarray(0, inputHeadBytes) },
      manifest.runner,
    )
    if (violation) throw new InputRefusedError(violation.message)
    return { name: declaration.name, bytes: input.bytes }
  })
  const missing = manifest.inputs.filter((item) => !named.some((input) => input.name === item.name))
  if (missing.length > 0)
    throw new InputRefusedError(
      `the order lacks the input ${missing.map((item) => item.name).join(', ')}`,
    )
  const argumentViolation = checkArguments(manifest, parameters.arguments ?? [])
  if (argumentViolation) throw new InputRefusedError(argumentViolation.message)
  // The first declared input comes first: its ciphertext hash is the order's inputHash.
  named.sort(
    (a, b) =>
      manifest.inputs.findIndex((item) => item.name === a.name) -
      manifest.inputs.findIndex((item) => item.name === b.name),
  )

  const sealed = await Promise.all(named.map((input) => encryptObject(input.bytes)))
  const inputHashes = await Promise.all(sealed.map((item) => blobs.put(item.ciphertext)))
  const inputHash = inputHashes[0] as Hex
  const resultKey = await generateHpkeKeyPair()
  const request = await sealOrderRequest({
    enclaveSigner: enclave.enclave,
    enclaveHpkePublicKey: enclave.hpkePublicKey,
    solutionHash: parameters.solutionHash,
    solutionBundleHash: parameters.solutionBundleHash,
    inputs: named.map((input, i) => ({
      name: input.name,
      inputHash: inputHashes[i] as Hex,
      dataKey: (sealed[i] as { key: Uint8Array }).key,
    })),
    ...(parameters.arguments ? { arguments: parameters.arguments } : {}),
    resultPublicKey: resultKey.publicKey,
  })
  for (const item of sealed) item.key.fill(0)
  const requestHash = await blobs.put(encodeOrderRequest(request))

  // The most this order may cost: today's prices plus the fee; the contract refuses more.
  const [teeOffer, solutionOffer, feeBps, token, block] = await Promise.all([
    client.readContract({
      ...contract,
      functionName: 'getTeeOffer',
      args: [parameters.teeOfferId],
    }),
    client.readContract({
      ...contract,
      functionName: 'getSolutionOffer',
      args: [parameters.solutionOfferId],
    }),
    client.readContract({ ...contract, functionName: 'feeBps' }),
    client.readContract({ ...contract, functionName: 'paymentToken' }),
    client.getBlock(),
  ])
  const prices = teeOffer.price + (parameters.solutionOfferId === 0 ? 0n : solutionOffer.price)
  const maxPayment = prices + (prices * BigInt(feeBps)) / 10_000n
  await sendTransaction(connection, {
    address: token,
    abi: boccTokenAbi,
    functionName: 'approve',
    args: [protocol, maxPayment],
  })
  const now = Number(block.timestamp)
  const created = await sendTransaction(connection, {
    ...contract,
    functionName: 'createOrder',
    args: [
      {
        enclave: enclave.enclave,
        teeOfferId: parameters.teeOfferId,
        solutionOfferId: parameters.solutionOfferId,
        dataOfferId: 0,
        acceptBy: now + (parameters.acceptWithinSeconds ?? 120),
        deadline:
          now + (parameters.acceptWithinSeconds ?? 120) + (parameters.deliverWithinSeconds ?? 600),
        requestHash,
        inputHash,
        solutionHash: parameters.solutionHash,
        maxPayment,
      },
    ],
  })
  const [event] = parseEventLogs({
    abi: boccProtocolAbi,
    eventName: 'OrderCreated',
    logs: created.receipt.logs,
  })
  if (!event) throw new Error('unreachable: createOrder emits OrderCreated')
  return {
    orderId: event.args.orderId,
    terms: event.args.terms as OrderTerms,
    resultKey,
    transaction: created.hash,
  }
}
