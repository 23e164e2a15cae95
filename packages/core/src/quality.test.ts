import { describe, expect, it } from 'vitest';
import { parseWad, WAD } from './amount.ts';
import { defaultParams } from './params.ts';
import {
  computeErrorFactor,
  computeErrorRateFactor,
  computeQuality,
  computeRatingFactor,
  computeResponseFactor,
  computeUptimeFactor,
  isUptimeBelow,
  uptimeZeroPoint,
} from './quality.ts';

const q = defaultParams().compute.quality; // ramp 0.02, targets 1 % / 0.1 %, tolerance 5, 100 ms, spread 4
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

describe('E, the error factor (SPEC §4.4)', () => {
  it.each([
    ['no jobs', 0, 0, WAD],
    ['no errors', 1000, 0, WAD],
    ['at the 1 % target', 1000, 10, w('0.8')],
    ['at 5 × the target', 1000, 50, 0n],
    ['above 5 × the target', 1000, 80, 0n],
  ])('standard priority, %s', (_, jobs, errors, e) => {
    expect(computeErrorRateFactor(jobs, errors, q.errorTargetStandard, q)).toBe(e);
  });

  it('weighs the two priorities by their job counts, and flags a priority at 0', () => {
    // standard 1000 jobs at 1 % → 0.8; high 1000 jobs at 0.1 % → 0.8; one at 0.5 % → 0
    expect(computeErrorFactor({ standard: 1000, standardErrors: 10, high: 1000, highErrors: 1, p95ResponseMs: 0 }, q)).toEqual({
      factor: w('0.8'),
      reasons: [],
    });
    expect(computeErrorFactor({ standard: 3000, standardErrors: 0, high: 1000, highErrors: 5, p95ResponseMs: 0 }, q)).toEqual({
      factor: w('0.75'),
      reasons: ['ERROR_RATE_ABOVE_TOLERANCE'],
    });
  });
});

describe('R, the response factor (SPEC §4.4)', () => {
  it.each([
    ['no jobs', 0, 900, WAD],
    ['at the target', 5, 100, WAD],
    ['twice the target', 5, 200, w('0.5')],
    ['three times', 5, 300, 333_333_333_333_333_333n],
  ])('%s', (_, jobs, p95, r) => {
    expect(computeResponseFactor(jobs, p95, q)).toBe(r);
  });
});

describe('P, the rating factor relative to the provider class (SPEC §4.4)', () => {
  it.each([
    ['no ratings', { count: 0, sum: 0 }, { count: 10n, sum: 40n }, w('0.5'), false],
    ['the class mean', { count: 10, sum: 40 }, { count: 100n, sum: 400n }, w('0.5'), false],
    ['one point above the class mean', { count: 10, sum: 50 }, { count: 100n, sum: 400n }, w('0.75'), false],
    ['two points below: exactly 0', { count: 10, sum: 20 }, { count: 20n, sum: 80n }, 0n, false],
    ['four points below: clipped', { count: 1, sum: 1 }, { count: 2n, sum: 10n }, 0n, true],
  ])('%s', (_, ratings, cls, p, clipped) => {
    const r = computeRatingFactor(ratings, cls, q);
    expect(r.factor).toBe(p);
    expect(r.clipped).toBe(clipped);
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
