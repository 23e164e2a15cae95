import { WAD } from './amount.ts';
import type { Tier } from './params.ts';

/**
 * Commitment `L_i` (SPEC §4.4): "by committed lock length: none 1.00, ≥ 30 d 1.05, ≥ 90 d 1.10,
 * ≥ 180 d 1.20, ≥ 365 d 1.35, ≥ 730 d 1.50" — the highest tier the lock reaches. The same table
 * weighs stakes in the staker pool (§4.5).
 *
 * @example lockMultiplier(params.compute.commitment, 100) // 1.1 WAD
 */
export function lockMultiplier(tiers: readonly Tier[], days: number): bigint {
  let m = WAD;
  for (const t of tiers) if (days >= t.days) m = t.multiplier;
  return m;
}

/**
 * A node's `L`: its lock's multiplier, or 1 with `forfeited` when the lock was left early ("leaving
 * early forfeits the extra for the whole period", SPEC §4.4).
 *
 * @example computeCommitment(365, true, params.compute.commitment) // { factor: WAD, forfeited: true }
 */
export function computeCommitment(days: number, leftEarly: boolean, tiers: readonly Tier[]): { factor: bigint; forfeited: boolean } {
  if (leftEarly && tiers.some((t) => days >= t.days)) return { factor: WAD, forfeited: true };
  return { factor: lockMultiplier(tiers, days), forfeited: false };
}

/**
 * What "leaving early forfeits the extra for the whole period" (SPEC §4.4) takes back: of each
 * reward the node earned during the period, the part its multiplier `L` added —
 * `reward − floor(reward / L)` — summed. The epoch the lock is left earns with `L = 1` already.
 *
 * @example computeForfeitedExtra([{ reward: 110n, commitment: parseWad('1.1') }]) // 10n
 */
export function computeForfeitedExtra(paid: readonly { reward: bigint; commitment: bigint }[]): bigint {
  let extra = 0n;
  for (const p of paid) if (p.commitment > WAD) extra += p.reward - (p.reward * WAD) / p.commitment;
  return extra;
}
