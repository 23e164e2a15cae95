import { defaultParams } from '@swarm/core';
import { describe, expect, it } from 'vitest';
import { CHEATERS, INITIAL_SUPPLY, PROVIDER_ARCHETYPES, renderReport, resultJson, runFast, SCENARIOS, type SimResult } from '../src/index.ts';

const params = defaultParams();
const twin = (r: SimResult, cheater: string) => r.twins.find((t) => t.cheater === cheater);

describe('the simulator, fast mode, on the small scenario', () => {
  const small = runFast(SCENARIOS.small as NonNullable<(typeof SCENARIOS)['small']>, { params });

  it('is reproducible bit for bit from its seed, and another seed gives another run', () => {
    expect(resultJson(runFast(SCENARIOS.small as NonNullable<(typeof SCENARIOS)['small']>, { params }))).toBe(resultJson(small));
    const other = runFast({ ...(SCENARIOS.small as NonNullable<(typeof SCENARIOS)['small']>), seed: 2 }, { params });
    expect(resultJson(other)).not.toBe(resultJson(small));
  });

  // SPEC §12: every provider archetype earns less than its honest twin (no more, for a reshuffle that
  // is not a lie), on five seeds; the validator archetypes are the validator issue's (SPEC §3.4)
  const PROVIDER_CHEATERS = CHEATERS.filter((c) => (PROVIDER_ARCHETYPES as readonly string[]).includes(c));
  const seeds = [1, 2, 3, 4, 5].map((seed) =>
    seed === 1 ? small : runFast({ ...(SCENARIOS.small as NonNullable<(typeof SCENARIOS)['small']>), seed }, { params }),
  );

  it.each(PROVIDER_CHEATERS)('%s earns less than its honest twin on each of five seeds (SPEC §12)', (cheater) => {
    seeds.forEach((r, k) => {
      const t = twin(r, cheater);
      expect(t, `${cheater}, seed ${k + 1}`).toBeDefined();
      expect(t?.holds, `${cheater}, seed ${k + 1}: ${t?.marginPercent} %`).toBe(true);
    });
  });

  it('the wash traders lose because their usage reward is at most κ × the fee they paid, and their capacity score ignores use', () => {
    // the twin and the traders have the same hardware and organic demand; the traders fill their idle
    // capacity with self-paid jobs priced at or above the billable minimum (own key) or at the market
    // price (fresh keys, refunded): they pay the protocol fee on each and get back at most 80 % of it
    for (const r of seeds)
      for (const cheater of ['wash-trader', 'fresh-key-wash-trader', 'utilisation-pumper']) {
        const t = twin(r, cheater);
        expect(t?.cheaterProfit).toBeLessThan(t?.twinProfit as bigint);
      }
    const trader = small.accounts.find((a) => a.archetype === 'wash-trader');
    expect(trader?.selfPaid).toBeGreaterThan(0n); // it really paid itself
  });

  it('counted hardware is measured (SPEC §3.1): the over-declarer fails its check, the host splitter shares one host, the whitewasher gets no new-node bonus', () => {
    for (const r of seeds) {
      // the over-declarer earns nothing; the whole-host splitter no more than its twin's one node
      expect(r.accounts.find((a) => a.archetype === 'hardware-over-declarer')?.rewards).toBe(0n);
      const splitter = twin(r, 'host-splitter');
      expect(Number(splitter?.marginPercent)).toBeLessThan(0);
      // the whitewasher no more than ties its twin: the bonus a new host would have had is not paid
      expect(Number(twin(r, 'whitewasher')?.marginPercent)).toBeLessThanOrEqual(0);
    }
  });

  it('the inflaters are caught by audits: failed verifications and slashes; unbonding does not escape them', () => {
    for (const a of ['metric-inflater', 'unbond-before-slash']) {
      const row = small.archetypes.find((x) => x.archetype === a);
      expect(row?.slashed, a).toBeGreaterThan(0n);
      expect(row?.violations, a).toBeGreaterThan(0);
    }
  });

  it('checks SPEC §3.4’s deterrence rule (audit probability × slash ≥ 3 × gain per faked job): a faked job gains nothing now', () => {
    const d = small.deterrence;
    expect(d).not.toBeNull();
    expect(d?.expectedLoss).toBe(((d?.auditRate as bigint) * (d?.slash as bigint)) / 10n ** 18n);
    // a fake job raises neither C nor V; it pays a fee of which at most κ comes back: its gain is negative
    expect(d?.gainPerFakeJob).toBeLessThanOrEqual(0n);
    expect(d?.holds).toBe(true);
    expect(renderReport(small, params).markdown).toMatch(/Audit deterrence \(SPEC §3\.4[^\n]*holds/);
    for (const t of small.twins) expect(renderReport(small, params).markdown).toContain(`| ${t.cheater} | ${t.twin} | `);
  });

  it('keeps the books: rewards paid never exceed what was minted, supply = initial + minted − burned, and the honest outage is not excluded', () => {
    let supply = INITIAL_SUPPLY;
    for (const p of small.series) {
      supply += p.minted - p.burned;
      expect(p.supply).toBe(supply);
    }
    const minted = small.series.reduce((a, p) => a + p.minted, 0n);
    const rewarded = small.accounts.reduce((a, x) => a + x.rewards, 0n);
    expect(rewarded).toBeLessThanOrEqual(minted);
    const outage = small.archetypes.find((a) => a.archetype === 'outage-region');
    expect(outage?.profit).toBeGreaterThan(0n);
    expect(small.gini).toBeGreaterThanOrEqual(0);
    expect(small.gini).toBeLessThan(1);
  });

  it('writes a report with a chart per series', () => {
    const { markdown, charts } = renderReport(small, params);
    expect(Object.keys(charts).sort()).toEqual(['inflation.svg', 'profit.svg', 'supply.svg', 'treasury.svg']);
    for (const svg of Object.values(charts)) expect(svg).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);
    expect(markdown).toContain('## Cheaters against their honest twins');
    expect(markdown.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(small.epochs);
  });
});
