import { randomBytes } from 'node:crypto';
import { TOKEN } from '@swarm/core';
import { signStake } from '@swarm/sdk';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { addr, heartbeat, keys, registration } from './helpers.ts';
import { minuteEpochArgs, PROCESS_TOKEN, type Proc, startProcess, stopProcess, tempDir, waitFor } from './process.ts';

const base = process.env.TEST_DATABASE_URL;
const procs: Proc[] = [];
afterAll(async () => {
  await Promise.all(procs.map(stopProcess));
});

const ROUNDS = 20;

/** Two `swarm start` processes on one PostgreSQL server: both ingest, exactly one closes each epoch. */
describe.runIf(base)('scale-out on one PostgreSQL server', () => {
  it('shares ingest between two processes and closes each epoch once', async () => {
    const schema = `so_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const url = new URL(base as string);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const now = Math.floor(Date.now() / 1000);
    const genesis = now - 15; // epoch 0 closes 47 s from now: two processes start in ~10 s even on a loaded machine, the traffic takes ~25 s
    const args = minuteEpochArgs(tempDir('so'), genesis);
    const [a, b] = await Promise.all([startProcess(args, { DATABASE_URL: url.toString() }), startProcess(args, { DATABASE_URL: url.toString() })]);
    procs.push(a as Proc, b as Proc);
    const send = async (p: Proc, path: string, body: unknown, operator = false) => {
      const r = await fetch(`${p.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(operator ? { authorization: `Bearer ${PROCESS_TOKEN}` } : {}) },
        body: JSON.stringify(body),
      });
      expect(r.status, await r.clone().text()).toBeLessThan(300);
    };
    const nodes = [0, 1, 2, 3].map((i) => registration(`so-${i}`, { now: genesis + 1, ownerAddress: addr(0xf00 + i) }));
    for (const [i, n] of nodes.entries()) {
      const p = (i % 2 === 0 ? a : b) as Proc;
      await send(p, '/v1/nodes', n.msg);
      await send(p, '/v1/operator/grants', { key: n.owner.publicKey, amount: (1000n * TOKEN).toString(), memo: `o${i}` }, true);
      await send(
        p,
        '/v1/stakes',
        signStake(
          {
            type: 'stake',
            stakeId: `so-bond-${i}`,
            ownerKey: n.owner.publicKey,
            kind: 'bond',
            nodeId: `so-${i}`,
            payout: n.body.owner,
            amount: (600n * TOKEN).toString(),
            lockDays: 0,
            timestamp: genesis + 2,
            seq: 2,
          },
          n.owner.privateKey,
        ),
      );
    }
    // heartbeats alternate between the two processes, one round a second (they count for the slot
    // they arrive in); each process sees nodes registered by the other
    let last: ReturnType<typeof heartbeat> | undefined;
    // heartbeats are accepted from the node's registration (genesis + 1) on
    while (Date.now() / 1000 < genesis + 2) await new Promise((r) => setTimeout(r, 100));
    for (let s = 2; s < 2 + ROUNDS; s++) {
      await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));
      const stamp = Math.floor(Date.now() / 1000);
      const heartbeats = nodes.map((n, i) => heartbeat(`so-${i}`, n.node, s, stamp));
      last = heartbeats[0];
      await send((s % 2 === 0 ? a : b) as Proc, '/v1/heartbeats/batch', { heartbeats });
    }
    // a replay through the other process is refused: the sequence numbers live in the shared store
    const replay = await fetch(`${(b as Proc).url}/v1/heartbeats`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(last),
    });
    expect(replay.status).toBe(409);
    expect(Math.floor(Date.now() / 1000), 'the traffic must arrive before epoch 0 closes').toBeLessThan(genesis + 60);
    const fromA = await waitFor(
      'epoch 0 closed',
      async () => {
        const r = await fetch(`${(a as Proc).url}/v1/epochs/0/input`);
        return r.ok ? r.text() : undefined;
      },
      120_000,
    );
    const fromB = await (await fetch(`${(b as Proc).url}/v1/epochs/0/input`)).text();
    expect(fromB).toBe(fromA);
    expect(JSON.parse(fromA).nodes.map((n: { upSlots: number }) => n.upSlots)).toEqual([ROUNDS, ROUNDS, ROUNDS, ROUNDS]);
    const epochs = (await (await fetch(`${(a as Proc).url}/v1/epochs`)).json()) as { epochs: { epoch: number }[] };
    expect(epochs.epochs.filter((e) => e.epoch === 0)).toHaveLength(1);
    const check = (await (await fetch(`${(b as Proc).url}/v1/operator/check`, { headers: { authorization: `Bearer ${PROCESS_TOKEN}` } })).json()) as {
      violations: string[];
      postings: number;
    };
    expect(check.violations).toEqual([]);
    // both processes were trying to close: only one epoch row and one set of emission postings exist
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    const mints = await c.query("SELECT COUNT(*)::int AS n FROM postings WHERE id LIKE 'epoch:0:mint:%'");
    await c.end();
    expect(mints.rows[0].n).toBe(7);
    void keys;
  }, 240_000);
});
