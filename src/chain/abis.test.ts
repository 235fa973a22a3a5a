import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { hardwareKinds } from '../protocol/enclaveApproval.ts'
import { failureReasons } from '../protocol/failureReasons.ts'
import { orderTermsParameter } from '../protocol/orderTerms.ts'
import { marketAbi } from './abis.ts'
import { contractEnums } from './artifacts.ts'
import { orderStatuses } from './orderStatus.ts'

/** The protocol's hand-written twins of contract types must be the contracts' own. */
describe('the protocol modules and the compiled contracts agree', () => {
  it('OrderTerms: field for field, as the market ABI declares it', () => {
    const accept = marketAbi.find(
      (item) => item.type === 'function' && item.name === 'acceptOrder',
    ) as { inputs: readonly { components?: readonly { name: string; type: string }[] }[] }
    const components = accept.inputs[0]?.components?.map(({ name, type }) => ({ name, type }))
    assert.deepEqual(components, orderTermsParameter.components)
  })

  it('failure reasons, hardware kinds and order statuses: the contracts’ enums', () => {
    for (const [name, code] of Object.entries(failureReasons))
      assert.equal(
        contractEnums.FailureReason[code],
        `${name.charAt(0).toUpperCase()}${name.slice(1)}`,
      )
    assert.equal(contractEnums.FailureReason.length, Object.keys(failureReasons).length + 1)
    assert.deepEqual(
      Object.entries(hardwareKinds)
        .sort(([, a], [, b]) => a - b)
        .map(([, index]) => contractEnums.Hardware[index]),
      ['Sim', 'Tdx', 'SevSnp', 'Sgx', 'NvidiaCc'],
    )
    assert.equal(orderStatuses.length, contractEnums.OrderStatus.length)
    assert.equal(orderStatuses[3], 'completed')
  })
})
