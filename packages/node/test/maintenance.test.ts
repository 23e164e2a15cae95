import { signMaintenance } from '@swarm/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLedger } from '../src/ledger/ledger.ts';
import { keys, STORES } from './helpers.ts';
import { dailyNetwork, HOUR } from './network.ts';

type Net = Awaited<ReturnType<typeof dailyNetwork>>;

/**
 * Announced maintenance (SPEC §3.2) through the service: a window signed by the node ≥ 24 h ahead
 * and ≤ 2 h in any 7 days is excluded from its expected time, so a planned reboot neither warns nor
 * slashes; the control — the same two hours down, unannounced — is the node's own fault.
 */
describe.each(STORES)('maintenance on %s', (kind) => {
  let net: Net;
  afterEach(async () => net?.t.close());
  let seq = 100;
  const announce = (nodeId: string, from: number, to: number, o: { seq?: number; signer?: string } = {}) =>
    signMaintenance(
      { type: 'maintenance', nodeId, from, to, timestamp: net.t.clock.now(), seq: o.seq ?? ++seq },
      o.signer ?? (net.members.get(nodeId)?.node.privateKey as string),
    );

  it('an announced window is excluded from the expected time; the same hours unannounced are warned', async () => {
    net = await dailyNetwork(kind);
    for (const id of ['planned', 'unplanned', 'steady']) await net.join(id, 10n * net.minBond);
    // the last two hours of epoch 1, announced more than a day ahead
    const from = net.start(1) + 22 * HOUR;
    const to = net.start(2);
    const ok = await net.ok('/v1/maintenance', announce('planned', from, to));
    expect(ok).toEqual({ nodeId: 'planned', from, to });
    // refused, and nothing stored
    const refusals: [string, unknown, number, string][] = [
      ['short notice', announce('unplanned', net.t.clock.now() + 23 * HOUR, net.t.clock.now() + 24 * HOUR), 400, 'SHORT_NOTICE'],
      ['over the weekly budget', announce('planned', net.start(3), net.start(3) + 1), 400, 'MAINTENANCE_BUDGET'],
      ['overlapping', announce('planned', from - HOUR, from + 1), 400, 'OVERLAPPING_WINDOW'],
      ['ending before it starts', announce('steady', to, from), 400, 'EMPTY_WINDOW'],
      ['signed by another key', announce('unplanned', from, to, { signer: keys('stranger').privateKey }), 401, 'BAD_SIGNATURE'],
      ['an unknown node', announce('nope', from, to, { signer: keys('stranger').privateKey }), 404, 'UNKNOWN_NODE'],
    ];
    for (const [what, msg, status, code] of refusals) {
      const r = await net.post('/v1/maintenance', msg);
      expect([r.statusCode, r.json().code], what).toEqual([status, code]);
    }
    const replay = announce('steady', net.start(5), net.start(5) + HOUR);
    await net.ok('/v1/maintenance', replay);
    // the same message again is the same window; a new window under a used sequence number is a replay
    const again = await net.post('/v1/maintenance', replay);
    expect([again.statusCode, again.json().code]).toEqual([400, 'OVERLAPPING_WINDOW']);
    const reused = await net.post('/v1/maintenance', announce('steady', net.start(6), net.start(6) + HOUR, { seq: replay.body.seq }));
    expect([reused.statusCode, reused.json().code]).toEqual([409, 'REPLAYED']);
    expect((await net.get('/v1/nodes/planned/maintenance')).windows).toEqual([{ from, to, announcedAt: net.t.clock.now() }]);

    await net.epoch(0);
    // both down for the last two hours of epoch 1 (heartbeats for the first 22 slots)
    await net.epoch(1, { planned: 22, unplanned: 22 });
    const input = await net.get('/v1/epochs/1/input');
    const slots = Object.fromEntries(
      (input.nodes as { id: string; upSlots: number; expectedSlots: number }[]).map((n) => [n.id, [n.upSlots, n.expectedSlots]]),
    );
    expect(slots).toEqual({ planned: [22, 22], unplanned: [22, 24], steady: [24, 24] });
    expect((await net.statement(1, 'planned')).reasons).not.toContain('UPTIME_BELOW_TARGET');
    expect(await net.slashes('planned')).toEqual([]);
    expect((await net.statement(1, 'unplanned')).reasons).toContain('UPTIME_BELOW_TARGET');
    expect((await net.slashes('unplanned')).map((x) => x.action)).toEqual(['warning']);
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 120_000);
});
