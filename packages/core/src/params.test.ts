import { describe, expect, it } from 'vitest';
import { formatWad, WAD } from './amount.ts';
import { InvalidParamsError } from './errors.ts';
import { DEFAULT_PARAMS_JSON, defaultParams, paramsHash, parseParams, serializeParams } from './params.ts';

const clone = (): any => structuredClone(DEFAULT_PARAMS_JSON);

describe('parameter set', () => {
  it('parses the SPEC defaults', () => {
    const p = defaultParams();
    expect(p.compute.gpuUnits.H100).toBe(12n * WAD);
    expect(p.compute.vcpuUnits).toBe(WAD / 20n);
    expect(p.emission.genesisPerEpoch).toBe(1_000_000n * WAD);
    expect(p.compute.sla['mission-critical'].availability).toBe(999_990_000_000_000_000n);
    expect(p.roles.weights.compute).toBe(60n * WAD);
  });
  it('round-trips through its wire form and has a stable content hash', () => {
    const p = defaultParams();
    expect(serializeParams(p)).toEqual(DEFAULT_PARAMS_JSON);
    expect(paramsHash(p)).toMatch(/^0x[0-9a-f]{64}$/);
    expect(paramsHash(parseParams(serializeParams(p)))).toBe(paramsHash(p));
    const changed = clone();
    changed.compute.gpuUnits.H100 = '12.5';
    expect(paramsHash(parseParams(changed))).not.toBe(paramsHash(p));
  });
  it('the hash does not depend on key order', () => {
    const a = clone();
    const b = Object.fromEntries(Object.entries(clone()).reverse());
    expect(paramsHash(parseParams(a))).toBe(paramsHash(parseParams(b)));
  });

  const bad: [string, (p: any) => void, RegExp][] = [
    ['quality weights not summing to 1', (p) => (p.compute.quality.ratingWeight = '0.3'), /compute\.quality/],
    ['a usage fee bound κ of 1 (a wash trade would break even)', (p) => (p.compute.usageFeeBound = '1'), /usageFeeBound/],
    [
      'every role weight zero',
      (p) => (p.roles.weights = { compute: '0', validators: '0', stakers: '0', model: '0', developer: '0', community: '0', liquidity: '0' }),
      /roles\.weights/,
    ],
    ['negative weight', (p) => (p.roles.weights.compute = '-1'), /roles\.weights\.compute/],
    ['eligibility floor above the uptime ramp', (p) => (p.compute.quality.eligibilityFloor = '0.01'), /eligibilityFloor/],
    ['dynamic min above max', (p) => (p.emission.dynamicMin = '2'), /dynamicMax/],
    ['commitment tiers not ascending', (p) => (p.compute.commitment[1].days = 10), /commitment\[1\]\.days/],
    ['probation not ending at 1', (p) => (p.compute.probation = ['0.25', '0.5']), /probation/],
    ['a region above geoMax', (p) => (p.compute.underServedRegions = { 'af-south': '1.4' }), /underServedRegions\.af-south/],
    ['an unknown field', (p) => (p.compute.extra = 1), /compute\.extra/],
    ['a missing field', (p) => delete p.governance.quorum, /governance\.quorum/],
    ['a yearly decay of 100 %', (p) => (p.emission.decayPerYear = '1'), /emission\.decayPerYear/],
    ['no "other" GPU class', (p) => delete p.compute.gpuUnits.other, /gpuUnits\.other/],
    ['SLA classes out of order', (p) => (p.compute.sla.recommended.availability = '0.99'), /sla\.recommended/],
    ['a fraction above 1', (p) => (p.fees.protocolFee = '1.5'), /fees\.protocolFee/],
  ];
  it.each(bad)('refuses %s, naming the field', (_, mutate, field) => {
    const p = clone();
    mutate(p);
    let err: unknown;
    try {
      parseParams(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidParamsError);
    expect((err as InvalidParamsError).code).toBe('INVALID_PARAMS');
    expect((err as InvalidParamsError).field).toMatch(field);
  });
});

describe('a set saved before a section was added', () => {
  it('parses with the section’s default (heartbeats.maxSkewSeconds 5), and a set that has it keeps its own', () => {
    const { heartbeats: _dropped, ...old } = DEFAULT_PARAMS_JSON;
    expect(parseParams(old).heartbeats.maxSkewSeconds).toBe(5);
    expect(parseParams({ ...DEFAULT_PARAMS_JSON, heartbeats: { maxSkewSeconds: 12 } }).heartbeats.maxSkewSeconds).toBe(12);
    expect(() => parseParams({ ...DEFAULT_PARAMS_JSON, heartbeats: { maxSkewSeconds: 120 } })).toThrow(/heartbeats.maxSkewSeconds/);
  });
});

describe('a set saved when the decay was stated per epoch', () => {
  it('reads decayPerEpoch as the yearly decay it meant at daily epochs, 1 − (1 − d)^365', () => {
    const { decayPerYear: _dropped, ...emission } = DEFAULT_PARAMS_JSON.emission;
    const old = { ...DEFAULT_PARAMS_JSON, emission: { ...emission, decayPerEpoch: '0.000445' } };
    const p = parseParams(old);
    expect(formatWad(p.emission.decayPerYear)).toMatch(/^0\.14995/); // ≈ 15 % a year, as the old comment said
    expect(() => parseParams({ ...old, emission: { ...emission, decayPerEpoch: 'x' } })).toThrow(/decayPerEpoch/);
    // a set with both keeps its own yearly decay — and is refused for the unknown field, as any other
    expect(() => parseParams({ ...DEFAULT_PARAMS_JSON, emission: { ...DEFAULT_PARAMS_JSON.emission, decayPerEpoch: '0.1' } })).toThrow(/decayPerEpoch/);
  });
});
