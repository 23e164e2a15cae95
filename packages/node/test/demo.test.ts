import { SwarmClient } from '@swarm/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedNetwork } from '../src/demo/network.ts';
import { closeDueEpochs } from '../src/keepers/epoch-close.ts';
import { checkLedger } from '../src/ledger/ledger.ts';
import { GENESIS, injectFetch, OPERATOR, testServiceWith } from './helpers.ts';

/** The demo's simulated network, driving the service through its HTTP routes for two epochs. */
describe('the demo network', () => {
  let t: Awaited<ReturnType<typeof testServiceWith>>;
  afterEach(async () => t?.close());

  it('registers, bonds, sends heartbeats and receipts, and earns from the second epoch', async () => {
    t = await testServiceWith({ settings: { genesis: GENESIS, epochSeconds: 60, slotSeconds: 1, graceSeconds: 2, windowSeconds: 120 } });
    // SwarmClient over fastify.inject: the same requests as over a socket
    const fetchViaInject = injectFetch(t.app);
    const net = new SimulatedNetwork(new SwarmClient({ baseUrl: 'http://demo', operatorToken: OPERATOR, fetch: fetchViaInject }), { seed: 7, nodes: 24 });
    t.clock.set(GENESIS - 3);
    await net.bootstrap(t.clock.now());
    for (let slot = 0; slot < 120; slot++) {
      t.clock.set(GENESIS + slot);
      await net.tick(t.clock.now(), slot, Math.floor(slot / 60), 60);
      await closeDueEpochs(t.ctx);
    }
    t.clock.set(GENESIS + 125);
    expect(await closeDueEpochs(t.ctx)).toEqual([1]);
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
    for (const s of statements) if (unbonded.includes(s.id)) expect(s.reasons).toContain('NOT_BONDED');
    expect((await checkLedger(t.db)).violations).toEqual([]);
  }, 120_000);
});
