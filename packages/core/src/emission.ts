import { clamp, WAD, wpowFloor } from './amount.ts';
import type { Params } from './params.ts';
import type { ReasonCode } from './reasons.ts';

/**
 * Emission and dynamic scaling (SPEC §4.2).
 */

export const YEAR_SECONDS = 31_536_000;

export type DynamicFactorReturnType = { rawDynamicFactor: bigint; dynamicFactor: bigint; growth: bigint; reasons: ReasonCode[] };

/**
 * "`D_n = clamp(networkUtilisation / 0.90, 0.8, 1.25)` … Circuit breaker: `D_n` moves at most ±20 %
 * from `D_{n−1}`; a bigger move is clipped and reported. `growth = 1.25` while governance declares
 * an expansion phase, else 1" (SPEC §4.2). `D_n` scales only the usage pool (§4.4); growth scales
 * the epoch pool. Utilisation is `delivered / provisioned` (billable receipts), multiplied out.
 *
 * @example computeDynamicFactor(81n, 100n, null, false, params.emission) // { rawDynamicFactor: 0.9 WAD, dynamicFactor: 0.9 WAD, growth: WAD, … }
 */
export function computeDynamicFactor(
  delivered: bigint,
  provisioned: bigint,
  previous: bigint | null,
  expansionPhase: boolean,
  e: Params['emission'],
): DynamicFactorReturnType {
  const reasons: ReasonCode[] = [];
  const ratio = provisioned === 0n ? 0n : (delivered * WAD * WAD) / (provisioned * e.targetUtilisation);
  const clamped = clamp(ratio, e.dynamicMin, e.dynamicMax);
  if (clamped !== ratio) reasons.push('DYNAMIC_FACTOR_CLAMPED');
  const growth = expansionPhase ? e.expansionGrowth : WAD;
  const rawDynamicFactor = clamped;
  let dynamicFactor = rawDynamicFactor;
  if (previous !== null) {
    const lo = (previous * (WAD - e.circuitBreaker)) / WAD;
    const hi = (previous * (WAD + e.circuitBreaker)) / WAD;
    dynamicFactor = clamp(rawDynamicFactor, lo, hi);
    if (dynamicFactor !== rawDynamicFactor) reasons.push('CIRCUIT_BREAKER_CLIPPED');
  }
  return { rawDynamicFactor, dynamicFactor, growth, reasons };
}

/**
 * The epoch pool (SPEC §4.2): `P_n = min(floor(E_n·growth), maxEmissionPerEpoch)`; `EMISSION_CAPPED`
 * when the maximum binds. Demand does not move it: paying for fake jobs cannot raise emission.
 *
 * @example computeEpochPool(1_000_000n * TOKEN, WAD, params.emission) // { uncappedPool: 1e24, epochPool: 1e24, reasons: [] }
 */
export function computeEpochPool(
  baseEmission: bigint,
  growth: bigint,
  e: Params['emission'],
): { uncappedPool: bigint; epochPool: bigint; reasons: ReasonCode[] } {
  const uncappedPool = (baseEmission * growth) / WAD;
  if (uncappedPool > e.maxPerEpoch) return { uncappedPool, epochPool: e.maxPerEpoch, reasons: ['EMISSION_CAPPED'] };
  return { uncappedPool, epochPool: uncappedPool, reasons: [] };
}

/**
 * What an epoch of `epochSeconds` keeps of the base emission, so that a year of such epochs keeps
 * `1 − decayPerYear` whatever their length (SPEC §4.2: "default decay ≈ 15 % a year"): the
 * retention `r` with `r^(year / epochSeconds) = 1 − decayPerYear`. With `epochSeconds / year = p/q`
 * in lowest terms, `r = s^p` where `s` is the largest WAD whose floored `s^q` does not exceed
 * `1 − decayPerYear`, found by bisection — integers only, the same on every machine.
 *
 * @example computeEpochRetention(parseWad('0.15'), 86_400) // 0.999554839… (0.85^(1/365))
 */
export function computeEpochRetention(decayPerYear: bigint, epochSeconds: number): bigint {
  const g = gcd(epochSeconds, YEAR_SECONDS);
  const p = epochSeconds / g;
  const q = YEAR_SECONDS / g;
  const kept = WAD - decayPerYear;
  let lo = 0n; // wpowFloor(lo, q) ≤ kept always
  let hi = WAD + 1n;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (wpowFloor(mid, q) <= kept) lo = mid;
    else hi = mid;
  }
  return wpowFloor(lo, p);
}

/**
 * The base emission of the next epoch (SPEC §4.2): `E_{n+1} = floor(E_n·(WAD − decay)/WAD)`, the
 * epoch's decay `1 − r` from the yearly one (`computeEpochRetention`).
 *
 * @example computeNextBaseEmission(1_000_000n * TOKEN, parseWad('0.15'), 86_400) // 999,554.839… tokens
 */
export function computeNextBaseEmission(baseEmission: bigint, decayPerYear: bigint, epochSeconds: number): bigint {
  return (baseEmission * computeEpochRetention(decayPerYear, epochSeconds)) / WAD;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export type Emission = {
  baseEmission: bigint;
  nextBaseEmission: bigint;
  networkUtilisation: bigint;
  rawDynamicFactor: bigint;
  dynamicFactor: bigint;
  growth: bigint;
  uncappedPool: bigint;
  epochPool: bigint;
  reasons: ReasonCode[];
};

/**
 * One epoch's emission (SPEC §4.2): network utilisation (delivered ÷ provisioned GPU-seconds over
 * active nodes), the dynamic factor with its circuit breaker (for the usage pool), the epoch pool
 * `E_n × growth`, and the next epoch's base emission.
 *
 * @example computeEmission({ baseEmission, previousDynamicFactor: WAD, expansionPhase: false }, { delivered, provisioned }, params.emission)
 */
export function computeEmission(
  input: { baseEmission: bigint; previousDynamicFactor: bigint | null; expansionPhase: boolean; epochSeconds: number },
  usage: { delivered: bigint; provisioned: bigint },
  e: Params['emission'],
): Emission {
  const { delivered, provisioned } = usage;
  const dynamic = computeDynamicFactor(delivered, provisioned, input.previousDynamicFactor, input.expansionPhase, e);
  const pool = computeEpochPool(input.baseEmission, dynamic.growth, e);
  return {
    baseEmission: input.baseEmission,
    nextBaseEmission: computeNextBaseEmission(input.baseEmission, e.decayPerYear, input.epochSeconds),
    networkUtilisation: provisioned === 0n ? 0n : (delivered * WAD) / provisioned,
    rawDynamicFactor: dynamic.rawDynamicFactor,
    dynamicFactor: dynamic.dynamicFactor,
    growth: dynamic.growth,
    uncappedPool: pool.uncappedPool,
    epochPool: pool.epochPool,
    reasons: [...dynamic.reasons, ...pool.reasons],
  };
}
