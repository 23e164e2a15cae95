import { WAD } from './amount.ts';
import { apportion } from './apportion.ts';
import { computeEmission, type Emission } from './emission.ts';
import { checkEpochInput, type EpochInput, type NodeInput } from './epoch-input.ts';
import { InvariantError } from './errors.ts';
import { bondUnit } from './hardware.ts';
import { computeNetworkTotals } from './network.ts';
import { ATTESTED_ROLES, type Params, paramsHash, type Role } from './params.ts';
import { computePayouts, type Payout } from './payouts.ts';
import {
  type AttestedStatement,
  cmp,
  computeAttestedRewards,
  computeReferrals,
  computeValidatorRewards,
  type IgnoredAttestation,
  type PoolTotals,
  poolTotals,
  type ReferralStatement,
  type StakeStatement,
  splitStakerPool,
  stakeStatement,
  type ValidatorStatement,
} from './pools.ts';
import type { ReasonCode } from './reasons.ts';
import { computeStakerWeightAdjust, splitRoles } from './roles.ts';
import { type EpochContext, evaluateNode, type NodeStatement } from './statement.ts';
import { DAY_SECONDS } from './violations.ts';

export type EpochResult = {
  version: 1;
  epoch: number;
  paramsHash: string;
  emission: Emission;
  stakeRatio: bigint;
  stakerWeightAdjust: bigint;
  pools: Record<Role, PoolTotals>;
  treasury: bigint;
  /** Node ids in ascending order; `nodeRewards[i]` is the compute reward of `nodeIds[i]`. */
  nodeIds: string[];
  /** The payout address of `nodeIds[i]`. */
  nodeOwner: (index: number) => string;
  nodeRewards: bigint[];
  /** `bondRewards[i]`: the staker-pool reward of `nodeIds[i]`'s bond. */
  bondRewards: bigint[];
  /** The full statement of the i-th node (recomputed exactly on demand: a million statements need not sit in memory). */
  statement: (index: number) => NodeStatement;
  /** Every node's statement, in id order. */
  statements: () => NodeStatement[];
  validators: ValidatorStatement[];
  stakes: StakeStatement[];
  attested: AttestedStatement[];
  referrals: ReferralStatement[];
  ignoredAttestations: IgnoredAttestation[];
  /** Every payout address's total for the epoch, in order of first appearance (nodes by id, validators, stakes, attested, referrers). */
  payouts: Payout[];
  reasonCounts: Record<string, number>;
};

export type ProcessEpochOptions = {
  /** Skip the semantic input checks: only for input that `parseEpochInput` has just checked. */
  checked?: boolean;
};

/**
 * Computes one epoch's rewards, SPEC §4 top to bottom: emission (§4.2) → role split (§4.3) → every
 * node's statement — eligibility, contribution, quality, valuation, commitment, bonuses, score and
 * cap — and the compute pool (§4.4) → referrals, the attested, validator and staker pools (§4.5)
 * → payouts. Pure and deterministic: the result depends only on the input and the parameters —
 * not on the order participants are listed in — and every pool is paid out to the last base unit.
 *
 * @example const result = processEpoch(parseEpochInput(json, params), params)
 */
export function processEpoch(input: EpochInput, params: Params, options: ProcessEpochOptions = {}): EpochResult {
  if (options.checked !== true) checkEpochInput(input, params);
  const nodes = sortedById(input.nodes);
  const totals = computeNetworkTotals(nodes, input.slotSeconds, params);
  const emission = computeEmission(input, totals.utilisation, params.emission);
  const { total, staked } = input.supply;
  const stakerWeightAdjust = computeStakerWeightAdjust(total, staked, params.roles);
  const rolePool = splitRoles(emission.epochPool, stakerWeightAdjust, params.roles);
  const books: Books = { pools: poolTotals(rolePool), treasury: emission.epochPool - sum(Object.values(rolePool)), reasons: emission.reasons };
  const ctx: EpochContext = { params, bondUnit: bondUnit(params), slotSeconds: input.slotSeconds, epochStart: input.epochStart, totals };
  const compute = computeComputePool(ctx, nodes, books);
  const referrals = computeReferrals(rolePool.community, referredNodes(nodes, compute.nodeRewards, input.epochStart, params), params.referral);
  books.reasons.push(...referrals.reasons);
  const attested = computeAttestedRewards({ ...rolePool, community: referrals.communityLeft }, input.attestations, params.attestors);
  for (const role of ATTESTED_ROLES) {
    const left = role === 'community' ? referrals.communityLeft : rolePool[role];
    settle(books, role, !attested.unpaid.includes(role), left);
  }
  const validators = computeValidatorRewards(rolePool.validators, sortedById(input.validators));
  settle(books, 'validators', validators.paid);
  const stakes = sortedById(input.stakes).map((s) => stakeStatement(s, params.compute.commitment));
  const nodeIds = nodes.map((n) => n.id);
  const stakerShares = splitStakerPool(rolePool.stakers, { ids: nodeIds, weights: compute.bondWeights }, stakes);
  stakes.forEach((s, k) => {
    s.reward = stakerShares?.stakes[k] ?? 0n;
  });
  settle(books, 'stakers', stakerShares !== null);
  const bondRewards = stakerShares?.bonds ?? zeros(nodes.length);
  const payouts = computePayouts({
    ...totals,
    nodeRewards: compute.nodeRewards,
    bondRewards,
    validators: validators.statements,
    stakes,
    attested: attested.statements,
    referrals: referrals.statements,
  });
  const paidOut = sum(payouts.map((p) => p.amount));
  if (paidOut + books.treasury !== emission.epochPool) {
    throw new InvariantError('epoch pool not conserved', `paid ${paidOut} + treasury ${books.treasury} ≠ pool ${emission.epochPool}`);
  }
  const reasonCounts = compute.reasonCounts;
  for (const codes of [...validators.statements.map((x) => x.reasons), ...attested.ignored.map((a) => [a.reason]), books.reasons])
    countReasons(reasonCounts, codes);
  const statement = (i: number): NodeStatement => ({
    ...compute.statementOf(i),
    reward: compute.nodeRewards[i] as bigint,
    bondReward: bondRewards[i] as bigint,
  });
  return {
    version: 1,
    epoch: input.epoch,
    paramsHash: paramsHash(params),
    emission,
    stakeRatio: total === 0n ? 0n : (staked * WAD) / total,
    stakerWeightAdjust,
    pools: books.pools,
    treasury: books.treasury,
    nodeIds,
    nodeOwner: (i) => (nodes[i] as NodeInput).owner,
    nodeRewards: compute.nodeRewards,
    bondRewards,
    statement,
    statements: () => nodes.map((_, i) => statement(i)),
    validators: validators.statements,
    stakes,
    attested: attested.statements,
    referrals: referrals.statements,
    ignoredAttestations: attested.ignored,
    payouts,
    reasonCounts: Object.fromEntries(Object.entries(reasonCounts).sort((x, y) => cmp(x[0], y[0]))),
  };
}

/** The pools as they are settled, the treasury, and the epoch-level reasons. */
type Books = { pools: Record<Role, PoolTotals>; treasury: bigint; reasons: ReasonCode[] };

/**
 * A role's pool paid out, or — nobody could share it — sent to the treasury (SPEC §4.1: "a pool
 * with no eligible participant goes to the treasury"). `amount`: what was left of it to split
 * (the community pool less the referrals).
 */
function settle(books: Books, role: Role, paid: boolean, amount = books.pools[role].allocated): void {
  const pool = books.pools[role];
  if (!paid && amount > 0n) {
    pool.toTreasury = amount;
    books.treasury += amount;
    if (!books.reasons.includes('POOL_EMPTY_TO_TREASURY')) books.reasons.push('POOL_EMPTY_TO_TREASURY');
  }
  pool.paid = pool.allocated - pool.toTreasury;
}

/**
 * The compute pool (SPEC §4.4): every node's statement, in id order, and the pool split by the
 * scores by the largest remainder. A statement is not kept: `statementOf` recomputes one exactly
 * on demand, so a million need not sit in memory.
 */
function computeComputePool(ctx: EpochContext, nodes: readonly NodeInput[], books: Books) {
  const statementOf = (i: number) => evaluateNode(ctx, nodes[i] as NodeInput, i);
  const reasonCounts: Record<string, number> = {};
  const scores = new Array<bigint>(nodes.length);
  const bondWeights = new Array<bigint>(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const s = statementOf(i);
    scores[i] = s.score;
    bondWeights[i] = s.bondWeight;
    countReasons(reasonCounts, s.reasons);
  }
  const shares = apportion(books.pools.compute.allocated, scores);
  settle(books, 'compute', shares !== null);
  return { statementOf, nodeRewards: shares ?? zeros(nodes.length), bondWeights, reasonCounts };
}

/** Nodes whose referrer is due a share (SPEC §4.5): registered with a referrer less than `referral.days` ago, and paid this epoch. */
function referredNodes(nodes: readonly NodeInput[], rewards: readonly bigint[], epochStart: number, params: Params) {
  const end = params.referral.days * DAY_SECONDS;
  const out: { referrer: string; nodeId: string; reward: bigint }[] = [];
  nodes.forEach((n, i) => {
    const reward = rewards[i] as bigint;
    if (n.referrer !== null && epochStart - n.registeredAt < end && reward > 0n) out.push({ referrer: n.referrer, nodeId: n.id, reward });
  });
  return out;
}

function countReasons(counts: Record<string, number>, codes: readonly ReasonCode[]): void {
  for (const c of codes) counts[c] = (counts[c] ?? 0) + 1;
}

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
const zeros = (n: number) => new Array<bigint>(n).fill(0n);

/** Returns the items in ascending id order, sorting a copy only when they are not already. */
function sortedById<T extends { id: string }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if ((items[i - 1] as T).id >= (items[i] as T).id) return [...items].sort((x, y) => cmp(x.id, y.id));
  }
  return items;
}
