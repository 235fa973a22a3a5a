import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { it } from 'node:test'
import { allAttacks } from './attacks/index.ts'

const threatModel = readFileSync('docs/threat-model.md', 'utf8')
/** The attack rows of the threat model's tables: `| A-12 | … |`. */
const rows = [...threatModel.matchAll(/^\| (A-\d{2,}) \|(.*)$/gm)]

it('gives every attack of the threat model a test in the suite, and the suite no attack it lacks', () => {
  const documented = rows.map((row) => row[1] as string)
  assert.equal(
    new Set(documented).size,
    documented.length,
    'an id appears twice in the threat model',
  )
  const ran = allAttacks.map((attack) => attack.id)
  assert.equal(new Set(ran).size, ran.length, 'two attacks of the suite share an id')
  assert.deepEqual([...documented].sort(), [...ran].sort())
})

it('names, for every attack, test files that exist', () => {
  for (const row of rows) {
    const files = [...(row[2] as string).matchAll(/`((?:test|src)\/[^`]+?\.test\.ts)`/g)].map(
      (match) => match[1] as string,
    )
    assert.ok(files.length > 0, `${row[1]} names no test file`)
    for (const file of files) assert.ok(existsSync(file), `${row[1]}: ${file} does not exist`)
  }
})
