import { contractAttacks } from './contractAttacks.ts'
import { failureAttacks, hostAttacks, lateAttacks, waitingAttacks } from './daemonAttacks.ts'

export { contractAttacks, failureAttacks, hostAttacks, lateAttacks, waitingAttacks }

/** Every attack the suite runs, each with its threat-model id. */
export const allAttacks = [
  ...contractAttacks,
  ...waitingAttacks,
  ...failureAttacks,
  ...hostAttacks,
  ...lateAttacks,
]
