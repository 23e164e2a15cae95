import { clamp, WAD } from './amount.ts';
import { apportion } from './apportion.ts';
import { type Params, ROLES, type Role } from './params.ts';

/**
 * The staker weight's adjustment (SPEC §4.3): "multiplied by `clamp(targetStakeRatio / stakeRatio,
 * 0.5, 2)` (target 50 % of supply staked) before normalising, so staking pays more when too little
 * is staked". Nothing staked: the maximum.
 *
 * @example computeStakerWeightAdjust(1000n, 250n, params.roles) // 2 WAD
 */
export function computeStakerWeightAdjust(total: bigint, staked: bigint, r: Params['roles']): bigint {
  return staked === 0n ? r.stakerAdjustMax : clamp((r.targetStakeRatio * total) / staked, r.stakerAdjustMin, r.stakerAdjustMax);
}

/**
 * The role split (SPEC §4.3, the Peerz rule): "`R_role = P_n · w_role / Σ w` (largest remainder
 * across roles)", the staker weight adjusted first. Every weight 0: nothing is split (the caller
 * sends the pool to the treasury).
 *
 * @example splitRoles(100n, WAD, params.roles).compute // 60n
 */
export function splitRoles(epochPool: bigint, stakerWeightAdjust: bigint, r: Params['roles']): Record<Role, bigint> {
  const weights = ROLES.map((role) => (role === 'stakers' ? (r.weights[role] * stakerWeightAdjust) / WAD : r.weights[role]));
  const shares = apportion(epochPool, weights) ?? ROLES.map(() => 0n);
  return Object.fromEntries(ROLES.map((role, i) => [role, shares[i] as bigint])) as Record<Role, bigint>;
}
