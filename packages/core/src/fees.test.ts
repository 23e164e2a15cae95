import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TOKEN, WAD } from './amount.ts';
import { computeFeeSplit, computeUserDiscount } from './fees.ts';
import { defaultParams } from './params.ts';

const params = defaultParams();

describe('fees', () => {
  it('provider + burned + treasury = paid = price − discount, and the provider never pays for the discount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.bigInt({ min: 0n, max: WAD }), (price, rate) => {
        const f = computeFeeSplit(price, params, rate);
        const none = computeFeeSplit(price, params, 0n);
        expect(f.provider + f.burned + f.treasury).toBe(f.paid);
        expect(f.paid).toBe(price - f.discount);
        expect(f.provider).toBe(none.provider);
        expect(f.discount).toBeGreaterThanOrEqual(0n);
        expect(f.paid).toBeLessThanOrEqual(none.paid);
      }),
    );
  });

  it('the tiers: 5 % from 1,000 tokens, 10 % from 10,000, 20 % from 100,000', () => {
    expect(computeUserDiscount(999n * TOKEN, params)).toBe(0n);
    expect(computeUserDiscount(1_000n * TOKEN, params)).toBe(WAD / 20n);
    expect(computeUserDiscount(10_000n * TOKEN, params)).toBe(WAD / 10n);
    expect(computeUserDiscount(250_000n * TOKEN, params)).toBe(WAD / 5n);
    expect(computeFeeSplit(100n, params, 0n)).toEqual({ provider: 90n, burned: 5n, treasury: 5n, paid: 100n, discount: 0n });
  });
});
