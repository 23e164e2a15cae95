import { defaultParams } from '@swarm/core';
import { runE2e, SCENARIOS } from '@swarm/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimService } from '../src/cli/sim.ts';

/**
 * The simulator end to end: the 200-node scenario through the real service over HTTP on loopback
 * (its own PGlite store, a clock the run moves): five epochs closed by the service, the report
 * read back from its API.
 */
describe('the simulator, end-to-end mode', () => {
  let svc: Awaited<ReturnType<typeof startSimService>> | undefined;
  afterEach(async () => svc?.stop());

  it('closes 5 epochs of a 200-node network through the real API and reports on it', async () => {
    const scenario = SCENARIOS.e2e as NonNullable<(typeof SCENARIOS)['e2e']>;
    const params = defaultParams();
    svc = await startSimService(scenario, params);
    const closed: number[] = [];
    const r = await runE2e(scenario, { params, target: svc.target, onEpoch: (e) => closed.push(e) });
    expect(closed).toEqual([1, 2, 3, 4, 5]);
    const c = svc.target.client;
    const status = await c.status();
    expect([status.lastClosedEpoch, status.nodes]).toEqual([4, 200]);
    for (let e = 0; e < 5; e++) {
      const s = (await c.epoch(e)).summary as { nodes: number; earning: number };
      expect(s.nodes).toBe(200);
      expect(s.earning).toBeGreaterThan(150);
    }
    expect(r.series).toHaveLength(5);
    expect(r.accounts.reduce((a, x) => a + x.nodes, 0)).toBe(200);
    // what the service paid, read back: the providers earned, the validators audited every epoch's
    // sample (epoch e's is judged when e + 1 closes) and were paid for it, the books balance
    const row = (a: string) => r.archetypes.find((x) => x.archetype === a);
    for (const a of ['reliable-dc', 'sybil-splitter', 'wash-trader', 'background']) expect(row(a)?.rewards, a).toBeGreaterThan(0n);
    for (let e = 1; e < 5; e++) expect(((await c.epoch(e)).summary as { audits: number }).audits, `epoch ${e}`).toBeGreaterThan(0);
    expect(BigInt(((await c.epoch(4)).summary as { pools: { validators: { paid: string } } }).pools.validators.paid)).toBeGreaterThan(0n);
    expect(r.twins.map((t) => t.cheater).sort()).toEqual(
      [
        'colluding-validator',
        'fresh-key-wash-trader',
        'hardware-over-declarer',
        'lazy-validator',
        'metric-inflater',
        'protected-inflater',
        'sybil-splitter',
        'wash-trader',
      ].sort(),
    );
    // through the service as through the core (SPEC §12): the Sybil splitter gains nothing from
    // splitting, and the wash traders — own key at the billable minimum, fresh keys at the market
    // price — lose to their honest twin: their usage reward is at most κ × the fee they paid
    // the over-declarer's host was measured by a validator: its check fails, it earns nothing (SPEC §3.1)
    expect(r.accounts.find((a) => a.archetype === 'hardware-over-declarer')?.rewards).toBe(0n);
    // and the lazy validator — "match" on everything — meets a trap through the real commit–reveal API:
    // it loses that epoch's validator reward and 1 % of its operator stake (SPEC §3.4, §6.1)
    for (const cheater of ['sybil-splitter', 'wash-trader', 'fresh-key-wash-trader', 'hardware-over-declarer', 'lazy-validator', 'metric-inflater'])
      expect(r.twins.find((t) => t.cheater === cheater)?.holds, `${cheater}: ${r.twins.find((t) => t.cheater === cheater)?.marginPercent} %`).toBe(true);
    expect(r.accounts.find((a) => a.archetype === 'lazy-validator')?.violations).toBeGreaterThan(0);
    for (const h of r.accounts.filter((a) => a.archetype === 'honest-validator')) expect(h.violations).toBe(0);
    const trader = r.accounts.find((a) => a.archetype === 'wash-trader');
    expect(trader?.selfPaid).toBeGreaterThan(0n);
    const check = await fetch(`${svc.running.url}/v1/operator/check`, { headers: { authorization: `Bearer ${svc.running.operatorToken}` } });
    expect((await check.json()).violations).toEqual([]);
  }, 300_000);
});
