import { parseEpochInput, parseParams, prepareWhatIf, serializeNodeStatement, type WhatIfBasis, whatIfPrepared } from '@swarm/core';
import type { Context } from '../service/context.ts';
import { notFound } from '../service/errors.ts';
import { readInputJson } from './input-store.ts';

// each service's last what-if'd epoch, computed once, stays in memory: the first what-if of an
// epoch reads and computes it; the next ones take the node's statement against it (core `whatIfPrepared`)
const caches = new WeakMap<Context, { epoch: number; basis: WhatIfBasis }>();

/** A closed epoch with one node's inputs changed: the node's statement before and after (SPEC §4.6). */
export async function whatIfEpoch(ctx: Context, n: number, nodeId: string, set: Record<string, string>) {
  let cached = caches.get(ctx);
  if (cached?.epoch !== n) {
    const row = (
      await ctx.db.query<{ params: string }>('SELECT p.params FROM epochs e JOIN params_versions p ON p.hash = e.params_hash WHERE e.epoch = $1', [n])
    )[0];
    if (!row) throw notFound('UNKNOWN_EPOCH', `epoch ${n} is not closed`, 'n');
    const params = parseParams(JSON.parse(row.params));
    caches.delete(ctx); // the previous epoch's basis is not kept while this one is built
    cached = { epoch: n, basis: prepareWhatIf(parseEpochInput(await readInputJson(ctx.db, n), params), params) };
    caches.set(ctx, cached);
  }
  const { before, after, method } = whatIfPrepared(cached.basis, nodeId, set);
  return { epoch: n, nodeId, set, method, before: serializeNodeStatement(before), after: serializeNodeStatement(after) };
}
