import { readFile } from 'node:fs/promises'
import type { FigureReport } from '../report.ts'

/** The gas figures `npm run gas` measured (bench/results/gas.json), as one object. */
export async function readGas(): Promise<FigureReport> {
  try {
    const gas = JSON.parse(await readFile('bench/results/gas.json', 'utf8')) as Record<
      string,
      number
    >
    return {
      values: { gas },
      notes: {
        gas: 'from bench/results/gas.json, written by npm run gas (gasUsed of mined transactions on anvil)',
      },
    }
  } catch {
    return { values: { gas: null }, notes: { gas: 'run npm run gas first' } }
  }
}
