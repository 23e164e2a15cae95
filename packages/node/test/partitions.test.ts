import { afterEach, describe, expect, it } from 'vitest';
import { dropSlotPartitions, ensureSlotPartitions, slotPartitionEpochs, slotPartitions } from '../src/keepers/partitions.ts';
import type { Db } from '../src/store/db.ts';
import { freshDb, STORES } from './helpers.ts';

/** Heartbeat bitmaps partitioned by epoch range: created ahead, old epochs dropped whole (migration 0022). */
describe.each(STORES)('node_slots partitions on %s', (kind) => {
  let db: Db;
  afterEach(async () => db?.close());
  const daily = { epochSeconds: 86_400 }; // a week of epochs a partition

  const insert = (epochs: number[]) =>
    db.query(
      `INSERT INTO node_slots (node_id, epoch, slots, heartbeats, power_sum, power_count, max_gpu_util)
         SELECT 'n1', e, B'1', 1, 0, 0, 0 FROM unnest($1::bigint[]) AS u(e)`,
      [epochs],
    );
  const where = async () =>
    (
      await db.query<{ part: string; epochs: string }>(
        "SELECT tableoid::regclass::text AS part, string_agg(epoch::text, ',' ORDER BY epoch) AS epochs FROM node_slots GROUP BY 1 ORDER BY 1",
      )
    ).map((r) => `${r.part}:${r.epochs}`);

  it('creates ranges above what the default partition holds, and drops old epochs by dropping their ranges', async () => {
    db = await freshDb(kind);
    expect(slotPartitionEpochs(daily)).toBe(7);
    expect(slotPartitionEpochs({ epochSeconds: 60 })).toBe(10_080);
    // rows stored before any range exists (a migrated store) stay in the default partition
    await insert([0, 1, 2]);
    const created = await db.tx((sql) => ensureSlotPartitions(sql, daily, 0, 20));
    expect(created).toEqual(['node_slots_e3', 'node_slots_e7', 'node_slots_e14']);
    expect((await db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM node_slots'))[0]?.n).toBe(3);
    // created once: a second call (another process, a restart) adds nothing
    expect(await db.tx((sql) => ensureSlotPartitions(sql, daily, 0, 20))).toEqual([]);
    expect((await db.tx((sql) => slotPartitions(sql))).map((r) => [r.from, r.to])).toEqual([
      [3, 7],
      [7, 14],
      [14, 21],
    ]);
    await insert([3, 6, 7, 13, 14, 20, 21]);
    expect(await where()).toEqual(['node_slots_default:0,1,2,21', 'node_slots_e14:14,20', 'node_slots_e3:3,6', 'node_slots_e7:7,13']);
    // the next range cannot take epoch 21 from the default partition: it starts after it
    expect(await db.tx((sql) => ensureSlotPartitions(sql, daily, 21, 27))).toEqual(['node_slots_e22']);
    const gone = await db.tx((sql) => dropSlotPartitions(sql, 14));
    expect(gone).toEqual({ dropped: ['node_slots_e3', 'node_slots_e7'], deleted: 3 });
    expect(await where()).toEqual(['node_slots_default:21', 'node_slots_e14:14,20']);
    // the upsert the heartbeat ingest makes works across partitions
    await db.query(
      `INSERT INTO node_slots (node_id, epoch, slots, heartbeats, power_sum, power_count, max_gpu_util) VALUES ('n1', 20, B'1', 1, 0, 0, 0)
       ON CONFLICT (node_id, epoch) DO UPDATE SET heartbeats = node_slots.heartbeats + excluded.heartbeats`,
    );
    expect((await db.query<{ h: number }>("SELECT heartbeats AS h FROM node_slots WHERE node_id = 'n1' AND epoch = 20"))[0]?.h).toBe(2);
  });
});
