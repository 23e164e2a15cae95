import { WAD } from './amount.ts';
import { apportion } from './apportion.ts';
import { lockMultiplier } from './commitment.ts';
import type { AttestationInput, StakeInput, ValidatorInput } from './epoch-input.ts';
import { ATTESTED_ROLES, type AttestedRole, type Params, type Role } from './params.ts';
import type { ReasonCode } from './reasons.ts';

/**
 * The pools besides compute (SPEC §4.5): validators, stakers, referrals, and the attested pools.
 * Each split is pure and exact; a pool nobody can share returns `null` shares (the caller sends it
 * to the treasury).
 */

const NONE: readonly ReasonCode[] = Object.freeze([]);

export type ValidatorStatement = { id: string; payout: string; agreedAudits: number; reward: bigint; reasons: readonly ReasonCode[] };

/**
 * Validators (SPEC §4.5): pro rata to the audits whose verdict agreed with the confirmed outcome.
 * `validators` in ascending id order.
 *
 * @example computeValidatorRewards(100n, [{ id: 'v1', payout, agreedAudits: 3 }, { id: 'v2', payout, agreedAudits: 1 }]) // rewards 75n, 25n
 */
export function computeValidatorRewards(pool: bigint, validators: readonly ValidatorInput[]): { statements: ValidatorStatement[]; paid: boolean } {
  const shares = apportion(
    pool,
    validators.map((v) => BigInt(v.agreedAudits)),
  );
  const statements = validators.map((v, i) => ({
    id: v.id,
    payout: v.payout,
    agreedAudits: v.agreedAudits,
    reward: shares ? (shares[i] as bigint) : 0n,
    reasons: v.agreedAudits === 0 ? (['NO_AGREED_AUDITS'] as const) : NONE,
  }));
  return { statements, paid: shares !== null };
}

/** A user or operator stake in the staker pool (providers' bonds are on their node statements). */
export type StakeStatement = { id: string; payout: string; kind: 'user' | 'operator'; amount: bigint; lockMultiplier: bigint; weight: bigint; reward: bigint };

/**
 * A stake's weight in the staker pool (SPEC §4.5): "pro rata to `amount × lock multiplier` (the `L`
 * table)".
 */
export function stakeStatement(s: StakeInput, tiers: Params['compute']['commitment']): StakeStatement {
  const lm = lockMultiplier(tiers, s.lockDays);
  return { id: s.id, payout: s.payout, kind: s.kind, amount: s.amount, lockMultiplier: lm, weight: (s.amount * lm) / WAD, reward: 0n };
}

/**
 * A provider bond's weight in the staker pool (SPEC §4.5): "a provider's bond also counts times its
 * `Q_i`" besides `L`; nothing while its node is not eligible.
 *
 * @example bondWeight(1000n * WAD, parseWad('1.1'), parseWad('0.9'), true) // 990 WAD
 */
export function bondWeight(bond: bigint, commitment: bigint, quality: bigint, eligible: boolean): bigint {
  return eligible && bond > 0n ? (bond * commitment * quality) / (WAD * WAD) : 0n;
}

/** A participant of the staker pool: a node's bond or a stake, by id. */
export type StakerWeight = { id: string; weight: bigint };

/**
 * The staker pool split (SPEC §4.5, §4.1): bonds and stakes together, the leftover units by the
 * largest remainders with "ties broken by ascending participant id" — across bonds and stakes
 * (a bond and a stake of one id: the bond first). Bonds are given as their nodes' ids and weights,
 * stakes as statements, each in ascending id order; returns each one's shares, or null when no
 * weight is positive.
 *
 * @example splitStakerPool(3n, { ids: ['b'], weights: [1n] }, [{ id: 'a', weight: 1n }]) // { bonds: [1n], stakes: [2n] }
 */
export function splitStakerPool(
  pool: bigint,
  bonds: { ids: readonly string[]; weights: readonly bigint[] },
  stakes: readonly StakerWeight[],
): { bonds: bigint[]; stakes: bigint[] } | null {
  const n = bonds.ids.length;
  const order = stakerOrder(bonds.ids, stakes);
  const weightOf = (k: number) => (k >= 0 ? (bonds.weights[k] as bigint) : (stakes[-k - 1] as StakerWeight).weight);
  const shares = apportion(pool, Array.from(order, weightOf));
  if (shares === null) return null;
  const out = { bonds: new Array<bigint>(n), stakes: new Array<bigint>(stakes.length) };
  order.forEach((k, j) => {
    if (k >= 0) out.bonds[k] = shares[j] as bigint;
    else out.stakes[-k - 1] = shares[j] as bigint;
  });
  return out;
}

/**
 * The staker pool's participants in its order (SPEC §4.1: ascending id, a bond before a stake of
 * the same id): the merge of the two id-ordered lists, k ≥ 0 for bond k and k < 0 for
 * `stakes[−k − 1]`.
 */
export function stakerOrder(bondIds: readonly string[], stakes: readonly { id: string }[]): Int32Array {
  const n = bondIds.length;
  const order = new Int32Array(n + stakes.length);
  let b = 0;
  let s = 0;
  for (let k = 0; k < order.length; k++) {
    const takeBond = s === stakes.length || (b < n && (bondIds[b] as string) <= (stakes[s] as { id: string }).id);
    order[k] = takeBond ? b++ : -1 - s++;
  }
  return order;
}

export type ReferralStatement = { referrer: string; nodeId: string; paid: bigint };

/**
 * A referral (SPEC §4.5): "a node registered with a referrer's payout address earns that referrer
 * 5 % of the node's compute reward during the node's first 90 days, **taken out of that node's own
 * reward** (so referring oneself from a second address gains nothing)". Floored; the node keeps
 * `reward − paid`.
 *
 * @example computeReferral(1000n, params.referral) // 50n
 */
export function computeReferral(reward: bigint, r: Params['referral']): bigint {
  return (reward * r.share) / WAD;
}

export type AttestedStatement = { role: AttestedRole; payout: string; points: bigint; reward: bigint };
export type IgnoredAttestation = { role: AttestedRole; attestor: string; reason: ReasonCode };

/**
 * The attested pools (SPEC §4.5): "model, developer, community, liquidity: pro rata to attested
 * points", from attestors governance approved for the role (others ignored,
 * `ATTESTOR_NOT_APPROVED`). Payouts in address order; `unpaid` lists the roles whose pool had nobody.
 *
 * @example computeAttestedRewards({ model: 100n, … }, attestations, params.attestors)
 */
export function computeAttestedRewards(
  pools: Record<AttestedRole, bigint>,
  attestations: readonly AttestationInput[],
  attestors: Params['attestors'],
): { statements: AttestedStatement[]; ignored: IgnoredAttestation[]; unpaid: AttestedRole[] } {
  const ignored: IgnoredAttestation[] = [];
  const points: Record<AttestedRole, Map<string, bigint>> = { model: new Map(), developer: new Map(), community: new Map(), liquidity: new Map() };
  for (const a of attestations) {
    if (!attestors[a.role].includes(a.attestor)) {
      ignored.push({ role: a.role, attestor: a.attestor, reason: 'ATTESTOR_NOT_APPROVED' });
      continue;
    }
    const m = points[a.role];
    for (const e of a.entries) m.set(e.payout, (m.get(e.payout) ?? 0n) + BigInt(e.points));
  }
  ignored.sort((x, y) => cmp(x.role, y.role) || cmp(x.attestor, y.attestor));
  const statements: AttestedStatement[] = [];
  const unpaid: AttestedRole[] = [];
  for (const role of ATTESTED_ROLES) {
    const entries = [...points[role]].sort((x, y) => cmp(x[0], y[0]));
    const shares = apportion(
      pools[role],
      entries.map((e) => e[1]),
    );
    entries.forEach(([payout, pts], i) => {
      statements.push({ role, payout, points: pts, reward: shares ? (shares[i] as bigint) : 0n });
    });
    if (shares === null && pools[role] > 0n) unpaid.push(role);
  }
  return { statements, ignored, unpaid };
}

export type PoolTotals = { allocated: bigint; paid: bigint; toTreasury: bigint };

/** Each role's pool as allocated, nothing paid yet. */
export function poolTotals(rolePool: Record<Role, bigint>): Record<Role, PoolTotals> {
  return Object.fromEntries(Object.entries(rolePool).map(([r, x]) => [r, { allocated: x, paid: 0n, toTreasury: 0n }])) as Record<Role, PoolTotals>;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
