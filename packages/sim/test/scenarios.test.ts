import { defaultParams, detectViolations, type EpochInput } from '@swarm/core';
import { describe, expect, it } from 'vitest';
import { CHEATERS, INITIAL_SUPPLY, renderReport, resultJson, runFast, SCENARIOS, type SimResult } from '../src/index.ts';

const params = defaultParams();
const twin = (r: SimResult, cheater: string) => r.twins.find((t) => t.cheater === cheater);

describe('the simulator, fast mode, on the small scenario', () => {
  const small = runFast(SCENARIOS.small as NonNullable<(typeof SCENARIOS)['small']>, { params });

  it('is reproducible bit for bit from its seed, and another seed gives another run', () => {
    expect(resultJson(runFast(SCENARIOS.small as NonNullable<(typeof SCENARIOS)['small']>, { params }))).toBe(resultJson(small));
    const other = runFast({ ...(SCENARIOS.small as NonNullable<(typeof SCENARIOS)['small']>), seed: 2 }, { params });
    expect(resultJson(other)).not.toBe(resultJson(small));
  });

  // SPEC §12: every archetype earns less than its honest twin (no more, for a reshuffle that is not
  // a lie), on five seeds
  const seeds = [1, 2, 3, 4, 5].map((seed) =>
    seed === 1 ? small : runFast({ ...(SCENARIOS.small as NonNullable<(typeof SCENARIOS)['small']>), seed }, { params }),
  );

  it.each(CHEATERS)('%s earns less than its honest twin on each of five seeds (SPEC §12)', (cheater) => {
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

  // SPEC §3.4: the validator archetypes lose by more than the seed-to-seed noise of an honest validator's profit
  it.each(['lazy-validator', 'copying-validator', 'colluding-validator', 'framing-validator'])(
    '%s loses to an honest validator by more than the seed-to-seed noise',
    (cheater) => {
      const honest = seeds.map((r) => r.archetypes.find((a) => a.archetype === 'honest-validator')?.profit as bigint);
      const mean = honest.reduce((a, x) => a + x, 0n) / 5n;
      const noise = ((honest.reduce((a, x) => (x > a ? x : a)) - honest.reduce((a, x) => (x < a ? x : a))) * 10_000n) / mean; // basis points
      for (const r of seeds) {
        const t = twin(r, cheater) as NonNullable<ReturnType<typeof twin>>;
        const margin = ((t.twinProfit - t.cheaterProfit) * 10_000n) / t.twinProfit;
        expect(margin, `${cheater}, seed ${r.seed}: ${t.marginPercent} % against a noise of ${noise} bp`).toBeGreaterThan(noise);
      }
    },
  );

  it('the validators are caught by the machinery that was built for them, and honest validators never', () => {
    for (const r of seeds) {
      const a = r.audits as NonNullable<SimResult['audits']>;
      expect(a.traps).toBeGreaterThan(0);
      expect(a.missedTraps).toBeGreaterThan(0); // the lazy validator
      expect(a.unanswered).toBeGreaterThan(0); // the copier's replays do not open its commitments
      expect(a.referred).toBeGreaterThan(0); // a colluder or a framer split a round
      expect(a.probesFailed).toBeGreaterThan(0); // the heartbeat forger
      const honest = r.accounts.filter((x) => x.archetype === 'honest-validator');
      for (const h of honest) expect(h.violations, `${h.id}, seed ${r.seed}`).toBe(0);
      for (const x of r.accounts.filter((y) => ['lazy-validator', 'copying-validator'].includes(y.archetype))) expect(x.violations).toBeGreaterThan(0);
    }
  });

  it('a node framed by two validators keeps its bond: its dispute re-executes with three more, and the framers are punished', () => {
    // the framers target the first background node; over five seeds they frame it together at least once
    expect(seeds.reduce((a, r) => a + (r.audits?.disputesWon ?? 0), 0)).toBeGreaterThan(0);
    for (const r of seeds) {
      const victim = r.accounts.find((x) => x.id === 'background-001');
      expect(victim?.slashed, `seed ${r.seed}`).toBe(0n);
      expect(victim?.violations, `seed ${r.seed}`).toBe(0);
      expect(r.accounts.filter((x) => x.archetype === 'framing-validator').every((x) => x.violations > 0)).toBe(true);
    }
  });

  it('colluders holding a third of the operator stake lose, and so does the inflater they protect', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = runFast({ ...(SCENARIOS.cartel as NonNullable<(typeof SCENARIOS)['cartel']>), seed }, { params });
      for (const cheater of ['colluding-validator', 'protected-inflater']) expect(twin(r, cheater)?.holds, `${cheater}, seed ${seed}`).toBe(true);
    }
  });

  it('an honest operator is never warned for our outage or for its announced maintenance; unannounced, the same hours would be (SPEC §3.2)', () => {
    const inputs: EpochInput[] = [];
    const r = runFast(SCENARIOS.small as NonNullable<(typeof SCENARIOS)['small']>, { params, inspect: (input) => inputs.push(input) });
    for (const a of ['maintenance-dc', 'reliable-dc']) for (const x of r.accounts.filter((y) => y.archetype === a)) expect(x.violations, x.id).toBe(0);
    // epoch 3: the service was down 40 minutes — excluded for everyone, listed in the input
    expect(inputs[3]?.excludedSlots).toEqual([{ from: 600, to: 639, cause: 'service-down' }]);
    // epoch 2: the maintenance window's 120 minutes are not expected of the node
    const input = inputs[2] as EpochInput;
    const node = input.nodes.find((n) => n.id.startsWith('maintenance-dc')) as EpochInput['nodes'][number];
    expect([node.expectedSlots, node.upSlots]).toEqual([1440 - 120, 1440 - 120]);
    expect(detectViolations(input, params, 0).has(node.id)).toBe(false);
    const unannounced = { ...input, nodes: [{ ...node, expectedSlots: 1440 }] };
    expect(detectViolations(unannounced, params, 0).get(node.id)?.[0]?.kind).toBe('performance');
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
    expect(d?.forfeit).toBeGreaterThan(0n); // half of the first epoch's compute reward is locked, and forfeited when caught
    expect(d?.expectedLoss).toBe(((d?.auditRate as bigint) * ((d?.slash as bigint) + (d?.forfeit as bigint))) / 10n ** 18n);
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
