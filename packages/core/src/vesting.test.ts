import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clawFromTranches, unvestedAfter, type VestingTranche, vestedAfter, vestingState } from './vesting.ts';

const tranche = fc.record({ epoch: fc.integer({ min: 0, max: 40 }), amount: fc.bigInt({ min: 0n, max: 10n ** 24n }), epochs: fc.integer({ min: 1, max: 30 }) });
// one tranche per epoch, as the store keeps them
const tranches = fc.uniqueArray(tranche, { selector: (t) => t.epoch, maxLength: 8 });

describe('vesting (SPEC §6.1) and the lock clawback from unvested rewards (SPEC §4.4)', () => {
  it('vests linearly, never more than a clawback left', () => {
    const t = { epoch: 10, amount: 300n, epochs: 30 };
    expect([10, 11, 25, 40, 99].map((n) => vestedAfter(t, n))).toEqual([0n, 10n, 150n, 300n, 300n]);
    const clawed = { ...t, clawed: 200n };
    expect([10, 11, 19, 20, 40].map((n) => vestedAfter(clawed, n))).toEqual([0n, 10n, 90n, 100n, 100n]);
    expect(unvestedAfter(clawed, 11)).toBe(90n);
  });

  it('takes the tokens that would vest last first: the newest tranche, then older ones', () => {
    const { tranches: after, taken } = clawFromTranches(
      [
        { epoch: 1, amount: 100n, epochs: 10 },
        { epoch: 2, amount: 50n, epochs: 10 },
      ],
      60n,
      2,
    );
    expect(taken).toEqual([
      { epoch: 2, amount: 50n },
      { epoch: 1, amount: 10n },
    ]);
    expect(after.map((t) => t.clawed)).toEqual([10n, 50n]);
    // what is left vests on schedule until it runs out: tranche 1 locked 100, vested 10, lost 10; 10 more vest at close 3
    expect(vestingState(after, 3)).toEqual({ unvested: 80n, due: 10n, forfeit: false });
  });

  it('property: takes min(amount, unvested) exactly, and every tranche still vests to amount − clawed, never less than before the clawback by more than it took', () => {
    fc.assert(
      fc.property(tranches, fc.bigInt({ min: 0n, max: 10n ** 25n }), fc.integer({ min: 0, max: 80 }), (ts: VestingTranche[], amount, n) => {
        const before = ts.reduce((a, t) => a + unvestedAfter(t, n), 0n);
        const { tranches: after, taken } = clawFromTranches(ts, amount, n);
        const took = taken.reduce((a, t) => a + t.amount, 0n);
        expect(took).toBe(amount < before ? amount : before);
        expect(after.reduce((a, t) => a + unvestedAfter(t, n), 0n)).toBe(before - took);
        for (const t of after) {
          // what vested up to n is unchanged; in the end the rest vests
          const old = ts.find((x) => x.epoch === t.epoch) as VestingTranche;
          expect(vestedAfter(t, n)).toBe(vestedAfter(old, n));
          expect(vestedAfter(t, n + 1000)).toBe(t.amount - (t.clawed ?? 0n));
          expect(t.clawed ?? 0n).toBeGreaterThanOrEqual(0n);
        }
      }),
    );
  });
});
