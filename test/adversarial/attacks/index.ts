import { contractAttacks } from './contractAttacks.ts'
import { failureAttacks, hostAttacks, waitingAttacks } from './daemonAttacks.ts'

export { contractAttacks, failureAttacks, hostAttacks, waitingAttacks }

/** Every attack the suite runs, each with its threat-model id. */
export const allAttacks = [...contractAttacks, ...waitingAttacks, ...failureAttacks, ...hostAttacks]
