import { describe, expect, it } from 'vitest';
import { parseWad, WAD } from './amount.ts';
import { type BonusesParameters, computeBonuses, isInnovative } from './bonuses.ts';
import { defaultParams } from './params.ts';

const b = defaultParams().compute.bonuses;
const w = (x: string) => parseWad(x, 'x');
const DAY = 86_400;
const plain: BonusesParameters = { quality: w('0.5'), ageSeconds: 400 * DAY, underServed: false, innovative: false, powerEfficiency: null, anomalous: false };

describe('B, bonuses (SPEC §4.4)', () => {
  it.each([
    ['none', {}, 0n, []],
    ['quality ≥ 0.95: +0.10', { quality: w('0.95') }, w('0.1'), []],
    ['quality ≥ 0.90: +0.05', { quality: w('0.9') }, w('0.05'), []],
    ['new for 90 days: +0.10', { ageSeconds: 89 * DAY }, w('0.1'), []],
    ['no longer new at 90 days', { ageSeconds: 90 * DAY }, 0n, []],
    ['under-served region for 180 days: +0.05', { underServed: true, ageSeconds: 179 * DAY }, w('0.05'), []],
    ['innovation: +0.10', { innovative: true }, w('0.1'), []],
    ['energy at 85 %: +0.05', { powerEfficiency: w('0.85') }, w('0.05'), []],
    ['energy below 85 %', { powerEfficiency: w('0.849') }, 0n, []],
    ['all of them: capped at +0.50', { quality: WAD, ageSeconds: 0, underServed: true, innovative: true, powerEfficiency: WAD }, w('0.4'), []],
    ['an anomaly loses them all', { quality: WAD, ageSeconds: 0, anomalous: true }, 0n, ['ANOMALY_FLAGGED']],
  ] as const)('%s', (_, change, total, reasons) => {
    const r = computeBonuses({ ...plain, ...change }, b);
    expect(r.bonuses.total).toBe(total);
    expect(r.reasons).toEqual(reasons);
  });

  it('reports a cut to the cap', () => {
    const r = computeBonuses({ ...plain, quality: WAD, ageSeconds: 0, underServed: true, innovative: true, powerEfficiency: WAD }, { ...b, cap: w('0.3') });
    expect(r.bonuses.total).toBe(w('0.3'));
    expect(r.reasons).toEqual(['BONUS_CAPPED']);
  });

  it('counts hardware on the innovation list only when the node has some (a GPU entry of count 0 is none)', () => {
    const node = (count: number, services: string[] = []) => ({
      hardware: { gpus: [{ model: 'H200', count }], vcpus: 0, ramGb: 0, nvmeTb: 0, bandwidthGbps: 1 },
      services,
    });
    expect(isInnovative(node(1), ['H200'])).toBe(true);
    expect(isInnovative(node(0), ['H200'])).toBe(false);
    expect(isInnovative(node(0, ['confidential-compute']), ['confidential-compute'])).toBe(true);
    expect(isInnovative(node(1), [])).toBe(false);
  });
});
