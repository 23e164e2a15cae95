import RewardDistributor from '../artifacts/RewardDistributor.json' with { type: 'json' };
import StakingVault from '../artifacts/StakingVault.json' with { type: 'json' };

/** ABI and bytecode of the contracts, compiled by `src/build.ts` (solc-js). */
export { RewardDistributor, StakingVault };
