import { post } from '../ledger/ledger.ts';
import { type Context, nextEpoch, paramsAt } from '../service/context.ts';
import { badRequest, conflict } from '../service/errors.ts';
import type { Sql } from '../store/db.ts';
import { spendFromWallet } from './wallet.ts';

/**
 * The one code path stake takes into the service (SPEC §5): an owner-signed API call in embedded
 * mode (`acceptStake`, `acceptUnbond`, ingest.ts) and StakingVault's events in production
 * (chain/stake-follower.ts) both open stakes and start unbondings here, in the caller's transaction.
 */

export type NewStake = {
  stakeId: string;
  kind: 'bond' | 'user' | 'operator';
  ownerKey: string;
  nodeId: string | null;
  payout: string;
  amount: bigint;
  lockDays: number;
  /** The epoch of the message or the block: the stake counts from the next one. */
  epoch: number;
  /** The ledger account the tokens come from: the owner's wallet (`null`), or `chain:<vault>`. */
  source: string | null;
};

/** Opens a stake: it counts from the epoch after `s.epoch` (never one already closed). Returns that epoch. */
export async function openStake(sql: Sql, s: NewStake): Promise<number> {
  const { params } = await paramsAt(sql, Math.max(0, s.epoch));
  if (s.kind === 'operator' && s.amount < params.staking.operatorMinStake) {
    throw badRequest('BELOW_OPERATOR_MINIMUM', `an operator stake is at least ${params.staking.operatorMinStake} base units`, 'body.amount');
  }
  const effectiveEpoch = Math.max(s.epoch + 1, await nextEpoch(sql));
  const r = await sql.query(
    `INSERT INTO stakes (id, kind, owner_key, node_id, payout, amount, lock_days, effective_epoch, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id`,
    [s.stakeId, s.kind, s.ownerKey, s.nodeId, s.payout, s.amount.toString(), s.lockDays, effectiveEpoch, s.source],
  );
  if (r.length === 0) throw conflict('DUPLICATE_STAKE', `stake ${s.stakeId} exists`, 'body.stakeId');
  const posting = { id: `stake:${s.stakeId}`, epoch: s.epoch, to: `stake:${s.stakeId}`, amount: s.amount, memo: `${s.kind} stake` };
  if (s.source === null) await spendFromWallet(sql, s.ownerKey, s.amount, 'body.amount', 'the stake', [{ ...posting, from: `wallet:${s.ownerKey}` }]);
  else await post(sql, [{ ...posting, from: s.source }]);
  return effectiveEpoch;
}

export type NewUnbonding = {
  id: string;
  stakeId: string;
  amount: bigint;
  /** The epoch of the message or the block: the amount leaves the stake from the next one. */
  epoch: number;
  /** Unix seconds of the message or the block (whether a committed period or a lock was left early). */
  timestamp: number;
  /** When it is released (back to where the stake came from); unset: after the unbonding period of the parameters. */
  releaseEpoch?: number;
};

/**
 * Starts unbonding part of a stake (the caller checked it holds `amount`): out of the stake from
 * the next epoch, slashable until released. Returns `{ effectiveEpoch, releaseEpoch }`.
 */
export async function startUnbonding(ctx: Context, sql: Sql, u: NewUnbonding): Promise<{ effectiveEpoch: number; releaseEpoch: number }> {
  const { params } = await paramsAt(sql, Math.max(0, u.epoch));
  const effectiveEpoch = Math.max(u.epoch + 1, await nextEpoch(sql));
  const releaseEpoch = Math.max(
    effectiveEpoch,
    u.releaseEpoch ?? effectiveEpoch + Math.ceil((params.staking.unbondingDays * ctx.settings.daySeconds) / ctx.settings.epochSeconds),
  );
  await sql.query('INSERT INTO unbondings (id, stake_id, amount, effective_epoch, release_epoch) VALUES ($1, $2, $3, $4, $5)', [
    u.id,
    u.stakeId,
    u.amount.toString(),
    effectiveEpoch,
    releaseEpoch,
  ]);
  await post(sql, [{ id: `unbond:${u.id}`, epoch: u.epoch, from: `stake:${u.stakeId}`, to: `unbonding:${u.id}`, amount: u.amount, memo: 'unbond' }]);
  // leaving a committed period early forfeits the commitment multiplier from the unbonding on (SPEC §4.4)
  await sql.query(
    `UPDATE nodes n SET commitment_forfeited_epoch = $3 FROM stakes s
      WHERE s.id = $1 AND s.kind = 'bond' AND n.id = s.node_id AND n.commitment_days > 0
        AND n.registered_at + n.commitment_days * $2::bigint > $4 AND n.commitment_forfeited_epoch IS NULL`,
    [u.stakeId, ctx.settings.daySeconds, effectiveEpoch, u.timestamp],
  );
  // so does leaving a user or operator stake's declared lock early (SPEC §4.4): counted from the epoch the stake took effect
  await sql.query(
    `UPDATE stakes SET lock_forfeited_epoch = $3
      WHERE id = $1 AND kind <> 'bond' AND lock_days > 0 AND lock_forfeited_epoch IS NULL
        AND $5::bigint + effective_epoch * $6::bigint + lock_days * $2::bigint > $4`,
    [u.stakeId, ctx.settings.daySeconds, effectiveEpoch, u.timestamp, ctx.settings.genesis, ctx.settings.epochSeconds],
  );
  return { effectiveEpoch, releaseEpoch };
}
