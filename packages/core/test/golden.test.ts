import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS_JSON, parseEpochInput, parseParams, patchParams, processEpoch, REASONS, serializeResult } from '../src/index.ts';

/**
 * Golden vectors: small epochs whose expected results were worked out by hand and recomputed by an
 * independent reference (`scripts/golden_reference.py`, Python integers), with the arithmetic beside
 * each (`arithmetic`: the hand-written `narrative`, then the reference's steps). Each file holds a parameter patch, the complete epoch input, and the
 * expected values; every value listed must match exactly.
 */
const dir = new URL('./golden/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

type Vector = { name: string; description: string; narrative: string[]; arithmetic: string[]; params: unknown; input: unknown; expected: any };

const byId = <T extends { id: string }>(xs: T[]) => Object.fromEntries(xs.map((x) => [x.id, x]));

describe('golden vectors', () => {
  it('there are at least ten, and together they exercise every reason code', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    const seen = new Set<string>();
    for (const f of files) {
      const v: Vector = JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
      for (const code of v.expected.emission.reasons) seen.add(code);
      for (const n of Object.values<any>(v.expected.nodes)) for (const c of n.reasons) seen.add(c);
      for (const n of Object.values<any>(v.expected.validators)) for (const c of n.reasons) seen.add(c);
      for (const a of v.expected.ignoredAttestations) seen.add(a.reason);
    }
    expect([...seen].sort()).toEqual(Object.keys(REASONS).sort());
  });

  it.each(files)('%s', (file) => {
    const v: Vector = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
    expect(v.arithmetic.length).toBeGreaterThan(v.narrative.length);
    const params = parseParams(patchParams(DEFAULT_PARAMS_JSON, v.params));
    const got = serializeResult(processEpoch(parseEpochInput(v.input, params), params)) as any;
    const want = v.expected;
    expect(got.emission).toMatchObject(want.emission);
    expect(got.stakeRatio).toBe(want.stakeRatio);
    expect(got.stakerWeightAdjust).toBe(want.stakerWeightAdjust);
    expect(got.pools).toEqual(want.pools);
    expect(got.usagePool).toEqual(want.usagePool);
    expect(got.treasury).toBe(want.treasury);
    const nodes = byId(got.nodes);
    expect(Object.keys(nodes).sort()).toEqual(Object.keys(want.nodes).sort());
    for (const [id, n] of Object.entries<any>(want.nodes)) expect(nodes[id], id).toMatchObject(n);
    const validators = byId(got.validators);
    for (const [id, x] of Object.entries<any>(want.validators)) expect(validators[id], id).toMatchObject(x);
    const stakes = byId(got.stakes);
    expect(Object.keys(stakes).sort()).toEqual(Object.keys(want.stakes).sort());
    for (const [id, x] of Object.entries<any>(want.stakes)) expect(stakes[id], id).toMatchObject(x);
    expect(got.attested).toEqual(want.attested);
    expect(got.referrals).toEqual(want.referrals);
    expect(got.ignoredAttestations).toEqual(want.ignoredAttestations);
    expect(got.payouts).toEqual(want.payouts);
    expect(got.claims).toEqual(want.claims);
    expect(got.vesting).toEqual(want.vesting);
  });
});
