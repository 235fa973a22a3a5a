import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { hexToBytes } from 'viem'
import { BoccError } from '../../errors.ts'

/**
 * The Linux configfs-tsm report interface (Documentation/ABI/testing/configfs-tsm): a guest
 * creates a directory under /sys/kernel/config/tsm/report, writes its 64 bytes of report_data to
 * `inblob`, and reads the signed report (TDX quote, SEV-SNP report) from `outblob` and, for
 * SEV-SNP, the certificates the host supplied from `auxblob`. `provider` names the TSM
 * (`tdx_guest`, `sev_guest`); `generation` counts writes, so a reader sees whether another writer
 * changed the request between its write and its read.
 */
export const defaultTsmReportRoot = '/sys/kernel/config/tsm/report'

/** The file operations the interface needs; the kernel's tree through node:fs by default. */
export type TsmFileSystem = {
  mkdir(path: string): Promise<void>
  rmdir(path: string): Promise<void>
  readFile(path: string): Promise<Uint8Array>
  writeFile(path: string, bytes: Uint8Array): Promise<void>
}

export const nodeTsmFileSystem: TsmFileSystem = {
  mkdir: async (path) => {
    await mkdir(path)
  },
  rmdir: (path) => rmdir(path),
  readFile: async (path) => new Uint8Array(await readFile(path)),
  writeFile: (path, bytes) => writeFile(path, bytes),
}

export const tsmProviders = { tdx_guest: 'tdx', sev_guest: 'sev-snp' } as const
export type TsmTee = (typeof tsmProviders)[keyof typeof tsmProviders]

export class TsmReportError extends BoccError {
  override name = 'TsmReportError'
}

export type TsmReport = { tee: TsmTee; outblob: Uint8Array; auxblob?: Uint8Array }

/**
 * Gets one report over `reportData` (64 bytes hex). Retries a few times when `generation` shows
 * a concurrent writer; refuses a provider other than `expected` when one is given.
 */
export async function requestTsmReport(parameters: {
  reportData: `0x${string}`
  root?: string
  fs?: TsmFileSystem
  expected?: TsmTee
}): Promise<TsmReport> {
  const fs = parameters.fs ?? nodeTsmFileSystem
  const root = parameters.root ?? defaultTsmReportRoot
  const inblob = hexToBytes(parameters.reportData)
  if (inblob.length !== 64) throw new TsmReportError('report_data must be 64 bytes')
  const entry = join(root, `bocc-${randomBytes(8).toString('hex')}`)
  try {
    await fs.mkdir(entry)
  } catch (error) {
    throw new TsmReportError(`cannot create a configfs-tsm report entry under ${root}`, {
      cause: error,
    })
  }
  try {
    const provider = new TextDecoder().decode(await fs.readFile(join(entry, 'provider'))).trim()
    const tee = tsmProviders[provider as keyof typeof tsmProviders]
    if (!tee) throw new TsmReportError(`the TSM provider "${provider}" is not TDX or SEV-SNP`)
    if (parameters.expected && tee !== parameters.expected)
      throw new TsmReportError(`the TSM is ${tee}, not ${parameters.expected}`)
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = await generationOf(fs, entry)
      try {
        await fs.writeFile(join(entry, 'inblob'), inblob)
      } catch (error) {
        throw new TsmReportError('the TSM refused the report_data', { cause: error })
      }
      const outblob = await fs.readFile(join(entry, 'outblob'))
      const auxblob =
        tee === 'sev-snp'
          ? await fs.readFile(join(entry, 'auxblob')).catch(() => undefined)
          : undefined
      // Exactly our one write since we looked: no other writer changed the request meanwhile.
      if ((await generationOf(fs, entry)) === before + 1)
        return { tee, outblob, ...(auxblob && auxblob.length > 0 ? { auxblob } : {}) }
    }
    throw new TsmReportError('another writer kept changing the configfs-tsm report entry')
  } finally {
    await fs.rmdir(entry).catch(() => undefined)
  }
}

async function generationOf(fs: TsmFileSystem, entry: string): Promise<number> {
  const text = new TextDecoder().decode(await fs.readFile(join(entry, 'generation'))).trim()
  const generation = Number(text)
  if (!Number.isSafeInteger(generation))
    throw new TsmReportError(`the configfs-tsm generation "${text}" is not a number`)
  return generation
}
