import { SwarmClient } from '@swarm/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { demoSettings } from '../src/cli/demo.ts';
import { demoGovernance } from '../src/demo/driver.ts';
import { SimulatedNetwork } from '../src/demo/network.ts';
import { closeDueEpochs } from '../src/keepers/epoch-close.ts';
import { checkLedger } from '../src/ledger/ledger.ts';
import { GENESIS, injectFetch, OPERATOR, testServiceWith } from './helpers.ts';

/** The demo's simulated network, driving the service through its HTTP routes for two epochs. */
describe('the demo network', () => {
  let t: Awaited<ReturnType<typeof testServiceWith>>;
  afterEach(async () => t?.close());

  it('registers, bonds, sends heartbeats, receipts and audits, earns from the second epoch, and warns, slashes and compensates', async () => {
    const epochSeconds = 60;
    t = await testServiceWith({
      settings: demoSettings(GENESIS, epochSeconds),
    });
    // SwarmClient over fastify.inject: the same requests as over a socket
    const fetchViaInject = injectFetch(t.app);
    const net = new SimulatedNetwork(new SwarmClient({ baseUrl: 'http://demo', operatorToken: OPERATOR, fetch: fetchViaInject }), { seed: 7, nodes: 24 });
    t.clock.set(GENESIS - 3);
    await net.bootstrap(t.clock.now());
    const EPOCHS = 8;
    const client = new SwarmClient({ baseUrl: 'http://demo', operatorToken: OPERATOR, fetch: fetchViaInject });
    const governance = demoGovernance(client, net);
    const said: string[] = [];
    let closed = 0;
    for (let slot = 0; slot < EPOCHS * epochSeconds; slot++) {
      t.clock.set(GENESIS + slot);
      await net.tick(t.clock.now(), slot, Math.floor(slot / epochSeconds), epochSeconds);
      await governance(t.clock.now(), closed, (line) => said.push(line));
      closed += (await closeDueEpochs(t.ctx)).length;
    }
    t.clock.set(GENESIS + EPOCHS * epochSeconds + 5);
    expect(await closeDueEpochs(t.ctx)).toEqual([EPOCHS - 1]);
    expect(net.rejected).toBe(0);
    expect(net.receipts).toBeGreaterThan(0);
    const e1 = (await t.app.inject({ method: 'GET', url: '/v1/epochs/1' })).json();
    expect(e1.summary.earning).toBeGreaterThan(12);
    expect(BigInt(e1.summary.fees)).toBeGreaterThan(0n);
    const statements = (await t.app.inject({ method: 'GET', url: '/v1/epochs/1/statements?limit=100' })).json().statements as {
      id: string;
      reasons: string[];
      eligible: boolean;
    }[];
    const unbonded = net.nodes.filter((n) => n.behaviour === 'unbonded').map((n) => n.id);
    for (const s of statements) if (unbonded.includes(s.id)) expect(s.reasons).toEqual(expect.arrayContaining(['NOT_BONDED', 'NOT_ONBOARDED']));
    // the validator onboarded every other node (its checks found no TPM on the unbonded ones)
    const onboarding = (await t.app.inject({ method: 'GET', url: '/v1/onboarding' })).json();
    expect(onboarding.pending).toEqual([...unbonded].sort());
    for (const s of statements) if (!unbonded.includes(s.id)) expect(s.reasons).not.toContain('NOT_ONBOARDED');
    // the validator audited its sample and the validator pool paid it
    expect(net.audits).toBeGreaterThan(0);
    // it probed nodes, and the nodes that were up answered (SPEC §3.4)
    expect(net.probesAnswered).toBeGreaterThan(0);
    const later = (await t.app.inject({ method: 'GET', url: `/v1/epochs/${EPOCHS - 1}` })).json();
    expect(BigInt(later.summary.pools.validators.paid)).toBeGreaterThan(0n);
    // providers that missed slots were warned, then slashed (never a reliable one); a released slash compensated consumers
    const slashes = (await t.app.inject({ method: 'GET', url: '/v1/slashes' })).json().slashes as {
      action: string;
      amount: string;
      status: string;
      nodeId: string;
    }[];
    const reliable = new Set(net.nodes.filter((n) => n.behaviour === 'reliable').map((n) => n.id));
    expect(slashes.filter((s) => reliable.has(s.nodeId))).toEqual([]);
    expect(slashes.some((s) => s.action === 'warning')).toBe(true);
    expect(slashes.some((s) => BigInt(s.amount) > 0n)).toBe(true);
    const summaries = await Promise.all(
      Array.from({ length: EPOCHS }, async (_, e) => (await t.app.inject({ method: 'GET', url: `/v1/epochs/${e}` })).json().summary),
    );
    expect(summaries.reduce((a, s) => a + BigInt(s.compensated), 0n)).toBeGreaterThan(0n);
    expect(slashes.some((s) => s.status === 'released')).toBe(true);
    // governance: the staker's proposal, its impact simulated on the closed epochs, voted by stakers and owners, passed
    expect(said[0]).toMatch(/^governance: a staker proposes .* replayed on epochs 0, 1: compute rewards \+[\d.]+ %; \d+ stakers and owners vote yes/);
    expect(said[1]).toMatch(/^governance: proposal demo-raise-compute passed/);
    const history = (await t.app.inject({ method: 'GET', url: '/v1/params/history' })).json();
    expect(history.versions).toHaveLength(2);
    const current = (await t.app.inject({ method: 'GET', url: '/v1/params' })).json();
    expect(current.params.roles.weights.compute).toBe('65');
    expect((await checkLedger(t.db)).violations).toEqual([]);
  }, 300_000);
});
