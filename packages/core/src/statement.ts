import { WAD } from './amount.ts';
import { type Bonuses, computeBonuses, isInnovative } from './bonuses.ts';
import { computeCommitment } from './commitment.ts';
import { computeContribution, computeUtilisation } from './contribution.ts';
import { getIneligibility } from './eligibility.ts';
import type { NodeInput } from './epoch-input.ts';
import { computeComputeUnits, computeMinBond, countedHostResources, countGpus, isClassBacked } from './hardware.ts';
import type { NetworkTotals } from './network.ts';
import type { Params } from './params.ts';
import { bondWeight } from './pools.ts';
import { computeJobQuality, computeQuality, computeUptimeFactor } from './quality.ts';
import type { ReasonCode } from './reasons.ts';
import { computeScore } from './score.ts';
import { computeValuation, geoFactor } from './valuation.ts';

/** Every factor of a node's compute reward, with the inputs it came from (SPEC §4.4, §4.6). */
export type NodeStatement = {
  id: string;
  owner: string;
  /** What the node is paid from the compute pool: capacity + usage − referral. */
  reward: bigint;
  /** Its share of the capacity part, `(R_compute − R_usage) · S_i / Σ S`. */
  capacityReward: bigint;
  /** Its share of the usage pool, `R_usage · f_i / F`: at most κ × `fee`. */
  usageReward: bigint;
  /** The protocol fee its billable receipts paid this epoch (`f_i`). */
  fee: bigint;
  /** What went to its referrer, out of this node's own reward (SPEC §4.5). */
  referral: bigint;
  eligible: boolean;
  /** GPU model carrying most of the node's counted compute units, or `cpu`. */
  hardwareClass: string;
  gpus: number;
  countedGpus: number;
  computeUnits: bigint;
  upSeconds: number;
  uptime: bigint;
  utilisation: bigint;
  contribution: bigint;
  quality: { uptime: bigint; errors: bigint; response: bigint; rating: bigint; total: bigint };
  valuation: { scarcity: bigint; geo: bigint; total: bigint };
  commitment: bigint;
  bonuses: Bonuses;
  /** `C·Q·V·L·(1+B)` before the cap. */
  rawScore: bigint;
  probationShare: bigint;
  /** The score the compute pool is split by: capped, times the probation share; 0 when ineligible. */
  score: bigint;
  minBond: bigint;
  bond: bigint;
  /** The bond's weight in the staker pool: bond × L × Q, 0 while the node is not eligible. */
  bondWeight: bigint;
  /** The bond's share of the staker pool. */
  bondReward: bigint;
  /** Of `reward`, what is locked to vest; what vested now from earlier locks; what was forfeited; what is still unvested (SPEC §6.1). */
  locked: bigint;
  vested: bigint;
  forfeited: bigint;
  unvested: bigint;
  reasons: readonly ReasonCode[];
};

/** What a node's statement needs from the rest of the epoch: what the first pass found (`computeNetworkTotals`). */
export type EpochContext = {
  params: Params;
  /** The minimum bond per GPU (`bondUnit`). */
  bondUnit: bigint;
  slotSeconds: number;
  epochStart: number;
  totals: Pick<
    NetworkTotals,
    'ranked' | 'counted' | 'capReasons' | 'classes' | 'scarcity' | 'scarcityOf' | 'classRatings' | 'hostSharing' | 'ownerMeasured' | 'ownerOf'
  >;
};

const NONE: readonly ReasonCode[] = Object.freeze([]);
const NO_SCARCITY = { factor: WAD, clipped: false };

/**
 * One node's statement (SPEC §4.4, §4.6), the rules of §4.4 in order: contribution, quality (U, E,
 * R, P), commitment, valuation, bonuses, the score and its cap, eligibility. Node `i`'s GPUs under
 * the caps and its hardware class come from the first pass (the cluster cap depends on the owner's
 * other nodes). Rewards are filled in once the pools are split.
 *
 * @example evaluateNode(context, node, 0) // { contribution, quality: { … }, score, reasons, … }
 */
export function evaluateNode(ctx: EpochContext, node: NodeInput, i: number): NodeStatement {
  const cp = ctx.params.compute;
  const q = cp.quality;
  const t = ctx.totals;
  const counted = t.counted[i] as number;
  const capReasons = t.capReasons[i] as readonly ReasonCode[];
  const reasons: ReasonCode[] = capReasons.length > 0 ? [...capReasons] : [];
  const cls = t.classes[i] as string;
  // CPUs and NVMe: what was measured, shared among the host's nodes, never more than declared (§3.1)
  const host = countedHostResources(node.hardware, node.measured, t.hostSharing[i] as number);
  const computeUnits = computeComputeUnits({ gpus: node.hardware.gpus, ...host }, counted, t.ranked, cp);
  const gpus = countGpus(node.hardware.gpus);
  const upSeconds = node.upSlots * ctx.slotSeconds;
  const contribution = computeContribution(computeUnits, upSeconds);

  const target = cp.sla[node.slaClass].availability;
  const U = computeUptimeFactor(node.upSlots, node.expectedSlots, target, q);
  if (node.expectedSlots > 0 && U < WAD) reasons.push('UPTIME_BELOW_TARGET');
  const jobs = computeJobQuality(node.jobs, t.classRatings[node.providerClass], q, node.refused);
  reasons.push(...jobs.reasons);
  const Q = computeQuality(U, jobs.errors, jobs.response, jobs.rating, q);

  const L = computeCommitment(node.commitmentDays, node.commitmentForfeited, cp.commitment);
  if (L.forfeited) reasons.push('COMMITMENT_FORFEITED');
  const k = t.scarcityOf[i] as number;
  const scarcity = k < 0 ? NO_SCARCITY : (t.scarcity[k] as { factor: bigint; clipped: boolean });
  if (scarcity.clipped && node.status === 'active') reasons.push('VALUATION_CLIPPED');
  const geo = geoFactor(node.region, cp);
  const V = computeValuation(scarcity.factor, geo);
  const B = computeBonuses(
    {
      quality: Q,
      // a host registered before — the node re-registered, or a second node on it — is not new (§3.1)
      ageSeconds: ctx.epochStart - Math.min(node.registeredAt, node.hostFirstSeen ?? node.registeredAt),
      underServed: Object.hasOwn(cp.underServedRegions, node.region),
      innovative: isInnovative(node, cp.innovationList),
      powerEfficiency: node.powerEfficiency,
      anomalous: node.anomalies.length > 0,
    },
    cp.bonuses,
  );
  reasons.push(...B.reasons);

  const S = computeScore({ contribution, quality: Q, valuation: V, commitment: L.factor, bonus: B.bonuses.total, probationStage: node.probationStage }, cp);
  reasons.push(...S.reasons);
  const minBond = computeMinBond(node, ctx.params, ctx.bondUnit);
  const ineligible = getIneligibility(
    {
      status: node.status,
      onboarded: node.onboarded,
      bond: node.bond,
      minBond,
      computeUnits: computeUnits,
      classBacked: isClassBacked(node, node.measured, t.ownerMeasured[t.ownerOf[i] as number] as { gpus: number; ramGb: number }, cp),
      upSlots: node.upSlots,
      expectedSlots: node.expectedSlots,
      target,
    },
    q,
  );
  reasons.push(...ineligible);
  const eligible = ineligible.length === 0;
  return {
    id: node.id,
    owner: node.owner,
    reward: 0n,
    capacityReward: 0n,
    usageReward: 0n,
    fee: node.fee,
    referral: 0n,
    eligible,
    hardwareClass: cls,
    gpus,
    countedGpus: counted,
    computeUnits: computeUnits,
    upSeconds,
    uptime: node.expectedSlots === 0 ? 0n : node.upSlots === node.expectedSlots ? WAD : (BigInt(node.upSlots) * WAD) / BigInt(node.expectedSlots),
    utilisation: computeUtilisation(gpus, upSeconds, node.gpuSecondsDelivered),
    contribution,
    quality: { uptime: U, errors: jobs.errors, response: jobs.response, rating: jobs.rating, total: Q },
    valuation: { scarcity: scarcity.factor, geo, total: V },
    commitment: L.factor,
    bonuses: B.bonuses,
    rawScore: S.rawScore,
    probationShare: S.probationShare,
    score: eligible ? S.score : 0n,
    minBond,
    bond: node.bond,
    bondWeight: bondWeight(node.bond, L.factor, Q, eligible),
    bondReward: 0n,
    locked: 0n,
    vested: 0n,
    forfeited: 0n,
    unvested: 0n,
    reasons: reasons.length > 0 ? reasons : NONE,
  };
}
