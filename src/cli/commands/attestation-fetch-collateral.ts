import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { AmdProductLine } from '../../attestation/amd/roots.ts'
import { fetchCollateral } from '../../attestation/fetchCollateral.ts'
import { readInputFile } from '../../attestation/node/readInputFiles.ts'
import { UsageError } from '../usage.ts'

export const usage =
  'bocc attestation fetch-collateral EVIDENCE --out DIR [--pcs URL] [--kds URL] [--product Milan|Genoa|Turin]'
export const summary =
  'download the collateral or VCEK that offline verification of EVIDENCE needs (network)'

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      pcs: { type: 'string' },
      kds: { type: 'string' },
      product: { type: 'string' },
    },
  })
  const [evidencePath] = positionals
  if (positionals.length !== 1 || !evidencePath)
    throw new UsageError('give exactly one EVIDENCE file')
  if (!values.out) throw new UsageError('--out DIR is required')
  const product = values.product
  if (product !== undefined && product !== 'Milan' && product !== 'Genoa' && product !== 'Turin')
    throw new UsageError('--product must be Milan, Genoa or Turin')
  const files = await fetchCollateral({
    evidence: await readInputFile(evidencePath),
    ...(values.pcs ? { pcsUrl: values.pcs } : {}),
    ...(values.kds ? { kdsUrl: values.kds } : {}),
    ...(product ? { productLine: product as AmdProductLine } : {}),
  })
  await mkdir(values.out, { recursive: true })
  for (const file of files) await writeFile(path.join(values.out, file.name), file.bytes)
  console.log(`wrote ${files.map((file) => file.name).join(', ')} to ${values.out}`)
  return 0
}
