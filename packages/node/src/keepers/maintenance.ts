import { type MaintenanceWindow, maintenanceRefusal } from '@swarm/core';
import { type Maintenance, verifyBody } from '@swarm/sdk';
import { type Context, epochOf, paramsAt } from '../service/context.ts';
import { badRequest, notFound, unauthorized } from '../service/errors.ts';
import type { Sql } from '../store/db.ts';
import { advanceSeq, checkTimestamp } from './checks.ts';

const WEEK = 7 * 86_400;

/**
 * A node announces its maintenance (SPEC §3.2): signed by the node's key, at least
 * `maintenanceNoticeHours` ahead and at most `maintenanceHoursPerWeek` in any 7 days
 * (`maintenanceRefusal`, the parameters in effect when the window starts). Its slots are then
 * excluded from the node's expected time, so a planned reboot never climbs the penalty ladder.
 */
export async function acceptMaintenance(ctx: Context, msg: Maintenance): Promise<{ nodeId: string; from: number; to: number }> {
  const b = msg.body;
  checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  return ctx.db.tx(async (sql) => {
    const node = (await sql.query<{ node_key: string }>('SELECT node_key FROM nodes WHERE id = $1', [b.nodeId]))[0];
    if (!node) throw notFound('UNKNOWN_NODE', `no node ${JSON.stringify(b.nodeId)} is registered`, 'body.nodeId');
    if (!verifyBody(b, msg.signature, node.node_key)) throw unauthorized('the maintenance signature does not verify with the node’s key', 'signature');
    const { params } = await paramsAt(sql, Math.max(0, epochOf(ctx.settings, b.from)));
    // the node's windows that can share 7 days with this one
    const existing = (
      await sql.query<{ from_ts: string; to_ts: string }>(
        'SELECT from_ts::text AS from_ts, to_ts::text AS to_ts FROM maintenance_windows WHERE node_id = $1 AND to_ts > $2 AND from_ts < $3',
        [b.nodeId, b.from - WEEK, b.to + WEEK],
      )
    ).map((r) => ({ from: Number(r.from_ts), to: Number(r.to_ts) }));
    // notice counts from the later of the message's time and ours: a window never reaches back into
    // time already past, so an epoch's windows are fixed before it closes (its input never changes)
    const refusal = maintenanceRefusal(existing, { from: b.from, to: b.to }, Math.max(b.timestamp, ctx.clock.now()), params.heartbeats);
    if (refusal) throw badRequest(refusal.code, refusal.message, refusal.code === 'EMPTY_WINDOW' ? 'body.to' : 'body.from');
    await advanceSeq(sql, node.node_key, b.seq, 'body.seq');
    await sql.query('INSERT INTO maintenance_windows (node_id, from_ts, to_ts, announced_at, message) VALUES ($1, $2, $3, $4, $5)', [
      b.nodeId,
      b.from,
      b.to,
      b.timestamp,
      JSON.stringify(msg),
    ]);
    ctx.metrics.accepted.inc({ type: 'maintenance' });
    return { nodeId: b.nodeId, from: b.from, to: b.to };
  });
}

/** A node's announced windows, newest first (at most 500). */
export async function listMaintenance(ctx: Context, nodeId: string) {
  const rows = await ctx.db.query<{ from_ts: string; to_ts: string; announced_at: string }>(
    'SELECT from_ts::text AS from_ts, to_ts::text AS to_ts, announced_at::text AS announced_at FROM maintenance_windows WHERE node_id = $1 ORDER BY from_ts DESC LIMIT 500',
    [nodeId],
  );
  return { windows: rows.map((r) => ({ from: Number(r.from_ts), to: Number(r.to_ts), announcedAt: Number(r.announced_at) })) };
}

/** Every node's windows that overlap `[start, end)`: what the epoch input leaves out of their expected time. */
export async function maintenanceDuring(sql: Sql, start: number, end: number): Promise<Map<string, MaintenanceWindow[]>> {
  const rows = await sql.query<{ node_id: string; from_ts: string; to_ts: string }>(
    'SELECT node_id, from_ts::text AS from_ts, to_ts::text AS to_ts FROM maintenance_windows WHERE from_ts < $2 AND to_ts > $1 ORDER BY node_id, from_ts',
    [start, end],
  );
  const out = new Map<string, MaintenanceWindow[]>();
  for (const r of rows) out.set(r.node_id, [...(out.get(r.node_id) ?? []), { from: Number(r.from_ts), to: Number(r.to_ts) }]);
  return out;
}
