import type { Settings } from '../service/context.ts';
import type { Sql } from '../store/db.ts';

/**
 * Heartbeat bitmaps (`node_slots`) are partitioned by epoch range (migration 0022), so that an old
 * epoch's rows go with a `DROP TABLE` of their partition, not a `DELETE` of a million rows an epoch.
 * A partition spans a week of epochs (at least one); the service creates the current range and the
 * next one ahead, at start and after every close. A row with no range — stored before the
 * migration, or for an epoch nobody created a range for — lands in the default partition, and a
 * range is only ever created above what the default partition holds in it (PostgreSQL refuses a
 * range that would take rows from it).
 */
export function slotPartitionEpochs(s: Pick<Settings, 'epochSeconds'>): number {
  return Math.max(1, Math.floor((7 * 86_400) / s.epochSeconds));
}

type Range = { name: string; from: number; to: number };

/** The range partitions of `node_slots`, by epoch. */
export async function slotPartitions(sql: Sql): Promise<Range[]> {
  const rows = await sql.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'node_slots'::regclass`,
  );
  const ranges: Range[] = [];
  for (const r of rows) {
    const m = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/.exec(r.bound);
    if (m) ranges.push({ name: r.name, from: Number(m[1]), to: Number(m[2]) });
  }
  return ranges.sort((a, b) => a.from - b.from);
}

/**
 * Creates the ranges that hold epochs `from`…`to` where none does yet (one transaction, under a
 * lock: several service processes may share the store). Returns the names created.
 */
export async function ensureSlotPartitions(sql: Sql, s: Pick<Settings, 'epochSeconds'>, from: number, to: number): Promise<string[]> {
  const size = slotPartitionEpochs(s);
  await sql.query("SELECT pg_advisory_xact_lock(hashtext('swarm:node_slots partitions'))");
  const ranges = await slotPartitions(sql);
  const created: string[] = [];
  for (let k = Math.floor(Math.max(0, from) / size); k <= Math.floor(Math.max(0, to) / size); k++) {
    const hi = (k + 1) * size;
    const held = await sql.query<{ top: string | null }>('SELECT MAX(epoch)::text AS top FROM node_slots_default WHERE epoch < $1', [hi]);
    let lo = Math.max(k * size, held[0]?.top == null ? 0 : Number(held[0].top) + 1);
    // never over a range that exists: start where the last one below this block's end stops
    for (const r of ranges) if (r.from < hi && r.to > lo) lo = Math.max(lo, r.to);
    if (lo >= hi) continue;
    const name = `node_slots_e${lo}`;
    await sql.query(`CREATE TABLE "${name}" PARTITION OF node_slots FOR VALUES FROM (${lo}) TO (${hi})`);
    ranges.push({ name, from: lo, to: hi });
    created.push(name);
  }
  return created;
}

/**
 * Drops the heartbeat bitmaps of every epoch before `before`: each range wholly below it by
 * `DROP TABLE`, the default partition's rows by `DELETE`. Returns what went.
 */
export async function dropSlotPartitions(sql: Sql, before: number): Promise<{ dropped: string[]; deleted: number }> {
  await sql.query("SELECT pg_advisory_xact_lock(hashtext('swarm:node_slots partitions'))");
  const dropped: string[] = [];
  for (const r of await slotPartitions(sql)) {
    if (r.to > before) continue;
    await sql.query(`DROP TABLE "${r.name}"`);
    dropped.push(r.name);
  }
  const deleted = await sql.query<{ n: number }>('WITH d AS (DELETE FROM node_slots_default WHERE epoch < $1 RETURNING 1) SELECT COUNT(*)::int AS n FROM d', [
    before,
  ]);
  return { dropped, deleted: deleted[0]?.n ?? 0 };
}
