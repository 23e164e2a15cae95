import type { Sql } from '../store/db.ts';
import { dropSlotPartitions } from './partitions.ts';

/** The fewest closed epochs `pruneEpochs` keeps: the last closed one is audited during the next (SPEC §3.4). */
export const MIN_KEEP_EPOCHS = 2;

export type PruneReturnType = {
  /** Epochs before this one were pruned (the last `keep` closed epochs and every open one stay). */
  before: number;
  slotPartitionsDropped: string[];
  slotRowsDeleted: number;
  receiptsDeleted: number;
  refusalsDeleted: number;
};

/**
 * Retention (docs/deployment.md): what an old epoch no longer needs once it is closed, audited and
 * out of dispute — its heartbeat bitmaps (their partitions dropped) and its receipts and refusals
 * (deleted) — keeping the last `keep` closed epochs whole. Kept whatever their age: the receipts an
 * escrowed slash will compensate from at its release (those of its node in its fault epoch), and
 * the receipts of audited and confirmed jobs. The closed epochs' inputs, statements, results, trees and the ledger stay:
 * every epoch can still be replayed, verified and claimed against. The count of receipts accepted
 * (`/v1/status`) is not changed. One transaction.
 */
export async function pruneEpochs(sql: Sql, keep: number): Promise<PruneReturnType> {
  const next = Number((await sql.query<{ next: string }>('SELECT next_epoch::text AS next FROM epoch_cursor'))[0]?.next ?? 0);
  const before = Math.max(0, next - keep);
  const slots = await dropSlotPartitions(sql, before);
  const count = async (q: string) => (await sql.query<{ n: number }>(`WITH d AS (${q} RETURNING 1) SELECT COUNT(*)::int AS n FROM d`, [before]))[0]?.n ?? 0;
  const receiptsDeleted = await count(
    `DELETE FROM receipts r WHERE r.epoch < $1
        AND NOT EXISTS (SELECT 1 FROM slashes s WHERE s.status = 'escrowed' AND s.node_id = r.node_id AND s.fault_epoch = r.epoch)
        AND NOT EXISTS (SELECT 1 FROM audit_assignments a WHERE a.job_id = r.job_id)
        AND NOT EXISTS (SELECT 1 FROM audit_confirmations c WHERE c.job_id = r.job_id)`,
  );
  const refusalsDeleted = await count('DELETE FROM refusals WHERE epoch < $1');
  return { before, slotPartitionsDropped: slots.dropped, slotRowsDeleted: slots.deleted, receiptsDeleted, refusalsDeleted };
}
