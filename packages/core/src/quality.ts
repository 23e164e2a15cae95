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
 * E for one priority (SPEC §4.4): `clamp(1 − err / (5 × target), 0, 1)`, `err = errors / jobs`,
 * the 5 being `errorTolerance`. Multiplied out, floored once: `(jobs·tol·target − errors·W²)·WAD / (jobs·tol·target)`.
 *
 * @example computeErrorRateFactor(1000, 20, parseWad('0.01'), params.compute.quality) // 0.6 WAD
 */
export function computeErrorRateFactor(jobs: number, errors: number, target: bigint, q: Pick<QualityParams, 'errorTolerance'>): bigint {
  if (jobs === 0 || errors === 0) return WAD;
  const d = BigInt(jobs) * q.errorTolerance * target;
  const num = d - BigInt(errors) * W2;
  return num <= 0n ? 0n : (num * WAD) / d;
}

export type Jobs = { standard: number; standardErrors: number; high: number; highErrors: number; p95ResponseMs: number };

/**
 * E, error rate (SPEC §4.4): "per priority `clamp(1 − err / (5 × target), 0, 1)`, target 1 % for
 * standard jobs and 0.1 % for high-priority jobs; `E` is the mean of the two weighted by their job
 * counts; no jobs → 1". `ERROR_RATE_ABOVE_TOLERANCE` when a priority with jobs reached 0.
 *
 * @example computeErrorFactor({ standard: 1000, standardErrors: 20, high: 0, highErrors: 0, p95ResponseMs: 80 }, q) // { factor: 0.6 WAD, reasons: [] }
 */
export function computeErrorFactor(j: Jobs, q: QualityParams): { factor: bigint; reasons: readonly ReasonCode[] } {
  const jobs = j.standard + j.high;
  if (jobs === 0 || (j.standardErrors === 0 && j.highErrors === 0)) return NO_JOB_ERRORS;
  const standard = computeErrorRateFactor(j.standard, j.standardErrors, q.errorTargetStandard, q);
  const high = computeErrorRateFactor(j.high, j.highErrors, q.errorTargetHigh, q);
  const reasons: readonly ReasonCode[] = (j.standard > 0 && standard === 0n) || (j.high > 0 && high === 0n) ? ['ERROR_RATE_ABOVE_TOLERANCE'] : NONE;
  return { factor: (BigInt(j.standard) * standard + BigInt(j.high) * high) / BigInt(jobs), reasons };
}

/**
 * R, response time (SPEC §4.4): "`min(1, target / p95 observed)`, target 100 ms for inference;
 * no jobs → 1". Floored once.
 *
 * @example computeResponseFactor(10, 200, params.compute.quality) // 0.5 WAD
 */
export function computeResponseFactor(jobs: number, p95ResponseMs: number, q: Pick<QualityParams, 'responseTargetMs'>): bigint {
  if (jobs === 0 || p95ResponseMs <= q.responseTargetMs) return WAD;
  return (BigInt(q.responseTargetMs) * WAD) / BigInt(p95ResponseMs);
}

/** A node's ratings: how many, and their sum. */
export type Ratings = { count: number; sum: number };
/** The ratings given to all nodes of one provider class. */
export type ClassRatings = { count: bigint; sum: bigint };

/**
 * P, user rating relative to peers (SPEC §4.4): "`clamp(0.5 + (mean_i − mean_class) / 4, 0, 1)`,
 * where `mean_class` is the mean of all ratings given to nodes of the same provider class …; no
 * ratings → 0.5" (the 4 is `ratingSpread`). Multiplied out over both means, floored once.
 *
 * @example computeRatingFactor({ count: 10, sum: 50 }, { count: 100n, sum: 400n }, q) // { factor: 0.75 WAD, clipped: false }
 */
export function computeRatingFactor(ratings: Ratings, cls: ClassRatings, q: Pick<QualityParams, 'ratingSpread'>): { factor: bigint; clipped: boolean } {
  if (ratings.count === 0) return NO_RATINGS;
  const n = BigInt(ratings.count);
  const raw = HALF + floorDiv((BigInt(ratings.sum) * cls.count - cls.sum * n) * W2, q.ratingSpread * n * cls.count);
  const factor = raw < 0n ? 0n : raw > WAD ? WAD : raw;
  return { factor, clipped: factor !== raw };
}

/**
 * Q, quality (SPEC §4.4): `0.30·U + 0.30·E + 0.20·R + 0.20·P`, the weights governed; floored once.
 *
 * @example computeQuality(WAD, WAD, WAD, WAD / 2n, params.compute.quality) // 0.9 WAD
 */
export function computeQuality(U: bigint, E: bigint, R: bigint, P: bigint, q: QualityParams): bigint {
  return (q.uptimeWeight * U + q.errorWeight * E + q.responseWeight * R + q.ratingWeight * P) / WAD;
}
