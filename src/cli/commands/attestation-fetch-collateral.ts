import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { type Command, Option } from 'commander'
import type { AmdProductLine } from '../../attestation/amd/roots.ts'
import { fetchCollateral } from '../../attestation/fetchCollateral.ts'
import { readInputFile } from '../../attestation/node/readInputFiles.ts'
import { addExamples } from '../networkOptions.ts'

export function define(command: Command) {
  command
    .argument('<evidence>', 'the quote or report file (binary, hex or base64)')
    .requiredOption('--out <dir>', 'where to write the collateral files')
    .option('--pcs <url>', 'Intel PCS base URL (default: Intel’s)')
    .option('--kds <url>', 'AMD KDS base URL (default: AMD’s)')
    .addOption(
      new Option('--product <line>', 'AMD product line of an SEV-SNP report').choices([
        'Milan',
        'Genoa',
        'Turin',
      ]),
    )
  addExamples(command, 'bocc attestation fetch-collateral quote.dat --out collateral/')
}

/** Downloads what offline verification of the evidence needs (this command uses the network). */
export async function run(
  evidencePath: string,
  values: { out: string; pcs?: string; kds?: string; product?: AmdProductLine },
): Promise<number> {
  const product = values.product
  const files = await fetchCollateral({
    evidence: await readInputFile(evidencePath),
    ...(values.pcs ? { pcsUrl: values.pcs } : {}),
    ...(values.kds ? { kdsUrl: values.kds } : {}),
    ...(product ? { productLine: product } : {}),
  })
  await mkdir(values.out, { recursive: true })
  for (const file of files) await writeFile(path.join(values.out, file.name), file.bytes)
  console.log(`wrote ${files.map((file) => file.name).join(', ')} to ${values.out}`)
  return 0
}
