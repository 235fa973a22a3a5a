import type { Hex } from 'viem'
import type { Check } from './checks.ts'

/**
 * The kinds of evidence BOCC verifies. `nvidia-cc` is an NVIDIA GPU in confidential-computing mode;
 * `sim` is the development backend: never real hardware.
 */
export type TeeKind = 'tdx' | 'sgx' | 'sev-snp' | 'nvidia-cc' | 'sim'

/** Intel TCB statuses, as Intel's verification library computes them. */
export type TcbStatus =
  | 'UpToDate'
  | 'SWHardeningNeeded'
  | 'ConfigurationNeeded'
  | 'ConfigurationAndSWHardeningNeeded'
  | 'OutOfDate'
  | 'OutOfDateConfigurationNeeded'
  | 'Revoked'
  /** TD 1.5 only: the platform was updated since the TD launched; relaunching it brings it up to date. */
  | 'TDRelaunchAdvised'
  | 'TDRelaunchAdvisedConfigurationNeeded'

/** What a verifier (and, when given, a policy) concluded about one piece of evidence. */
export type EvidenceVerdict = {
  /** Evidence authentic and, if a policy was applied, accepted by it. */
  ok: boolean
  tee: TeeKind
  /** TCB status (Intel evidence). */
  status?: TcbStatus
  advisoryIds: string[]
  debug: boolean
  /** Measurement fields by name (e.g. `mrtd`, `rtmr0`…, `mrenclave`, `measurement`), lower-case hex. */
  measurement: Record<string, Hex>
  /** The 64 bytes of report data, hex. */
  reportData: Hex
  /** Every check of this kind of evidence, in order, and those of the policy if one was applied. */
  checks: Check[]
  /** The platform's reported TCB by component (SEV-SNP: `bootloader`, `tee`, `snp`, `microcode`, `fmc` on Turin). */
  tcb?: Record<string, number>
  /** Intel: the TCB evaluation data number of the TCB info used (higher is a newer Intel TCB recovery). */
  tcbEvaluationDataNumber?: number
  /** TDX: the events of the event log, when one was given and replays to the quote's RTMRs. */
  events?: EventLogEvent[]
  /** NVIDIA GPU: what the evidence and its certificates say the GPU is and runs. */
  gpu?: {
    architecture?: string
    chip?: string
    driverVersion?: string
    vbiosVersion?: string
    project?: string
    projectSku?: string
    chipSku?: string
  }
  /** SEV-SNP: the VMPL the report was requested from (0 is the most privileged). */
  vmpl?: number
  /** When the evidence says it was produced, for evidence that carries a time (sim). */
  issuedAt?: Date
  /** Why verification could not complete, when it could not. */
  error?: string
}

/** One event of a TDX event log (CCEL) that replayed to the quote's RTMRs (`intel/eventLog.ts`). */
export type EventLogEvent = {
  /** The register the event extends: `rtmr0`…`rtmr3`. */
  mr: 'rtmr0' | 'rtmr1' | 'rtmr2' | 'rtmr3'
  /** The TCG event type by name (`EV_…`), or its number in hex when it has no name here. */
  type: string
  /** The SHA-384 digest extended into the register. */
  digest: `0x${string}`
  /** The event data as text, when it is printable ASCII or UTF-16 (e.g. a kernel command line). */
  text?: string
  /**
   * Whether the digest is SHA-384 of the event data, or of the text after GRUB's `grub_cmd: ` or
   * `kernel_cmdline: ` prefix: then the data shown is exactly what was measured, and a policy may
   * pin the event by its text.
   */
  dataIsMeasured: boolean
}
