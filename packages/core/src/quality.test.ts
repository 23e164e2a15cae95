import { describe, expect, it } from 'vitest';
import { parseWad, WAD } from './amount.ts';
import { defaultParams } from './params.ts';
import {
  computeErrorFactor,
  computeErrorRateFactor,
  computeJobQuality,
  computeQuality,
  computeRatingFactor,
  computeResponseFactor,
  computeUptimeFactor,
  isUptimeBelow,
  type Jobs,
  uptimeZeroPoint,
} from './quality.ts';

const q = defaultParams().compute.quality; // ramp 0.02, targets 1 % / 0.1 %, tolerance 5, 100 ms, spread 4
/** Receipt statistics: prices paid (any unit), every job rated 4 unless `ratingSum` says otherwise. */
const jobs = (j: Partial<Jobs>): Jobs => {
  const x = { standard: 0n, standardFailed: 0n, high: 0n, highFailed: 0n, p95ResponseMs: 0, ...j };
  return { ratingSum: 4n * (x.standard + x.high), ...x };
};
const w = (x: string) => parseWad(x, 'x');
const target = w('0.999');

describe('U, the uptime factor (SPEC §4.4)', () => {
  it.each([
    ['at the target', 999, 1000, WAD],
    ['above the target', 1000, 1000, WAD],
    ['half way down the ramp', 989, 1000, w('0.5')],
    ['2 points below: the zero point', 979, 1000, 0n],
    ['below the zero point', 500, 1000, 0n],
    ['never expected', 0, 0, 0n],
    ['a quarter of the ramp below', 994, 1000, w('0.75')],
  ])('%s', (_, up, expected, u) => {
    expect(computeUptimeFactor(up, expected, target, q)).toBe(u);
  });

  it('reaches 0 exactly at the zero point the penalty code judges by', () => {
    expect(uptimeZeroPoint(target, q)).toBe(w('0.979'));
    expect(isUptimeBelow(978, 1000, uptimeZeroPoint(target, q))).toBe(true);
    expect(isUptimeBelow(979, 1000, uptimeZeroPoint(target, q))).toBe(false);
    expect(isUptimeBelow(1000, 1000, WAD)).toBe(false);
  });
});

describe('E, the error factor (SPEC §4.4): jobs weigh by the price paid for them', () => {
  it.each([
    ['no jobs', 0n, 0n, WAD],
    ['no errors', 1000n, 0n, WAD],
    ['at the 1 % target', 1000n, 10n, w('0.8')],
    ['at 5 × the target', 1000n, 50n, 0n],
    ['above 5 × the target', 1000n, 80n, 0n],
  ])('standard priority, %s', (_, paid, failed, e) => {
    expect(computeErrorRateFactor(paid, failed, q.errorTargetStandard, q)).toBe(e);
  });

  it('weighs the two priorities by what was paid for them, and flags a priority at 0', () => {
    // standard 1000 paid at 1 % failed → 0.8; high 1000 at 0.1 % → 0.8; one at 0.5 % → 0
    expect(computeErrorFactor(jobs({ standard: 1000n, standardFailed: 10n, high: 1000n, highFailed: 1n }), q)).toEqual({ factor: w('0.8'), reasons: [] });
    expect(computeErrorFactor(jobs({ standard: 3000n, high: 1000n, highFailed: 5n }), q)).toEqual({
      factor: w('0.75'),
      reasons: ['ERROR_RATE_ABOVE_TOLERANCE'],
    });
  });

  it('a failed job of a real consumer outweighs many cheap fake successes of the same total price only by price', () => {
    // 10 real jobs paying 100 each, one failed (10 %): E 0; a thousand fake jobs paying 0.1 each add
    // only 100 to the weight: 100/1100 = 9.1 % failed, still E 0
    expect(computeErrorFactor(jobs({ standard: 1000n, standardFailed: 100n }), q).factor).toBe(0n);
    expect(computeErrorFactor(jobs({ standard: 1100n, standardFailed: 100n }), q).factor).toBe(0n);
  });
});

describe('R, the response factor (SPEC §4.4): inference jobs only', () => {
  it.each([
    ['no inference jobs', 0, WAD],
    ['at the target', 100, WAD],
    ['twice the target', 200, w('0.5')],
    ['three times', 300, 333_333_333_333_333_333n],
  ])('%s', (_, p95, r) => {
    expect(computeResponseFactor(p95, q)).toBe(r);
  });
});

describe('P, the rating factor relative to the provider class (SPEC §4.4)', () => {
  it.each([
    ['no ratings', { weight: 0n, sum: 0n }, { weight: 10n, sum: 40n }, w('0.5'), false],
    ['the class mean', { weight: 10n, sum: 40n }, { weight: 100n, sum: 400n }, w('0.5'), false],
    ['one point above the class mean', { weight: 10n, sum: 50n }, { weight: 100n, sum: 400n }, w('0.75'), false],
    ['two points below: exactly 0', { weight: 10n, sum: 20n }, { weight: 20n, sum: 80n }, 0n, false],
    ['four points below: clipped', { weight: 1n, sum: 1n }, { weight: 2n, sum: 10n }, 0n, true],
    ['no independent rating in the class', { weight: 10n, sum: 50n }, { weight: 0n, sum: 0n }, w('0.5'), false],
  ])('%s', (_, ratings, cls, p, clipped) => {
    const r = computeRatingFactor(ratings, cls, q);
    expect(r.factor).toBe(p);
    expect(r.clipped).toBe(clipped);
  });
});

describe('E, R and P: receipts of keys that paid only this owner can lower a factor, never raise it (SPEC §4.4, §12)', () => {
  const cls = { weight: 1000n, sum: 4000n }; // class mean 4
  const real = jobs({ standard: 1000n, standardFailed: 20n, p95ResponseMs: 200, ratingSum: 4000n }); // 2 % failed, p95 200 ms, rated 4
  it('padding with own fake successes, fast answers and 5-star ratings changes nothing', () => {
    const padded = jobs({ standard: 11_000n, standardFailed: 20n, p95ResponseMs: 50, ratingSum: 54_000n });
    const honest = computeJobQuality({ all: real, independent: real }, cls, q);
    const cheat = computeJobQuality({ all: padded, independent: real }, cls, q);
    expect(cheat).toMatchObject({ errors: honest.errors, response: honest.response, rating: honest.rating });
    expect(cheat.reasons).toContain('OWN_RECEIPTS_DISCOUNTED');
    expect(honest.errors).toBe(w('0.6'));
    expect(honest.response).toBe(w('0.5'));
    expect(honest.rating).toBe(w('0.5'));
  });
  it('a consumer-signed refusal is a failed job rated 1, weighted by its offered price (SPEC §12)', () => {
    const honest = computeJobQuality({ all: real, independent: real }, cls, q);
    const refused = computeJobQuality({ all: real, independent: real }, cls, q, 40n); // 4 % of the work offered refused
    expect(refused.errors).toBe(0n); // (20 + 40) / 1040 ≈ 5.8 % failed ≥ 5 × 1 %
    expect(refused.rating).toBeLessThan(honest.rating);
    expect(refused.reasons).toContain('JOBS_REFUSED');
    expect(computeJobQuality({ all: real, independent: real }, cls, q, 5n).errors).toBeLessThan(honest.errors);
    expect(computeJobQuality({ all: real, independent: real }, cls, q, 0n)).toEqual(honest);
  });
  it('own receipts that fail, or rate low, still count against the node', () => {
    const worse = jobs({ standard: 2000n, standardFailed: 120n, p95ResponseMs: 200, ratingSum: 5000n });
    const r = computeJobQuality({ all: worse, independent: real }, cls, q);
    expect(r.errors).toBe(0n); // 6 % failed ≥ 5 × 1 %
    expect(r.rating).toBe(w('0.125')); // mean 2.5 against 4: 0.5 − 1.5/4
    expect(r.reasons).not.toContain('OWN_RECEIPTS_DISCOUNTED');
  });
});

describe('Q, quality (SPEC §4.4)', () => {
  it('is 0.30·U + 0.30·E + 0.20·R + 0.20·P, floored once', () => {
    expect(computeQuality(WAD, WAD, WAD, WAD, q)).toBe(WAD);
    expect(computeQuality(WAD, WAD, WAD, w('0.5'), q)).toBe(w('0.9'));
    expect(computeQuality(0n, 0n, 0n, 0n, q)).toBe(0n);
    expect(computeQuality(1n, 1n, 1n, 1n, q)).toBe(1n); // the weights sum to 1: one floor, no dust lost
    expect(computeQuality(1n, 0n, 0n, 1n, q)).toBe(0n); // 0.5 wei floors to 0
  });
});
