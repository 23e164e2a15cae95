import { describe, expect, it } from 'vitest';
import { parseWad, WAD } from './amount.ts';
import { defaultParams } from './params.ts';
import { computeStakerWeightAdjust, splitRoles } from './roles.ts';

const r = defaultParams().roles; // 60/10/15/5/4/3/3, target stake ratio 0.5, adjust in [0.5, 2]
const w = (x: string) => parseWad(x, 'x');

describe('role split (SPEC §4.3)', () => {
  it.each([
    ['at the target ratio', 100n, 50n, WAD],
    ['too little staked: ×2', 100n, 10n, w('2')],
    ['a quarter staked: ×2', 100n, 25n, w('2')],
    ['40 % staked: ×1.25', 100n, 40n, w('1.25')],
    ['all staked: ×0.5', 100n, 100n, w('0.5')],
    ['nothing staked: the maximum', 100n, 0n, w('2')],
  ])('the staker weight adjust, %s', (_, total, staked, adjust) => {
    expect(computeStakerWeightAdjust(total, staked, r)).toBe(adjust);
  });

  it('splits by weight, every unit placed', () => {
    expect(splitRoles(100n, WAD, r)).toEqual({ compute: 60n, validators: 10n, stakers: 15n, model: 5n, developer: 4n, community: 3n, liquidity: 3n });
    const odd = splitRoles(101n, w('2'), r); // stakers 30 of 115
    expect(Object.values(odd).reduce((a, b) => a + b, 0n)).toBe(101n);
    expect(odd.stakers).toBe(26n);
  });
});
