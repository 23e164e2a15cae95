import { WAD } from './amount.ts';
import type { NodeInput } from './epoch-input.ts';
import type { Params } from './params.ts';
import type { ViolationKind } from './violations.ts';

/**
 * Vesting and forfeiture (SPEC §6.1, Filecoin's locked rewards): "`vestingShare` (default 50 %) of
 * each compute reward vests linearly over `vestingEpochs` (default 30) before it becomes claimable;
 * a failed verification or an equivocation forfeits all of the node's unvested rewards (into escrow
 * with the slash, §6.2) on top of the slash." What vests in an epoch comes from the tranches locked
 * before it, so it enters the epoch input (`NodeInput.vesting`); the claims of the Merkle tree carry
 * vested amounts only.
 */

/** The violations whose judgement forfeits a node's unvested rewards (SPEC §6.1). */
export const FORFEITING_VIOLATIONS: readonly ViolationKind[] = ['failed-verification', 'equivocation'];

/**
 * A node's compute reward locked at the close of `epoch`, vesting over `epochs` epochs (the
 * parameter when it was locked); `clawed`: what a lock left early took back from it (SPEC §4.4).
 */
export type VestingTranche = { epoch: number; amount: bigint; epochs: number; clawed?: bigint };

/**
 * How much of a tranche has vested once epoch `n` has closed: nothing at the close that locked it,
 * then `floor(amount × k / epochs)` after k more closes, all of it after `epochs` — never more
 * than what a clawback left of it (a clawback takes the tokens that would have vested last).
 *
 * @example vestedAfter({ epoch: 10, amount: 300n, epochs: 30 }, 11) // 10n
 * @example vestedAfter({ epoch: 10, amount: 300n, epochs: 30, clawed: 295n }, 11) // 5n
 */
export function vestedAfter(t: VestingTranche, n: number): bigint {
  const k = Math.min(Math.max(n - t.epoch, 0), t.epochs);
  const scheduled = (t.amount * BigInt(k)) / BigInt(t.epochs);
  const left = t.amount - (t.clawed ?? 0n);
  return scheduled < left ? scheduled : left;
}

/** What of a tranche is still unvested once epoch `n` has closed. */
export function unvestedAfter(t: VestingTranche, n: number): bigint {
  return t.amount - (t.clawed ?? 0n) - vestedAfter(t, n);
}

/**
 * Takes up to `amount` from a node's unvested rewards once epoch `n` has closed, newest tranche
 * first (the tokens that would vest last): SPEC §4.4's clawback of a lock's extra where the bond
 * did not hold it. Returns the tranches with their `clawed` raised, and what was taken from each.
 *
 * @example clawFromTranches([{ epoch: 1, amount: 100n, epochs: 10 }, { epoch: 2, amount: 50n, epochs: 10 }], 60n, 2).taken // [{ epoch: 2, amount: 50n }, { epoch: 1, amount: 10n }]
 */
export function clawFromTranches(
  tranches: readonly VestingTranche[],
  amount: bigint,
  n: number,
): { tranches: VestingTranche[]; taken: { epoch: number; amount: bigint }[] } {
  let left = amount;
  const taken: { epoch: number; amount: bigint }[] = [];
  const out = [...tranches].sort((a, b) => b.epoch - a.epoch);
  for (const [i, t] of out.entries()) {
    if (left === 0n) break;
    const rest = unvestedAfter(t, n);
    const take = rest < left ? rest : left;
    if (take <= 0n) continue;
    out[i] = { ...t, clawed: (t.clawed ?? 0n) + take };
    taken.push({ epoch: t.epoch, amount: take });
    left -= take;
  }
  return { tranches: out.sort((a, b) => a.epoch - b.epoch), taken };
}

/**
 * A node's vesting state as epoch `n` begins, for its input: what is still unvested from its
 * tranches, and what of that vests at n's close. `undefined` when nothing is unvested.
 *
 * @example vestingState([{ epoch: 10, amount: 300n, epochs: 30 }], 11) // { unvested: 300n, due: 10n, forfeit: false }
 */
export function vestingState(tranches: readonly VestingTranche[], n: number): NodeInput['vesting'] {
  let unvested = 0n;
  let due = 0n;
  for (const t of tranches) {
    const before = vestedAfter(t, n - 1);
    unvested += t.amount - (t.clawed ?? 0n) - before;
    due += vestedAfter(t, n) - before;
  }
  return unvested === 0n ? undefined : { unvested, due, forfeit: false };
}

/** What vesting did to a node's compute reward in an epoch. */
export type NodeVesting = {
  /** Locked now: `floor(reward × vestingShare)`, claimable as it vests. */
  locked: bigint;
  /** Vested now from earlier epochs' locks: claimable from this epoch. */
  vested: bigint;
  /** Forfeited now (a failed verification or an equivocation): everything unvested, this epoch's lock included. */
  forfeited: bigint;
  /** Still unvested after this epoch. */
  unvested: bigint;
};

/**
 * @example computeNodeVesting(100n, { unvested: 300n, due: 10n, forfeit: false }, params.vesting) // { locked: 50n, vested: 10n, forfeited: 0n, unvested: 340n }
 */
export function computeNodeVesting(reward: bigint, state: NodeInput['vesting'], v: Params['vesting']): NodeVesting {
  const locked = (reward * v.share) / WAD;
  const unvested = state?.unvested ?? 0n;
  if (state?.forfeit) return { locked, vested: 0n, forfeited: unvested + locked, unvested: 0n };
  const vested = state?.due ?? 0n;
  return { locked, vested, forfeited: 0n, unvested: unvested - vested + locked };
}
