import { describe, expect, it } from 'vitest';
import { parseWad, WAD } from './amount.ts';
import { computeContribution, computeUtilisation } from './contribution.ts';
import { defaultParams } from './params.ts';

const c = defaultParams().compute; // base 0.4, weight 0.6
const w = (x: string) => parseWad(x, 'x');

describe('C, contribution (SPEC §4.4)', () => {
  it.each([
    ['idle for an hour: the base term', 12n * WAD, 1, 3600, 0, w('17280')],
    ['fully used', 12n * WAD, 1, 3600, 3600, w('43200')],
    ['half used', 12n * WAD, 2, 3600, 3600, w('30240')],
    ['never up', 12n * WAD, 1, 0, 0, 0n],
    ['no GPU: CPUs only, the base term', WAD, 0, 100, 0, w('40')],
  ])('%s', (_, cu, gpus, up, delivered, expected) => {
    expect(computeContribution(cu, gpus, up, delivered, c)).toBe(expected);
  });

  it('floors once: a third of a GPU-second used', () => {
    // 1 CU × (0.4 × 3 + 0.6 × 1) / 3 = 0.6 exactly; 1 CU × (0.4 × 3 + 0.6 × 2) / 3 = 0.8
    expect(computeContribution(WAD, 3, 1, 1, c)).toBe(w('0.6'));
    expect(computeContribution(WAD, 3, 1, 2, c)).toBe(w('0.8'));
    expect(computeUtilisation(3, 1, 1)).toBe(333_333_333_333_333_333n);
    expect(computeUtilisation(0, 10, 0)).toBe(0n);
  });
});
