import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chain, RewardDistributor, StakingVault, TestToken } from '@swarm/contracts';
import type { KeyPair } from '@swarm/sdk';
import { type Hex, parseEventLogs } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { ChainFollower, ChainReorgError, slashEvidenceHash } from '../src/chain/follower.ts';
import { RootPublisher } from '../src/chain/publisher.ts';
import { DemoChain } from '../src/demo/chain.ts';
import { checkLedger } from '../src/ledger/ledger.ts';
import { GENESIS, keys, OPERATOR_ETH_KEY } from './helpers.ts';
import { DAY, dailyNetwork } from './network.ts';

type Net = Awaited<ReturnType<typeof dailyNetwork>>;
const operator = privateKeyToAccount(OPERATOR_ETH_KEY); // the service's operator key in tests
const deployer = `0x${'de'.repeat(20)}` as Hex;
const pool = `0x${'c0'.repeat(20)}` as Hex;

/**
 * Stakes from the chain (SPEC §5) against anvil: the service follows a real StakingVault's events
 * through the same code path as the embedded stake API, and sends the slashes it decides back.
 */
describe('the chain follower (anvil)', () => {
  let net: Net | undefined;
  let chain: Chain | undefined;
  afterEach(async () => {
    await net?.t.close();
    await chain?.stop();
    net = undefined;
    chain = undefined;
  });

  async function setup(confirmations: number) {
    net = await dailyNetwork('pglite');
    // the chain's clock starts before the service's genesis; each step sets it to the service's time
    chain = await Chain.create({ args: ['--timestamp', String(GENESIS - 1000)] });
    const token = await chain.deploy(TestToken, [], deployer);
    const vault = await chain.deploy(StakingVault, [token, operator.address, pool, BigInt(3 * DAY)], deployer);
    const distributor = await chain.deploy(RewardDistributor, [token, operator.address], deployer);
    await chain.fund(operator.address);
    net.t.ctx.bondsOnChain = vault;
    const follower = new ChainFollower(net.t.ctx, { rpcUrl: chain.url, vault, distributor, confirmations });
    return { net, chain, token, vault, distributor, follower };
  }

  /** A node registered with the service, its owner holding `tokens` on chain and the vault allowed to take them. */
  async function member(s: Awaited<ReturnType<typeof setup>>, id: string, tokens: bigint) {
    const m = await s.net.join(id, 0n);
    await s.chain.send(TestToken, s.token, 'mint', [m.address, tokens], deployer);
    await s.chain.send(TestToken, s.token, 'approve', [s.vault, tokens], m.address as Hex);
    return { ...m, key: `0x${m.node.publicKey}` as Hex, address: m.address as Hex };
  }

  it('a bond made on chain counts from the next epoch, once; unbonding and claims are read back; the API refuses bonds of its own', async () => {
    const s = await setup(0);
    const bond = 10n * s.net.minBond;
    const a = await member(s, 'alpha', bond);
    // epoch 0, 06:00: the bond, on chain
    await s.chain.setTime(GENESIS + 6 * 3600);
    expect((await s.chain.send(StakingVault, s.vault, 'bond', [a.key, bond], a.address)).ok).toBe(true);
    expect(await s.follower.poll()).toBeGreaterThanOrEqual(1);
    const node = await s.net.node('alpha');
    expect(node.bonds).toEqual([expect.objectContaining({ amount: bond.toString(), effectiveEpoch: 1, source: `chain:${s.vault.toLowerCase()}` })]);
    // polled again, or by a restarted follower: nothing counted twice
    expect(await s.follower.poll()).toBe(0);
    expect(await new ChainFollower(s.net.t.ctx, { ...s.follower.config }).poll()).toBe(0);
    expect((await s.net.node('alpha')).bonds).toHaveLength(1);
    // epoch 0 closes without the bond, epoch 1 with it
    await s.net.epoch(0);
    expect((await s.net.statement(0, 'alpha')).reasons).toContain('NOT_BONDED');
    await s.net.epoch(1);
    const e1 = await s.net.statement(1, 'alpha');
    expect(e1.reasons).not.toContain('NOT_BONDED');
    expect(BigInt(e1.reward)).toBeGreaterThan(0n);
    // the embedded API no longer takes bonds: they come from the vault
    const owner = s.net.members.get('alpha')?.owner as KeyPair;
    const refused = await s.net.post('/v1/stakes', s.net.stakeMsg(owner, 'api-bond', 'bond', 'alpha', a.address, 1n));
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'BONDS_ON_CHAIN']);
    expect((node.bonds[0] as { id: string }).id).toMatch(/^chain:\d+:\d+$/); // no API message can name it: it is unbonded on chain
    // a bond from an address that is not the node's payout address does not count
    const other = await s.net.join('gamma', 0n);
    const thief = `0x${'77'.repeat(20)}` as Hex;
    await s.chain.send(TestToken, s.token, 'mint', [thief, 5n], deployer);
    await s.chain.send(TestToken, s.token, 'approve', [s.vault, 5n], thief);
    await s.chain.send(StakingVault, s.vault, 'bond', [`0x${other.node.publicKey}`, 5n], thief);
    await s.follower.poll();
    expect((await s.net.node('gamma')).bonds).toEqual([]);
    // epoch 2: half unbonded on chain — out of the bond from epoch 3, released at the last close before the vault's delay ends
    await s.chain.setTime(GENESIS + 2 * DAY + 3600);
    expect((await s.chain.send(StakingVault, s.vault, 'requestUnbond', [a.key, bond / 2n], a.address)).ok).toBe(true);
    await s.follower.poll();
    const unbonding = (await s.net.node('alpha')).unbondings[0];
    expect(unbonding).toMatchObject({ amount: (bond / 2n).toString(), releaseEpoch: 4, released: false });
    // the roots go on chain; the provider claims; the service reads the claim back
    await s.net.epoch(2);
    const publisher = await RootPublisher.connect({ rpcUrl: s.chain.url, distributor: s.distributor }, operator);
    expect(await publisher.publishPending(s.net.t.db)).toEqual([1, 2]); // epoch 0 paid nobody: no root
    const proof = await s.net.get(`/v1/epochs/2/proofs/${a.address}`);
    await s.chain.send(TestToken, s.token, 'mint', [s.distributor, BigInt(proof.amount)], deployer);
    expect((await s.chain.send(RewardDistributor, s.distributor, 'claim', [a.address, BigInt(proof.amount), proof.proof], deployer)).ok).toBe(true);
    await s.follower.poll();
    const rewards = await s.net.get(`/v1/rewards/${a.address}`);
    expect(rewards).toMatchObject({ claimed: proof.amount, unclaimed: (BigInt(rewards.claimable) - BigInt(proof.amount)).toString() });
    // epochs 3 and 4: the unbonding released back where it came from (the vault), never into a wallet
    await s.net.epoch(3);
    await s.net.epoch(4);
    expect((await s.net.node('alpha')).unbondings[0]).toMatchObject({ released: true });
    expect(await s.net.balance(`wallet:${owner.publicKey}`)).toBe(0n);
    expect(await s.net.balance(`chain:${s.vault.toLowerCase()}`)).toBe(-(bond - bond / 2n));
    expect((await checkLedger(s.net.t.db)).violations).toEqual([]);
  }, 180_000);

  it('a bond made before its node registered counts once the node registers, from the next epoch', async () => {
    const s = await setup(0);
    const bond = 10n * s.net.minBond;
    const id = 'early';
    const key = `0x${keys(`node-${id}`).publicKey}` as Hex; // the key net.join registers
    const address = `0x${Buffer.from(id).toString('hex').padStart(40, '0').slice(-40)}` as Hex;
    await s.chain.send(TestToken, s.token, 'mint', [address, bond], deployer);
    await s.chain.send(TestToken, s.token, 'approve', [s.vault, bond], address);
    await s.chain.setTime(GENESIS + 600);
    expect((await s.chain.send(StakingVault, s.vault, 'bond', [key, bond], address)).ok).toBe(true);
    expect(await s.follower.poll()).toBe(1);
    const [ignored] = await s.net.t.db.query<{ status: string; note: string }>("SELECT status, note FROM chain_events WHERE name = 'Bonded'");
    expect(ignored).toMatchObject({ status: 'ignored', note: expect.stringMatching(/no registered node/) });
    await s.net.join(id, 0n);
    await s.follower.poll();
    expect((await s.net.node(id)).bonds).toEqual([expect.objectContaining({ amount: bond.toString(), effectiveEpoch: 1 })]);
    const [applied] = await s.net.t.db.query<{ status: string; note: string }>("SELECT status, note FROM chain_events WHERE name = 'Bonded'");
    expect(applied).toMatchObject({ status: 'applied', note: expect.stringMatching(/made before the node registered/) });
    await s.follower.poll(); // once
    expect((await s.net.node(id)).bonds).toHaveLength(1);
  }, 120_000);

  it('a reorg of the last blocks never counts a bond twice; one deeper than the confirmations stops the follower', async () => {
    const s = await setup(2);
    const bond = 10n * s.net.minBond;
    const a = await member(s, 'alpha', 2n * bond);
    await s.chain.setTime(GENESIS + 3600);
    const snapshot = await s.chain.rpc<Hex>('evm_snapshot');
    // the bond is mined, one block on top: not confirmed yet, nothing counted
    expect((await s.chain.send(StakingVault, s.vault, 'bond', [a.key, bond], a.address)).ok).toBe(true);
    await s.chain.mine(1);
    expect(await s.follower.poll()).toBe(0);
    // a reorg replaces both blocks; the owner bonds again in the new branch
    expect(await s.chain.rpc('evm_revert', [snapshot])).toBe(true);
    await s.chain.mine(1);
    expect((await s.chain.send(StakingVault, s.vault, 'bond', [a.key, bond], a.address)).ok).toBe(true);
    await s.chain.mine(2);
    expect(await s.follower.poll()).toBe(1);
    expect((await s.net.node('alpha')).bonds).toHaveLength(1);
    expect(await s.net.balance(`chain:${s.vault.toLowerCase()}`)).toBe(-bond);
    // now a reorg deeper than the confirmations: the applied block is gone — the follower stops, applies nothing
    const head = await s.chain.public.getBlockNumber();
    await s.chain.rpc('anvil_reorg', [Number(head) - 1, []]);
    await s.chain.mine(3);
    const err = await s.follower.poll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainReorgError);
    expect((err as ChainReorgError).deep).toBe(true);
    expect((await s.net.node('alpha')).bonds).toHaveLength(1);
  }, 120_000);

  it('a slash decided by the service lands on chain with its evidence hash, once', async () => {
    const s = await setup(0);
    const bond = 10n * s.net.minBond;
    const a = await member(s, 'twofaced', bond);
    await s.net.join('honest', 0n);
    await s.chain.setTime(GENESIS + 3600);
    await s.chain.send(StakingVault, s.vault, 'bond', [a.key, bond], a.address);
    await s.follower.poll();
    const c = keys('consumer-e');
    await s.net.grant(c, 1000n);
    await s.net.epoch(0);
    await s.net.epoch(1, {}, async () => {
      await s.net.ok('/v1/receipts', s.net.receipt('twofaced', c, 'job-x', 1800));
      // the same job with another amount, also signed by the node: an equivocation (SPEC §6.1: 100 %)
      const r = await s.net.post('/v1/receipts', s.net.receipt('twofaced', c, 'job-x', 3600));
      expect(r.json().code).toBe('EQUIVOCATION');
    });
    const slash = (await s.net.slashes('twofaced'))[0] as { id: string; nodeId: string; kind: string; evidence: string[]; amount: string };
    expect(slash).toMatchObject({ kind: 'equivocation', amount: bond.toString() });
    const want = slashEvidenceHash(slash);
    // the first try dies at the broadcast (a crash, an endpoint down): the signed transaction is stored
    const crashing = new ChainFollower(s.net.t.ctx, s.follower.config);
    Object.assign(crashing.client, {
      sendRawTransaction: async () => {
        throw new Error('connection reset');
      },
    });
    await expect(crashing.relaySlashes(operator)).rejects.toThrow(/connection reset/);
    expect((await s.net.slashes('twofaced'))[0]).toMatchObject({ onChain: { status: 'signed', amount: bond.toString() } });
    // the retry (a restarted service) sends that same transaction: one slash on chain, never two
    expect(await s.follower.relaySlashes(operator)).toEqual({ sent: [slash.id], failed: [] });
    expect(await s.follower.relaySlashes(operator)).toEqual({ sent: [], failed: [] });
    expect(await s.chain.read(StakingVault, s.vault, 'bonded', [a.key])).toBe(0n);
    expect(await s.chain.read(TestToken, s.token, 'balanceOf', [pool])).toBe(bond);
    // the event on chain carries the evidence hash; the follower confirms it
    const logs = parseEventLogs({
      abi: StakingVault.abi as never,
      logs: await s.chain.public.getLogs({ address: s.vault, fromBlock: 0n }),
      eventName: 'Slashed' as never,
    }) as unknown as { args: { evidence: Hex; amount: bigint } }[];
    expect(logs.map((l) => [l.args.evidence, l.args.amount])).toEqual([[want, bond]]);
    await s.follower.poll();
    expect((await s.net.slashes('twofaced'))[0]).toMatchObject({ onChain: { status: 'confirmed', evidenceHash: want, amount: bond.toString() } });
  }, 120_000);

  it('the roots go on chain in order and once, across a restart of the service and of the chain', async () => {
    net = await dailyNetwork('pglite');
    const dir = mkdtempSync(join(tmpdir(), 'anvil-'));
    const port = await freePort();
    const opts = { port, statePath: join(dir, 'state.json'), args: ['--timestamp', String(GENESIS - 1000)] };
    chain = await Chain.create(opts);
    const token = await chain.deploy(TestToken, [], deployer);
    const distributor = await chain.deploy(RewardDistributor, [token, operator.address], deployer);
    await chain.fund(operator.address);
    await net.join('alpha', 10n * net.minBond);
    await net.epoch(0);
    await net.epoch(1);
    const publisher = await RootPublisher.connect({ rpcUrl: chain.url, distributor }, operator);
    expect(await publisher.publishPending(net.t.db)).toEqual([1]);
    // the chain goes down: the service's next try fails (and is retried at its next tick), nothing posted
    await chain.stop();
    await net.epoch(2);
    await expect(publisher.publishPending(net.t.db)).rejects.toThrow();
    // the chain comes back with its state; a restarted service (a new publisher) posts what is missing, in order, once
    chain = await Chain.create(opts);
    expect(await chain.read(RewardDistributor, distributor, 'latestEpoch')).toBe(1n);
    await net.epoch(3);
    const restarted = await RootPublisher.connect({ rpcUrl: chain.url, distributor }, operator);
    expect(await restarted.publishPending(net.t.db)).toEqual([2, 3]);
    expect(await restarted.publishPending(net.t.db)).toEqual([]);
    const m3 = await net.get('/v1/epochs/3/manifest');
    expect(await chain.read(RewardDistributor, distributor, 'root')).toBe(m3.body.root);
    expect(await chain.read(RewardDistributor, distributor, 'roots', [2n])).toBe((await net.get('/v1/epochs/2/manifest')).body.root);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});

describe('swarm demo --chain (demo/chain.ts)', () => {
  it('funds what each root adds and has the largest payee claim it, to the last unit', async () => {
    const net = await dailyNetwork('pglite');
    const demo = await DemoChain.start(operator.address);
    try {
      await net.join('alpha', 10n * net.minBond);
      await net.join('beta', 20n * net.minBond);
      await net.epoch(0);
      await net.epoch(1);
      const publisher = await RootPublisher.connect({ rpcUrl: demo.url, distributor: demo.distributor }, operator);
      // epoch 0 paid nobody; epoch 1's root, once posted, is funded and claimed
      const payees = async (n: number) => ((await net.get(`/v1/epochs/${n}?result=false`)) as { summary: { payees: number } }).summary.payees;
      expect(await payees(0)).toBe(0);
      expect(await demo.settle(0, 0, net.get)).toEqual([expect.stringMatching(/nobody has anything to claim as of epoch 0/)]);
      expect(await demo.settle(1, await payees(1), net.get, 300)).toEqual([expect.stringMatching(/was not posted within/)]);
      expect(await publisher.publishPending(net.t.db)).toEqual([1]);
      const [line] = await demo.settle(1, await payees(1), net.get);
      const tree = (await net.get('/v1/epochs/1/tree')) as { values: { value: [Hex, string] }[] };
      const [top, topTotal] = tree.values.map((v) => v.value).sort((a, b) => Number(BigInt(b[1]) - BigInt(a[1])))[0] as [Hex, string];
      expect(line).toContain(`${top} claimed`);
      expect(await demo.chain.read(TestToken, demo.token, 'balanceOf', [top])).toBe(BigInt(topTotal));
      const owed = tree.values.reduce((a, v) => a + BigInt(v.value[1]), 0n);
      expect(await demo.chain.read(TestToken, demo.token, 'balanceOf', [demo.distributor])).toBe(owed - BigInt(topTotal));
    } finally {
      await net.t.close();
      await demo.stop();
    }
  }, 120_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
}
