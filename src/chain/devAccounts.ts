import type { Hex } from 'viem'
import { bytesToHex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'

/**
 * The well-known accounts that anvil and hardhat fund on local chains. Their keys are public:
 * they exist for local development and tests only.
 */
const devMnemonic = 'test test test test test test test test test test test junk'

export function devPrivateKey(index: number): Hex {
  const key = mnemonicToAccount(devMnemonic, { addressIndex: index }).getHdKey().privateKey
  if (!key) throw new Error('unreachable: an HD account always has a private key')
  return bytesToHex(key)
}

/** Roles in the demo and the tests, one dev account each. */
export const devRoles = {
  deployer: 0,
  provider: 1,
  customer: 2,
  stranger: 3,
  modelVendor: 4,
  committeeMember: 5,
  dataVendor: 6,
  /** The governance multisig's owners on development networks (2 of 3 must sign). */
  councilA: 7,
  councilB: 8,
  councilC: 9,
} as const

export type DevRole = keyof typeof devRoles

/** The dev roles that own the governance multisig. */
export const councilRoles = ['councilA', 'councilB', 'councilC'] as const satisfies DevRole[]
