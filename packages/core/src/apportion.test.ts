import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apportion } from './apportion.ts';

/** The definition, written the slow obvious way: sort every remainder. */
function reference(pool: bigint, w: bigint[]): bigint[] | null {
  const total = w.reduce((a, b) => a + b, 0n);
  if (total === 0n) return null;
  const shares = w.map((x) => (pool * x) / total);
  let left = pool - shares.reduce((a, b) => a + b, 0n);
  const order = w.map((x, i) => ({ i, r: x === 0n ? -1n : (pool * x) % total })).sort((a, b) => (a.r > b.r ? -1 : a.r < b.r ? 1 : a.i - b.i));
  for (const { i } of order) {
    if (left === 0n) break;
    shares[i] = (shares[i] as bigint) + 1n;
    left--;
  }
  return shares;
}

describe('apportion (largest remainder)', () => {
  it('worked example: 10 over three equal weights gives the extra unit to the lowest index', () => {
    expect(apportion(10n, [1n, 1n, 1n])).toEqual([4n, 3n, 3n]);
    expect(apportion(10n, [1n, 2n, 2n])).toEqual([2n, 4n, 4n]);
    // 7 over [1,1,1,1]: floors 1 each, 3 left, ties → indices 0,1,2
    expect(apportion(7n, [1n, 1n, 1n, 1n])).toEqual([2n, 2n, 2n, 1n]);
  });
  it('returns null when nobody is eligible', () => {
    expect(apportion(5n, [0n, 0n])).toBeNull();
    expect(apportion(5n, [])).toBeNull();
  });
  it('pays the pool exactly, never negative, and matches the sorting definition', () => {
    const weights = fc.array(fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.bigInt({ min: 0n, max: 5n })), { maxLength: 60 });
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 27n }), weights, (pool, w) => {
        const got = apportion(pool, w);
        expect(got).toEqual(reference(pool, w));
        if (got) {
          expect(got.reduce((a, b) => a + b, 0n)).toBe(pool);
          for (const s of got) expect(s >= 0n).toBe(true);
          w.forEach((x, i) => {
            if (x === 0n) expect(got[i]).toBe(0n);
          });
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
  it('resolves remainders that are equal as doubles but differ as integers', () => {
    const big = 10n ** 40n;
    // weights whose remainders differ only far below double precision
    const w = [big, big + 1n, big + 2n];
    expect(apportion(2n, w)).toEqual(reference(2n, w));
  });
});
