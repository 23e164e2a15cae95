import { describe, expect, it } from 'vitest';
import { parseWad, WAD } from './amount.ts';
import { computeContribution, computeUtilisation } from './contribution.ts';

const w = (x: string) => parseWad(x, 'x');

describe('C, contribution (SPEC §4.4): capacity made available, never use', () => {
  it.each([
    ['an H100 up for an hour', 12n * WAD, 3600, w('43200')],
    ['CPUs only', w('0.05'), 100, w('5')],
    ['never up', 12n * WAD, 0, 0n],
  ])('%s', (_, cu, up, expected) => {
    expect(computeContribution(cu, up)).toBe(expected);
  });

  it('utilisation is shown, floored, and moves nothing', () => {
    expect(computeUtilisation(3, 1, 1)).toBe(333_333_333_333_333_333n);
    expect(computeUtilisation(0, 10, 0)).toBe(0n);
    expect(computeUtilisation(1, 3600, 3600)).toBe(WAD);
  });
});
