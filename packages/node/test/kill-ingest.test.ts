import { TOKEN } from '@swarm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../src/ledger/ledger.ts';
import { openDb } from '../src/store/db.ts';
import { freshSchemaUrl, keys, receipt, registration, STORES } from './helpers.ts';
import { PROCESS_TOKEN, type Proc, startProcess, stopProcess, storeDir, tempDir } from './process.ts';

/**
 * kill -9 from outside while requests are in flight: every write the service acknowledged (a 2xx
 * reached the client) is in the store after a restart, nothing is half-written, and the ledger's
 * invariants hold. Grants (postings on the hash chain) and receipts (wallet reservations) are the
 * writes where a torn transaction would show.
 */
const procs: Proc[] = [];
afterAll(async () => {
  await Promise.all(procs.map(stopProcess));
});

describe.each(STORES)('kill -9 mid-ingest on %s', (kind) => {
  it('loses no acknowledged write and leaves the ledger consistent', async () => {
    const dir = kind === 'pglite' ? await storeDir('kill-pglite') : tempDir(`kill-${kind}`);
    const store: Record<string, string> = kind === 'postgres' ? { DATABASE_URL: await freshSchemaUrl() } : {};
    const now = Math.floor(Date.now() / 1000);
    // hour-long epochs: no close happens during the test, only ingest
    const args = ['--data-dir', dir, '--epoch-seconds', '3600', '--genesis', String(now - 60), '--onboarding', 'open'];
    const p = await startProcess(args, store);
    procs.push(p);
    const send = (path: string, body: unknown, operator = false) =>
      fetch(`${p.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(operator ? { authorization: `Bearer ${PROCESS_TOKEN}` } : {}) },
        body: JSON.stringify(body),
      });
    const reg = registration('kill-node', { now });
    expect((await send('/v1/nodes', reg.msg)).status).toBe(201);
    const consumer = keys(`kill-consumer-${kind}`);
    expect((await send('/v1/operator/grants', { key: consumer.publicKey, amount: (1_000_000n * TOKEN).toString(), memo: 'funds' }, true)).status).toBe(200);

    const acked = { grants: [] as string[], receipts: [] as string[] };
    let n = 0;
    let killed = false;
    // four senders, each alternating a grant and a receipt, until the process is gone
    const sender = async (w: number) => {
      while (!killed) {
        const i = n++;
        try {
          if (i % 2 === 0) {
            const memo = `kill-${w}-${i}`;
            const r = await send('/v1/operator/grants', { key: consumer.publicKey, amount: '1', memo }, true);
            if (r.ok) acked.grants.push(memo);
          } else {
            const jobId = `kill-job-${i}`;
            const r = await send('/v1/receipts', receipt('kill-node', reg.node, consumer, jobId, Math.floor(Date.now() / 1000), { price: '1000' }));
            if (r.status === 201) acked.receipts.push(jobId);
          }
        } catch {
          // the connection died with the process: this write was never acknowledged
        }
      }
    };
    const senders = [0, 1, 2, 3].map(sender);
    // let traffic build (at least 30 acknowledged writes, however loaded the machine), then kill
    // from outside at a moment the test does not choose precisely
    const deadline = Date.now() + 60_000;
    while (acked.grants.length + acked.receipts.length < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 500)));
    p.child.kill('SIGKILL');
    await p.exited;
    killed = true;
    await Promise.all(senders);
    expect(acked.grants.length + acked.receipts.length, 'traffic was flowing when the process died').toBeGreaterThan(20);

    // restart: the store opens (PGlite recovers its WAL), serves, and its invariants hold
    const again = await startProcess(args, store);
    procs.push(again);
    const check = (await (await fetch(`${again.url}/v1/operator/check`, { headers: { authorization: `Bearer ${PROCESS_TOKEN}` } })).json()) as {
      violations: string[];
    };
    expect(check.violations).toEqual([]);
    await stopProcess(again);
    // every acknowledged write is there
    const db = await openDb({ url: store.DATABASE_URL, dataDir: store.DATABASE_URL ? undefined : dir });
    try {
      const grants = new Set(
        (await db.query<{ id: string }>("SELECT id FROM postings WHERE id LIKE 'grant:%'")).map((r) => r.id.slice(r.id.lastIndexOf(':') + 1)),
      );
      for (const memo of acked.grants) expect(grants.has(memo), `acknowledged grant ${memo}`).toBe(true);
      const jobs = new Set((await db.query<{ job_id: string }>('SELECT job_id FROM receipts')).map((r) => r.job_id));
      for (const job of acked.receipts) expect(jobs.has(job), `acknowledged receipt ${job}`).toBe(true);
      // a receipt's reservation was written with it: all or nothing
      const reserved = (await db.query<{ r: string }>('SELECT reserved::text AS r FROM consumers WHERE key = $1', [consumer.publicKey]))[0]?.r;
      expect(BigInt(reserved ?? '0')).toBe(1000n * BigInt(jobs.size));
      expect((await checkLedger(db)).violations).toEqual([]);
    } finally {
      await db.close();
    }
  }, 180_000);
});
