import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bytesToHex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { devPrivateKey, devPrivateKeys, devRoles } from './devAccounts.ts'

test('the written-out dev keys are those the well-known mnemonic derives', () => {
  const mnemonic = 'test test test test test test test test test test test junk'
  devPrivateKeys.forEach((key, index) => {
    const derived = mnemonicToAccount(mnemonic, { addressIndex: index }).getHdKey().privateKey
    assert.ok(derived)
    assert.equal(key, bytesToHex(derived), `dev account ${index}`)
  })
  assert.equal(Math.max(...Object.values(devRoles)), devPrivateKeys.length - 1)
})

test('there is no dev account past the last one', () => {
  assert.throws(() => devPrivateKey(devPrivateKeys.length), RangeError)
})
