import RewardDistributor from '../artifacts/RewardDistributor.json' with { type: 'json' };
import StakingVault from '../artifacts/StakingVault.json' with { type: 'json' };
import TestToken from '../artifacts/TestToken.json' with { type: 'json' };

export { Anvil, type AnvilOptions, anvilBinary } from './anvil.ts';
export { type Artifact, type CallResult, Chain, revertOf } from './chain.ts';
/** ABI and bytecode of the contracts, compiled by `src/build.ts` (solc-js). */
export { RewardDistributor, StakingVault, TestToken };
