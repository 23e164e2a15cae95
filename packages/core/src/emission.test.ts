import { describe, expect, it } from 'vitest';
import { parseWad, TOKEN, WAD, wpowFloor } from './amount.ts';
import { computeDynamicFactor, computeEmission, computeEpochPool, computeEpochRetention, computeNextBaseEmission } from './emission.ts';
import { defaultParams } from './params.ts';

const e = defaultParams().emission; // target 0.9, D in [0.8, 1.25], growth 1.25, breaker ±20 %, decay 15 % a year
const w = (x: string) => parseWad(x, 'x');

describe('emission (SPEC §4.2)', () => {
  it.each([
    ['at the target utilisation', 90n, 100n, null, false, WAD, WAD, []],
    ['clamped below', 10n, 100n, null, false, w('0.8'), w('0.8'), ['DYNAMIC_FACTOR_CLAMPED']],
    ['clamped above', 100n, 100n, null, false, w('1.111111111111111111'), w('1.111111111111111111'), []],
    ['nothing provisioned', 0n, 0n, null, false, w('0.8'), w('0.8'), ['DYNAMIC_FACTOR_CLAMPED']],
    ['growth does not enter D (it scales the epoch pool)', 90n, 100n, null, true, WAD, WAD, []],
    ['the breaker clips a rise of more than 20 %', 90n, 100n, w('0.8'), true, WAD, w('0.96'), ['CIRCUIT_BREAKER_CLIPPED']],
    ['the breaker clips a fall', 10n, 100n, w('1.25'), false, w('0.8'), WAD, ['DYNAMIC_FACTOR_CLAMPED', 'CIRCUIT_BREAKER_CLIPPED']],
  ] as const)('D: %s', (_, delivered, provisioned, previous, expansion, raw, d, reasons) => {
    expect(computeDynamicFactor(delivered, provisioned, previous, expansion, e)).toEqual({
      rawDynamicFactor: raw,
      dynamicFactor: d,
      growth: expansion ? e.expansionGrowth : WAD,
      reasons,
    });
  });

  it('the epoch pool is E × growth, not E × D: demand cannot raise emission', () => {
    expect(computeEpochPool(1_000_000n * TOKEN, w('1.25'), e).epochPool).toBe(1_250_000n * TOKEN);
  });

  it('caps the epoch pool at the maximum', () => {
    expect(computeEpochPool(1_000_000n * TOKEN, WAD, e)).toEqual({ uncappedPool: 1_000_000n * TOKEN, epochPool: 1_000_000n * TOKEN, reasons: [] });
    expect(computeEpochPool(2_000_000n * TOKEN, WAD, e)).toEqual({ uncappedPool: 2_000_000n * TOKEN, epochPool: e.maxPerEpoch, reasons: ['EMISSION_CAPPED'] });
  });

  it('decays by the same 15 % a year whatever the epoch length (issue 18)', () => {
    const day = computeEpochRetention(e.decayPerYear, 86_400);
    expect(day).toBe(999_554_841_771_249_392n); // 0.85^(1/365) = 0.99955484177124939155…, floored
    for (const seconds of [60, 3600, 86_400, 5 * 86_400]) {
      const perYear = wpowFloor(computeEpochRetention(e.decayPerYear, seconds), 31_536_000 / seconds);
      expect(Number(perYear) / 1e18).toBeCloseTo(0.85, 9);
    }
    expect(computeEpochRetention(e.decayPerYear, 31_536_000)).toBe(w('0.85'));
    expect(computeEpochRetention(0n, 60)).toBe(WAD);
    expect(computeNextBaseEmission(1000n * TOKEN, e.decayPerYear, 86_400)).toBe((1000n * TOKEN * day) / WAD);
  });

  it('puts the steps together', () => {
    const x = computeEmission(
      { baseEmission: 1000n * TOKEN, previousDynamicFactor: null, expansionPhase: false, epochSeconds: 86_400 },
      { delivered: 45n, provisioned: 100n },
      e,
    );
    expect(x.networkUtilisation).toBe(w('0.45'));
    expect(x.dynamicFactor).toBe(w('0.8'));
    expect(x.epochPool).toBe(1000n * TOKEN);
    expect(x.reasons).toEqual(['DYNAMIC_FACTOR_CLAMPED']);
  });
});
