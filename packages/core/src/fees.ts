import { WAD } from './amount.ts';
import type { Params } from './params.ts';

/**
 * Consumer payments (SPEC §3.3, §5): the protocol fee taken from a price, split between burn and
 * treasury, less the discount a consumer's user stake earns. The discount applies to the protocol
 * fee — the provider always receives the price less the full fee rate, so a consumer's stake
 * never costs the provider anything.
 */

/** The discount (WAD) of the highest tier `staked` reaches; 0 below the first. */
export function computeUserDiscount(staked: bigint, params: Params): bigint {
  let d = 0n;
  for (const t of params.staking.userDiscounts) if (staked >= t.minStake) d = t.discount;
  return d;
}

export type FeeSplit = { provider: bigint; burned: bigint; treasury: bigint; paid: bigint; discount: bigint };

/**
 * What one consumer's payments to one provider become: `provider = price − floor(price·fee)`,
 * the fee less `floor(fee·discount)`, of which `floor(·burnShare)` is burned and the rest goes to
 * the treasury. `paid = provider + burned + treasury = price − discount`, exactly.
 *
 * @example computeFeeSplit(100n, defaultParams(), 0n) // { provider: 90n, burned: 5n, treasury: 5n, paid: 100n, discount: 0n }
 */
export function computeFeeSplit(price: bigint, params: Params, discountRate: bigint): FeeSplit {
  const fee = (price * params.fees.protocolFee) / WAD;
  const discount = (fee * discountRate) / WAD;
  const charged = fee - discount;
  const burned = (charged * params.fees.burnShare) / WAD;
  return { provider: price - fee, burned, treasury: charged - burned, paid: price - discount, discount };
}

/**
 * Whether a receipt counts towards rewards (SPEC §3.3): "Receipts priced below the minimum billable
 * rate (default $0.10 per GPU-hour, converted at the reference token price) do not count". Exact:
 * `price × tokenPrice × 3600 ≥ minRate × gpuSeconds × WAD`.
 *
 * @example isBillable(defaultParams(), 1_000_000_000_000_000_000n, 3600) // true: 1 token ($0.10) for a GPU-hour
 */
export function isBillable(params: Params, price: bigint, gpuSeconds: number): boolean {
  return price * params.bond.referenceTokenPriceUsd * 3600n >= params.fees.minBillableUsdPerGpuHour * BigInt(gpuSeconds) * WAD;
}
