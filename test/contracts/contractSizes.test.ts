import assert from 'node:assert/strict'
import { it } from 'node:test'
import { deployedSizes } from '../../src/chain/artifacts.ts'
import { contractSizeLimit, libraryContracts } from '../../src/chain/compileContracts.ts'

/** Room to grow: a contract near the EIP-170 limit could not take the next rule without a split. */
const headroom = 0.75

it(`keeps every BOCC contract's deployed code within ${headroom * 100} % of the EIP-170 limit`, () => {
  const ours = Object.entries(deployedSizes).filter(([name]) => !libraryContracts.includes(name))
  for (const name of ['BoccMarket', 'OrderExits', 'EnclaveRegistry', 'Catalog'])
    assert.ok(
      ours.some(([own]) => own === name),
      `${name} is missing from src/chain/artifacts.ts`,
    )
  for (const [name, size] of ours)
    assert.ok(
      size <= headroom * contractSizeLimit,
      `${name} is ${size} bytes, over ${headroom * contractSizeLimit} (${headroom * 100} % of ${contractSizeLimit})`,
    )
})
