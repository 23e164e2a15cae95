import { describe, expect, it } from 'vitest';
import { parseWad, WAD } from './amount.ts';
import { DEFAULT_PARAMS_JSON, parseParams, patchParams } from './params.ts';
import { computeScarcity, computeValuation, geoFactor, scarcityUsage } from './valuation.ts';

const c = parseParams(patchParams(DEFAULT_PARAMS_JSON, { compute: { underServedRegions: { 'af-south': '1.3' } } })).compute; // V in [0.7, 1.5]
const w = (x: string) => parseWad(x, 'x');

describe('V, valuation (SPEC §4.4)', () => {
  it.each([
    ['a class as used as the network', { delivered: 50n, provisioned: 100n }, { delivered: 500n, provisioned: 1000n }, WAD, false],
    ['in demand: 1.2× the network', { delivered: 60n, provisioned: 100n }, { delivered: 500n, provisioned: 1000n }, w('1.2'), false],
    ['far in demand: clipped at 1.5', { delivered: 90n, provisioned: 100n }, { delivered: 100n, provisioned: 1000n }, w('1.5'), true],
    ['idle: clipped at 0.7', { delivered: 0n, provisioned: 100n }, { delivered: 100n, provisioned: 1000n }, w('0.7'), true],
    ['the network delivered nothing: 1', { delivered: 0n, provisioned: 100n }, { delivered: 0n, provisioned: 1000n }, WAD, false],
  ])('scarcity: %s', (_, cls, network, factor, clipped) => {
    expect(computeScarcity(cls, network, c)).toEqual({ factor, clipped });
  });

  it('provisions counted GPUs × expected seconds, delivered capped at it (issue 18: capped GPUs diluted their class)', () => {
    expect(scarcityUsage(32, 1440, 60, 1_000_000)).toEqual({ delivered: 1_000_000, provisioned: 2_764_800 });
    expect(scarcityUsage(4, 1440, 60, 500_000)).toEqual({ delivered: 345_600, provisioned: 345_600 });
    expect(scarcityUsage(0, 1440, 60, 0)).toEqual({ delivered: 0, provisioned: 0 });
  });

  it('multiplies scarcity by the region: 1 by default, governed for under-served regions', () => {
    expect(geoFactor('eu-west', c)).toBe(WAD);
    expect(geoFactor('af-south', c)).toBe(w('1.3'));
    expect(geoFactor('__proto__', c)).toBe(WAD);
    expect(computeValuation(w('1.2'), w('1.3'))).toBe(w('1.56'));
  });
});
