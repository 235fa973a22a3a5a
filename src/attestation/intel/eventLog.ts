import { ByteReader } from '../byteReader.ts'
import { asBufferSource, bytesEqual, concatBytes, latin1ToString, toHex } from '../bytes.ts'
import { EvidenceFormatError } from '../errors.ts'
import { inputLimits } from '../limits.ts'
import type { EventLogEvent } from '../types.ts'

export type { EventLogEvent }

/**
 * The TDX event log (CCEL): the TCG2 crypto-agile log (TCG PC Client Platform Firmware Profile)
 * that TDVF and the boot chain write as they extend RTMR0–3, located by the ACPI CCEL table.
 * Its events name the CC measurement register by index: 1–4 are RTMR0–3 (0 would be MRTD, which
 * no event extends). Replaying the log's SHA-384 digests, RTMR = SHA-384(RTMR ‖ digest), must
 * give the quote's RTMRs; then every event is as authentic as the quote.
 */
export type ReplayedEventLog = {
  events: EventLogEvent[]
  /** The registers the log replays to, lower-case hex. */
  rtmrs: [`0x${string}`, `0x${string}`, `0x${string}`, `0x${string}`]
}

const sha384AlgorithmId = 0x000c
const evNoAction = 0x3
const maximumEvents = 65536

const eventTypeNames: Record<number, string> = {
  0: 'EV_PREBOOT_CERT',
  1: 'EV_POST_CODE',
  3: 'EV_NO_ACTION',
  4: 'EV_SEPARATOR',
  5: 'EV_ACTION',
  6: 'EV_EVENT_TAG',
  7: 'EV_S_CRTM_CONTENTS',
  8: 'EV_S_CRTM_VERSION',
  9: 'EV_CPU_MICROCODE',
  10: 'EV_PLATFORM_CONFIG_FLAGS',
  11: 'EV_TABLE_OF_DEVICES',
  12: 'EV_COMPACT_HASH',
  13: 'EV_IPL',
  14: 'EV_IPL_PARTITION_DATA',
  15: 'EV_NONHOST_CODE',
  16: 'EV_NONHOST_CONFIG',
  17: 'EV_NONHOST_INFO',
  18: 'EV_OMIT_BOOT_DEVICE_EVENTS',
  2147483649: 'EV_EFI_VARIABLE_DRIVER_CONFIG',
  2147483650: 'EV_EFI_VARIABLE_BOOT',
  2147483651: 'EV_EFI_BOOT_SERVICES_APPLICATION',
  2147483652: 'EV_EFI_BOOT_SERVICES_DRIVER',
  2147483653: 'EV_EFI_RUNTIME_SERVICES_DRIVER',
  2147483654: 'EV_EFI_GPT_EVENT',
  2147483655: 'EV_EFI_ACTION',
  2147483656: 'EV_EFI_PLATFORM_FIRMWARE_BLOB',
  2147483657: 'EV_EFI_HANDOFF_TABLES',
  2147483658: 'EV_EFI_PLATFORM_FIRMWARE_BLOB2',
  2147483659: 'EV_EFI_HANDOFF_TABLES2',
  2147483660: 'EV_EFI_VARIABLE_BOOT2',
  2147483664: 'EV_EFI_HCRTM_EVENT',
  2147483872: 'EV_EFI_VARIABLE_AUTHORITY',
  2147483873: 'EV_EFI_SPDM_FIRMWARE_BLOB',
  2147483874: 'EV_EFI_SPDM_FIRMWARE_CONFIG',
}

/**
 * The event log bytes from the given files: the CCEL data alone, or the ACPI CCEL table (56
 * bytes, signature `CCEL`) beside it or in front of it, whose log area length bounds the log.
 */
export function eventLogBytes(files: readonly Uint8Array[]): Uint8Array {
  let table: Uint8Array | undefined
  let data: Uint8Array | undefined
  for (const file of files) {
    if (file.length > inputLimits.eventLogBytes)
      throw new EvidenceFormatError(
        `The event log file is ${file.length} bytes; at most ${inputLimits.eventLogBytes} are accepted.`,
      )
    if (latin1ToString(file.subarray(0, 4)) === 'CCEL') {
      table = file.subarray(0, 56)
      if (file.length > 56) data = file.subarray(56)
    } else data = file
  }
  if (!data) throw new EvidenceFormatError('The event log files hold no CCEL log data.')
  if (!table) return data
  if (table.length < 56) throw new EvidenceFormatError('The ACPI CCEL table is truncated.')
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength)
  const logAreaLength = Number(view.getBigUint64(40, true))
  return data.subarray(0, Math.min(data.length, logAreaLength))
}

/** Parses the CCEL log and replays it into RTMR0–3 (the log data after any ACPI table). */
export async function replayEventLog(log: Uint8Array): Promise<ReplayedEventLog> {
  const reader = new ByteReader(log, 'TDX event log')
  // The first event is in the SHA-1 format and announces the digests: Spec ID Event03.
  reader.u32('first event MR index')
  if (reader.u32('first event type') !== evNoAction)
    throw new EvidenceFormatError(
      'The event log does not start with the EV_NO_ACTION Spec ID event.',
    )
  reader.take(20, 'first event digest')
  const spec = new ByteReader(
    reader.take(reader.u32('Spec ID event size'), 'Spec ID event'),
    'Spec ID event',
  )
  if (latin1ToString(spec.take(16, 'Spec ID signature')) !== 'Spec ID Event03\0')
    throw new EvidenceFormatError(
      'The event log is not a TCG2 crypto-agile log (no "Spec ID Event03").',
    )
  spec.take(8, 'platform class and spec version')
  const digestSizes = new Map<number, number>()
  const algorithms = spec.u32('number of algorithms')
  if (algorithms > 16)
    throw new EvidenceFormatError(`The Spec ID event lists ${algorithms} algorithms.`)
  for (let index = 0; index < algorithms; index++)
    digestSizes.set(spec.u16('algorithm id'), spec.u16('digest size'))
  if (digestSizes.get(sha384AlgorithmId) !== 48)
    throw new EvidenceFormatError('The event log carries no SHA-384 digests, which RTMRs need.')

  const rtmrs: Uint8Array[] = [0, 1, 2, 3].map(() => new Uint8Array(48))
  const events: EventLogEvent[] = []
  while (reader.remaining >= 8) {
    const mrIndex = reader.u32('MR index')
    const type = reader.u32('event type')
    // Past the last event the log area is erased (0xFF) or zeroed.
    if (mrIndex === 0xffffffff || (mrIndex === 0 && type === 0)) break
    if (events.length >= maximumEvents)
      throw new EvidenceFormatError(`The event log holds more than ${maximumEvents} events.`)
    let sha384: Uint8Array | undefined
    const count = reader.u32('digest count')
    if (count > 16) throw new EvidenceFormatError(`An event carries ${count} digests.`)
    for (let index = 0; index < count; index++) {
      const algorithm = reader.u16('digest algorithm')
      const size = digestSizes.get(algorithm)
      if (size === undefined)
        throw new EvidenceFormatError(
          `An event carries a digest of unannounced algorithm 0x${algorithm.toString(16)}.`,
        )
      const digest = reader.take(size, 'event digest')
      if (algorithm === sha384AlgorithmId) sha384 = digest
    }
    const data = reader.take(reader.u32('event size'), 'event data')
    if (type === evNoAction) continue
    if (!sha384) throw new EvidenceFormatError('An event carries no SHA-384 digest.')
    if (mrIndex < 1 || mrIndex > 4)
      throw new EvidenceFormatError(
        `An event extends MR index ${mrIndex}; only 1–4 (RTMR0–3) can be extended.`,
      )
    const register = mrIndex - 1
    rtmrs[register] = await sha384Of(concatBytes(rtmrs[register] as Uint8Array, sha384))
    const text = textOf(data)
    events.push({
      mr: `rtmr${register}` as EventLogEvent['mr'],
      type: eventTypeNames[type] ?? `0x${type.toString(16)}`,
      digest: toHex(sha384),
      ...(text === undefined ? {} : { text }),
      dataIsMeasured: await isMeasured(data, text, sha384),
    })
  }
  return { events, rtmrs: rtmrs.map(toHex) as ReplayedEventLog['rtmrs'] }
}

/** GRUB measures its commands and the kernel command line without the label it logs with them. */
const grubTextPrefixes = ['grub_cmd: ', 'kernel_cmdline: ']

async function isMeasured(
  data: Uint8Array,
  text: string | undefined,
  digest: Uint8Array,
): Promise<boolean> {
  if (bytesEqual(await sha384Of(data), digest)) return true
  const prefix = grubTextPrefixes.find((candidate) => text?.startsWith(candidate))
  if (!text || !prefix) return false
  const measured = data.subarray(prefix.length, prefix.length + text.length - prefix.length)
  return bytesEqual(await sha384Of(measured), digest)
}

async function sha384Of(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-384', asBufferSource(bytes)))
}

/** Printable ASCII or UTF-16LE event data as text (a trailing NUL allowed), else undefined. */
function textOf(data: Uint8Array): string | undefined {
  if (data.length === 0 || data.length > 4096) return undefined
  const printable = (code: number) =>
    code === 0x09 || code === 0x0a || (code >= 0x20 && code < 0x7f)
  const ascii = data[data.length - 1] === 0 ? data.subarray(0, -1) : data
  if (ascii.length > 0 && ascii.every(printable)) return latin1ToString(ascii)
  if (data.length % 2 === 0) {
    const units: number[] = []
    for (let index = 0; index < data.length; index += 2)
      units.push((data[index] as number) | ((data[index + 1] as number) << 8))
    while (units.at(-1) === 0) units.pop()
    if (units.length > 0 && units.every(printable)) return String.fromCharCode(...units)
  }
  return undefined
}
