import { progress } from './faults.ts'

/** Who mounts an attack (docs/threat-model.md, "Actors"). */
export type Actor =
  | 'customer'
  | 'provider'
  | 'host'
  | 'vendor'
  | 'committee member'
  | 'governor'
  | 'anyone'

/**
 * One attack of the threat model, as a test: `run` mounts it against real processes on a real
 * chain and returns once the defence held, or throws (the attack got through, or the defence
 * did not act as docs/threat-model.md says). Variants of one attack share its id and count once.
 */
export type Attack<world> = {
  /** The stable id in docs/threat-model.md (`A-12`). */
  id: string
  actor: Actor
  /** What the attacker tries, in a few words. */
  title: string
  run(world: world): Promise<void>
}

/** What the suite records of one attack it ran. */
export type AttackOutcome = {
  id: string
  actor: Actor
  title: string
  stopped: boolean
  seconds: number
  error?: string
}

/** Runs the attacks one after the other; an attack that gets through is recorded, not thrown. */
export async function runAttacks<world>(
  world: world,
  attacks: Attack<world>[],
): Promise<AttackOutcome[]> {
  const outcomes: AttackOutcome[] = []
  for (const attack of attacks) outcomes.push(await runAttack(world, attack))
  return outcomes
}

/** Runs attacks side by side (for attacks that wait on the chain's clock, each on its own orders). */
export function runAttacksConcurrently<world>(
  world: world,
  attacks: Attack<world>[],
): Promise<AttackOutcome[]> {
  return Promise.all(attacks.map((attack) => runAttack(world, attack)))
}

async function runAttack<world>(world: world, attack: Attack<world>): Promise<AttackOutcome> {
  const started = performance.now()
  const { id, actor, title } = attack
  try {
    await attack.run(world)
    return { id, actor, title, stopped: true, seconds: (performance.now() - started) / 1000 }
  } catch (error) {
    progress(`attack ${id} got through: ${error instanceof Error ? error.message : String(error)}`)
    return {
      id,
      actor,
      title,
      stopped: false,
      seconds: (performance.now() - started) / 1000,
      error: error instanceof Error ? error.message : String(error),
    }
  }
}
