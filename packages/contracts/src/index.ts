import RewardDistributor from '../artifacts/RewardDistributor.json' with { type: 'json' };
import StakingVault from '../artifacts/StakingVault.json' with { type: 'json' };

export { Chain } from './evm-chain.ts';
export { EvmRpc } from './evm-rpc.ts';
/** ABI and bytecode of the contracts, compiled by `src/build.ts` (solc-js). */
export { RewardDistributor, StakingVault };
