import { afterEach, describe, expect, it } from 'vitest';
import { checkLedger } from '../src/ledger/ledger.ts';
import { keys, STORES } from './helpers.ts';
import { dailyNetwork } from './network.ts';

type Net = Awaited<ReturnType<typeof dailyNetwork>>;

/**
 * Independent consumer keys (SPEC §4.4): a key counts for a node's E, R and P only once it has paid
 * some other owner's nodes, in this epoch or any closed one. The closed epochs are read from the
 * spans merged at each close (`consumer_owners`), not from every receipt ever stored.
 */
describe.each(STORES)('independent consumer keys on %s', (kind) => {
  let net: Net;
  afterEach(async () => net?.t.close());

  it('a key that paid another owner in an earlier epoch is independent; one that only ever paid this owner is not', async () => {
    net = await dailyNetwork(kind);
    for (const id of ['a', 'b']) await net.join(id, 10n * net.minBond);
    const loyal = keys('loyal-consumer');
    const roaming = keys('roaming-consumer');
    await net.grant(loyal, 1000n);
    await net.grant(roaming, 1000n);
    await net.epoch(0, {}, async () => {
      await net.ok('/v1/receipts', net.receipt('a', loyal, 'l-0', 1800));
      await net.ok('/v1/receipts', net.receipt('b', roaming, 'r-0', 1800));
    });
    const jobsOf = async (e: number, id: string) =>
      ((await net.get(`/v1/epochs/${e}/input`)).nodes as { id: string; jobs: { all: { standard: string }; independent: { standard: string } } }[]).find(
        (x) => x.id === id,
      )?.jobs;
    // epoch 0: each key has paid one owner only
    expect((await jobsOf(0, 'a'))?.independent.standard).toBe('0');
    expect((await jobsOf(0, 'b'))?.independent.standard).toBe('0');
    const rows = await net.t.db.query<{ consumer_key: string; lo: string; hi: string }>(
      'SELECT consumer_key, lo, hi FROM consumer_owners ORDER BY consumer_key',
    );
    expect(rows.map((r) => r.lo === r.hi)).toEqual([true, true]);
    await net.epoch(1, {}, async () => {
      await net.ok('/v1/receipts', net.receipt('a', loyal, 'l-1', 1800));
      await net.ok('/v1/receipts', net.receipt('a', roaming, 'r-1', 1800));
    });
    // epoch 1: the roaming key paid b in epoch 0, so its job for a counts; the loyal key's does not
    const a1 = await jobsOf(1, 'a');
    expect(BigInt(a1?.all.standard ?? '0')).toBeGreaterThan(0n);
    expect(BigInt(a1?.independent.standard ?? '0') * 2n).toBe(BigInt(a1?.all.standard ?? '0'));
    const spans = await net.t.db.query<{ consumer_key: string; lo: string; hi: string }>('SELECT consumer_key, lo, hi FROM consumer_owners');
    expect(spans.find((r) => r.consumer_key === roaming.publicKey)?.lo).not.toBe(spans.find((r) => r.consumer_key === roaming.publicKey)?.hi);
    expect(spans.find((r) => r.consumer_key === loyal.publicKey)?.lo).toBe(spans.find((r) => r.consumer_key === loyal.publicKey)?.hi);
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 60_000);
});
