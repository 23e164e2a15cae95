import { formatWad, WAD } from './amount.ts';
import { InvalidArgumentError } from './errors.ts';
import type { Params } from './params.ts';

/**
 * The penalty ladder (SPEC §6.1, §6.3) as pure functions: a node's standing, the violations found
 * in an epoch, and what they cost — slashes of the bond, suspension, jail, exclusion — then
 * probation back to full reward over clean epochs. Time is an argument (unix seconds); nothing
 * here reads a clock or a store.
 */
/** `validator`: a validator's fault (SPEC §6.1), slashed from its operator stake by `applyValidatorFaults`, never a node's. */
export type ViolationKind = 'performance' | 'failed-verification' | 'equivocation' | 'operational' | 'validator';
export type Violation = { kind: ViolationKind; at: number; severity?: number; evidence: readonly string[] };
export type NodeStatusName = 'active' | 'suspended' | 'jailed' | 'excluded';

export type Standing = {
  status: NodeStatusName;
  /** When the suspension, jail or exclusion ends; null while active or when permanent. */
  until: number | null;
  permanent: boolean;
  /** Violations inside the rolling window (older ones are dropped as time passes). */
  history: readonly { kind: ViolationKind; at: number }[];
  /** 0: not on probation; k: the k-th epoch of probation (SPEC §6.3). */
  probationStage: number;
  /** Consecutive epochs with uptime below `slashing.lowUptime`. */
  lowUptimeStreak: number;
};

export type PenaltyAction = 'warning' | 'slash' | 'suspend' | 'jail' | 'exclude' | 'exclude-permanently';
export type Penalty = { kind: ViolationKind; at: number; action: PenaltyAction; share: bigint; amount: bigint; evidence: readonly string[]; note: string };

export const CLEAN_STANDING: Standing = { status: 'active', until: null, permanent: false, history: [], probationStage: 0, lowUptimeStreak: 0 };
/** Seconds in a day: the ladder's durations are in days; a demo network may run a faster calendar. */
export const DAY_SECONDS = 86_400;

/**
 * Applies an epoch's violations to a node's standing, in time order. Slashes come off `bond` one
 * after another (never more than what is left); a violation while on probation counts as a repeat
 * and restarts probation; `uptime` (WAD, or null when the node was not expected) feeds the
 * "below 90 % for 3 epochs running" rule.
 *
 * @example applyViolations(CLEAN_STANDING, bond, [{ kind: 'performance', at, evidence: [] }], uptime, params)
 */
export function applyViolations(
  standing: Standing,
  bond: bigint,
  violations: readonly Violation[],
  uptime: bigint | null,
  params: Params,
  daySeconds = DAY_SECONDS,
): { standing: Standing; penalties: Penalty[]; slashed: bigint } {
  const p = params.slashing;
  const DAY = daySeconds;
  const window = p.windowDays * DAY;
  let s: Standing = { ...standing, history: [...standing.history] };
  let left = bond;
  const penalties: Penalty[] = [];
  const sorted = [...violations].sort((a, b) => a.at - b.at || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  let streak = uptime === null ? s.lowUptimeStreak : uptime < p.lowUptime ? s.lowUptimeStreak + 1 : 0;
  const slash = (v: Violation, share: bigint, action: PenaltyAction, note: string) => {
    const amount = share === 0n ? 0n : minBig((bond * share) / WAD, left);
    left -= amount;
    penalties.push({ kind: v.kind, at: v.at, action, share, amount, evidence: v.evidence, note });
  };
  for (const v of sorted) {
    if (v.kind === 'operational' && (v.severity === undefined || !Number.isInteger(v.severity) || v.severity < 1 || v.severity > 5)) {
      throw new InvalidArgumentError('severity', 'an operational violation has a severity of 1 to 5');
    }
    const recent = s.history.filter((h) => h.at > v.at - window);
    const onProbation = s.probationStage > 0;
    s = { ...s, history: [...recent, { kind: v.kind, at: v.at }] };
    if (s.status === 'excluded' && s.permanent) {
      slash(v, 0n, 'warning', 'already permanently excluded');
      continue;
    }
    if (v.kind === 'equivocation') {
      slash(v, p.equivocation, 'exclude-permanently', 'equivocation or forgery: the whole bond, permanent exclusion');
      s = { ...s, status: 'excluded', permanent: true, until: null, probationStage: 0 };
    } else if (v.kind === 'failed-verification') {
      const n = recent.filter((h) => h.kind === 'failed-verification').length + 1;
      if (n >= 2) {
        slash(v, WAD, 'exclude-permanently', 'a second failed verification within the window: the whole bond, permanent exclusion');
        s = { ...s, status: 'excluded', permanent: true, until: null, probationStage: 0 };
      } else {
        slash(v, p.failedVerification, 'jail', `failed verification: jailed for ${p.jailDays} days`);
        s = { ...s, status: 'jailed', until: v.at + p.jailDays * DAY, probationStage: 0 };
      }
    } else if (v.kind === 'operational') {
      slash(v, p.operationalPerSeverity * BigInt(v.severity as number), 'slash', `operational violation of severity ${v.severity}`);
    } else {
      // performance: graduated over the window; on probation it counts at least as a repeat
      let n = recent.filter((h) => h.kind === 'performance').length + 1;
      if (onProbation) n = Math.max(n, 2);
      if (streak >= p.lowUptimeEpochs) n = Math.max(n, p.performance.length);
      const step = Math.min(n, p.performance.length) - 1;
      const share = p.performance[step] as bigint;
      const last = step === p.performance.length - 1;
      if (last) {
        slash(v, share, 'exclude', `performance violation #${n}: excluded for ${p.exclusionDays} days, then probation`);
        s = { ...s, status: 'excluded', permanent: false, until: v.at + p.exclusionDays * DAY, probationStage: 0 };
      } else if (step === p.performance.length - 2) {
        slash(v, share, 'suspend', `performance violation #${n}: suspended for ${p.suspensionDays} days, then probation`);
        s = { ...s, status: 'suspended', until: v.at + p.suspensionDays * DAY, probationStage: 0 };
      } else {
        slash(v, share, share === 0n ? 'warning' : 'slash', `performance violation #${n}`);
        if (onProbation) s = { ...s, probationStage: 1 }; // probation restarts
      }
    }
  }
  if (streak >= p.lowUptimeEpochs && s.status === 'excluded') streak = 0;
  s = { ...s, lowUptimeStreak: streak };
  return { standing: s, penalties, slashed: bond - left };
}

/**
 * The standing at the end of an epoch with no violation: a finished suspension, jail or (non-
 * permanent) exclusion lifts into probation; a clean epoch on probation moves it one stage on, and
 * past the last stage (full reward) the node is off probation.
 */
export function advanceStanding(s: Standing, now: number, params: Params, daySeconds = DAY_SECONDS): Standing {
  const window = params.slashing.windowDays * daySeconds;
  const history = s.history.filter((h) => h.at > now - window);
  if (s.status !== 'active') {
    if (!s.permanent && s.until !== null && now >= s.until) return { ...s, history, status: 'active', until: null, probationStage: 1 };
    return { ...s, history };
  }
  if (s.probationStage === 0) return { ...s, history };
  const next = s.probationStage + 1;
  return { ...s, history, probationStage: next > params.compute.probation.length ? 0 : next };
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Two verdicts contradicting the confirmed outcome within the window are a validator violation (SPEC §6.1). */
export const CONTRADICTIONS_PER_VIOLATION = 2;

/** A validator's standing (SPEC §6.1): its violations and its contradicted verdicts inside the window. */
export type ValidatorStanding = { violations: readonly number[]; contradictions: readonly number[]; removed: boolean };
export const CLEAN_VALIDATOR: ValidatorStanding = { violations: [], contradictions: [], removed: false };

export type ValidatorFaults = {
  /** "match" on a trap audit (job ids). */
  missedTraps: readonly string[];
  /** Assignments with no valid reveal (job ids). */
  unanswered: readonly string[];
  /** Verdicts that contradicted the confirmed outcome this epoch (job ids). */
  contradicted: readonly string[];
  /** Confirmed mismatches of this validator's that a dispute overturned (job ids): framing. */
  overturned: readonly string[];
};

export type ValidatorPenalty = { at: number; share: bigint; amount: bigint; removed: boolean; evidence: readonly string[]; note: string };

/**
 * The validator ladder (SPEC §6.1): an epoch with a missed trap, an unanswered assignment, a
 * verdict a dispute overturned, or a second contradicted verdict within the window is one validator
 * violation; the 1st, 2nd, 3rd within the window slash `slashing.validator[k]` of the operator stake
 * (the last step removes the validator). That epoch's validator reward is forfeited besides (§4.5).
 *
 * @example applyValidatorFaults(CLEAN_VALIDATOR, stake, { missedTraps: ['j1'], unanswered: [], contradicted: [], overturned: [] }, at, params)
 */
export function applyValidatorFaults(
  standing: ValidatorStanding,
  stake: bigint,
  f: ValidatorFaults,
  at: number,
  params: Params,
  daySeconds = DAY_SECONDS,
): { standing: ValidatorStanding; penalty: ValidatorPenalty | null } {
  const window = params.slashing.windowDays * daySeconds;
  const steps = params.slashing.validator;
  let contradictions = [...standing.contradictions.filter((t) => t > at - window), ...f.contradicted.map(() => at)];
  const evidence = [
    ...f.missedTraps.map((j) => `missed-trap:${j}`),
    ...f.unanswered.map((j) => `unanswered:${j}`),
    ...f.overturned.map((j) => `overturned:${j}`),
  ];
  if (contradictions.length >= CONTRADICTIONS_PER_VIOLATION) {
    evidence.push(...f.contradicted.map((j) => `contradicted:${j}`), `contradictions:${contradictions.length}`);
    contradictions = [];
  }
  const violations = standing.violations.filter((t) => t > at - window);
  if (evidence.length === 0 || standing.removed) return { standing: { ...standing, violations, contradictions }, penalty: null };
  const n = violations.length + 1;
  const step = Math.min(n, steps.length) - 1;
  const share = steps[step] as bigint;
  const removed = step === steps.length - 1;
  const penalty = {
    at,
    share,
    amount: (stake * share) / WAD,
    removed,
    evidence: evidence.sort(),
    note: `validator violation #${n}: ${formatShare(share)} of the operator stake${removed ? ' and removal' : ''}, and this epoch's validator reward`,
  };
  return { standing: { violations: [...violations, at], contradictions, removed }, penalty };
}

const formatShare = (w: bigint) => `${formatWad(w * 100n)} %`;
