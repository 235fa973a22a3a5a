import { bytesEqual, isAllZero, toPlainHex } from '../bytes.ts'
import type { CheckList } from '../checkList.ts'
import { findTdxModuleIdentity } from './evaluateTcbStatus.ts'
import type { QeIdentity } from './qeIdentity.ts'
import type { IntelQuote } from './quote.ts'
import type { TcbInfo } from './tcbInfo.ts'

/** The quoting enclave and the TDX module that produced the quote must be the ones Intel describes. */
export function verifyQeReportAgainstIdentity(
  quote: IntelQuote,
  identity: QeIdentity,
  checks: CheckList,
): void {
  const name = 'qe identity match'
  const report = quote.qeReport
  if (!bytesEqual(report.mrSigner, identity.mrSigner))
    checks.fail(
      name,
      `The QE MRSIGNER ${toPlainHex(report.mrSigner)} is not the QE identity's ${toPlainHex(identity.mrSigner)}.`,
    )
  if (report.isvProdId !== identity.isvProdId)
    checks.fail(
      name,
      `The QE ISVPRODID ${report.isvProdId} is not the QE identity's ${identity.isvProdId}.`,
    )
  if (
    (report.miscSelect & identity.miscSelectMask) >>> 0 !==
    (identity.miscSelect & identity.miscSelectMask) >>> 0
  )
    checks.fail(name, 'The QE MISCSELECT does not match the QE identity under its mask.')
  for (let index = 0; index < 16; index++) {
    const mask = identity.attributesMask[index] as number
    if (
      ((report.attributes[index] as number) & mask) !==
      ((identity.attributes[index] as number) & mask)
    )
      checks.fail(name, 'The QE ATTRIBUTES do not match the QE identity under its mask.')
  }
  checks.pass(
    name,
    `QE MRSIGNER, ISVPRODID ${report.isvProdId}, MISCSELECT and ATTRIBUTES match; QE ISVSVN ${report.isvSvn}`,
  )
}

/** The TDX module that produced the report must be Intel's: MRSIGNERSEAM and SEAMATTRIBUTES as the TCB info states. */
export function verifyTdxModule(quote: IntelQuote, tcbInfo: TcbInfo, checks: CheckList): void {
  const name = 'tdx module'
  if (quote.body.kind === 'sgx') return
  const report = quote.body.report
  const version = report.teeTcbSvn[1] as number
  const identity = version > 0 ? findTdxModuleIdentity(tcbInfo, version) : undefined
  const expected = identity ?? tcbInfo.tdxModule
  if (!expected)
    checks.fail(name, `The TCB info describes no TDX module for major version ${version}.`)
  if (!bytesEqual(report.mrSignerSeam, expected.mrSigner))
    checks.fail(
      name,
      `MRSIGNERSEAM ${toPlainHex(report.mrSignerSeam)} is not the TDX module signer ${toPlainHex(expected.mrSigner)}.`,
    )
  // Intel's verifier requires SEAMATTRIBUTES to be zero (a production TDX module), whatever the
  // identity's mask would let through.
  if (!isAllZero(report.seamAttributes))
    checks.fail(
      name,
      `SEAMATTRIBUTES ${toPlainHex(report.seamAttributes)} are not zero: not a production TDX module.`,
    )
  for (let index = 0; index < 8; index++) {
    const mask = expected.attributesMask[index] as number
    if (
      ((report.seamAttributes[index] as number) & mask) !==
      ((expected.attributes[index] as number) & mask)
    )
      checks.fail(name, 'SEAMATTRIBUTES do not match the TDX module identity under its mask.')
  }
  checks.pass(
    name,
    `TDX module ${identity ? identity.id : 'identity'} signer and attributes match (version ${version}, ISVSVN ${report.teeTcbSvn[0]})`,
  )
}
