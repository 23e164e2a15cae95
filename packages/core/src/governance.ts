import { WAD } from './amount.ts';
import type { Params } from './params.ts';

/**
 * Governance (SPEC §7): stake-weighted yes / no / abstain / veto. A proposal passes with a quorum
 * (votes cast ÷ stake) of at least `quorum`, a veto share (veto ÷ votes cast) below `veto`, and yes
 * above `threshold` of the non-abstaining votes (yes, no and veto). A vetoed proposal burns its deposit; any other
 * outcome returns it.
 */
export type VoteOption = 'yes' | 'no' | 'abstain' | 'veto';
export const VOTE_OPTIONS: readonly VoteOption[] = ['yes', 'no', 'abstain', 'veto'];
export type Tally = Record<VoteOption, bigint>;
export type Outcome = 'passed' | 'rejected' | 'vetoed' | 'no-quorum';
export type TallyReturnType = { outcome: Outcome; turnout: bigint; vetoShare: bigint; yesShare: bigint; burnDeposit: boolean };

/**
 * @example computeOutcome({ yes: 60n, no: 10n, abstain: 0n, veto: 0n }, 100n, params.governance) // passed
 */
export function computeOutcome(t: Tally, totalStaked: bigint, g: Params['governance']): TallyReturnType {
  const cast = t.yes + t.no + t.abstain + t.veto;
  const turnout = totalStaked === 0n ? 0n : (cast * WAD) / totalStaked;
  const vetoShare = cast === 0n ? 0n : (t.veto * WAD) / cast;
  // SPEC §7: yes above `threshold` "of the non-abstaining votes" — a veto is a vote against, so it counts
  const decisive = t.yes + t.no + t.veto;
  const yesShare = decisive === 0n ? 0n : (t.yes * WAD) / decisive;
  if (cast === 0n || cast * WAD < g.quorum * totalStaked) return { outcome: 'no-quorum', turnout, vetoShare, yesShare, burnDeposit: false };
  if (t.veto * WAD >= g.veto * cast) return { outcome: 'vetoed', turnout, vetoShare, yesShare, burnDeposit: true };
  if (decisive > 0n && t.yes * WAD > g.threshold * decisive) return { outcome: 'passed', turnout, vetoShare, yesShare, burnDeposit: false };
  return { outcome: 'rejected', turnout, vetoShare, yesShare, burnDeposit: false };
}
