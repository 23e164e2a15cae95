import { computeFeeSplit, computeForfeitedExtra, computeUserDiscount, defaultParams, parseWad, TOKEN } from '@swarm/core';
import { signStake } from '@swarm/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLedger } from '../src/ledger/ledger.ts';
import { keys, STORES } from './helpers.ts';
import { dailyNetwork } from './network.ts';

type Net = Awaited<ReturnType<typeof dailyNetwork>>;
const params = defaultParams();

/** User-stake fee discounts and commitment locks through the service (SPEC §4.4, §5). */
describe.each(STORES)('staking on %s', (kind) => {
  let net: Net;
  afterEach(async () => net?.t.close());

  it("a consumer's user stake discounts the protocol fee by its tier; the provider is paid the same", async () => {
    net = await dailyNetwork(kind);
    await net.join('prov', 10n * net.minBond);
    const staker = keys('consumer-staker');
    const plain = keys('consumer-plain');
    await net.grant(staker, 20_000n);
    await net.grant(plain, 1_000n);
    await net.ok('/v1/stakes', net.stakeMsg(staker, 'user-stake', 'user', null, `0x${'5'.repeat(40)}`, 10_000n * TOKEN));
    await net.epoch(0);
    const owner = (await net.node('prov')).owner as string;
    const before = {
      staker: await net.balance(`wallet:${staker.publicKey}`),
      plain: await net.balance(`wallet:${plain.publicKey}`),
      fees: await net.balance(`fees:${owner}`),
      burn: await net.balance('burn'),
    };
    await net.epoch(1, {}, async () => {
      await net.ok('/v1/receipts', net.receipt('prov', staker, 'job-s', 1800));
      await net.ok('/v1/receipts', net.receipt('prov', plain, 'job-p', 1800));
    });
    const price = 2n * TOKEN; // the helper's receipt price
    const discount = computeUserDiscount(10_000n * TOKEN, params);
    expect(discount).toBe(10n ** 17n); // 10 %
    const withStake = computeFeeSplit(price, params, discount);
    const without = computeFeeSplit(price, params, 0n);
    expect(before.staker - (await net.balance(`wallet:${staker.publicKey}`))).toBe(withStake.paid);
    expect(before.plain - (await net.balance(`wallet:${plain.publicKey}`))).toBe(without.paid);
    expect(withStake.paid).toBeLessThan(without.paid);
    expect((await net.balance(`fees:${owner}`)) - before.fees).toBe(withStake.provider + without.provider);
    expect(withStake.provider).toBe(without.provider);
    const summary = (await net.get('/v1/epochs/1')).summary;
    expect(BigInt(summary.feeDiscounts)).toBe(withStake.discount);
    expect(BigInt(summary.burned)).toBe(withStake.burned + without.burned);
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 60_000);

  it('a commitment lock raises L; unbonding before it ends forfeits it from the unbonding on, and the extra it earned is taken back', async () => {
    net = await dailyNetwork(kind);
    const m = await net.join('locked', 10n * net.minBond, 90);
    await net.join('free', 10n * net.minBond);
    await net.epoch(0);
    await net.epoch(1);
    expect((await net.statement(1, 'locked')).commitment).toBe('1.1');
    expect((await net.statement(1, 'free')).commitment).toBe('1');
    await net.epoch(2, {}, async () => {
      await net.ok('/v1/unbond', net.unbondMsg(m.owner, 'bond-locked', net.minBond));
    });
    // e2 still counts the lock (the unbonding takes effect from e3), e3 does not
    expect((await net.statement(2, 'locked')).commitment).toBe('1.1');
    const treasury = await net.balance('treasury');
    await net.epoch(3);
    const st = await net.statement(3, 'locked');
    expect(st.commitment).toBe('1');
    expect(st.reasons).toContain('COMMITMENT_FORFEITED');
    // the whole period: the extra 1.1 added to e1's and e2's rewards goes back to the treasury, from
    // the bond, then — this test network pays far more a day than a bond holds — from the node's
    // unvested rewards, the last to vest first
    const earned = await Promise.all([1, 2].map(async (e) => BigInt((await net.statement(e, 'locked')).reward)));
    const due = earned.reduce((a, r) => a + r - (r * 10n) / 11n, 0n);
    const bonded = 10n * net.minBond;
    expect(due).toBeGreaterThan(bonded);
    const unvested = BigInt(st.unvested as string);
    const fromUnvested = due - bonded < unvested ? due - bonded : unvested;
    expect(fromUnvested).toBeGreaterThan(0n);
    expect(BigInt((await net.get('/v1/epochs/3')).summary.forfeited)).toBe(bonded + fromUnvested);
    const forfeits = await net.t.db.query<{ id: string; amount: string }>("SELECT id, amount::text FROM postings WHERE id LIKE 'forfeit:3:%' ORDER BY id");
    expect(forfeits.reduce((a, r) => a + BigInt(r.amount), 0n)).toBe(bonded + fromUnvested);
    expect(forfeits.find((r) => r.id.endsWith(':unvested:locked'))?.amount).toBe(fromUnvested.toString());
    expect(await net.balance('unvested:locked')).toBe(unvested - fromUnvested);
    expect((await net.balance('treasury')) - treasury).toBeGreaterThanOrEqual(bonded + fromUnvested);
    // nothing is taken twice: a later close forfeits nothing more, and what vests comes from what is left
    await net.epoch(4);
    expect((await net.get('/v1/epochs/4')).summary.forfeited).toBe('0');
    const next = (await net.get('/v1/epochs/4/input')).nodes.find((x: { id: string }) => x.id === 'locked');
    expect(BigInt(next.vesting.unvested)).toBe(unvested - fromUnvested);
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 60_000);

  it('a user stake unbonded before its lock ends earns L = 1 from then on and gives back the extra its lock earned (SPEC §4.4)', async () => {
    net = await dailyNetwork(kind);
    await net.join('worker', 10n * net.minBond);
    const stake = async (label: string) => {
      const k = keys(label);
      await net.grant(k, 2000n);
      const payout = `0x${Buffer.from(label).toString('hex').padStart(40, '0')}`;
      const msg = signStake(
        {
          type: 'stake',
          stakeId: label,
          ownerKey: k.publicKey,
          kind: 'user',
          nodeId: null,
          payout,
          amount: (1000n * TOKEN).toString(),
          lockDays: 730,
          timestamp: net.t.clock.now(),
          seq: 1,
        },
        k.privateKey,
      );
      await net.ok('/v1/stakes', msg);
      return k;
    };
    const breaker = await stake('breaker');
    await stake('keeper');
    for (let e = 0; e < 3; e++) await net.epoch(e);
    let unbondingId = '';
    await net.epoch(3, {}, async () => {
      unbondingId = (await net.ok('/v1/unbond', net.unbondMsg(breaker, 'breaker', 1000n * TOKEN))).unbondingId;
    });
    await net.epoch(4);
    const stakesOf = async (e: number) => (await net.get(`/v1/epochs/${e}/input`)).stakes as { id: string; lockDays: number }[];
    expect((await stakesOf(3)).find((x) => x.id === 'breaker')?.lockDays).toBe(730);
    // the unbonding took the stake out of epoch 4: the keeper keeps its lock
    expect((await stakesOf(4)).find((x) => x.id === 'keeper')?.lockDays).toBe(730);
    // what its multiplier added to the rewards of epochs 1–3 (the stake took effect in epoch 1) is taken back
    const paid = [];
    for (let e = 1; e <= 3; e++) {
      const x = ((await net.get(`/v1/epochs/${e}`)).result.stakes as { id: string; reward: string; lockMultiplier: string }[]).find((y) => y.id === 'breaker');
      if (x) paid.push({ reward: BigInt(x.reward), commitment: parseWad(x.lockMultiplier, 'lockMultiplier') });
    }
    const extra = computeForfeitedExtra(paid);
    expect(extra).toBeGreaterThan(0n);
    // as far as the stake holds it (on this small network its lock earned more than the stake itself)
    const taken = extra < 1000n * TOKEN ? extra : 1000n * TOKEN;
    expect(await net.balance(`unbonding:${unbondingId}`)).toBe(1000n * TOKEN - taken);
    expect(BigInt((await net.get('/v1/epochs/4')).summary.forfeited)).toBe(taken);
    expect(await net.balance('stake:keeper')).toBe(1000n * TOKEN);
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 120_000);
});
