import { defaultParams, parseEpochInput, processEpoch } from '@swarm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedNetwork } from '../src/demo/seed.ts';
import { closeEpoch } from '../src/keepers/epoch-close.ts';
import { readInputJson } from '../src/keepers/input-store.ts';
import { slotPartitions } from '../src/keepers/partitions.ts';
import { status } from '../src/keepers/reads.ts';
import { MIN_KEEP_EPOCHS, pruneEpochs } from '../src/keepers/retention.ts';
import { checkLedger } from '../src/ledger/ledger.ts';
import { ManualClock } from '../src/service/clock.ts';
import { initContext } from '../src/service/context.ts';
import type { Db } from '../src/store/db.ts';
import { freshDb, GENESIS, STORES, TEST_SETTINGS } from './helpers.ts';

/**
 * Retention (`swarm prune`): the closed epochs older than the last N lose their heartbeat
 * partitions, receipts and refusals — except the receipts an escrowed slash will compensate from —
 * and everything a provider or a verifier needs of them stays: inputs, statements, the ledger.
 */
describe.each(STORES)('pruning old epochs on %s', (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDb(kind);
  });
  afterAll(async () => db?.close());

  it('drops what closed epochs no longer need, keeps what escrow and replay need', async () => {
    const clock = new ManualClock(GENESIS - 100);
    const settings = { ...TEST_SETTINGS, epochSeconds: 86_400 };
    const ctx = await initContext({ db, clock, operatorToken: 'x', operatorEthKey: `0x${'22'.repeat(32)}`, settings });
    await seedNetwork(db, ctx.settings, { nodes: 60, epochs: 3, receiptsPerNodeDay: 20, seed: 3 });
    for (const n of [0, 1, 2]) {
      clock.set(GENESIS + (n + 1) * 86_400 + 61);
      await closeEpoch(ctx, n);
    }
    // a slash in escrow for a node's faults in epoch 0: its consumers are compensated from those receipts at release
    const victim = (await db.query<{ node_id: string }>('SELECT node_id FROM receipts WHERE epoch = 0 ORDER BY node_id LIMIT 1'))[0]?.node_id as string;
    await db.query(
      `INSERT INTO slashes (id, node_id, epoch, fault_epoch, at, kind, action, share, amount, evidence, sources, note, release_epoch, status)
       VALUES ('test-escrow', $1, 1, 0, 0, 'downtime', 'slash', '0.05', 1, '', '', '', 9, 'escrowed')`,
      [victim],
    );
    const perEpoch = async (table: string) =>
      Object.fromEntries(
        (await db.query<{ e: number; n: number }>(`SELECT epoch::int AS e, COUNT(*)::int AS n FROM ${table} GROUP BY 1 ORDER BY 1`)).map((r) => [r.e, r.n]),
      );
    const receiptsBefore = await perEpoch('receipts');
    const slotsBefore = await perEpoch('node_slots');
    expect(Object.keys(slotsBefore)).toEqual(['0', '1', '2']);
    const kept = (await db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM receipts WHERE epoch = 0 AND node_id = $1', [victim]))[0]?.n as number;
    expect(kept).toBeGreaterThan(0);
    expect(receiptsBefore[0]).toBeGreaterThan(kept);
    const accepted = (await status(ctx)).receipts;

    await expect(db.tx((sql) => pruneEpochs(sql, MIN_KEEP_EPOCHS))).resolves.toMatchObject({
      before: 1,
      receiptsDeleted: (receiptsBefore[0] as number) - kept,
    });
    // bitmaps go a partition — a week of daily epochs — at a time: this one holds epochs 0–6, so they all stay
    expect(await perEpoch('node_slots')).toEqual(slotsBefore);
    expect(await perEpoch('receipts')).toEqual({ ...receiptsBefore, 0: kept });
    expect((await db.tx((sql) => slotPartitions(sql))).every((p) => p.to > 0)).toBe(true);
    // what providers and verifiers need stays: epoch 0 replays to its stored result, the ledger holds
    const params = defaultParams();
    const replay = processEpoch(parseEpochInput(await readInputJson(db, 0), params), params);
    const stored = (await db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM statements WHERE epoch = 0'))[0]?.n;
    expect(stored).toBe(replay.nodeIds.length);
    // a second prune finds nothing more
    await expect(db.tx((sql) => pruneEpochs(sql, MIN_KEEP_EPOCHS))).resolves.toMatchObject({
      receiptsDeleted: 0,
      slotRowsDeleted: 0,
      slotPartitionsDropped: [],
    });
    await db.query("DELETE FROM slashes WHERE id = 'test-escrow'"); // it was never funded: the ledger check would say so
    expect((await checkLedger(db)).violations).toEqual([]);
    expect((await status(ctx)).receipts).toBe(accepted);
  }, 120_000);
});
