import { WAD } from './amount.ts';
import type { Params } from './params.ts';

export type UsagePool = {
  /** `usageShare × D_n × R_compute`, floored once. */
  byShare: bigint;
  /** `κ × F`, floored once. */
  feeBound: bigint;
  /** `F`: the protocol fee paid on the eligible nodes' billable receipts. */
  fees: bigint;
  /** `R_usage = min(byShare, feeBound)`. */
  pool: bigint;
  /** Whether the fee bound was the smaller (`USAGE_POOL_FEE_BOUND`). */
  feeBoundBinds: boolean;
};

/**
 * The usage pool (SPEC §4.4, Helium's HIP-10 rule): "`R_usage = min(usageShare × D_n × R_compute,
 * κ × F)`, where `F` is the protocol fee paid on the epoch's billable receipts … Node `i` gets
 * `R_usage × f_i / F`". So a node's usage reward is at most κ < 1 times the fee its jobs paid: a
 * wash trade, paying the fee out of the trader's own pocket, always loses at least `(1 − κ)` of it.
 * `F` counts the nodes that can be paid (eligible ones): what an ineligible node's receipts paid
 * moves nobody's reward.
 *
 * @example computeUsagePool(600n * TOKEN, WAD, 10n * TOKEN, params.compute) // { byShare: 180 tokens, feeBound: 8 tokens, pool: 8 tokens, … }
 */
export function computeUsagePool(
  computePool: bigint,
  dynamicFactor: bigint,
  fees: bigint,
  c: Pick<Params['compute'], 'usageShare' | 'usageFeeBound'>,
): UsagePool {
  const byShare = (computePool * c.usageShare * dynamicFactor) / (WAD * WAD);
  const feeBound = (c.usageFeeBound * fees) / WAD;
  const binds = feeBound < byShare;
  return { byShare, feeBound, fees, pool: binds ? feeBound : byShare, feeBoundBinds: binds };
}
