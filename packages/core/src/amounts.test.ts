import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Amounts, incrementLimbs, limbsToBigint } from './amounts.ts';

/** 128-bit values as four little-endian 32-bit limbs each. */
function limbsOf(values: readonly bigint[]): Uint32Array {
  const l = new Uint32Array(4 * values.length);
  values.forEach((v, i) => {
    for (let k = 0; k < 4; k++) l[4 * i + k] = Number((v >> BigInt(32 * k)) & 0xffffffffn);
  });
  return l;
}

const u128 = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 53n }),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }),
  fc.constantFrom(0n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 128n - 1n),
);

describe('Amounts', () => {
  it('reads back every 128-bit value it was built from, and counts and sums them', () => {
    fc.assert(
      fc.property(fc.array(u128, { maxLength: 40 }), fc.nat(3), (values, pad) => {
        // from limbs that start part-way into a larger array, as the kernel's columns do
        const limbs = new Uint32Array(4 * pad + 4 * values.length);
        limbs.set(limbsOf(values), 4 * pad);
        const a = Amounts.fromLimbs(limbs, 4 * pad, values.length);
        expect(a.length).toBe(values.length);
        expect(a.toArray()).toEqual(values);
        expect([...a]).toEqual(values);
        values.forEach((v, i) => {
          expect(a.get(i)).toBe(v);
          expect(a.positive(i)).toBe(v > 0n);
        });
        expect(a.countPositive()).toBe(values.filter((v) => v > 0n).length);
        expect(a.sum()).toBe(values.reduce((x, y) => x + y, 0n));
        const b = Amounts.of(values);
        expect(b.toArray()).toEqual(values);
        expect(b.sum()).toBe(a.sum());
      }),
      { numRuns: 300 },
    );
  });

  it('copies what it is built from: later writes to the source do not change it', () => {
    const limbs = limbsOf([5n, 2n ** 100n]);
    const a = Amounts.fromLimbs(limbs, 0, 2);
    limbs.fill(0xffffffff);
    expect(a.toArray()).toEqual([5n, 2n ** 100n]);
    const list = [1n, 2n];
    const b = Amounts.of(list);
    list[0] = 9n;
    expect(b.get(0)).toBe(1n);
  });

  it('adds every entry into per-index 128-bit sums exactly, carries included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 120n }), fc.nat(4)), { maxLength: 60 }), fc.boolean(), (entries, wide) => {
        const values = entries.map(([v]) => (wide ? v : v % 2n ** 64n));
        const index = Int32Array.from(entries.map(([, k]) => k));
        const sums = new Uint32Array(4 * 5);
        expect(Amounts.fromLimbs(limbsOf(values), 0, values.length).addInto(sums, index)).toBe(true);
        const expected = [0n, 0n, 0n, 0n, 0n];
        values.forEach((v, i) => {
          expected[index[i] as number] = (expected[index[i] as number] as bigint) + v;
        });
        expect([0, 1, 2, 3, 4].map((k) => limbsToBigint(sums, 4 * k, 4))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
    // a column of bigints declines (the caller sums them as bigints)
    expect(Amounts.of([1n]).addInto(new Uint32Array(4), new Int32Array(1))).toBe(false);
  });

  it('increments a 128-bit entry with carries, and refuses to pass 2^128', () => {
    for (const v of [0n, 0xffffffffn, 2n ** 64n - 1n, 2n ** 96n - 1n, 2n ** 127n]) {
      const l = limbsOf([7n, v, 7n]);
      incrementLimbs(l, 1);
      expect([limbsToBigint(l, 0, 4), limbsToBigint(l, 4, 4), limbsToBigint(l, 8, 4)]).toEqual([7n, v + 1n, 7n]);
    }
    expect(() => incrementLimbs(limbsOf([2n ** 128n - 1n]), 0)).toThrow(/128 bits/);
  });

  it('refuses negative amounts and indices outside the column', () => {
    expect(() => Amounts.of([1n, -1n])).toThrow(/negative/);
    const a = Amounts.zeros(3);
    expect(a.toArray()).toEqual([0n, 0n, 0n]);
    for (const i of [-1, 3, 1.5, Number.NaN]) expect(() => a.get(i)).toThrow(RangeError);
  });
});
