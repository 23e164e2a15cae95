import { type Context, epochOf, epochStart } from '../service/context.ts';
import { badRequest, conflict } from '../service/errors.ts';
import type { Sql } from '../store/db.ts';

/**
 * The checks every signed message passes, shared by the ingest and governance keepers: its
 * timestamp is near the server's clock, its epoch still accepts messages, and its sequence number
 * rises above the last one its key used — so a replayed or stale message is refused.
 */

/** Checks the timestamp against the clock; returns its epoch (-1 before genesis). */
export function checkTimestamp(ctx: Context, ts: number, field: string): number {
  const now = ctx.clock.now();
  const w = ctx.settings.windowSeconds;
  if (ts < now - w) throw badRequest('STALE_TIMESTAMP', `timestamp ${ts} is more than ${w} s in the past (server time ${now})`, field);
  if (ts > now + w) throw badRequest('FUTURE_TIMESTAMP', `timestamp ${ts} is more than ${w} s in the future (server time ${now})`, field);
  ctx.metrics.ingestLag.observe(Math.max(0, now - ts));
  return epochOf(ctx.settings, ts); // -1 before genesis: registrations and stakes may precede it
}

/** Heartbeats, receipts and attestations belong to an epoch: none before genesis. */
export function requireEpoch(epoch: number, field: string): void {
  if (epoch < 0) throw badRequest('BEFORE_GENESIS', 'the timestamp is before the first epoch', field);
}

/** A message for an epoch is accepted until that epoch's close time (its end plus the grace). */
export async function checkEpochOpen(ctx: Context, sql: Sql, epoch: number, field: string): Promise<void> {
  const end = epochStart(ctx.settings, epoch + 1);
  if (ctx.clock.now() > end + ctx.settings.graceSeconds) throw conflict('EPOCH_CLOSED', `epoch ${epoch} no longer accepts messages`, field);
  // FOR SHARE: an epoch close (FOR UPDATE on the cursor) waits for us, or we see its new cursor
  const r = await sql.query<{ next_epoch: string }>('SELECT next_epoch::text AS next_epoch FROM epoch_cursor WHERE id = 1 FOR SHARE');
  if (epoch < Number(r[0]?.next_epoch ?? 0)) throw conflict('EPOCH_CLOSED', `epoch ${epoch} is closed`, field);
}

/** Raises a key's sequence number to `seq`, refusing anything not above the last one accepted. */
export async function advanceSeq(sql: Sql, key: string, seq: number, field: string): Promise<void> {
  const r = await sql.query(
    `INSERT INTO key_seqs (key, last_seq) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET last_seq = excluded.last_seq WHERE key_seqs.last_seq < excluded.last_seq
     RETURNING key`,
    [key, seq],
  );
  if (r.length === 0) throw conflict('REPLAYED', `sequence number ${seq} was already used by this key (it must increase)`, field);
}
