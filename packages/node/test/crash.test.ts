import { TOKEN } from '@swarm/core';
import { signStake } from '@swarm/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { addr, freshSchemaUrl, heartbeat, keys, receipt, registration, STORES } from './helpers.ts';
import { minuteEpochArgs, PROCESS_EPOCH_SECONDS, PROCESS_TOKEN, type Proc, startProcess, stopProcess, storeDir, tempDir, waitFor } from './process.ts';

/**
 * kill -9 during an epoch close, at several points, then restart: the epoch closes exactly once,
 * its result is byte-identical to an uninterrupted run fed the same traffic, no acknowledged
 * heartbeat or receipt is lost, and the ledger invariants hold.
 */
const POINTS = ['input-built', 'postings-written', 'before-commit'] as const;
const ROUNDS = 12;
const procs: Proc[] = [];
afterAll(async () => {
  await Promise.all(procs.map(stopProcess));
});

async function get(p: Proc, path: string): Promise<string | undefined> {
  const r = await fetch(`${p.url}${path}`, { headers: { authorization: `Bearer ${PROCESS_TOKEN}` } });
  return r.ok ? r.text() : undefined;
}

// the stores' runs at once: each spends most of its time waiting for its epoch to end
describe('crash during epoch close', () => {
  it.concurrent.each(STORES)(
    'on %s: closes exactly once, byte-identical to an uninterrupted run, losing nothing',
    async (kind) => {
      // epoch 0 starts once every process is up (each records its own liveness from then on, SPEC §3.2:
      // a process still starting when the epoch begins would exclude those slots, and the runs would
      // differ for a reason that is not the crash) and closes 62 s later: the whole minute is for the traffic.
      // On a loaded machine starting four processes can outlast the lead: then they start again, later.
      const startAll = async (lead: number) => {
        // PGlite's stores start migrated (storeDir): four cold processes at once must fit in the lead
        const dir = (label: string) => (kind === 'pglite' ? storeDir(label) : tempDir(label));
        const dirs = Object.fromEntries(await Promise.all(['reference', ...POINTS].map(async (p) => [p, await dir(p)]))) as Record<string, string>;
        // on PostgreSQL each process has a schema of its own (a store each), kept for its restart
        const stores: Record<string, Record<string, string>> = {};
        for (const name of Object.keys(dirs)) stores[name] = kind === 'postgres' ? { DATABASE_URL: await freshSchemaUrl() } : {};
        const genesis = Math.floor(Date.now() / 1000) + lead;
        const runs: Record<string, Proc> = {};
        await Promise.all(
          Object.entries(dirs).map(async ([name, dir]) => {
            runs[name] = await startProcess(minuteEpochArgs(dir, genesis), name === 'reference' ? stores[name] : { ...stores[name], SWARM_CRASH_AT: name });
            procs.push(runs[name] as Proc);
          }),
        );
        if (Date.now() / 1000 < genesis - 1) return { genesis, dirs, stores, runs };
        await Promise.all(Object.values(runs).map(stopProcess));
        return undefined;
      };
      let started: Awaited<ReturnType<typeof startAll>>;
      for (const lead of [40, 90, 150]) {
        started = await startAll(lead);
        if (started !== undefined) break;
      }
      if (started === undefined) throw new Error('four processes did not start within 150 s');
      const { genesis, dirs, stores, runs } = started;
      const args = (dir: string) => minuteEpochArgs(dir, genesis);
      // the same signed traffic to every process
      const consumer = keys('crash-consumer');
      const nodes = [0, 1, 2].map((i) =>
        registration(`crash-${i}`, { now: genesis + 1, ownerAddress: addr(0xe00 + i), gpus: [{ model: ['H100', 'A10', 'T4'][i] as string, count: 1 + i }] }),
      );
      const messages: [string, unknown, boolean][] = [];
      messages.push(['/v1/operator/grants', { key: consumer.publicKey, amount: (1000n * TOKEN).toString(), memo: 'c' }, true]);
      for (const [i, n] of nodes.entries()) {
        messages.push(['/v1/nodes', n.msg, false]);
        messages.push(['/v1/operator/grants', { key: n.owner.publicKey, amount: (5000n * TOKEN).toString(), memo: `o${i}` }, true]);
        messages.push([
          '/v1/stakes',
          signStake(
            {
              type: 'stake',
              stakeId: `bond-${i}`,
              ownerKey: n.owner.publicKey,
              kind: 'bond',
              nodeId: `crash-${i}`,
              payout: n.body.owner,
              amount: (2000n * TOKEN).toString(),
              lockDays: 0,
              timestamp: genesis + 2,
              seq: 2,
            },
            n.owner.privateKey,
          ),
          false,
        ]);
      }
      for (let j = 0; j < 6; j++) {
        const i = j % 3;
        messages.push([
          '/v1/receipts',
          receipt(
            `crash-${i}`,
            (nodes[i] as (typeof nodes)[number]).node,
            consumer,
            `crash-job-${j}`,
            genesis + 10 + j,
            { usage: [{ model: ['H100', 'A10', 'T4'][i] as string, gpuSeconds: 5 + j }] },
            1 + (j % 5),
          ),
          false,
        ]);
      }
      const send = async (p: Proc, path: string, body: unknown, operator: boolean) => {
        const r = await fetch(`${p.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(operator ? { authorization: `Bearer ${PROCESS_TOKEN}` } : {}) },
          body: JSON.stringify(body),
        });
        expect(r.status, `${path}: ${await r.clone().text()}`).toBeLessThan(300);
      };
      // the same messages in the same order to every process, the processes at once
      await Promise.all(
        Object.values(runs).map(async (p) => {
          for (const [path, body, operator] of messages) await send(p, path, body, operator);
        }),
      );
      // heartbeats count for the slot they arrive in (1-s slots here): each round goes to every process
      // at once, early in a second of its own, so every process sets the same number of slots
      // heartbeats are accepted from the node's registration (genesis + 1) on
      while (Date.now() / 1000 < genesis + 2) await new Promise((r) => setTimeout(r, 100));
      for (let round = 0; round < ROUNDS; round++) {
        await new Promise((r) => setTimeout(r, 1200 - (Date.now() % 1000)));
        const stamp = Math.floor(Date.now() / 1000);
        const batch = { heartbeats: nodes.filter((_, i) => !(i === 2 && round % 5 === 0)).map((n) => heartbeat(n.body.nodeId, n.node, round + 2, stamp)) };
        await Promise.all(Object.values(runs).map((p) => send(p, '/v1/heartbeats/batch', batch, false)));
      }
      expect(Math.floor(Date.now() / 1000), 'the traffic must arrive before epoch 0 closes').toBeLessThan(genesis + PROCESS_EPOCH_SECONDS);
      // the reference closes normally; each crashing process dies by SIGKILL at its point
      const refInput = await waitFor('the reference close', () => get(runs.reference as Proc, '/v1/epochs/0/input'), 120_000);
      for (const point of POINTS) {
        const exit = await (runs[point] as Proc).exited;
        expect(exit.signal, `${point}: ${(runs[point] as Proc).output()}`).toBe('SIGKILL');
      }
      const ref = {
        input: refInput,
        result: JSON.parse((await get(runs.reference as Proc, '/v1/epochs/0')) as string).result,
        statements: await get(runs.reference as Proc, '/v1/epochs/0/statements?limit=500'),
        manifest: await get(runs.reference as Proc, '/v1/epochs/0/manifest'),
      };
      expect(JSON.parse(refInput).nodes.map((n: { upSlots: number }) => n.upSlots)).toEqual([ROUNDS, ROUNDS, ROUNDS - 3]);
      // the three restart at once (each closes its own store)
      await Promise.all(
        POINTS.map(async (point) => {
          const again = await startProcess(args(dirs[point] as string), stores[point]);
          procs.push(again);
          const input = await waitFor(`${point}: the close after restart`, () => get(again, '/v1/epochs/0/input'));
          expect(input, point).toBe(ref.input);
          expect(JSON.parse((await get(again, '/v1/epochs/0')) as string).result, point).toEqual(ref.result);
          expect(await get(again, '/v1/epochs/0/statements?limit=500'), point).toBe(ref.statements);
          expect(await get(again, '/v1/epochs/0/manifest'), point).toBe(ref.manifest);
          const epochs = JSON.parse((await get(again, '/v1/epochs')) as string).epochs;
          expect(
            epochs.filter((e: { epoch: number }) => e.epoch === 0),
            point,
          ).toHaveLength(1);
          const check = JSON.parse((await get(again, '/v1/operator/check')) as string);
          expect(check.violations, point).toEqual([]);
          const status = JSON.parse((await get(again, '/v1/status')) as string);
          expect(status.receipts, point).toBe(6);
          await stopProcess(again);
        }),
      );
    },
    600_000,
  );
});
