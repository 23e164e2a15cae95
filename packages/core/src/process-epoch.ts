import { WAD } from './amount.ts';
import { apportion } from './apportion.ts';
import { computeEmission, type Emission } from './emission.ts';
import { checkEpochInput, type EpochInput, type NodeInput, type OwnerClassUsage } from './epoch-input.ts';
import { InvariantError } from './errors.ts';
import { bondUnit } from './hardware.ts';
import { computeNetworkTotals, type NetworkTotals } from './network.ts';
import { ATTESTED_ROLES, type Params, paramsHash, type Role } from './params.ts';
import { computePayouts, type Payout } from './payouts.ts';
import {
  type AttestedStatement,
  cmp,
  computeAttestedRewards,
  computeReferral,
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
import { computeUsagePool, type UsagePool } from './usage.ts';
import { computeNodeVesting, type NodeVesting } from './vesting.ts';
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
  /** The compute pool's usage part (SPEC §4.4). */
  usagePool: UsagePool;
  /** This epoch's usage per owner and hardware class, for the scarcity window of the epochs after it. */
  ownerClassUsage: OwnerClassUsage[];
  ignoredAttestations: IgnoredAttestation[];
  /** Every payout address's total for the epoch, in order of first appearance (nodes by id, validators, stakes, attested, referrers). */
  payouts: Payout[];
  /**
   * What each address may claim from this epoch (SPEC §6.1): its payout less the compute rewards
   * locked to vest, plus what vested from earlier locks — the amounts the Merkle claims add up.
   */
  claims: Payout[];
  /** Vesting over the epoch's compute rewards: totals, and per node in id order (`NodeVesting`). */
  vesting: { locked: bigint; vested: bigint; forfeited: bigint; nodes: NodeVesting[] };
  reasonCounts: Record<string, number>;
  /** What the pools were split by, kept for a what-if (`prepareWhatIf`): the nodes in id order, the first pass's totals, and per node its score, eligible fee and bond weight. */
  computed: { nodes: readonly NodeInput[]; context: EpochContext & { totals: NetworkTotals }; scores: bigint[]; fees: bigint[]; bondWeights: bigint[] };
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
  const totals = computeNetworkTotals(nodes, input.slotSeconds, params, input.scarcityHistory);
  const { emission, stakerWeightAdjust, rolePool } = computeRolePools(input, totals.utilisation, params);
  const { total, staked } = input.supply;
  const books: Books = { pools: poolTotals(rolePool), treasury: emission.epochPool - sum(Object.values(rolePool)), reasons: emission.reasons };
  const ctx = { params, bondUnit: bondUnit(params), slotSeconds: input.slotSeconds, epochStart: input.epochStart, totals };
  const compute = computeComputePool(ctx, nodes, books, emission.dynamicFactor);
  const attested = computeAttestedRewards(rolePool, input.attestations, params.attestors);
  for (const role of ATTESTED_ROLES) settle(books, role, !attested.unpaid.includes(role));
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
    referrals: compute.referrals,
  });
  // vesting (SPEC §6.1): what of each compute reward is claimable now, and what vests from before
  const vesting = nodes.map((n, i) => computeNodeVesting(compute.nodeRewards[i] as bigint, n.vesting, params.vesting));
  const claims = computePayouts({
    ...totals,
    nodeRewards: vesting.map((v, i) => (compute.nodeRewards[i] as bigint) - v.locked + v.vested),
    bondRewards,
    validators: validators.statements,
    stakes,
    attested: attested.statements,
    referrals: compute.referrals,
  });
  const paidOut = sum(payouts.map((p) => p.amount));
  if (paidOut + books.treasury !== emission.epochPool) {
    throw new InvariantError('epoch pool not conserved', `paid ${paidOut} + treasury ${books.treasury} ≠ pool ${emission.epochPool}`);
  }
  const reasonCounts = compute.reasonCounts;
  for (const codes of [...validators.statements.map((x) => x.reasons), ...attested.ignored.map((a) => [a.reason]), books.reasons])
    countReasons(reasonCounts, codes);
  const statement = (i: number): NodeStatement =>
    completeStatement(compute.statementOf(i), {
      capacityReward: compute.capacity[i] as bigint,
      usageReward: compute.usage[i] as bigint,
      reward: compute.nodeRewards[i] as bigint,
      bondReward: bondRewards[i] as bigint,
      vesting: vesting[i] as NodeVesting,
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
    referrals: compute.referrals,
    usagePool: compute.usagePool,
    ownerClassUsage: totals.ownerClassUsage,
    ignoredAttestations: attested.ignored,
    payouts,
    claims,
    vesting: { locked: sumOf(vesting, 'locked'), vested: sumOf(vesting, 'vested'), forfeited: sumOf(vesting, 'forfeited'), nodes: vesting },
    reasonCounts: Object.fromEntries(Object.entries(reasonCounts).sort((x, y) => cmp(x[0], y[0]))),
    computed: { nodes, context: ctx, scores: compute.scores, fees: compute.fees, bondWeights: compute.bondWeights },
  };
}

/**
 * The epoch pool and its split between the roles (SPEC §4.2, §4.3): emission from the network's
 * utilisation, the stakers' weight adjusted by the stake ratio.
 */
export function computeRolePools(input: EpochInput, utilisation: { delivered: bigint; provisioned: bigint }, params: Params) {
  const emission = computeEmission(input, utilisation, params.emission);
  const stakerWeightAdjust = computeStakerWeightAdjust(input.supply.total, input.supply.staked, params.roles);
  return { emission, stakerWeightAdjust, rolePool: splitRoles(emission.epochPool, stakerWeightAdjust, params.roles) };
}

/** A node's statement with its shares of the pools filled in (its referral is what the shares lost to it). */
export function completeStatement(
  s: NodeStatement,
  x: { capacityReward: bigint; usageReward: bigint; reward: bigint; bondReward: bigint; vesting: NodeVesting },
): NodeStatement {
  const referral = x.capacityReward + x.usageReward - x.reward;
  const reasons = referral > 0n ? [...s.reasons, 'REFERRAL_PAID' as const] : s.reasons;
  return {
    ...s,
    reward: x.reward,
    capacityReward: x.capacityReward,
    usageReward: x.usageReward,
    referral,
    bondReward: x.bondReward,
    ...x.vesting,
    reasons: x.vesting.forfeited > 0n ? [...reasons, 'UNVESTED_FORFEITED' as const] : reasons,
  };
}

/**
 * A node's compute reward from its capacity and usage shares, less what its referrer is paid
 * (SPEC §4.5: 5 % of it, out of the node's own reward, during its first 90 days).
 */
export function payReferral(ctx: Pick<EpochContext, 'params' | 'epochStart'>, n: NodeInput, reward: bigint): { reward: bigint; paid: bigint } {
  if (n.referrer === null || reward === 0n || ctx.epochStart - n.registeredAt >= ctx.params.referral.days * DAY_SECONDS) return { reward, paid: 0n };
  const paid = computeReferral(reward, ctx.params.referral);
  return { reward: reward - paid, paid };
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
 * The compute pool (SPEC §4.4): every node's statement, in id order; the usage pool `R_usage` split
 * by the protocol fees the eligible nodes' receipts paid, the rest by the scores, each by the
 * largest remainder; then each referred node pays its referrer its share out of its own reward
 * (§4.5). A statement is not kept: `statementOf` recomputes one exactly on demand, so a million
 * need not sit in memory.
 */
function computeComputePool(ctx: EpochContext, nodes: readonly NodeInput[], books: Books, dynamicFactor: bigint) {
  const statementOf = (i: number) => evaluateNode(ctx, nodes[i] as NodeInput, i);
  const reasonCounts: Record<string, number> = {};
  const scores = new Array<bigint>(nodes.length);
  const bondWeights = new Array<bigint>(nodes.length);
  const fees = new Array<bigint>(nodes.length);
  let feeTotal = 0n;
  for (let i = 0; i < nodes.length; i++) {
    const s = statementOf(i);
    scores[i] = s.score;
    bondWeights[i] = s.bondWeight;
    fees[i] = s.eligible ? s.fee : 0n;
    feeTotal += fees[i] as bigint;
    countReasons(reasonCounts, s.reasons);
  }
  const pool = books.pools.compute.allocated;
  const usagePool = computeUsagePool(pool, dynamicFactor, feeTotal, ctx.params.compute);
  if (usagePool.feeBoundBinds) books.reasons.push('USAGE_POOL_FEE_BOUND');
  const usage = (usagePool.pool > 0n ? apportion(usagePool.pool, fees) : null) ?? zeros(nodes.length);
  const capacity = apportion(pool - usagePool.pool, scores);
  settle(books, 'compute', capacity !== null, pool - usagePool.pool);
  const capacityShares = capacity ?? zeros(nodes.length);
  const referrals: ReferralStatement[] = [];
  const nodeRewards = new Array<bigint>(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as NodeInput;
    const { reward, paid } = payReferral(ctx, n, (capacityShares[i] as bigint) + (usage[i] as bigint));
    if (paid > 0n) {
      referrals.push({ referrer: n.referrer as string, nodeId: n.id, paid });
      reasonCounts.REFERRAL_PAID = (reasonCounts.REFERRAL_PAID ?? 0) + 1;
    }
    nodeRewards[i] = reward;
  }
  return { statementOf, nodeRewards, capacity: capacityShares, usage, usagePool, referrals, scores, fees, bondWeights, reasonCounts };
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

function sumOf(xs: readonly NodeVesting[], k: keyof NodeVesting): bigint {
  let t = 0n;
  for (const x of xs) t += x[k];
  return t;
}
