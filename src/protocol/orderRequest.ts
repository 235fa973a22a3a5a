import { type Address, concatBytes, type Hex, hexToBytes, isAddress, isHex, toBytes } from 'viem'
import { unwrapKey, type WrappedKey, wrapKey } from '../crypto/hpke.ts'
import { BoccError } from '../errors.ts'

/**
 * The order request blob (v2): what the customer tells the enclave, off-chain, addressed on-chain by
 * its SHA-256 (`requestHash`). It names the solution and where its bundle is, lists the order's
 * inputs by name and ciphertext hash (the first is the order's `inputHash`), and carries the
 * order's secrets (one data key per input, and the job's arguments) sealed to the enclave. Nothing
 * in it is readable by the host.
 */
export type OrderInput = {
  /** The solution's input this is (its manifest's `inputs[].name`). */
  name: string
  /** SHA-256 of the input's ciphertext: its blob address. */
  inputHash: Hex
}

export type OrderRequest = {
  version: 2
  enclaveSigner: Address
  enclaveHpkePublicKey: Hex
  solutionHash: Hex
  /** SHA-256 of the solution's bundle blob (its pack, or the pack's ciphertext). */
  solutionBundleHash: Hex
  inputs: OrderInput[]
  /** {@link OrderSecrets}, sealed to the enclave under {@link orderSecretsInfo} and {@link orderSecretsAad}. */
  sealedSecrets: WrappedKey
  /** X25519 public key the result key is sealed to. */
  resultPublicKey: Hex
}

/** What only the enclave may read: the inputs' data keys (in input order) and the arguments. */
export type OrderSecrets = { dataKeys: Uint8Array[]; arguments: string[] }

export const orderSecretsInfo = 'BOCC/order-secrets/v2'
export const maxOrderInputs = 16
export const maxArgumentBytes = 1 << 20

export class MalformedOrderRequestError extends BoccError {
  override name = 'MalformedOrderRequestError'
}

/**
 * The secrets are bound to the solution, its bundle, where results go and every input's name and
 * hash: solutionHash ‖ solutionBundleHash ‖ resultPublicKey ‖ u16 input count ‖ per input u16 name
 * length ‖ UTF-8 name ‖ inputHash.
 */
export function orderSecretsAad(
  request: Pick<OrderRequest, 'solutionHash' | 'solutionBundleHash' | 'resultPublicKey' | 'inputs'>,
): Uint8Array {
  return concatBytes([
    hexToBytes(request.solutionHash),
    hexToBytes(request.solutionBundleHash),
    hexToBytes(request.resultPublicKey),
    u16(request.inputs.length),
    ...request.inputs.flatMap((input) => {
      const name = toBytes(input.name)
      return [u16(name.length), name, hexToBytes(input.inputHash)]
    }),
  ])
}

/** Secrets layout: u16 key count ‖ 32-byte keys ‖ u16 argument count ‖ per argument u32 length ‖ UTF-8. */
export function encodeOrderSecrets(secrets: OrderSecrets): Uint8Array {
  const args = secrets.arguments.map((arg) => toBytes(arg))
  for (const key of secrets.dataKeys)
    if (key.length !== 32) throw new MalformedOrderRequestError('a data key must be 32 bytes')
  return concatBytes([
    u16(secrets.dataKeys.length),
    ...secrets.dataKeys,
    u16(args.length),
    ...args.flatMap((arg) => [u32(arg.length), arg]),
  ])
}

export function decodeOrderSecrets(bytes: Uint8Array): OrderSecrets {
  const malformed = () => new MalformedOrderRequestError('the order’s sealed secrets are malformed')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let offset = 0
  const need = (n: number) => {
    if (offset + n > bytes.length) throw malformed()
  }
  need(2)
  const keyCount = view.getUint16(offset)
  offset += 2
  need(keyCount * 32)
  const dataKeys = Array.from({ length: keyCount }, (_, i) =>
    bytes.slice(offset + i * 32, offset + (i + 1) * 32),
  )
  offset += keyCount * 32
  need(2)
  const argCount = view.getUint16(offset)
  offset += 2
  const args: string[] = []
  for (let i = 0; i < argCount; i++) {
    need(4)
    const length = view.getUint32(offset)
    offset += 4
    need(length)
    try {
      args.push(
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(offset, offset + length)),
      )
    } catch {
      throw malformed()
    }
    offset += length
  }
  if (offset !== bytes.length) throw malformed()
  return { dataKeys, arguments: args }
}

/** Builds a request, sealing each input's data key and the arguments to the enclave. */
export async function sealOrderRequest(parameters: {
  enclaveSigner: Address
  enclaveHpkePublicKey: Hex
  solutionHash: Hex
  solutionBundleHash: Hex
  inputs: (OrderInput & { dataKey: Uint8Array })[]
  arguments?: string[]
  resultPublicKey: Hex
}): Promise<OrderRequest> {
  const unsealed = {
    version: 2 as const,
    enclaveSigner: parameters.enclaveSigner,
    enclaveHpkePublicKey: parameters.enclaveHpkePublicKey,
    solutionHash: parameters.solutionHash,
    solutionBundleHash: parameters.solutionBundleHash,
    inputs: parameters.inputs.map(({ name, inputHash }) => ({ name, inputHash })),
    resultPublicKey: parameters.resultPublicKey,
  }
  const secrets = encodeOrderSecrets({
    dataKeys: parameters.inputs.map((input) => input.dataKey),
    arguments: parameters.arguments ?? [],
  })
  const sealedSecrets = await wrapKey({
    recipientPublicKey: parameters.enclaveHpkePublicKey,
    key: secrets,
    info: orderSecretsInfo,
    aad: orderSecretsAad(unsealed),
  })
  secrets.fill(0)
  return { ...unsealed, sealedSecrets }
}

/** Opens a request's secrets with the enclave's key; throws KeyUnwrapError on any mismatch. */
export async function openOrderSecrets(
  request: OrderRequest,
  enclavePrivateKey: CryptoKey,
): Promise<OrderSecrets> {
  const bytes = await unwrapKey({
    recipientPrivateKey: enclavePrivateKey,
    wrapped: request.sealedSecrets,
    info: orderSecretsInfo,
    aad: orderSecretsAad(request),
  })
  try {
    const secrets = decodeOrderSecrets(bytes)
    if (secrets.dataKeys.length !== request.inputs.length)
      throw new MalformedOrderRequestError('the sealed secrets hold a key count unlike the inputs')
    return secrets
  } finally {
    bytes.fill(0)
  }
}

export function encodeOrderRequest(request: OrderRequest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(request))
}

export function decodeOrderRequest(bytes: Uint8Array): OrderRequest {
  let value: Partial<OrderRequest>
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new MalformedOrderRequestError('the order request is not JSON')
  }
  const hex32 = (field: unknown) => isHex(field) && field.length === 66
  const inputs = value?.inputs
  if (
    value?.version !== 2 ||
    !isAddress(String(value.enclaveSigner)) ||
    !hex32(value.enclaveHpkePublicKey) ||
    !hex32(value.solutionHash) ||
    !hex32(value.solutionBundleHash) ||
    !hex32(value.resultPublicKey) ||
    !isHex(value.sealedSecrets?.enc) ||
    !isHex(value.sealedSecrets?.ciphertext) ||
    !Array.isArray(inputs) ||
    inputs.length < 1 ||
    inputs.length > maxOrderInputs ||
    !inputs.every(
      (input) =>
        typeof input?.name === 'string' &&
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(input.name) &&
        hex32(input.inputHash),
    ) ||
    new Set(inputs.map((input) => input.name)).size !== inputs.length
  )
    throw new MalformedOrderRequestError('the order request is malformed')
  return {
    version: 2,
    enclaveSigner: value.enclaveSigner as Address,
    enclaveHpkePublicKey: value.enclaveHpkePublicKey as Hex,
    solutionHash: value.solutionHash as Hex,
    solutionBundleHash: value.solutionBundleHash as Hex,
    inputs: inputs.map((input) => ({ name: input.name, inputHash: input.inputHash })),
    sealedSecrets: {
      enc: value.sealedSecrets?.enc as Hex,
      ciphertext: value.sealedSecrets?.ciphertext as Hex,
    },
    resultPublicKey: value.resultPublicKey as Hex,
  }
}

function u16(value: number) {
  const bytes = new Uint8Array(2)
  new DataView(bytes.buffer).setUint16(0, value)
  return bytes
}

function u32(value: number) {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, value)
  return bytes
}
