import { clawFromTranches, type VestingTranche } from '@swarm/core';
import type { Posting } from '../ledger/ledger.ts';
import type { Sql } from '../store/db.ts';

/** The open vesting tranches (SPEC §6.1), by node and epoch: of every node, or of one. */
export async function openTranches(sql: Sql, nodeId?: string): Promise<(VestingTranche & { nodeId: string })[]> {
  const rows = await sql.query<{ node_id: string; epoch: string; amount: string; epochs: number; clawed: string }>(
    `SELECT node_id, epoch::text AS epoch, amount::text AS amount, epochs, clawed::text AS clawed FROM vesting_tranches
      WHERE status = 'open' ${nodeId === undefined ? '' : 'AND node_id = $1'} ORDER BY node_id, epoch`,
    nodeId === undefined ? [] : [nodeId],
  );
  return rows.map((r) => ({ nodeId: r.node_id, epoch: Number(r.epoch), amount: BigInt(r.amount), epochs: r.epochs, clawed: BigInt(r.clawed) }));
}

/**
 * Takes up to `amount` of a node's unvested rewards at the close of epoch `n` (after its vesting)
 * to the treasury, the tokens that would vest last first (`clawFromTranches`): a lock's extra the
 * bond did not hold (SPEC §4.4). Returns the postings; the tranches are updated.
 */
export async function clawUnvested(sql: Sql, n: number, nodeId: string, amount: bigint, memo: string): Promise<Posting[]> {
  if (amount <= 0n) return [];
  const { taken } = clawFromTranches(await openTranches(sql, nodeId), amount, n);
  for (const t of taken)
    await sql.query('UPDATE vesting_tranches SET clawed = clawed + $3 WHERE node_id = $1 AND epoch = $2', [nodeId, t.epoch, t.amount.toString()]);
  const total = taken.reduce((a, t) => a + t.amount, 0n);
  return total === 0n ? [] : [{ id: `forfeit:${n}:${nodeId}:unvested:${nodeId}`, epoch: n, from: `unvested:${nodeId}`, to: 'treasury', amount: total, memo }];
}
