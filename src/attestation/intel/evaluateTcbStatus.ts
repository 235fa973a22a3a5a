import { AttestationCheckError } from '../errors.ts'
import type { TcbStatus } from '../types.ts'
import type { PckExtensions } from './pckExtensions.ts'
import type { QeIdentity } from './qeIdentity.ts'
import type { IntelQuote } from './quote.ts'
import type { TcbInfo, TcbLevel, TdxModuleIdentity } from './tcbInfo.ts'

/**
 * Intel's TCB status evaluation, as Intel's Quote Verification Library computes it
 * (Verifiers/Checks/TcbLevelCheck.cpp, TdxModuleCheck.cpp, TDRelaunchCheck.cpp and the QE
 * identity convergence). Pure: no signatures or dates here; the caller has verified those.
 */
export type TcbEvaluation = {
  status: TcbStatus
  advisoryIds: string[]
  /** Lines that explain how the status was reached, for the verdict. */
  explanation: string[]
}

/** The QE's own status from the QE identity: a level with isvsvn ≤ the QE's ISVSVN, highest first. */
export type QeTcbStatus = 'UpToDate' | 'OutOfDate' | 'Revoked'

const validTcbInfoStatuses: readonly string[] = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
]

const check = 'tcb level'

export function qeTcbLevelOf(qeIdentity: QeIdentity, isvSvn: number) {
  const level = qeIdentity.tcbLevels.find((candidate) => candidate.isvSvn <= isvSvn)
  if (!level)
    throw new AttestationCheckError(
      check,
      `The QE's ISVSVN ${isvSvn} is below every level of the QE identity (TCB not supported).`,
    )
  const status = level.tcbStatus
  if (status !== 'UpToDate' && status !== 'OutOfDate' && status !== 'Revoked')
    throw new AttestationCheckError(
      check,
      `The QE identity level for ISVSVN ${isvSvn} has the unknown status "${status}".`,
    )
  return { ...level, tcbStatus: status as QeTcbStatus }
}

export function evaluateTcbStatus(parameters: {
  quote: IntelQuote
  pck: PckExtensions
  tcbInfo: TcbInfo
  qeIdentity: QeIdentity
}): TcbEvaluation {
  const { quote, pck, tcbInfo, qeIdentity } = parameters
  const explanation: string[] = []
  const qeLevel = qeTcbLevelOf(qeIdentity, quote.qeReport.isvSvn)
  explanation.push(`QE ISVSVN ${quote.qeReport.isvSvn}: ${qeLevel.tcbStatus}`)

  const isTdx = tcbInfo.version >= 3 && tcbInfo.id === 'TDX' && quote.tee === 'tdx'
  const teeTcbSvn = isTdx && quote.body.kind !== 'sgx' ? quote.body.report.teeTcbSvn : undefined
  const { sgxLevel, tdxLevel } = matchTcbLevels(tcbInfo.tcbLevels, pck, teeTcbSvn)
  if (!sgxLevel)
    throw new AttestationCheckError(
      check,
      'No matching TCB level: the PCK certificate TCB is below every level of the TCB info.',
    )
  const sgxStatus = knownStatus(sgxLevel.tcbStatus)
  explanation.push(`SGX TCB level ${sgxLevel.tcbDate}: ${sgxStatus}`)

  if (!isTdx || !teeTcbSvn) {
    const status = convergeWithQeStatus(sgxStatus, qeLevel.tcbStatus)
    return { status, advisoryIds: advisories(sgxLevel.advisoryIds, qeLevel), explanation }
  }

  if (!tdxLevel)
    throw new AttestationCheckError(
      check,
      'No matching TCB level: the TD report TEE_TCB_SVN is below every level of the TCB info.',
    )
  explanation.push(`TDX TCB level ${tdxLevel.tcbDate}: ${tdxLevel.tcbStatus}`)
  const module = tdxModuleStatus(quote, tcbInfo, teeTcbSvn)
  if (module.status !== 'none')
    explanation.push(`TDX module ${module.identity?.id} ISVSVN ${teeTcbSvn[0]}: ${module.status}`)
  let tdxStatus = convergeWithTdxModuleStatus(knownStatus(tdxLevel.tcbStatus), module.status)
  if (tdxStatus !== 'Revoked' && quote.body.kind === 'td15' && quote.body.report.teeTcbSvn2) {
    tdxStatus = checkForRelaunch(
      quote.body.report.teeTcbSvn2,
      tcbInfo,
      sgxStatus,
      tdxStatus,
      module.status,
      qeLevel.tcbStatus,
    )
  }
  const status =
    tdxStatus === 'Revoked' ? tdxStatus : convergeWithQeStatus(tdxStatus, qeLevel.tcbStatus)
  return {
    status,
    advisoryIds: advisories([...tdxLevel.advisoryIds, ...(module.advisoryIds ?? [])], qeLevel),
    explanation,
  }
}

/**
 * The advisories of the matched TCB level (TDX level for TDX, else SGX), the TDX module level and
 * the QE identity level, as one sorted set — Intel's VerificationCollateralInfo keeps a std::set.
 */
function advisories(
  platform: string[],
  qeLevel: { tcbStatus: QeTcbStatus; advisoryIds: string[] },
): string[] {
  return [...new Set([...platform, ...qeLevel.advisoryIds])].sort()
}

function knownStatus(status: string): TcbStatus {
  if (!validTcbInfoStatuses.includes(status))
    throw new AttestationCheckError(
      check,
      `The TCB info level has the unrecognised status "${status}".`,
    )
  return status as TcbStatus
}

/** TcbLevelCheck.cpp `matchTcbLevels`: the first level the PCK TCB reaches, and for TDX the first the TD's TCB reaches too. */
export function matchTcbLevels(
  levels: TcbLevel[],
  pck: PckExtensions,
  teeTcbSvn: Uint8Array | undefined,
) {
  let sgxLevel: TcbLevel | undefined
  for (const level of levels) {
    if (!isCpuSvnHigherOrEqual(pck.sgxTcbComponents, level) || pck.pceSvn < level.pceSvn) continue
    if (!teeTcbSvn) return { sgxLevel: level, tdxLevel: undefined }
    sgxLevel ??= level
    if (isTdxTcbHigherOrEqual(teeTcbSvn, level)) return { sgxLevel, tdxLevel: level }
  }
  return { sgxLevel, tdxLevel: undefined }
}

function isCpuSvnHigherOrEqual(components: number[], level: TcbLevel): boolean {
  return level.sgxTcbComponents.every((svn, index) => (components[index] ?? 0) >= svn)
}

/**
 * Intel skips TEE_TCB_SVN bytes 0 and 1 (the TDX module ISVSVN and major version) when the
 * major version is non-zero: the module is rated by its own identity instead.
 */
export function isTdxTcbHigherOrEqual(teeTcbSvn: Uint8Array, level: TcbLevel): boolean {
  const components = level.tdxTcbComponents
  if (!components) return false
  for (let index = (teeTcbSvn[1] as number) > 0 ? 2 : 0; index < 16; index++)
    if ((teeTcbSvn[index] as number) < (components[index] as number)) return false
  return true
}

type ModuleStatus = 'none' | 'UpToDate' | 'OutOfDate' | 'Revoked'

/** TdxModuleCheck.cpp `checkTdxModuleTcbStatus`. */
function tdxModuleStatus(
  quote: IntelQuote,
  tcbInfo: TcbInfo,
  teeTcbSvn: Uint8Array,
): { status: ModuleStatus; identity?: TdxModuleIdentity; advisoryIds?: string[] } {
  const version = teeTcbSvn[1] as number
  const isvSvn = teeTcbSvn[0] as number
  if (quote.version > 3 && version === 0) return { status: 'none' }
  const identity = findTdxModuleIdentity(tcbInfo, version)
  if (!identity)
    throw new AttestationCheckError(
      check,
      `The TCB info has no TDX module identity TDX_${hexByte(version)} (TDX module mismatch).`,
    )
  const level = identity.tcbLevels.find((candidate) => isvSvn >= candidate.isvSvn)
  if (!level)
    throw new AttestationCheckError(
      check,
      `No matching TCB level: TDX module ISVSVN ${isvSvn} is below every level of ${identity.id}.`,
    )
  if (
    level.tcbStatus !== 'UpToDate' &&
    level.tcbStatus !== 'OutOfDate' &&
    level.tcbStatus !== 'Revoked'
  )
    throw new AttestationCheckError(
      check,
      `${identity.id} level for ISVSVN ${isvSvn} has the unrecognised status "${level.tcbStatus}".`,
    )
  return { status: level.tcbStatus, identity, advisoryIds: level.advisoryIds }
}

export function findTdxModuleIdentity(
  tcbInfo: TcbInfo,
  version: number,
): TdxModuleIdentity | undefined {
  const id = `TDX_${hexByte(version)}`
  return tcbInfo.tdxModuleIdentities.find((identity) => identity.id === id)
}

function hexByte(value: number): string {
  return value.toString(16).padStart(2, '0').toUpperCase()
}

function convergeWithTdxModuleStatus(
  levelStatus: TcbStatus,
  moduleStatus: ModuleStatus,
): TcbStatus {
  if (moduleStatus === 'OutOfDate') {
    if (levelStatus === 'UpToDate' || levelStatus === 'SWHardeningNeeded') return 'OutOfDate'
    if (
      levelStatus === 'ConfigurationNeeded' ||
      levelStatus === 'ConfigurationAndSWHardeningNeeded'
    )
      return 'OutOfDateConfigurationNeeded'
  }
  if (moduleStatus === 'Revoked') return 'Revoked'
  return levelStatus
}

function convergeWithQeStatus(levelStatus: TcbStatus, qeStatus: QeTcbStatus): TcbStatus {
  if (qeStatus === 'OutOfDate') {
    if (levelStatus === 'UpToDate' || levelStatus === 'SWHardeningNeeded') return 'OutOfDate'
    if (
      levelStatus === 'ConfigurationNeeded' ||
      levelStatus === 'ConfigurationAndSWHardeningNeeded'
    )
      return 'OutOfDateConfigurationNeeded'
  }
  if (qeStatus === 'Revoked') return 'Revoked'
  return levelStatus
}

function isConfigurationNeeded(status: TcbStatus): boolean {
  return (
    status === 'ConfigurationNeeded' ||
    status === 'OutOfDateConfigurationNeeded' ||
    status === 'ConfigurationAndSWHardeningNeeded' ||
    status === 'TDRelaunchAdvisedConfigurationNeeded'
  )
}

/** TDRelaunchCheck.cpp `checkForRelaunch` (TD 1.5 reports). */
function checkForRelaunch(
  teeTcbSvn2: Uint8Array,
  tcbInfo: TcbInfo,
  sgxStatus: TcbStatus,
  tdxStatus: TcbStatus,
  moduleStatus: ModuleStatus,
  qeStatus: QeTcbStatus,
): TcbStatus {
  if (qeStatus !== 'UpToDate') return tdxStatus
  if (
    ![
      'UpToDate',
      'SWHardeningNeeded',
      'ConfigurationNeeded',
      'ConfigurationAndSWHardeningNeeded',
    ].includes(sgxStatus)
  )
    return tdxStatus
  if (tdxStatus !== 'OutOfDate' && tdxStatus !== 'OutOfDateConfigurationNeeded') return tdxStatus
  if (moduleStatus !== 'OutOfDate') return tdxStatus
  const latest = tcbInfo.tcbLevels[0]
  if (!latest?.tdxTcbComponents)
    throw new AttestationCheckError(check, 'The TCB info has no TDX TCB level.')
  const relaunch =
    isConfigurationNeeded(sgxStatus) || isConfigurationNeeded(tdxStatus)
      ? 'TDRelaunchAdvisedConfigurationNeeded'
      : 'TDRelaunchAdvised'
  if (teeTcbSvn2[1] === 0) {
    if (
      (teeTcbSvn2[0] as number) >= (latest.tdxTcbComponents[0] as number) &&
      (teeTcbSvn2[2] as number) >= (latest.tdxTcbComponents[2] as number)
    )
      return relaunch
    return tdxStatus
  }
  const identity = findTdxModuleIdentity(tcbInfo, teeTcbSvn2[1] as number)
  if (!identity)
    throw new AttestationCheckError(
      check,
      `The TCB info has no TDX module identity TDX_${hexByte(teeTcbSvn2[1] as number)} (TDX module mismatch).`,
    )
  const latestModule = identity.tcbLevels[0]
  if (!latestModule) throw new AttestationCheckError(check, `${identity.id} has no TCB level.`)
  if (
    (teeTcbSvn2[0] as number) >= latestModule.isvSvn &&
    (teeTcbSvn2[2] as number) >= (latest.tdxTcbComponents[2] as number)
  )
    return relaunch
  return tdxStatus
}
