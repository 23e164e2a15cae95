import { describe, expect, it } from 'vitest';
import { parseWad, WAD } from './amount.ts';
import { computeCommitment, computeForfeitedExtra, lockMultiplier } from './commitment.ts';
import { defaultParams } from './params.ts';

const tiers = defaultParams().compute.commitment;
const w = (x: string) => parseWad(x, 'x');

describe('L, commitment (SPEC §4.4)', () => {
  it.each([
    [0, WAD],
    [29, WAD],
    [30, w('1.05')],
    [90, w('1.1')],
    [179, w('1.1')],
    [180, w('1.2')],
    [365, w('1.35')],
    [730, w('1.5')],
    [10_000, w('1.5')],
  ])('a lock of %i days → %s', (days, m) => {
    expect(lockMultiplier(tiers, days)).toBe(m);
    expect(computeCommitment(days, false, tiers)).toEqual({ factor: m, forfeited: false });
  });

  it('forfeits the extra when the lock was left early; no lock, nothing to forfeit', () => {
    expect(computeCommitment(365, true, tiers)).toEqual({ factor: WAD, forfeited: true });
    expect(computeCommitment(10, true, tiers)).toEqual({ factor: WAD, forfeited: false });
  });

  it('takes back, for the whole period, the part of each reward the multiplier added', () => {
    expect(computeForfeitedExtra([])).toBe(0n);
    expect(computeForfeitedExtra([{ reward: 110n, commitment: w('1.1') }])).toBe(10n);
    // 135 at 1.35 added 35; 100 at 1 added nothing; 7 at 1.5 added 7 − floor(7 / 1.5) = 3
    expect(
      computeForfeitedExtra([
        { reward: 135n, commitment: w('1.35') },
        { reward: 100n, commitment: WAD },
        { reward: 7n, commitment: w('1.5') },
      ]),
    ).toBe(38n);
  });
});
