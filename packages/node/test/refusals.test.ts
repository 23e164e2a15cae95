import { TOKEN } from '@swarm/core';
import { signRefusal } from '@swarm/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLedger } from '../src/ledger/ledger.ts';
import { keys, STORES } from './helpers.ts';
import { dailyNetwork } from './network.ts';

type Net = Awaited<ReturnType<typeof dailyNetwork>>;

/**
 * The job refuser (SPEC §12): a consumer's signed refusal counts as a failed job rated 1, weighed
 * up to what the key paid the network in the epoch; refusing more than `slashing.hoardingShare` of
 * the work offered is resource hoarding, an operational violation (2 % of the bond per severity step).
 */
describe.each(STORES)('refusals on %s', (kind) => {
  let net: Net;
  afterEach(async () => net?.t.close());

  it('a refused job is a failed job rated 1; above a quarter of the work offered it is hoarding; a key that paid nothing weighs nothing', async () => {
    net = await dailyNetwork(kind);
    const bond = 10n * net.minBond;
    await net.join('refuser', bond);
    await net.join('steady', bond);
    const c = keys('consumer-r');
    const stranger = keys('stranger');
    await net.grant(c, 1000n);
    await net.epoch(0);
    let seq = 100;
    const refusal = (by: typeof c, jobId: string, nodeId = 'refuser', price = 2n * TOKEN) =>
      signRefusal(
        { type: 'refusal', jobId, nodeId, consumerKey: by.publicKey, price: price.toString(), timestamp: net.t.clock.now(), seq: ++seq },
        by.privateKey,
      );
    await net.epoch(1, {}, async () => {
      // the consumer pays 4 jobs to the steady node and 2 to the refuser (2 tokens each): a budget of 12 tokens
      for (let k = 0; k < 4; k++) await net.ok('/v1/receipts', net.receipt('steady', c, `s-${k}`, 1800));
      for (let k = 0; k < 2; k++) await net.ok('/v1/receipts', net.receipt('refuser', c, `r-${k}`, 1800));
      // three jobs it offered the refuser were refused
      for (let k = 0; k < 3; k++) await net.ok('/v1/refusals', refusal(c, `x-${k}`));
      const forged = refusal(c, 'x-9');
      expect((await net.post('/v1/refusals', { ...forged, body: { ...forged.body, price: (100n * TOKEN).toString() } })).json().code).toBe('BAD_SIGNATURE');
      expect((await net.post('/v1/refusals', forged)).statusCode).toBe(201);
      expect((await net.post('/v1/refusals', forged)).json().code).toBe('REPLAYED');
      expect((await net.post('/v1/refusals', refusal(c, 'x-9'))).json().code).toBe('DUPLICATE_REFUSAL');
      expect((await net.post('/v1/refusals', refusal(c, 's-0', 'steady'))).json().code).toBe('JOB_RECEIPTED');
      // the job refused as x-9 was done after all: its receipt voids the refusal
      await net.ok('/v1/receipts', net.receipt('refuser', c, 'x-9', 1800));
      // a key that has paid nothing this epoch: its refusal is kept but weighs nothing
      await net.ok('/v1/refusals', refusal(stranger, 'y-0', 'refuser', 50n * TOKEN));
    });
    const input = await net.get('/v1/epochs/1/input');
    const node = (id: string) => input.nodes.find((n: { id: string }) => n.id === id);
    expect(node('refuser').refused).toBe((6n * TOKEN).toString());
    expect(node('steady').refused).toBeUndefined();
    const [refuser, steady] = [await net.statement(1, 'refuser'), await net.statement(1, 'steady')];
    expect(refuser.reasons).toContain('JOBS_REFUSED');
    // E: half the work offered failed (5× the 1 % target already zeroes it); P: the refusals rate 1
    expect([refuser.quality.errors, steady.quality.errors]).toEqual(['0', '1']);
    expect(Number(refuser.quality.rating)).toBeLessThan(Number(steady.quality.rating));
    // 6 tokens refused of 12 offered (6 refused + 6 paid): 50 % > 25 %, severity ⌈5 × 0.25 / 0.75⌉ = 2 → 4 % of the bond
    const s = (await net.slashes('refuser'))[0] as Record<string, unknown>;
    expect(s).toMatchObject({ kind: 'operational', action: 'slash', amount: ((bond * 4n) / 100n).toString() });
    expect(s.evidence).toEqual([`refused:${6n * TOKEN}`, `offered:${12n * TOKEN}`, 'hoarding-share:0.25']);
    expect(await net.slashes('steady')).toEqual([]);
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 120_000);
});
