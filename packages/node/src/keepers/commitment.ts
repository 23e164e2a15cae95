import { allocateSlash, computeForfeitedExtra, parseWad } from '@swarm/core';
import { type Posting, post } from '../ledger/ledger.ts';
import type { Sql } from '../store/db.ts';
import { addSlashed, slashableSources } from './slashing.ts';
import { clawUnvested } from './vesting.ts';

/**
 * SPEC §4.4: "leaving early forfeits the extra for the whole period". A bond unbonded before its
 * node's committed period ended earns with `L = 1` from the epoch the unbonding takes effect
 * (`nodes.commitment_forfeited_epoch`); at the close of that epoch, the extra its multiplier added
 * to every earlier reward of the period (`computeForfeitedExtra`, from the stored statements) is
 * taken back from the node's bond — its bonds, then the unbonding itself — and what they do not
 * hold from the node's unvested rewards (the tokens that would vest last), to the treasury, as far
 * as they all hold it. Returns the tokens taken.
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
    const memo = 'commitment left early: its extra forfeited';
    for (const t of allocateSlash(amount, from)) {
      postings.push({ id: `forfeit:${n}:${nodeId}:${t.account}`, epoch: n, from: t.account, to: 'treasury', amount: t.amount, memo });
      taken.set(t.account, (taken.get(t.account) ?? 0n) + t.amount);
    }
    // what the bond did not hold comes from the node's unvested rewards
    const clawed = await clawUnvested(sql, n, nodeId, extra - amount, memo);
    postings.push(...clawed);
    total += amount + clawed.reduce((a, p) => a + p.amount, 0n);
  }
  await post(sql, postings);
  await addSlashed(sql, taken);
  return total;
}

/**
 * The same for user and operator stakes (SPEC §4.4: "a stake or bond with a declared lock cannot be
 * unbonded before its end without forfeiting the multiplier's extra for the whole period"): at the
 * close of the epoch the early unbonding takes effect, the extra its lock multiplier added to every
 * staker reward since the stake took effect (from the stored results) is taken back — from its
 * unbondings, then what is still staked — to the treasury, as far as they hold it. Returns the tokens taken.
 */
export async function forfeitStakeLockExtras(sql: Sql, n: number): Promise<bigint> {
  const stakes = await sql.query<{ id: string; effective_epoch: string }>(
    'SELECT id, effective_epoch::text AS effective_epoch FROM stakes WHERE lock_forfeited_epoch = $1 ORDER BY id',
    [n],
  );
  if (stakes.length === 0) return 0n;
  const postings: Posting[] = [];
  const taken = new Map<string, bigint>();
  let total = 0n;
  for (const st of stakes) {
    const paid: { reward: bigint; commitment: bigint }[] = [];
    for (const e of await sql.query<{ result: string }>('SELECT result FROM epochs WHERE epoch >= $1 AND epoch < $2 ORDER BY epoch', [
      Number(st.effective_epoch),
      n,
    ])) {
      const x = (JSON.parse(e.result) as { stakes: { id: string; reward: string; lockMultiplier: string }[] }).stakes.find((y) => y.id === st.id);
      if (x) paid.push({ reward: BigInt(x.reward), commitment: parseWad(x.lockMultiplier, 'lockMultiplier') });
    }
    let left = computeForfeitedExtra(paid);
    const sources = await sql.query<{ account: string; held: string }>(
      `SELECT 'unbonding:' || u.id AS account, (u.amount - u.slashed)::text AS held FROM unbondings u WHERE u.stake_id = $1 AND NOT u.released
       UNION ALL SELECT 'stake:' || s.id, (s.amount - s.slashed - COALESCE((SELECT SUM(u.amount) FROM unbondings u WHERE u.stake_id = s.id), 0))::text FROM stakes s WHERE s.id = $1
       ORDER BY 1 DESC`,
      [st.id],
    );
    for (const src of sources) {
      const amount = left < BigInt(src.held) ? left : BigInt(src.held);
      if (amount <= 0n) continue;
      postings.push({
        id: `forfeit:${n}:${st.id}:${src.account}`,
        epoch: n,
        from: src.account,
        to: 'treasury',
        amount,
        memo: 'stake lock left early: its extra forfeited',
      });
      taken.set(src.account, (taken.get(src.account) ?? 0n) + amount);
      left -= amount;
      total += amount;
    }
  }
  await post(sql, postings);
  await addSlashed(sql, taken);
  return total;
}
