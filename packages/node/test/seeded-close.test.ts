import {
  computeExcludedSlots,
  computeFeeSplit,
  computeReceiptsHash,
  computeUserDiscount,
  defaultParams,
  type JobStats,
  parseEpochInput,
  prepareWhatIf,
  serializeNodeStatement,
  whatIfPrepared,
} from '@swarm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedNetwork } from '../src/demo/seed.ts';
import { closeEpoch } from '../src/keepers/epoch-close.ts';
import { readInputJson } from '../src/keepers/input-store.ts';
import { network, status } from '../src/keepers/reads.ts';
import { whatIfEpoch } from '../src/keepers/whatif.ts';
import { checkLedger } from '../src/ledger/ledger.ts';
import { ManualClock } from '../src/service/clock.ts';
import { initContext } from '../src/service/context.ts';
import type { Db } from '../src/store/db.ts';
import { freshDb, GENESIS, STORES, TEST_SETTINGS } from './helpers.ts';

/**
 * The close on a seeded realistic network (`seedNetwork`: mixed hardware, owners of three nodes,
 * five consumers per node, user stakes, high-priority and training jobs, violators), on every store:
 * - each node's usage in the stored input — GPU-seconds, fee, the job statistics over all keys and
 *   over independent ones, the p95 — equals this test's own straightforward reading of the raw
 *   receipts (the close sums them once per node and consumer, `summariseReceipts`);
 * - the receipts commitment the store computes equals core's `computeReceiptsHash` of the receipts;
 * - both stores close both epochs to the same input and result hashes, byte for byte.
 */
const params = defaultParams();
const settings = { ...TEST_SETTINGS, epochSeconds: 86_400 };
const closed: Record<string, { inputHash: string; paramsHash: string; fees: string }[]> = {};

describe.each(STORES)('a seeded network closes as its receipts say on %s', (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDb(kind);
  });
  afterAll(async () => db?.close());

  it('usage, fees and the receipts commitment from the raw receipts; the ledger holds', async () => {
    const clock = new ManualClock(GENESIS - 100);
    const ctx = await initContext({ db, clock, operatorToken: 'x', operatorEthKey: `0x${'22'.repeat(32)}`, settings });
    const seeded = await seedNetwork(db, ctx.settings, {
      nodes: 240,
      epochs: 2,
      receiptsPerNodeDay: 40,
      seed: 7,
      outage: { epoch: 1, from: 600, to: 660, share: 0.7 },
    });
    expect(seeded.receipts).toBeGreaterThan(5000);
    // the overview's counts, kept by triggers as rows are inserted, equal a count of every row
    const overview = await network(ctx);
    const models = await db.query<{ model: string; gpus: string; nodes: string }>(
      `SELECT g->>'model' AS model, SUM((g->>'count')::int)::text AS gpus, COUNT(DISTINCT n.id)::text AS nodes
         FROM nodes n, jsonb_array_elements((n.hardware::jsonb)->'gpus') AS g GROUP BY 1`,
    );
    expect(overview.models.length).toBeGreaterThan(3);
    expect(new Set(overview.models.map((m) => JSON.stringify(m)))).toEqual(
      new Set(models.map((m) => JSON.stringify({ model: m.model, gpus: Number(m.gpus), nodes: Number(m.nodes) }))),
    );
    const regions = await db.query<{ region: string; nodes: string }>('SELECT region, COUNT(*)::text AS nodes FROM nodes GROUP BY region');
    expect(overview.regions.reduce((a, r) => a + r.nodes, 0)).toBe(240);
    expect(new Set(overview.regions.map((r) => JSON.stringify(r)))).toEqual(
      new Set(regions.map((r) => JSON.stringify({ region: r.region, nodes: Number(r.nodes) }))),
    );
    expect((await status(ctx)).receipts).toBe(seeded.receipts);
    expect((await status(ctx)).nodes).toBe(240);
    closed[kind] = [];
    for (const n of [0, 1]) {
      clock.set(GENESIS + (n + 1) * 86_400 + 61);
      const r = await closeEpoch(ctx, n);
      closed[kind].push({ inputHash: r.summary.inputHash, paramsHash: r.summary.paramsHash, fees: r.summary.fees });
      const input = (await readInputJson(db, n)) as {
        receipts: string;
        excludedSlots: unknown[];
        nodes: {
          id: string;
          gpuSecondsDelivered: number;
          fee: string;
          jobs: { all: Record<string, string | number>; independent: Record<string, string | number> };
        }[];
      };
      // the excluded slots, from a direct count of every active node's bits in every slot
      expect(input.excludedSlots).toEqual(await excludedFromBitmaps(db, n));
      if (n === 1) expect(input.excludedSlots).toContainEqual({ from: 600, to: 659, cause: 'platform-outage' });
      const expected = await usageFromReceipts(db, n);
      let withJobs = 0;
      for (const node of input.nodes) {
        const e = expected.get(node.id);
        expect({ id: node.id, delivered: node.gpuSecondsDelivered, fee: node.fee, jobs: node.jobs }).toEqual({
          id: node.id,
          delivered: Math.min(node.gpuSecondsDelivered, e?.delivered ?? 0), // the close caps what a node could not have delivered
          fee: (e?.fee ?? 0n).toString(),
          jobs: { all: json(e?.all), independent: json(e?.independent) },
        });
        if (e !== undefined) withJobs++;
      }
      expect(withJobs).toBeGreaterThan(200);
      const receipts = await db.query<{ job_id: string; node_id: string; message_hash: string }>(
        'SELECT job_id, node_id, message_hash FROM receipts WHERE epoch = $1',
        [n],
      );
      expect(input.receipts).toBe(computeReceiptsHash(receipts.map((x) => ({ jobId: x.job_id, nodeId: x.node_id, messageHash: x.message_hash }))));
    }
    expect((await checkLedger(db)).violations).toEqual([]);

    // the service's what-if (against the stored epoch, computed once) is what recomputing the epoch gives
    const input = parseEpochInput(await readInputJson(db, 1), params);
    const basis = prepareWhatIf(input, params);
    const stored = await db.query<{ node_id: string; statement: string }>(
      'SELECT node_id, statement FROM statements WHERE epoch = 1 AND reward > 0 ORDER BY node_id LIMIT 12',
    );
    const methods = new Set<string>();
    for (const [k, row] of stored.entries()) {
      const set = [{ uptime: '0.9' }, { commitment: '365' }, { 'jobs.all.p95ResponseMs': '90000' }, { utilisation: '0.2' }][k % 4] as Record<string, string>;
      const served = await whatIfEpoch(ctx, 1, row.node_id, set);
      const recomputed = whatIfPrepared(basis, row.node_id, set, { incremental: false });
      expect(served.before).toEqual(JSON.parse(row.statement));
      expect(served.after).toEqual(serializeNodeStatement(recomputed.after));
      methods.add(served.method);
    }
    expect([...methods].sort()).toEqual(['incremental', 'recomputed']);
  }, 120_000);

  it.runIf(STORES.length > 1 && kind === 'postgres')('both stores closed both epochs to the same bytes', () => {
    expect(closed.postgres).toEqual(closed.pglite);
    expect(closed.pglite?.length).toBe(2);
  });
});

/** SPEC §3.2's platform outages, counted slot by slot over every active node's bitmap (no service record in a seeded store). */
async function excludedFromBitmaps(db: Db, n: number) {
  const total = settings.epochSeconds / settings.slotSeconds;
  const start = settings.genesis + n * settings.epochSeconds;
  const rows = await db.query<{ first: number; bits: string | null }>(
    `SELECT GREATEST(0, floor((n.registered_at - $2) / 60))::int AS first, s.slots::text AS bits
       FROM nodes n LEFT JOIN node_slots s ON s.node_id = n.id AND s.epoch = $1 WHERE n.status = 'active' AND n.registered_at < $3`,
    [n, start, start + settings.epochSeconds],
  );
  const expected = new Array<number>(total).fill(0);
  const up = new Array<number>(total).fill(0);
  for (const r of rows)
    for (let k = r.first; k < total; k++) {
      expected[k] = (expected[k] as number) + 1;
      if (r.bits?.[k] === '1') up[k] = (up[k] as number) + 1;
    }
  return computeExcludedSlots(null, expected, up, params.heartbeats);
}

type Usage = { delivered: number; fee: bigint; all: JobStats; independent: JobStats };

/** The rule of SPEC §4.4, read directly from every receipt of epoch `n` (and the owners keys paid up to it). */
async function usageFromReceipts(db: Db, n: number): Promise<Map<string, Usage>> {
  const rows = await db.query<{
    job_id: string;
    node_id: string;
    owner: string;
    consumer_key: string;
    epoch: number;
    gpu_seconds: number;
    price: string;
    success: boolean;
    response_ms: number;
    priority: string;
    rating: number;
    job_type: string;
  }>(
    `SELECT r.job_id, r.node_id, o.owner, r.consumer_key, r.epoch::int AS epoch, r.gpu_seconds::int AS gpu_seconds, r.price::text AS price, r.success,
            r.response_ms, r.priority, r.rating, r.job_type
       FROM receipts r JOIN nodes o ON o.id = r.node_id WHERE r.epoch <= $1 AND r.billable`,
    [n],
  );
  const owners = new Map<string, Set<string>>();
  for (const r of rows) owners.set(r.consumer_key, (owners.get(r.consumer_key) ?? new Set()).add(r.owner));
  const staked = new Map(
    (
      await db.query<{ owner_key: string; amount: string }>(
        "SELECT owner_key, amount::text AS amount FROM stakes WHERE kind = 'user' AND effective_epoch <= $1",
        [n],
      )
    ).map((s) => [s.owner_key, BigInt(s.amount)]),
  );
  const byNode = new Map<string, typeof rows>();
  for (const r of rows) if (r.epoch === n) byNode.set(r.node_id, [...(byNode.get(r.node_id) ?? []), r]);
  const stats = (rs: typeof rows): JobStats => {
    const price = (f: (r: (typeof rows)[number]) => boolean) => rs.filter(f).reduce((a, r) => a + BigInt(r.price), 0n);
    const inference = rs.filter((r) => r.job_type === 'inference').sort((a, b) => a.response_ms - b.response_ms);
    const total = inference.reduce((a, r) => a + BigInt(r.price), 0n);
    let run = 0n;
    let p95 = 0;
    for (const r of inference) {
      run += BigInt(r.price);
      if (run * 100n >= total * 95n) {
        p95 = r.response_ms;
        break;
      }
    }
    return {
      standard: price((r) => r.priority === 'standard'),
      standardFailed: price((r) => r.priority === 'standard' && !r.success),
      high: price((r) => r.priority === 'high'),
      highFailed: price((r) => r.priority === 'high' && !r.success),
      p95ResponseMs: p95,
      ratingSum: rs.reduce((a, r) => a + BigInt(r.price) * BigInt(r.rating), 0n),
    };
  };
  const out = new Map<string, Usage>();
  for (const [id, rs] of byNode) {
    const perConsumer = new Map<string, bigint>();
    for (const r of rs) perConsumer.set(r.consumer_key, (perConsumer.get(r.consumer_key) ?? 0n) + BigInt(r.price));
    let fee = 0n;
    for (const [c, p] of perConsumer) {
      const f = computeFeeSplit(p, params, computeUserDiscount(staked.get(c) ?? 0n, params));
      fee += f.burned + f.treasury;
    }
    out.set(id, {
      delivered: rs.reduce((a, r) => a + r.gpu_seconds, 0),
      fee,
      all: stats(rs),
      independent: stats(rs.filter((r) => (owners.get(r.consumer_key)?.size ?? 0) > 1)),
    });
  }
  return out;
}

const json = (s: JobStats | undefined) => {
  const x = s ?? { standard: 0n, standardFailed: 0n, high: 0n, highFailed: 0n, p95ResponseMs: 0, ratingSum: 0n };
  return {
    standard: x.standard.toString(),
    standardFailed: x.standardFailed.toString(),
    high: x.high.toString(),
    highFailed: x.highFailed.toString(),
    p95ResponseMs: x.p95ResponseMs,
    ratingSum: x.ratingSum.toString(),
  };
};
