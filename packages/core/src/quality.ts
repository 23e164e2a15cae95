import { floorDiv, WAD } from './amount.ts';
import type { Params } from './params.ts';
import type { ReasonCode } from './reasons.ts';

/**
 * Quality `Q_i` of SPEC §4.4: `0.30·U + 0.30·E + 0.20·R + 0.20·P`, each factor in [0, 1] as a WAD.
 * One function a factor; the penalty code (`slashing.ts`) judges uptime with the same zero point.
 */

const W2 = WAD * WAD;
const HALF = WAD / 2n;
const NONE: readonly ReasonCode[] = Object.freeze([]);
const NO_JOB_ERRORS = Object.freeze({ factor: WAD, reasons: NONE });
const NO_RATINGS = Object.freeze({ factor: HALF, clipped: false });

type QualityParams = Params['compute']['quality'];

/**
 * Where `U` reaches 0: "1 at or above the SLA class target, falling linearly to 0 at target − 2
 * points" (SPEC §4.4). A performance violation is uptime below this point (§6.1).
 *
 * @example uptimeZeroPoint(parseWad('0.999'), params.compute.quality) // 0.979
 */
export function uptimeZeroPoint(target: bigint, q: Pick<QualityParams, 'uptimeRamp'>): bigint {
  return target - q.uptimeRamp;
}

/**
 * Whether `upSlots / expectedSlots` lies below `level`, exactly (`up·WAD < level·expected`).
 *
 * @example isUptimeBelow(978, 1000, parseWad('0.979')) // true
 */
export function isUptimeBelow(upSlots: number, expectedSlots: number, level: bigint): boolean {
  if (upSlots === expectedSlots) return level > WAD; // always up (the common case: no bigint)
  return BigInt(upSlots) * WAD < level * BigInt(expectedSlots);
}

/**
 * U, uptime (SPEC §4.4): "1 at or above the SLA class target, falling linearly to 0 at target − 2
 * points". Uptime is `upSlots / expectedSlots`; no expected slot gives 0. Floored once.
 *
 * @example computeUptimeFactor(990, 1000, parseWad('0.999'), params.compute.quality) // 0.55 WAD
 */
export function computeUptimeFactor(upSlots: number, expectedSlots: number, target: bigint, q: Pick<QualityParams, 'uptimeRamp'>): bigint {
  if (expectedSlots === 0) return 0n;
  if (!isUptimeBelow(upSlots, expectedSlots, target)) return WAD;
  // (up/expected − zero) / ramp, multiplied out: (up·WAD − zero·expected)·WAD / (expected·ramp)
  const above = BigInt(upSlots) * WAD - uptimeZeroPoint(target, q) * BigInt(expectedSlots);
  if (above <= 0n) return 0n;
  const u = (above * WAD) / (BigInt(expectedSlots) * q.uptimeRamp);
  return u > WAD ? WAD : u;
}

/**
 * E for one priority (SPEC §4.4): `clamp(1 − err / (5 × target), 0, 1)`, the 5 being
 * `errorTolerance`, where `err = failed / paid` is the share of the price paid for failed jobs
 * (each job weighs by its price, so padding with cheap fake jobs cannot dilute real errors).
 * Multiplied out, floored once: `(paid·tol·target − failed·W²)·WAD / (paid·tol·target)`.
 *
 * @example computeErrorRateFactor(1000n, 20n, parseWad('0.01'), params.compute.quality) // 0.6 WAD
 */
export function computeErrorRateFactor(paid: bigint, failed: bigint, target: bigint, q: Pick<QualityParams, 'errorTolerance'>): bigint {
  if (paid === 0n || failed === 0n) return WAD;
  const d = paid * q.errorTolerance * target;
  const num = d - failed * W2;
  return num <= 0n ? 0n : (num * WAD) / d;
}

/** A node's billable receipts, each weighted by its price (the epoch input's `JobStats`). */
export type Jobs = { standard: bigint; standardFailed: bigint; high: bigint; highFailed: bigint; p95ResponseMs: number; ratingSum: bigint };

/**
 * E, error rate (SPEC §4.4): "per priority `clamp(1 − err / (5 × target), 0, 1)`, target 1 % for
 * standard jobs and 0.1 % for high-priority jobs; `E` is the mean of the two weighted by their job
 * counts; no jobs → 1" — jobs counted by the price paid for them. `ERROR_RATE_ABOVE_TOLERANCE`
 * when a priority with jobs reached 0.
 *
 * @example computeErrorFactor({ standard: 1000n, standardFailed: 20n, high: 0n, highFailed: 0n, p95ResponseMs: 80, ratingSum: 4000n }, q) // { factor: 0.6 WAD, reasons: [] }
 */
export function computeErrorFactor(j: Jobs, q: QualityParams): { factor: bigint; reasons: readonly ReasonCode[] } {
  const paid = j.standard + j.high;
  if (paid === 0n || (j.standardFailed === 0n && j.highFailed === 0n)) return NO_JOB_ERRORS;
  const standard = computeErrorRateFactor(j.standard, j.standardFailed, q.errorTargetStandard, q);
  const high = computeErrorRateFactor(j.high, j.highFailed, q.errorTargetHigh, q);
  const reasons: readonly ReasonCode[] = (j.standard > 0n && standard === 0n) || (j.high > 0n && high === 0n) ? ['ERROR_RATE_ABOVE_TOLERANCE'] : NONE;
  return { factor: (j.standard * standard + j.high * high) / paid, reasons };
}

/**
 * R, response time (SPEC §4.4): "`min(1, target / p95 observed)`, target 100 ms for inference;
 * no jobs → 1" — the p95 of inference jobs only (a training job's minutes are not a slow answer),
 * 0 when there were none. Floored once.
 *
 * @example computeResponseFactor(200, params.compute.quality) // 0.5 WAD
 */
export function computeResponseFactor(p95ResponseMs: number, q: Pick<QualityParams, 'responseTargetMs'>): bigint {
  if (p95ResponseMs <= q.responseTargetMs) return WAD;
  return (BigInt(q.responseTargetMs) * WAD) / BigInt(p95ResponseMs);
}

/** Ratings weighted by price: the price paid for rated jobs, and Σ price × rating. */
export type Ratings = { weight: bigint; sum: bigint };
/** The ratings given to all nodes of one provider class, likewise weighted. */
export type ClassRatings = { weight: bigint; sum: bigint };

/** A node's price-weighted ratings, from its receipts. */
export function ratingsOf(j: Jobs): Ratings {
  return { weight: j.standard + j.high, sum: j.ratingSum };
}

/**
 * P, user rating relative to peers (SPEC §4.4): "`clamp(0.5 + (mean_i − mean_class) / 4, 0, 1)`,
 * where `mean_class` is the mean of all ratings given to nodes of the same provider class …; no
 * ratings → 0.5" (the 4 is `ratingSpread`); each rating weighs by the price of its job, so a
 * rating attacker's cheap jobs cannot outweigh real ones. Multiplied out over both means, floored once.
 *
 * @example computeRatingFactor({ weight: 10n, sum: 50n }, { weight: 100n, sum: 400n }, q) // { factor: 0.75 WAD, clipped: false }
 */
export function computeRatingFactor(ratings: Ratings, cls: ClassRatings, q: Pick<QualityParams, 'ratingSpread'>): { factor: bigint; clipped: boolean } {
  if (ratings.weight === 0n || cls.weight === 0n) return NO_RATINGS;
  const n = ratings.weight;
  const raw = HALF + floorDiv((ratings.sum * cls.weight - cls.sum * n) * W2, q.ratingSpread * n * cls.weight);
  const factor = raw < 0n ? 0n : raw > WAD ? WAD : raw;
  return { factor, clipped: factor !== raw };
}

export type JobQuality = { errors: bigint; response: bigint; rating: bigint; reasons: ReasonCode[] };

/**
 * E, R and P of a node from its billable receipts (SPEC §4.4, §12): each computed from all of
 * them and from those of independent keys (keys that have also paid another owner's nodes), and
 * the lower of the two taken — so receipts from keys that have paid only this owner (its own,
 * most likely) can lower a factor but never raise it: padding with fake successful jobs, or
 * rating oneself 5, gains nothing. `OWN_RECEIPTS_DISCOUNTED` when they would have raised one.
 * `refused`: the offered price of jobs consumers signed as refused — each a failed job rated 1.
 *
 * @example computeJobQuality({ all, independent }, classRatings, q) // { errors, response, rating, reasons }
 */
export function computeJobQuality(jobs: { all: Jobs; independent: Jobs }, cls: ClassRatings, q: QualityParams, refused = 0n): JobQuality {
  const reasons: ReasonCode[] = [];
  if (refused > 0n) {
    // a job the consumer signed as refused or dropped is a failed job rated 1, weighted by its offered price (SPEC §12)
    const add = (j: Jobs): Jobs => ({ ...j, standard: j.standard + refused, standardFailed: j.standardFailed + refused, ratingSum: j.ratingSum + refused });
    jobs = { all: add(jobs.all), independent: add(jobs.independent) };
    reasons.push('JOBS_REFUSED');
  }
  const eAll = computeErrorFactor(jobs.all, q);
  const eInd = computeErrorFactor(jobs.independent, q);
  const e = eInd.factor < eAll.factor ? eInd : eAll;
  reasons.push(...e.reasons);
  const rAll = computeResponseFactor(jobs.all.p95ResponseMs, q);
  const rInd = computeResponseFactor(jobs.independent.p95ResponseMs, q);
  const response = rInd < rAll ? rInd : rAll;
  if (response < WAD) reasons.push('SLOW_RESPONSES');
  const pAll = computeRatingFactor(ratingsOf(jobs.all), cls, q);
  const pInd = computeRatingFactor(ratingsOf(jobs.independent), cls, q);
  const p = pInd.factor < pAll.factor ? pInd : pAll;
  if (p.clipped) reasons.push('RATING_CLIPPED');
  if (eInd.factor < eAll.factor || rInd < rAll || pInd.factor < pAll.factor) reasons.push('OWN_RECEIPTS_DISCOUNTED');
  return { errors: e.factor, response, rating: p.factor, reasons };
}

/**
 * Q, quality (SPEC §4.4): `0.30·U + 0.30·E + 0.20·R + 0.20·P`, the weights governed; floored once.
 *
 * @example computeQuality(WAD, WAD, WAD, WAD / 2n, params.compute.quality) // 0.9 WAD
 */
export function computeQuality(U: bigint, E: bigint, R: bigint, P: bigint, q: QualityParams): bigint {
  return (q.uptimeWeight * U + q.errorWeight * E + q.responseWeight * R + q.ratingWeight * P) / WAD;
}
