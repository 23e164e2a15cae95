import { formatWad, WAD } from './amount.ts';
import type { NodeInput } from './epoch-input.ts';
import type { Params } from './params.ts';
import type { EpochResult } from './process-epoch.ts';
import { uptimeZeroPoint } from './quality.ts';
import { REASONS, type ReasonCode } from './reasons.ts';
import type { NodeStatement } from './statement.ts';

/**
 * A node's statement explained (SPEC §4.4, §4.6): from its inputs to its tokens, every step with
 * the numbers it took — what the dashboard's statement view shows and what a provider asks when it
 * reads "UPTIME_BELOW_TARGET": below what, by how much. Computes nothing the engine did not: each
 * number here is read from the node's input, its statement, the parameters or the epoch's totals.
 */

/** What the node's shares were taken against: the epoch's compute pool and what it was split by. */
export type ComputeTotals = {
  /** `R_compute`: the compute pool allocated this epoch. */
  computePool: bigint;
  /** `R_usage`: its usage part (SPEC §4.4). */
  usagePool: bigint;
  /** `F`: the protocol fee the eligible nodes' billable receipts paid. */
  feeTotal: bigint;
  /** `Σ S`: the scores the capacity part was split by. */
  scoreTotal: bigint;
};

/** An epoch's compute totals from its result: what the close stores in the epoch's summary. */
export function computeTotalsOf(r: Pick<EpochResult, 'pools' | 'usagePool' | 'computed'>): ComputeTotals {
  return {
    computePool: r.pools.compute.allocated,
    usagePool: r.usagePool.pool,
    feeTotal: r.usagePool.fees,
    scoreTotal: r.computed.scores.reduce((a, x) => a + x, 0n),
  };
}

/** One reason code in words, with the numbers that triggered it (decimal strings, units in the label). */
export type ExplainedReason = { code: ReasonCode; words: string; numbers: { label: string; value: string }[] };

export type Explanation = {
  /** Capacity part: `(R_compute − R_usage) · S_i / Σ S`; `remainderUnit` when the largest remainder gave it one more base unit. */
  capacity: { pool: string; score: string; scoreTotal: string; share: string; floor: string; reward: string; remainderUnit: boolean };
  /** Usage part: `R_usage · f_i / F` (at most κ × `f_i`). */
  usage: { pool: string; fee: string; feeTotal: string; floor: string; reward: string; remainderUnit: boolean };
  /** What the referrer took, and the reward: capacity + usage − referral. */
  referral: string;
  reward: string;
  /** Each quality factor with the node's value and its target. */
  quality: { name: 'U' | 'E' | 'R' | 'P'; weight: string; value: string; observed: string; target: string }[];
  reasons: ExplainedReason[];
};

const dec = (x: bigint) => formatWad(x);
/** A WAD cut (never rounded) to `digits` decimals: 4.5358… → "4.53". */
const cut = (x: bigint, digits: number) => {
  const [whole, frac = ''] = formatWad(x).split('.');
  const kept = frac.slice(0, digits).replace(/0+$/, '');
  return `${whole}${kept ? `.${kept}` : ''}`;
};
/** A fraction as a percentage, cut to two decimals: 0.969444… → "96.94 %". */
const pctOf = (x: bigint) => `${cut(x * 100n, 2)} %`;

/**
 * The explanation of `s`, the statement the engine gave the node whose input is `node`, against
 * the epoch's `totals` under `params`.
 *
 * @example explainStatement(node, statement, params, totals).capacity // { pool, score, scoreTotal, share, … }
 */
export function explainStatement(node: NodeInput, s: NodeStatement, params: Params, totals: ComputeTotals): Explanation {
  const cp = params.compute;
  const q = cp.quality;
  const capacityPool = totals.computePool - totals.usagePool;
  const capFloor = totals.scoreTotal === 0n ? 0n : (capacityPool * s.score) / totals.scoreTotal;
  const usageFloor = totals.feeTotal === 0n || !s.eligible ? 0n : (totals.usagePool * s.fee) / totals.feeTotal;
  const target = cp.sla[node.slaClass].availability;
  const paid = node.jobs.all.standard + node.jobs.all.high;
  const failed = node.jobs.all.standardFailed + node.jobs.all.highFailed;
  const meanRating = paid === 0n ? null : (node.jobs.all.ratingSum * WAD) / paid;
  return {
    capacity: {
      pool: capacityPool.toString(),
      score: s.score.toString(),
      scoreTotal: totals.scoreTotal.toString(),
      share: totals.scoreTotal === 0n ? '0' : dec((s.score * WAD) / totals.scoreTotal),
      floor: capFloor.toString(),
      reward: s.capacityReward.toString(),
      remainderUnit: s.capacityReward === capFloor + 1n,
    },
    usage: {
      pool: totals.usagePool.toString(),
      fee: s.fee.toString(),
      feeTotal: totals.feeTotal.toString(),
      floor: usageFloor.toString(),
      reward: s.usageReward.toString(),
      remainderUnit: s.usageReward === usageFloor + 1n,
    },
    referral: s.referral.toString(),
    reward: s.reward.toString(),
    quality: [
      {
        name: 'U',
        weight: dec(q.uptimeWeight),
        value: dec(s.quality.uptime),
        observed: `${pctOf(s.uptime)} uptime`,
        target: `${pctOf(target)} (SLA ${node.slaClass})`,
      },
      {
        name: 'E',
        weight: dec(q.errorWeight),
        value: dec(s.quality.errors),
        observed: paid === 0n ? 'no paid jobs' : `${pctOf((failed * WAD) / paid)} of the price paid was for failed jobs`,
        target: `≤ ${pctOf(q.errorTargetStandard)} standard, ≤ ${pctOf(q.errorTargetHigh)} high priority (0 at ${dec(q.errorTolerance)}×)`,
      },
      {
        name: 'R',
        weight: dec(q.responseWeight),
        value: dec(s.quality.response),
        observed: node.jobs.all.p95ResponseMs === 0 ? 'no inference jobs' : `p95 ${node.jobs.all.p95ResponseMs} ms`,
        target: `≤ ${q.responseTargetMs} ms`,
      },
      {
        name: 'P',
        weight: dec(q.ratingWeight),
        value: dec(s.quality.rating),
        observed: meanRating === null ? 'no ratings (0.5)' : `mean rating ${cut(meanRating, 2)}`,
        target: "the provider class's mean rating gives 0.5",
      },
    ],
    reasons: s.reasons.map((code) => ({ code, words: REASONS[code], numbers: numbersFor(code, node, s, params) })),
  };
}

/** The numbers behind one reason code: the node's value beside the rule's threshold. */
function numbersFor(code: ReasonCode, node: NodeInput, s: NodeStatement, params: Params): { label: string; value: string }[] {
  const cp = params.compute;
  const q = cp.quality;
  const target = cp.sla[node.slaClass].availability;
  const slots = { label: 'slots up / expected', value: `${node.upSlots} / ${node.expectedSlots}` };
  const n = (label: string, value: string | number | bigint) => ({ label, value: String(value) });
  const j = node.jobs.all;
  switch (code) {
    case 'UPTIME_BELOW_TARGET':
      return [
        n('uptime', pctOf(s.uptime)),
        n(`SLA ${node.slaClass} target`, pctOf(target)),
        n('U is 0 at', pctOf(uptimeZeroPoint(target, q))),
        slots,
        n('U', dec(s.quality.uptime)),
      ];
    case 'BELOW_UPTIME_FLOOR':
      return [n('uptime', pctOf(s.uptime)), n('no reward below', pctOf(target - q.eligibilityFloor)), n(`SLA ${node.slaClass} target`, pctOf(target)), slots];
    case 'NO_UPTIME':
      return [slots];
    case 'ERROR_RATE_ABOVE_TOLERANCE':
    case 'JOBS_REFUSED':
      return [
        n('failed / paid, standard (base units)', `${j.standardFailed} / ${j.standard}`),
        n('failed / paid, high priority (base units)', `${j.highFailed} / ${j.high}`),
        n('error target standard / high', `${pctOf(q.errorTargetStandard)} / ${pctOf(q.errorTargetHigh)}`),
        n('E is 0 at', `${dec(q.errorTolerance)} × the target`),
        ...((node.refused ?? 0n) > 0n ? [n('refused jobs offered (base units, each a failed job rated 1)', node.refused ?? 0n)] : []),
        n('E', dec(s.quality.errors)),
      ];
    case 'SLOW_RESPONSES':
      return [
        n('p95 response, all keys', `${j.p95ResponseMs} ms`),
        n('p95 response, independent keys', `${node.jobs.independent.p95ResponseMs} ms`),
        n('target', `${q.responseTargetMs} ms`),
        n('R', dec(s.quality.response)),
      ];
    case 'RATING_CLIPPED':
      return [n('P before the clip', 'outside [0, 1]'), n('P', dec(s.quality.rating))];
    case 'OWN_RECEIPTS_DISCOUNTED':
      return [n('E / R / P taken', `${dec(s.quality.errors)} / ${dec(s.quality.response)} / ${dec(s.quality.rating)}`)];
    case 'NOT_BONDED':
    case 'BOND_BELOW_MINIMUM':
    case 'NODE_NOT_ELIGIBLE':
      return [n('bond (base units)', s.bond), n('minimum bond (base units)', s.minBond)];
    case 'GPU_CAP_EXCEEDED':
      return [n('GPUs / counted', `${s.gpus} / ${s.countedGpus}`), n('per-node cap', cp.maxGpusPerNode)];
    case 'CLUSTER_CAP_EXCEEDED':
      return [n('GPUs / counted', `${s.gpus} / ${s.countedGpus}`), n("per-cluster cap (all the owner's nodes)", cp.maxGpusPerCluster)];
    case 'SCORE_CAPPED':
      return [n('C·Q·V·L·(1+B)', s.rawScore), n(`cap: ${dec(cp.scoreCap)} × C`, (cp.scoreCap * s.contribution) / WAD)];
    case 'BONUS_CAPPED':
      return [n('bonuses B (after the cap)', dec(s.bonuses.total)), n('cap', dec(cp.bonuses.cap))];
    case 'PROBATION':
      return [n('probation stage', node.probationStage), n('share of the score', pctOf(s.probationShare))];
    case 'VALUATION_CLIPPED':
      return [n(`scarcity of ${s.hardwareClass} (clipped)`, dec(s.valuation.scarcity))];
    case 'REFERRAL_PAID':
      return [n('paid to the referrer (base units)', s.referral)];
    case 'UNVESTED_FORFEITED':
      return [n('forfeited (base units)', s.forfeited)];
    case 'ANOMALY_FLAGGED':
      return [n('anomalies', node.anomalies.join(', '))];
    case 'SUSPENDED':
    case 'JAILED':
    case 'EXCLUDED':
      return [n('status', node.status)];
    case 'COMMITMENT_FORFEITED':
      return [n('lock (days)', node.commitmentDays)];
    case 'NO_CAPACITY':
      return [n('compute units', s.computeUnits)];
    default:
      return [];
  }
}
