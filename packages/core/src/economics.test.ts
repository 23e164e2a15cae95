import { describe, expect, it } from 'vitest';
import { parseWad, TOKEN, WAD } from './amount.ts';
import { computeEconomics, ECONOMICS_DEFAULTS, economicsInputOf, sumEconomicsInputs } from './economics.ts';

const usd = (x: string) => parseWad(x, 'usd');
const a = {
  tokenPriceUsd: usd('0.1'),
  usageUsdPerGpuHour: usd('0.3'),
  powerUsdPerGpuHour: ECONOMICS_DEFAULTS.powerUsdPerGpuHour,
  hardwareCostUsd: 2000n * WAD,
};

describe('provider economics (SPEC §9)', () => {
  it('revenue, rewards, power, margin and ROI, exactly, for a daily epoch', () => {
    const e = computeEconomics({ gpuSecondsDelivered: 3600n, gpuSecondsUp: 7200n, rewardTokens: 10n * TOKEN }, a, 86_400);
    expect(e.gpuHoursDelivered).toBe(WAD);
    expect(e.gpuHoursUp).toBe(2n * WAD);
    expect(e.usageRevenueUsd).toBe(usd('0.3'));
    expect(e.rewardIncomeUsd).toBe(WAD);
    expect(e.powerCostUsd).toBe(usd('0.1'));
    expect(e.netUsd).toBe(usd('1.2'));
    expect(e.margin).toBe(usd('0.923076923076923076')); // 1.2 / 1.3, floored
    expect(e.perDay.netUsd).toBe(usd('1.2'));
    expect(e.annualRoi).toBe(usd('0.219')); // 1.2 × 365 / 2000
  });

  it('scales per day and per year by the real epoch length, and floors losses down', () => {
    const minute = computeEconomics({ gpuSecondsDelivered: 0n, gpuSecondsUp: 7200n, rewardTokens: 0n }, a, 60);
    expect(minute.margin).toBeNull(); // no income
    expect(minute.netUsd).toBe(-usd('0.1'));
    expect(minute.perDay.netUsd).toBe(-usd('144')); // 1,440 epochs a day
    expect(minute.annualRoi).toBe(-usd('26.28')); // −0.1 × 525,600 / 2000
    expect(computeEconomics({ gpuSecondsDelivered: 1n, gpuSecondsUp: 1n, rewardTokens: 0n }, { ...a, hardwareCostUsd: null }, 86_400).annualRoi).toBeNull();
    // a loss's margin floors down: −0.1 / 0.3
    expect(computeEconomics({ gpuSecondsDelivered: 3600n, gpuSecondsUp: 28_800n, rewardTokens: 0n }, a, 86_400).margin).toBe(-usd('0.333333333333333334'));
  });

  it("an owner's economics are its nodes' summed; a node's come from its statement", () => {
    const node = economicsInputOf({ gpus: 8, upSeconds: 3600, utilisation: usd('0.5'), reward: 3n * TOKEN });
    expect(node).toEqual({ gpuSecondsDelivered: 14_400n, gpuSecondsUp: 28_800n, rewardTokens: 3n * TOKEN });
    const owner = sumEconomicsInputs([node, node]);
    expect(owner).toEqual({ gpuSecondsDelivered: 28_800n, gpuSecondsUp: 57_600n, rewardTokens: 6n * TOKEN });
    expect(computeEconomics(owner, a, 86_400).netUsd).toBe(2n * computeEconomics(node, a, 86_400).netUsd);
  });
});
