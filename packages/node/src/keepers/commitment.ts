import { allocateSlash, computeForfeitedExtra, parseWad } from '@swarm/core';
import { type Posting, post } from '../ledger/ledger.ts';
import type { Sql } from '../store/db.ts';
import { addSlashed, slashableSources } from './slashing.ts';

/**
 * SPEC §4.4: "leaving early forfeits the extra for the whole period". A bond unbonded before its
 * node's committed period ended earns with `L = 1` from the epoch the unbonding takes effect
 * (`nodes.commitment_forfeited_epoch`); at the close of that epoch, the extra its multiplier added
 * to every earlier reward of the period (`computeForfeitedExtra`, from the stored statements) is
 * taken back from the node's bond — its bonds, then the unbonding itself — to the treasury, as far
 * as they hold it. Returns the tokens taken.
 */
export async function forfeitCommitmentExtras(sql: Sql, n: number): Promise<bigint> {
  const rows = await sql.query<{ node_id: string; reward: string; commitment: string }>(
    // the multiplier scales the capacity reward (a statement before the usage pool has only `reward`)
    `SELECT s.node_id, COALESCE(s.statement::json->>'capacityReward', s.reward::text) AS reward, s.statement::json->>'commitment' AS commitment
       FROM statements s JOIN nodes nd ON nd.id = s.node_id
      WHERE nd.commitment_forfeited_epoch = $1 AND s.epoch < $1 AND s.reward > 0
      ORDER BY s.node_id, s.epoch`,
    [n],
  );
  const paid = new Map<string, { reward: bigint; commitment: bigint }[]>();
  for (const r of rows) paid.set(r.node_id, [...(paid.get(r.node_id) ?? []), { reward: BigInt(r.reward), commitment: parseWad(r.commitment, 'commitment') }]);
  // what the node's bond holds now: bonds in effect before n, and unbondings from n on (the one that left the lock)
  const sources = await slashableSources(sql, new Map([...paid.keys()].map((id) => [id, n - 1])));
  const postings: Posting[] = [];
  const taken = new Map<string, bigint>();
  let total = 0n;
  for (const [nodeId, list] of paid) {
    const from = sources.get(nodeId) ?? [];
    const held = from.reduce((a, s) => a + s.available, 0n);
    const extra = computeForfeitedExtra(list);
    const amount = extra < held ? extra : held;
    for (const t of allocateSlash(amount, from)) {
      postings.push({
        id: `forfeit:${n}:${nodeId}:${t.account}`,
        epoch: n,
        from: t.account,
        to: 'treasury',
        amount: t.amount,
        memo: 'commitment left early: its extra forfeited',
      });
      taken.set(t.account, (taken.get(t.account) ?? 0n) + t.amount);
    }
    total += amount;
  }
  await post(sql, postings);
  await addSlashed(sql, taken);
  return total;
}
