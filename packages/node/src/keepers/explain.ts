import { type ComputeTotals, explainStatement, parseNodeInput, parseNodeStatement, parseParams } from '@swarm/core';
import type { Context } from '../service/context.ts';
import { notFound } from '../service/errors.ts';
import type { EpochSummary } from './epoch-close.ts';
import { readNodeInput } from './input-store.ts';

/**
 * A node's statement in closed epoch `n`, explained from inputs to tokens (core
 * `explainStatement`): the node's stored input, its stored statement, the parameters the epoch was
 * closed under and the epoch's compute totals. Reads one statement, one part of the input and the
 * epoch's row: the same cost at any network size.
 */
export async function explainNode(ctx: Context, n: number, nodeId: string) {
  const e = (
    await ctx.db.query<{ summary: string; params: string }>(
      'SELECT e.summary, p.params FROM epochs e JOIN params_versions p ON p.hash = e.params_hash WHERE e.epoch = $1',
      [n],
    )
  )[0];
  if (!e) throw notFound('UNKNOWN_EPOCH', `epoch ${n} is not closed`, 'n');
  const row = (await ctx.db.query<{ statement: string }>('SELECT statement FROM statements WHERE epoch = $1 AND node_id = $2', [n, nodeId]))[0];
  if (!row) throw notFound('UNKNOWN_STATEMENT', `no statement for ${nodeId} in epoch ${n}`, 'nodeId');
  const wire = await readNodeInput(ctx.db, n, nodeId);
  if (!wire) throw notFound('UNKNOWN_STATEMENT', `epoch ${n}'s input has no node ${nodeId}`, 'nodeId');
  const statement = JSON.parse(row.statement) as Record<string, unknown>;
  const totals = await totalsOf(ctx, n, JSON.parse(e.summary) as EpochSummary);
  const explanation = explainStatement(parseNodeInput(wire, 'node'), parseNodeStatement(statement), parseParams(JSON.parse(e.params)), totals);
  return { epoch: n, nodeId, statement, explanation };
}

/** The epoch's compute totals: from its summary, or for an epoch closed before the summary kept them, from its stored result and statements. */
async function totalsOf(ctx: Context, n: number, summary: EpochSummary): Promise<ComputeTotals> {
  if (summary.compute) {
    const c = summary.compute;
    return { computePool: BigInt(c.computePool), usagePool: BigInt(c.usagePool), feeTotal: BigInt(c.feeTotal), scoreTotal: BigInt(c.scoreTotal) };
  }
  const r = (
    await ctx.db.query<{ pool: string | null; fees: string | null; scores: string | null }>(
      `SELECT (e.result::json->'usagePool'->>'pool') AS pool, (e.result::json->'usagePool'->>'fees') AS fees,
              (SELECT (COALESCE(SUM((s.statement::json->>'score')::numeric), 0) * 1000000000000000000)::numeric(78, 0)::text FROM statements s WHERE s.epoch = e.epoch) AS scores
         FROM epochs e WHERE e.epoch = $1`,
      [n],
    )
  )[0];
  return {
    computePool: BigInt(summary.pools.compute.allocated),
    usagePool: BigInt(r?.pool ?? '0'),
    feeTotal: BigInt(r?.fees ?? '0'),
    scoreTotal: BigInt(r?.scores ?? '0'),
  };
}
