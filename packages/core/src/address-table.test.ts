import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressTable } from './address-table.ts';

describe('AddressTable', () => {
  it('stays fast and correct on addresses that share their leading digits (and on forced collisions)', () => {
    const t = new AddressTable();
    const n = 50_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) expect(t.indexOf(`0x${i.toString(16).padStart(40, '0')}`)).toBe(i);
    for (let i = 0; i < n; i += 7) expect(t.indexOf(`0x${i.toString(16).padStart(40, '0')}`)).toBe(i);
    expect(t.size).toBe(n);
    // (no timing assertion: a quadratic table would take minutes here and the test would time out)
    void start;
  });
  it('gives equal strings one index and new strings the next, across growth', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.stringMatching(/^0x[0-9a-f]{40}$/), fc.string()), { maxLength: 3000 }), (xs) => {
        const t = new AddressTable();
        const seen = new Map<string, number>();
        for (const x of xs) {
          // a copy that is a distinct string object, as JSON.parse would make
          const k = t.indexOf(`${x} `.slice(0, -1));
          if (!seen.has(x)) seen.set(x, seen.size);
          expect(k).toBe(seen.get(x));
          expect(t.addresses[k]).toBe(x);
        }
        expect(t.size).toBe(seen.size);
      }),
      { numRuns: 50 },
    );
  });
});
