import type { NodeInput } from './epoch-input.ts';
import type { Params } from './params.ts';
import type { ReasonCode } from './reasons.ts';
import { DAY_SECONDS } from './violations.ts';

export type Bonuses = { quality: bigint; newNode: bigint; underServed: bigint; innovation: bigint; energy: bigint; total: bigint };

/**
 * Whether a node's hardware or services are on the governed innovation list (SPEC §4.4: "innovation
 * +0.10 for hardware or services on the governed innovation list"). A GPU entry of count 0 is no hardware.
 */
export function isInnovative(node: Pick<NodeInput, 'hardware' | 'services'>, innovationList: readonly string[]): boolean {
  if (innovationList.length === 0) return false;
  return node.hardware.gpus.some((g) => g.count > 0 && innovationList.includes(g.model)) || node.services.some((s) => innovationList.includes(s));
}

export type BonusesParameters = {
  /** The node's quality Q (WAD). */
  quality: bigint;
  /** Seconds from the node's registration to the epoch's start. */
  ageSeconds: number;
  /** Whether the node's region is marked under-served. */
  underServed: boolean;
  innovative: boolean;
  powerEfficiency: bigint | null;
  anomalous: boolean;
};

/**
 * Bonuses `B_i` (SPEC §4.4): "added, total capped at +0.50: quality +0.10 if `Q ≥ 0.95` (+0.05 if
 * ≥ 0.90); new node +0.10 for its first 90 days; under-served region +0.05 for the first 180 days;
 * innovation +0.10 …; energy +0.05 when average power efficiency ≥ 85 %". A node that reported
 * physically implausible metrics loses them all this epoch (`ANOMALY_FLAGGED`); a cut to the cap
 * is `BONUS_CAPPED`.
 *
 * @example computeBonuses({ quality: WAD, ageSeconds: 0, underServed: false, innovative: false, powerEfficiency: null, anomalous: false }, params.compute.bonuses)
 *   // { bonuses: { quality: 0.1, newNode: 0.1, …, total: 0.2 }, reasons: [] }
 */
export function computeBonuses(x: BonusesParameters, b: Params['compute']['bonuses']): { bonuses: Bonuses; reasons: ReasonCode[] } {
  const bonuses: Bonuses = {
    quality: x.quality >= b.qualityHighThreshold ? b.qualityHigh : x.quality >= b.qualityMidThreshold ? b.qualityMid : 0n,
    newNode: x.ageSeconds < b.newNodeDays * DAY_SECONDS ? b.newNode : 0n,
    underServed: x.underServed && x.ageSeconds < b.underServedDays * DAY_SECONDS ? b.underServed : 0n,
    innovation: x.innovative ? b.innovation : 0n,
    energy: x.powerEfficiency !== null && x.powerEfficiency >= b.energyThreshold ? b.energy : 0n,
    total: 0n,
  };
  if (x.anomalous) return { bonuses, reasons: ['ANOMALY_FLAGGED'] };
  const sum = bonuses.quality + bonuses.newNode + bonuses.underServed + bonuses.innovation + bonuses.energy;
  bonuses.total = sum > b.cap ? b.cap : sum;
  return { bonuses, reasons: sum > b.cap ? ['BONUS_CAPPED'] : [] };
}
