import { type EpochInput, parseEpochInput, parseParams, serializeNodeStatement, whatIf } from '@swarm/core';
import type { Context } from '../service/context.ts';
import { notFound } from '../service/errors.ts';
import { readInputJson } from './input-store.ts';

// each service's last what-if'd epoch, parsed, stays in memory: a what-if recomputes the whole epoch
const caches = new WeakMap<Context, { epoch: number; input: EpochInput; params: ReturnType<typeof parseParams> }>();

/** A closed epoch recomputed from its stored input with one node's inputs changed (SPEC §4.6). */
export async function whatIfEpoch(ctx: Context, n: number, nodeId: string, set: Record<string, string>) {
  let cached = caches.get(ctx);
  if (cached?.epoch !== n) {
    const row = (
      await ctx.db.query<{ params: string }>('SELECT p.params FROM epochs e JOIN params_versions p ON p.hash = e.params_hash WHERE e.epoch = $1', [n])
    )[0];
    if (!row) throw notFound('UNKNOWN_EPOCH', `epoch ${n} is not closed`, 'n');
    const params = parseParams(JSON.parse(row.params));
    cached = { epoch: n, input: parseEpochInput(await readInputJson(ctx.db, n), params), params };
    caches.set(ctx, cached);
  }
  const { before, after } = whatIf(cached.input, cached.params, nodeId, set);
  return { epoch: n, nodeId, set, before: serializeNodeStatement(before), after: serializeNodeStatement(after) };
}
