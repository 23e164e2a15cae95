import { readFileSync } from 'node:fs';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testService } from '../../node/test/helpers.ts';
import { twoClosedEpochs } from '../../node/test/traffic.ts';
import RewardDistributor from '../artifacts/RewardDistributor.json' with { type: 'json' };
import StakingVault from '../artifacts/StakingVault.json' with { type: 'json' };
import TestToken from '../artifacts/TestToken.json' with { type: 'json' };
import { artifactText, compile } from '../src/build.ts';
import { Chain } from '../src/chain.ts';

const operator = `0x${'0a'.repeat(20)}` as Hex;
const alice = `0x${'a1'.repeat(20)}` as Hex;
const bob = `0x${'b0'.repeat(20)}` as Hex;
const pool = `0x${'c0'.repeat(20)}` as Hex;

type Epoch = { root: Hex; claims: { address: Hex; amount: bigint; proof: Hex[] }[] };
const epochs: Epoch[] = [];
const chains: Chain[] = [];
afterAll(async () => {
  for (const c of chains) await c.stop();
});

// trees from real closed epochs of the service
beforeAll(async () => {
  const t = await testService('pglite');
  try {
    await twoClosedEpochs(t);
    for (const n of [0, 1]) {
      const tree = (await t.app.inject({ method: 'GET', url: `/v1/epochs/${n}/tree` })).json() as { tree: Hex[]; values: { value: [Hex, string] }[] };
      const claims = [];
      for (const v of tree.values) {
        const p = (await t.app.inject({ method: 'GET', url: `/v1/epochs/${n}/proofs/${v.value[0]}` })).json();
        claims.push({ address: v.value[0], amount: BigInt(v.value[1]), proof: p.proof as Hex[] });
      }
      epochs.push({ root: tree.tree[0] as Hex, claims });
    }
  } finally {
    await t.close();
  }
}, 120_000);

describe('artifacts', () => {
  it('are what a fresh compile of the sources gives', () => {
    for (const a of Object.values(compile())) {
      expect(readFileSync(new URL(`../artifacts/${a.contractName}.json`, import.meta.url), 'utf8'), `${a.contractName}: run npm run build:contracts`).toBe(
        artifactText(a),
      );
    }
  });
});

describe('RewardDistributor on anvil', () => {
  it('pays cumulative claims against each epoch root, once', async () => {
    const c = await Chain.create();
    chains.push(c);
    const token = await c.deploy(TestToken, [], operator);
    const dist = await c.deploy(RewardDistributor, [token, operator], operator);
    const [e0, e1] = epochs as [Epoch, Epoch];
    const funding = e1.claims.reduce((a, x) => a + x.amount, 0n);
    expect((await c.send(TestToken, token, 'mint', [dist, funding], operator)).ok).toBe(true);
    expect(await c.send(RewardDistributor, dist, 'claim', [e0.claims[0]?.address, e0.claims[0]?.amount, e0.claims[0]?.proof], alice)).toMatchObject({
      ok: false,
      error: 'NoRoot',
    });
    // only the operator posts roots, in increasing epoch order
    expect(await c.send(RewardDistributor, dist, 'postRoot', [0n, e0.root], alice)).toMatchObject({ ok: false, error: 'NotOperator' });
    expect((await c.send(RewardDistributor, dist, 'postRoot', [0n, e0.root], operator)).ok).toBe(true);
    // a claim pays; the same claim again pays nothing
    const x = e0.claims.find((k) => e1.claims.some((y) => y.address === k.address && y.amount > k.amount)) as Epoch['claims'][number];
    expect(x).toBeDefined();
    expect(await c.send(RewardDistributor, dist, 'claim', [x.address, x.amount, x.proof], bob)).toMatchObject({ ok: true, value: x.amount });
    expect(await c.read(TestToken, token, 'balanceOf', [x.address])).toBe(x.amount);
    expect(await c.send(RewardDistributor, dist, 'claim', [x.address, x.amount, x.proof], bob)).toMatchObject({ ok: false, error: 'NothingToClaim' });
    // a wrong amount, or another address's proof, is an invalid proof
    expect(await c.send(RewardDistributor, dist, 'claim', [x.address, x.amount + 1n, x.proof], bob)).toMatchObject({ ok: false, error: 'InvalidProof' });
    const other = e0.claims.find((k) => k.address !== x.address) as Epoch['claims'][number];
    expect(await c.send(RewardDistributor, dist, 'claim', [x.address, x.amount, other.proof], bob)).toMatchObject({ ok: false, error: 'InvalidProof' });
    // the next epoch: the cumulative claim pays only the difference
    expect(await c.send(RewardDistributor, dist, 'postRoot', [0n, e1.root], operator)).toMatchObject({ ok: false, error: 'EpochNotIncreasing' });
    expect((await c.send(RewardDistributor, dist, 'postRoot', [1n, e1.root], operator)).ok).toBe(true);
    const y = e1.claims.find((k) => k.address === x.address) as Epoch['claims'][number];
    expect(await c.send(RewardDistributor, dist, 'claim', [y.address, y.amount, y.proof], bob)).toMatchObject({ ok: true, value: y.amount - x.amount });
    expect(await c.read(TestToken, token, 'balanceOf', [x.address])).toBe(y.amount);
    expect(await c.read(RewardDistributor, dist, 'claimed', [x.address])).toBe(y.amount);
    // everyone else claims everything to date with one proof each; the distributor ends empty
    for (const k of e1.claims)
      if (k.address !== x.address) expect((await c.send(RewardDistributor, dist, 'claim', [k.address, k.amount, k.proof], bob)).ok).toBe(true);
    expect(await c.read(TestToken, token, 'balanceOf', [dist])).toBe(0n);
  }, 60_000);
});

describe('StakingVault on anvil', () => {
  const node = `0x${'ee'.repeat(32)}` as Hex;
  async function setup() {
    const c = await Chain.create();
    chains.push(c);
    const token = await c.deploy(TestToken, [], operator);
    const vault = await c.deploy(StakingVault, [token, operator, pool, 14n * 86_400n], operator);
    await c.send(TestToken, token, 'mint', [alice, 10_000n], operator);
    await c.send(TestToken, token, 'approve', [vault, 10_000n], alice);
    expect((await c.send(StakingVault, vault, 'bond', [node, 1_000n], alice)).ok).toBe(true);
    return { c, token, vault };
  }

  it('unbonds only after the delay, and only for the owner', async () => {
    const { c, token, vault } = await setup();
    expect(await c.send(StakingVault, vault, 'bond', [node, 5n], bob)).toMatchObject({ ok: false, error: 'NotOwner' });
    expect(await c.send(StakingVault, vault, 'requestUnbond', [node, 400n], bob)).toMatchObject({ ok: false, error: 'NotOwner' });
    expect(await c.send(StakingVault, vault, 'requestUnbond', [node, 1_001n], alice)).toMatchObject({ ok: false, error: 'InsufficientBond' });
    expect(await c.send(StakingVault, vault, 'requestUnbond', [node, 400n], alice)).toMatchObject({ ok: true, value: 0n });
    expect(await c.read(StakingVault, vault, 'bonded', [node])).toBe(600n);
    await c.warp(14n * 86_400n - 3_600n); // the chain clock also moves with the wall clock: an hour of margin (forge tests the exact second)
    expect(await c.send(StakingVault, vault, 'withdraw', [node, 0n], alice)).toMatchObject({ ok: false, error: 'NotReleased' });
    await c.warp(3_600n);
    expect(await c.send(StakingVault, vault, 'withdraw', [node, 0n], bob)).toMatchObject({ ok: false, error: 'NotOwner' });
    expect((await c.send(StakingVault, vault, 'withdraw', [node, 0n], alice)).ok).toBe(true);
    expect(await c.read(TestToken, token, 'balanceOf', [alice])).toBe(9_400n);
    expect(await c.send(StakingVault, vault, 'withdraw', [node, 0n], alice)).toMatchObject({ ok: false, error: 'ZeroAmount' });
  });

  it('slashes the right amounts — only by the operator, reaching unbonding stake not yet released', async () => {
    const { c, token, vault } = await setup();
    expect(await c.send(StakingVault, vault, 'slash', [node, 100n, 5_000n, node], alice)).toMatchObject({ ok: false, error: 'NotOperator' });
    await c.send(StakingVault, vault, 'requestUnbond', [node, 900n], alice); // 100 stays bonded
    // a slash of 300: 100 from the bond, 200 from the unbonding queue (still slashable)
    expect((await c.send(StakingVault, vault, 'slash', [node, 300n, 5_000n, `0x${'ab'.repeat(32)}`], operator)).ok).toBe(true);
    expect(await c.read(StakingVault, vault, 'bonded', [node])).toBe(0n);
    expect(await c.read(StakingVault, vault, 'unbonding', [node, 0n])).toEqual([700n, expect.any(BigInt)]);
    expect(await c.read(TestToken, token, 'balanceOf', [pool])).toBe(150n);
    expect(await c.read(TestToken, token, 'balanceOf', ['0x000000000000000000000000000000000000dEaD'])).toBe(150n);
    expect(await c.send(StakingVault, vault, 'slash', [node, 701n, 5_000n, node], operator)).toMatchObject({ ok: false, error: 'InsufficientBond' });
    expect(await c.send(StakingVault, vault, 'slash', [node, 1n, 10_001n, node], operator)).toMatchObject({ ok: false, error: 'InvalidShare' });
    // once released, the unbonding is out of reach
    await c.warp(14n * 86_400n);
    expect(await c.send(StakingVault, vault, 'slash', [node, 1n, 5_000n, node], operator)).toMatchObject({ ok: false, error: 'InsufficientBond' });
    expect((await c.send(StakingVault, vault, 'withdraw', [node, 0n], alice)).ok).toBe(true);
    expect(await c.read(TestToken, token, 'balanceOf', [alice])).toBe(9_000n + 700n);
  });
});

describe('examples/claim-demo.ts', () => {
  it('claims a demo epoch end to end on anvil', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const root = new URL('../../../', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', `${root}examples/claim-demo.ts`], { cwd: root });
    expect(stdout).toMatch(/posted roots of epochs 0, 1/);
    expect(stdout).toMatch(/payees claimed [\d,.]+ tokens; the distributor holds 0 base units/);
  }, 120_000);
});
