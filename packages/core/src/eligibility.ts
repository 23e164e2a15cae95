import type { NodeStatus } from './epoch-input.ts';
import type { Params } from './params.ts';
import { isUptimeBelow } from './quality.ts';
import type { ReasonCode } from './reasons.ts';

export type EligibilityParameters = {
  /** Whether what was measured backs the declared provider and SLA classes (SPEC §3.1); absent counts as backed. */
  classBacked?: boolean;
  status: NodeStatus;
  onboarded: boolean;
  bond: bigint;
  minBond: bigint;
  computeUnits: bigint;
  upSlots: number;
  expectedSlots: number;
  /** The SLA class's availability target (WAD). */
  target: bigint;
};

const STATUS_REASON: Record<NodeStatus, ReasonCode | null> = { active: null, suspended: 'SUSPENDED', jailed: 'JAILED', excluded: 'EXCLUDED' };

/**
 * Every reason a node earns nothing this epoch (SPEC §4.4, §5, §3.1), in the order a statement
 * lists them; empty: eligible. "Suspended, jailed, excluded or un-bonded nodes get 0"; a node earns
 * nothing until every onboarding gate passed; a bond below the minimum earns nothing; nor does a
 * node without compute units or never up; "uptime below target − 5 points → `Q_i = 0`" (the
 * eligibility floor). The bond of a node that earns nothing earns no staking reward either
 * (`NODE_NOT_ELIGIBLE`, §4.5).
 *
 * @example getIneligibility({ status: 'active', onboarded: true, bond: 0n, minBond: 10n, computeUnits: WAD, upSlots: 60, expectedSlots: 60, target }, q)
 *   // ['NOT_BONDED']
 */
export function getIneligibility(x: EligibilityParameters, q: Pick<Params['compute']['quality'], 'eligibilityFloor'>): ReasonCode[] {
  const reasons: ReasonCode[] = [];
  const status = STATUS_REASON[x.status];
  if (status !== null) reasons.push(status);
  if (!x.onboarded) reasons.push('NOT_ONBOARDED');
  if (x.bond === 0n) reasons.push('NOT_BONDED');
  else if (x.bond < x.minBond) reasons.push('BOND_BELOW_MINIMUM');
  if (x.computeUnits === 0n) reasons.push('NO_CAPACITY');
  if (x.classBacked === false) reasons.push('CLASS_NOT_BACKED');
  if (x.upSlots === 0) reasons.push('NO_UPTIME');
  else if (isUptimeBelow(x.upSlots, x.expectedSlots, x.target - q.eligibilityFloor)) reasons.push('BELOW_UPTIME_FLOOR');
  if (reasons.length > 0 && x.bond > 0n) reasons.push('NODE_NOT_ELIGIBLE');
  return reasons;
}
