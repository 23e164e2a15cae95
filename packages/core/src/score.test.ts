import { describe, expect, it } from 'vitest';
import { parseWad, WAD } from './amount.ts';
import { defaultParams } from './params.ts';
import { computeScore } from './score.ts';

const c = defaultParams().compute; // cap 3 × C, probation 25 % → 50 % → 100 %
const w = (x: string) => parseWad(x, 'x');
const C = 100n * WAD;

describe('S, the score (SPEC §4.4)', () => {
  it.each([
    ['C·Q·V·L·(1+B)', { quality: w('0.9'), valuation: w('1.2'), commitment: w('1.1'), bonus: w('0.1') }, w('130.68'), w('130.68'), []],
    ['capped at 3 × C', { quality: WAD, valuation: w('1.5') * 2n, commitment: w('1.5'), bonus: w('0.5') }, w('675'), w('300'), ['SCORE_CAPPED']],
    ['floored once', { quality: 1n, valuation: WAD, commitment: WAD, bonus: 0n }, 100n, 100n, []],
  ])('%s', (_, x, raw, score, reasons) => {
    const r = computeScore({ contribution: C, probationStage: 0, ...x }, c);
    expect(r.rawScore).toBe(raw);
    expect(r.score).toBe(score);
    expect(r.reasons).toEqual(reasons);
  });

  it.each([
    [1, w('0.25'), 25n * WAD, ['PROBATION']],
    [2, w('0.5'), 50n * WAD, ['PROBATION']],
    [3, WAD, 100n * WAD, []],
    [7, WAD, 100n * WAD, []],
  ])('probation stage %i keeps %s of the score', (stage, share, score, reasons) => {
    const r = computeScore({ contribution: C, quality: WAD, valuation: WAD, commitment: WAD, bonus: 0n, probationStage: stage }, c);
    expect(r.probationShare).toBe(share);
    expect(r.score).toBe(score);
    expect(r.reasons).toEqual(reasons);
  });
});
