import { type Log, parseEventLogs } from 'viem'
import { tdxCollateralStoreAbi } from '../../artifacts.ts'

const roles = ['', 'PCK Platform CA', 'PCK Processor CA', 'TCB Signing']

/** What a collateral-posting transaction kept, in one line, from the event the store emitted. */
export function describeCollateralPosting(logs: Log[]): string {
  const [event] = parseEventLogs({ abi: tdxCollateralStoreAbi, logs })
  if (!event) return 'transaction'
  switch (event.eventName) {
    case 'CertificateCached':
      return `cacheCertificate (${roles[event.args.role]})`
    case 'CrlPosted':
      return `postCrl (${event.args.revokedCount} revoked)`
    case 'QeIdentityPosted':
      return 'postQeIdentity (TD_QE)'
    case 'TcbInfoPosted':
      return `postTcbInfo (FMSPC ${event.args.fmspc.slice(2)})`
    default:
      return event.eventName
  }
}
