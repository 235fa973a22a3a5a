import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evaluateTcbStatus } from './evaluateTcbStatus.ts'
import type { PckExtensions } from './pckExtensions.ts'
import type { QeIdentity } from './qeIdentity.ts'
import type { IntelQuote } from './quote.ts'
import type { TcbInfo, TcbLevel } from './tcbInfo.ts'

// Synthetic inputs for the pure TCB evaluation: each case changes one thing Intel's QVL rules on.
const svns = (...head: number[]) => [...head, ...Array(16 - head.length).fill(0)]

function level(
  sgx: number[],
  pceSvn: number,
  tcbStatus: string,
  tdx?: number[],
  advisoryIds: string[] = [],
): TcbLevel {
  return {
    sgxTcbComponents: sgx,
    pceSvn,
    tcbStatus,
    tcbDate: '2025-01-01T00:00:00Z',
    advisoryIds,
    ...(tdx ? { tdxTcbComponents: tdx } : {}),
  }
}

function tcbInfo(
  id: 'SGX' | 'TDX',
  levels: TcbLevel[],
  moduleLevels: { isvSvn: number; tcbStatus: string }[] = [],
): TcbInfo {
  return {
    id,
    version: 3,
    issueDate: new Date(0),
    nextUpdate: new Date(0),
    fmspc: new Uint8Array(6),
    pceId: new Uint8Array(2),
    tcbEvaluationDataNumber: 17,
    tdxModuleIdentities: [
      {
        id: 'TDX_01',
        mrSigner: new Uint8Array(48),
        attributes: new Uint8Array(8),
        attributesMask: new Uint8Array(8),
        tcbLevels: moduleLevels.map((l) => ({ ...l, advisoryIds: [] })),
      },
    ],
    tcbLevels: levels,
  }
}

function qeIdentity(
  levels: { isvSvn: number; tcbStatus: string; advisoryIds?: string[] }[],
): QeIdentity {
  return {
    id: 'TD_QE',
    version: 2,
    issueDate: new Date(0),
    nextUpdate: new Date(0),
    tcbEvaluationDataNumber: 17,
    miscSelect: 0,
    miscSelectMask: 0,
    attributes: new Uint8Array(16),
    attributesMask: new Uint8Array(16),
    mrSigner: new Uint8Array(32),
    isvProdId: 2,
    tcbLevels: levels.map((l) => ({ tcbDate: '2025-01-01T00:00:00Z', advisoryIds: [], ...l })),
  }
}

function quote(tee: 'sgx' | 'tdx', qeIsvSvn: number, teeTcbSvn = new Uint8Array(16)): IntelQuote {
  const report = { teeTcbSvn } as unknown
  return {
    tee,
    version: 4,
    qeReport: { isvSvn: qeIsvSvn },
    body: tee === 'sgx' ? { kind: 'sgx', report } : { kind: 'td10', report },
  } as IntelQuote
}

const pck = (sgx: number[], pceSvn: number) => ({ sgxTcbComponents: sgx, pceSvn }) as PckExtensions
const qeUpToDate = qeIdentity([
  { isvSvn: 8, tcbStatus: 'UpToDate' },
  { isvSvn: 6, tcbStatus: 'OutOfDate', advisoryIds: ['INTEL-SA-QE'] },
  { isvSvn: 4, tcbStatus: 'Revoked' },
])
const sgxLevels = [
  level(svns(5, 5), 13, 'UpToDate'),
  level(svns(4, 4), 11, 'ConfigurationNeeded', undefined, ['INTEL-SA-B', 'INTEL-SA-A']),
  level(svns(2, 2), 9, 'OutOfDate'),
]

describe('evaluateTcbStatus (Intel QVL rules)', () => {
  it('takes the first level every SGX component and the PCESVN reach', () => {
    const evaluate = (sgx: number[], pceSvn: number) =>
      evaluateTcbStatus({
        quote: quote('sgx', 8),
        pck: pck(sgx, pceSvn),
        tcbInfo: tcbInfo('SGX', sgxLevels),
        qeIdentity: qeUpToDate,
      })
    assert.equal(evaluate(svns(5, 5), 13).status, 'UpToDate')
    assert.equal(evaluate(svns(5, 5), 12).status, 'ConfigurationNeeded')
    assert.equal(evaluate(svns(9, 4), 13).status, 'ConfigurationNeeded')
    assert.deepEqual(evaluate(svns(9, 4), 13).advisoryIds, ['INTEL-SA-A', 'INTEL-SA-B'])
    assert.equal(evaluate(svns(3, 9), 13).status, 'OutOfDate')
    assert.throws(() => evaluate(svns(1, 9), 13), /No matching TCB level/)
  })

  it('converges with the QE identity: OutOfDate QE downgrades, Revoked QE revokes, a QE below every level fails', () => {
    const evaluate = (qeIsvSvn: number, sgx: number[]) =>
      evaluateTcbStatus({
        quote: quote('sgx', qeIsvSvn),
        pck: pck(sgx, 13),
        tcbInfo: tcbInfo('SGX', sgxLevels),
        qeIdentity: qeUpToDate,
      })
    assert.equal(evaluate(7, svns(5, 5)).status, 'OutOfDate')
    assert.deepEqual(evaluate(7, svns(5, 5)).advisoryIds, ['INTEL-SA-QE'])
    assert.equal(evaluate(7, svns(4, 4)).status, 'OutOfDateConfigurationNeeded')
    assert.equal(evaluate(5, svns(5, 5)).status, 'Revoked')
    assert.throws(() => evaluate(3, svns(5, 5)), /below every level of the QE identity/)
  })

  describe('TDX', () => {
    const tdxLevels = [
      level(svns(5, 5), 13, 'UpToDate', svns(6, 1, 3)),
      level(svns(5, 5), 13, 'OutOfDate', svns(2, 1, 2), ['INTEL-SA-TDX']),
    ]
    const modules = [
      { isvSvn: 6, tcbStatus: 'UpToDate' },
      { isvSvn: 3, tcbStatus: 'OutOfDate' },
      { isvSvn: 1, tcbStatus: 'Revoked' },
    ]
    const evaluate = (teeTcbSvn: number[]) =>
      evaluateTcbStatus({
        quote: quote('tdx', 8, Uint8Array.from(teeTcbSvn)),
        pck: pck(svns(5, 5), 13),
        tcbInfo: tcbInfo('TDX', tdxLevels, modules),
        qeIdentity: qeUpToDate,
      })

    it('skips TEE_TCB_SVN bytes 0 and 1 when the module major version is not 0, and rates the module by TDX_01', () => {
      assert.equal(evaluate(svns(6, 1, 3)).status, 'UpToDate')
      assert.equal(evaluate(svns(4, 1, 3)).status, 'OutOfDate') // module ISVSVN 4: TDX_01 level 3, OutOfDate
      assert.deepEqual(evaluate(svns(4, 1, 3)).advisoryIds, [])
      assert.equal(evaluate(svns(6, 1, 2)).status, 'OutOfDate') // byte 2 decides the TDX level
      assert.deepEqual(evaluate(svns(6, 1, 2)).advisoryIds, ['INTEL-SA-TDX'])
      assert.equal(evaluate(svns(2, 1, 3)).status, 'Revoked') // module ISVSVN 2: Revoked
      assert.throws(() => evaluate(svns(0, 1, 3)), /TDX module ISVSVN 0 is below every level/)
    })

    it('compares all 16 bytes, with no module rating, when the major version is 0', () => {
      // Byte 1 = 0 is now compared, and is below every level's 1.
      assert.throws(() => evaluate(svns(6, 0, 3)), /TEE_TCB_SVN is below every level/)
    })
  })

  it('refuses a TCB level status Intel does not define', () => {
    const odd = [level(svns(1), 1, 'Fine')]
    assert.throws(
      () =>
        evaluateTcbStatus({
          quote: quote('sgx', 8),
          pck: pck(svns(5), 13),
          tcbInfo: tcbInfo('SGX', odd),
          qeIdentity: qeUpToDate,
        }),
      /unrecognised status "Fine"/,
    )
  })
})
