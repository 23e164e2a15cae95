import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { contentHash, loadKeccak, manifestMessage, verifyClaim } from '@swarm/core';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyEpoch } from '../src/cli/verify.ts';
import { OPERATOR_ETH_KEY, testService } from './helpers.ts';
import { twoClosedEpochs } from './traffic.ts';

const exec = promisify(execFile);
let t: Awaited<ReturnType<typeof testService>>;
const get = async (url: string) => {
  const r = await t.app.inject({ method: 'GET', url });
  expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
  return r.json();
};

beforeAll(async () => {
  await loadKeccak();
  t = await testService('pglite');
  await twoClosedEpochs(t);
}, 120_000);
afterAll(async () => t?.close());

describe('settlement', () => {
  it('signs a manifest per epoch that chains the roots', async () => {
    const m0 = await get('/v1/epochs/0/manifest');
    const m1 = await get('/v1/epochs/1/manifest');
    expect(m0.body.previousRoot).toBeNull();
    expect(m1.body.previousRoot).toBe(m0.body.root);
    expect(m1.body.operator).toBe(privateKeyToAccount(OPERATOR_ETH_KEY).address.toLowerCase());
    expect(m1.body.inputHash).toBe((await get('/v1/epochs/1')).summary.inputHash);
    expect(m1.signature).toMatch(/^0x[0-9a-f]{130}$/);
    const account = privateKeyToAccount(OPERATOR_ETH_KEY);
    expect(await account.signMessage({ message: manifestMessage(m1.body) })).toBe(m1.signature);
  });

  it('serves proofs of cumulative claims that verify against the root, and the tree in OpenZeppelin’s format', async () => {
    const m1 = await get('/v1/epochs/1/manifest');
    const tree = await get('/v1/epochs/1/tree');
    expect(StandardMerkleTree.load(tree).root).toBe(m1.body.root);
    expect(tree.values.length).toBeGreaterThan(3);
    for (const v of tree.values.slice(0, 6)) {
      const p = await get(`/v1/epochs/1/proofs/${v.value[0]}`);
      expect(p.root).toBe(m1.body.root);
      expect(verifyClaim(p.root, p.address, BigInt(p.amount), p.proof)).toBe(true);
      // the cumulative claim equals everything credited to the address's claimable balance so far
      expect(p.amount).toBe((await get(`/v1/rewards/${p.address}`)).claimable);
    }
    const { checkLedger } = await import('../src/ledger/ledger.ts');
    expect((await checkLedger(t.db)).violations).toEqual([]);
    const original = (await t.db.query<{ claims: string }>('SELECT claims FROM epoch_trees WHERE epoch = 1'))[0]?.claims as string;
    const inflated = JSON.stringify((JSON.parse(original) as [string, string][]).map(([a, x], i) => [a, i === 0 ? (BigInt(x) + 1n).toString() : x]));
    await t.db.query('UPDATE epoch_trees SET claims = $1 WHERE epoch = 1', [inflated]);
    expect((await checkLedger(t.db)).violations.some((v) => v.includes('tree lets it claim'))).toBe(true);
    await t.db.query('UPDATE epoch_trees SET claims = $1 WHERE epoch = 1', [original]);
    expect((await checkLedger(t.db)).violations).toEqual([]);
    const missing = await t.app.inject({ method: 'GET', url: `/v1/epochs/1/proofs/0x${'99'.repeat(20)}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('NO_CLAIM');
  });

  it('swarm verify accepts a genuine epoch and names the first difference of a tampered one', async () => {
    const input0 = JSON.parse((await t.app.inject({ method: 'GET', url: '/v1/epochs/0/input' })).body);
    const input1 = JSON.parse((await t.app.inject({ method: 'GET', url: '/v1/epochs/1/input' })).body);
    const m0 = await get('/v1/epochs/0/manifest');
    const m1 = await get('/v1/epochs/1/manifest');
    const tree0 = await get('/v1/epochs/0/tree');
    expect(await verifyEpoch({ input: input0, manifest: m0 })).toMatchObject({ ok: true });
    expect(await verifyEpoch({ input: input1, manifest: m1, previousTree: tree0 })).toMatchObject({ ok: true });
    // one changed input
    const changed = structuredClone(input1);
    changed.nodes[0].upSlots -= 1;
    expect(await verifyEpoch({ input: changed, manifest: m1, previousTree: tree0 })).toMatchObject({ ok: false, message: expect.stringMatching(/^inputHash/) });
    // the same, with the manifest's input hash edited to match: the signature no longer holds
    const forged = structuredClone(m1);
    forged.body.inputHash = contentHash(changed);
    expect(await verifyEpoch({ input: changed, manifest: forged, previousTree: tree0 })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^signature/),
    });
    // a changed amount
    const amount = structuredClone(m1);
    amount.body.totals.compute = (BigInt(amount.body.totals.compute) + 1n).toString();
    expect((await verifyEpoch({ input: input1, manifest: amount, previousTree: tree0 })).ok).toBe(false);
    // a manifest re-signed by someone else, with its numbers recomputed on a changed input
    const mallory = privateKeyToAccount(`0x${'44'.repeat(32)}`);
    const resigned = { body: { ...m1.body, operator: mallory.address.toLowerCase() }, signature: '' };
    resigned.signature = await mallory.signMessage({ message: manifestMessage(resigned.body) });
    expect(await verifyEpoch({ input: input1, manifest: resigned, previousTree: tree0, operator: m1.body.operator })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^signature/),
    });
    // a bad signature
    const bad = structuredClone(m1);
    bad.signature = `${bad.signature.slice(0, 10)}${bad.signature[10] === 'a' ? 'b' : 'a'}${bad.signature.slice(11)}`;
    expect((await verifyEpoch({ input: input1, manifest: bad, previousTree: tree0 })).ok).toBe(false);
    // a wrong previous tree
    expect(await verifyEpoch({ input: input1, manifest: m1 })).toMatchObject({ ok: false, message: expect.stringMatching(/^previousRoot/) });

    // and through the CLI: exit 0 with one line, or 1 naming the difference
    const dir = mkdtempSync(`${tmpdir()}/swarm-verify-`);
    writeFileSync(`${dir}/input.json`, JSON.stringify(input1));
    writeFileSync(`${dir}/changed.json`, JSON.stringify(changed));
    writeFileSync(`${dir}/manifest.json`, JSON.stringify(m1));
    writeFileSync(`${dir}/tree0.json`, JSON.stringify(tree0));
    const bin = new URL('../bin/swarm.js', import.meta.url).pathname;
    const ok = await exec(process.execPath, [bin, 'verify', `${dir}/input.json`, `${dir}/manifest.json`, '--previous', `${dir}/tree0.json`]);
    expect(ok.stdout).toMatch(/^epoch 1 verified: root 0x[0-9a-f]{64}/);
    const no = await exec(process.execPath, [bin, 'verify', `${dir}/changed.json`, `${dir}/manifest.json`, '--previous', `${dir}/tree0.json`]).catch((e) => e);
    expect(no.code).toBe(1);
    expect(no.stderr).toMatch(/NOT VERIFIED — inputHash/);
  }, 60_000);
});
