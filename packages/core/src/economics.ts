import { floorDiv, TOKEN, WAD } from './amount.ts';
import type { NodeStatement } from './statement.ts';

/**
 * Provider economics (SPEC §9): "usage revenue (`GPU-hours × rate`, target $0.30/GPU-h), reward
 * income (tokens × reference price), power cost (`GPU-hours × power rate`, default $0.05/GPU-h),
 * net margin (target 60 %), and annual ROI on a declared hardware cost (target 200 %)". Exact:
 * dollars and ratios are WAD fixed point (18 decimals), each product floored once; per day and per
 * year scale the epoch by its real length, not by an assumed day.
 */
export const ECONOMICS_DEFAULTS = { powerUsdPerGpuHour: (5n * WAD) / 100n, targetMargin: (60n * WAD) / 100n, targetAnnualRoi: 2n * WAD } as const;

export type EconomicsAssumptions = {
  /** Dollars per token (WAD). */
  tokenPriceUsd: bigint;
  /** What a delivered GPU-hour earns from its user (WAD dollars). */
  usageUsdPerGpuHour: bigint;
  /** What a GPU-hour up costs in power (WAD dollars). */
  powerUsdPerGpuHour: bigint;
  /** The hardware's cost (WAD dollars), for the annual ROI; null: no ROI. */
  hardwareCostUsd: bigint | null;
};

/** What the economics read of an epoch's statements: GPU-seconds delivered and up, and the tokens earned. */
export type EconomicsInput = { gpuSecondsDelivered: bigint; gpuSecondsUp: bigint; rewardTokens: bigint };

export type Economics = {
  gpuHoursDelivered: bigint;
  gpuHoursUp: bigint;
  usageRevenueUsd: bigint;
  rewardIncomeUsd: bigint;
  powerCostUsd: bigint;
  netUsd: bigint;
  /** net ÷ (usage revenue + reward income); null when there is no income. */
  margin: bigint | null;
  perDay: { usageRevenueUsd: bigint; rewardIncomeUsd: bigint; powerCostUsd: bigint; netUsd: bigint };
  /** net per year ÷ hardware cost; null without a hardware cost. */
  annualRoi: bigint | null;
};

const HOUR = 3600n;
const DAY = 86_400n;
const YEAR = 365n * DAY;

/** A node's part of the economics, from its statement: delivered = utilisation × GPUs × up-seconds, as the statement measured it. */
export function economicsInputOf(s: Pick<NodeStatement, 'gpus' | 'upSeconds' | 'utilisation' | 'reward'>): EconomicsInput {
  const gpuSecondsUp = BigInt(s.gpus) * BigInt(s.upSeconds);
  return { gpuSecondsDelivered: (gpuSecondsUp * s.utilisation) / WAD, gpuSecondsUp, rewardTokens: s.reward };
}

/** The sum of several nodes' parts (an owner's). */
export function sumEconomicsInputs(xs: readonly EconomicsInput[]): EconomicsInput {
  const out = { gpuSecondsDelivered: 0n, gpuSecondsUp: 0n, rewardTokens: 0n };
  for (const x of xs) {
    out.gpuSecondsDelivered += x.gpuSecondsDelivered;
    out.gpuSecondsUp += x.gpuSecondsUp;
    out.rewardTokens += x.rewardTokens;
  }
  return out;
}

/**
 * One epoch's economics of `x` under assumptions `a`, the epoch `epochSeconds` long.
 *
 * @example computeEconomics({ gpuSecondsDelivered: 3600n, gpuSecondsUp: 7200n, rewardTokens: 10n * TOKEN }, a, 86_400)
 */
export function computeEconomics(x: EconomicsInput, a: EconomicsAssumptions, epochSeconds: number): Economics {
  const usageRevenueUsd = (x.gpuSecondsDelivered * a.usageUsdPerGpuHour) / HOUR;
  const rewardIncomeUsd = (x.rewardTokens * a.tokenPriceUsd) / TOKEN;
  const powerCostUsd = (x.gpuSecondsUp * a.powerUsdPerGpuHour) / HOUR;
  const income = usageRevenueUsd + rewardIncomeUsd;
  const netUsd = income - powerCostUsd; // negative when power costs more than the node earns
  const epoch = BigInt(epochSeconds);
  const perDay = (v: bigint) => floorDiv(v * DAY, epoch);
  return {
    gpuHoursDelivered: (x.gpuSecondsDelivered * WAD) / HOUR,
    gpuHoursUp: (x.gpuSecondsUp * WAD) / HOUR,
    usageRevenueUsd,
    rewardIncomeUsd,
    powerCostUsd,
    netUsd,
    margin: income === 0n ? null : floorDiv(netUsd * WAD, income),
    perDay: { usageRevenueUsd: perDay(usageRevenueUsd), rewardIncomeUsd: perDay(rewardIncomeUsd), powerCostUsd: perDay(powerCostUsd), netUsd: perDay(netUsd) },
    annualRoi: a.hardwareCostUsd === null || a.hardwareCostUsd === 0n ? null : floorDiv(netUsd * YEAR * WAD, epoch * a.hardwareCostUsd),
  };
}
