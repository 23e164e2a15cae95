import { formatWad, WAD } from './amount.ts';
import { apportion } from './apportion.ts';
import type { EpochInput } from './epoch-input.ts';
import { InvalidArgumentError } from './errors.ts';
import { computeMinBond } from './hardware.ts';
import type { Params } from './params.ts';
import { isUptimeBelow, uptimeZeroPoint } from './quality.ts';
import { advanceStanding, applyViolations, CLEAN_STANDING, DAY_SECONDS, type Penalty, type Standing, type Violation } from './violations.ts';

/**
 * One epoch's slashing step (SPEC §6) as pure functions: what the epoch input shows was violated,
 * the ladder applied to every node's standing, each slash taken from the bond's accounts, and —
 * when the escrow's appeal window has passed — the split of a slash into compensation for the
 * consumers it hurt and a burn. The service calls these at epoch close and writes what they
 * return as ledger postings; nothing here reads a store or a clock.
 */

/**
 * The violations an epoch input itself shows (SPEC §6.1), found at the epoch's end `at`:
 * - performance — uptime below the class target by more than the ramp (where `U` reaches 0), or
 *   the epoch's mean latency or packet loss above twice the class limit;
 * - operational — a bond above zero but below the node's minimum, with a severity of 1–5 by how
 *   far below (each fifth of the minimum missing is one step); or resource hoarding — consumers'
 *   signed refusals above `slashing.hoardingShare` of the work offered (severity 1–5 by how far).
 * Only active, onboarded nodes that were expected up are judged. Violations known from signed
 * evidence (equivocation, a confirmed failed audit) come from the service and are added to these.
 *
 * @example detectViolations(input, params, input.epochStart + input.epochSeconds)
 */
export function detectViolations(input: EpochInput, params: Params, at: number): Map<string, Violation[]> {
  const out = new Map<string, Violation[]>();
  for (const n of input.nodes) {
    if (n.status !== 'active' || !n.onboarded || n.expectedSlots === 0) continue;
    const found: Violation[] = [];
    // uptime below the point where U reaches 0 (quality.ts); latency or packet loss above twice the
    // class limit. One performance violation per epoch, with every shortfall as evidence.
    const sla = params.compute.sla[n.slaClass];
    const shortfalls: string[] = [];
    if (isUptimeBelow(n.upSlots, n.expectedSlots, uptimeZeroPoint(sla.availability, params.compute.quality))) {
      shortfalls.push(`uptime:${n.upSlots}/${n.expectedSlots}`);
    }
    if (n.network !== undefined && n.network.latencyMs > 2 * sla.latencyMs) shortfalls.push(`latency:${n.network.latencyMs}ms>2×${sla.latencyMs}ms`);
    if (n.network !== undefined && n.network.packetLoss > 2n * sla.packetLoss)
      shortfalls.push(`packet-loss:${formatWad(n.network.packetLoss)}>2×${formatWad(sla.packetLoss)}`);
    if (shortfalls.length > 0) found.push({ kind: 'performance', at, evidence: [...shortfalls, `sla:${n.slaClass}`] });
    // resource hoarding (SPEC §6.1, §12): consumers' signed refusals above the governed share of the
    // work offered to the node, one severity step per fifth of the rest of the way to all of it
    const refused = n.refused ?? 0n;
    const offered = refused + n.jobs.all.standard + n.jobs.all.high;
    const limit = params.slashing.hoardingShare;
    if (refused > 0n && refused * WAD > limit * offered) {
      const over = refused * WAD - limit * offered;
      const severity = Math.min(5, Math.max(1, Number((over * 5n + (WAD - limit) * offered - 1n) / ((WAD - limit) * offered))));
      found.push({ kind: 'operational', at, severity, evidence: [`refused:${refused}`, `offered:${offered}`, `hoarding-share:${formatWad(limit)}`] });
    }
    if (n.bond > 0n) {
      const min = computeMinBond(n, params);
      if (n.bond < min) {
        const severity = Math.min(5, Math.max(1, Number(((min - n.bond) * 5n + min - 1n) / min)));
        found.push({ kind: 'operational', at, severity, evidence: [`bond:${n.bond}`, `minimum:${min}`] });
      }
    }
    if (found.length > 0) out.set(n.id, found);
  }
  return out;
}

export type StandingStep = {
  nodeId: string;
  /** The standing at the start of the epoch (CLEAN_STANDING for a node never penalised). */
  standing: Standing;
  /** What the node's bond can lose: its bonds in effect plus unbondings still slashable. */
  slashable: bigint;
  /** Uptime this epoch (WAD), or null when the node was not expected up. */
  uptime: bigint | null;
  violations: readonly Violation[];
};
export type StandingOutcome = { nodeId: string; before: Standing; standing: Standing; penalties: Penalty[]; slashed: bigint };

/**
 * Moves every node's standing through one epoch ending at `at`: a node with violations climbs the
 * ladder (`applyViolations`), any other advances (`advanceStanding`: a finished suspension lifts
 * into probation, probation moves one stage on) and its low-uptime streak ends. Returns only the
 * nodes whose standing changed or that were penalised, in input order.
 *
 * @example processStandings([{ nodeId, standing: CLEAN_STANDING, slashable, uptime, violations }], at, params)
 */
export function processStandings(steps: readonly StandingStep[], at: number, params: Params, daySeconds = DAY_SECONDS): StandingOutcome[] {
  const out: StandingOutcome[] = [];
  for (const s of steps) {
    if (s.violations.length > 0) {
      const r = applyViolations(s.standing, s.slashable, s.violations, s.uptime, params, daySeconds);
      out.push({ nodeId: s.nodeId, before: s.standing, standing: r.standing, penalties: r.penalties, slashed: r.slashed });
      continue;
    }
    const next = advanceStanding({ ...s.standing, lowUptimeStreak: 0 }, at, params, daySeconds);
    if (!sameStanding(next, s.standing)) out.push({ nodeId: s.nodeId, before: s.standing, standing: next, penalties: [], slashed: 0n });
  }
  return out;
}

export function sameStanding(a: Standing, b: Standing): boolean {
  return (
    a.status === b.status &&
    a.until === b.until &&
    a.permanent === b.permanent &&
    a.probationStage === b.probationStage &&
    a.lowUptimeStreak === b.lowUptimeStreak &&
    a.history.length === b.history.length &&
    a.history.every((h, i) => h.kind === b.history[i]?.kind && h.at === b.history[i]?.at)
  );
}

export function isCleanStanding(s: Standing): boolean {
  return sameStanding(s, CLEAN_STANDING);
}

export type SlashSource = { account: string; available: bigint };

/**
 * Takes `amount` from a bond's accounts in the order given (the service lists bonds in effect
 * first, then unbondings still slashable), never more than an account holds.
 *
 * @example allocateSlash(15n, [{ account: 'stake:a', available: 10n }, { account: 'unbonding:b', available: 10n }]) // 10n from a, 5n from b
 */
export function allocateSlash(amount: bigint, sources: readonly SlashSource[]): { account: string; amount: bigint }[] {
  let left = amount;
  const out: { account: string; amount: bigint }[] = [];
  for (const s of sources) {
    if (left === 0n) break;
    if (s.available < 0n) throw new InvalidArgumentError('sources', `${s.account} holds a negative amount`);
    const take = s.available < left ? s.available : left;
    if (take > 0n) out.push({ account: s.account, amount: take });
    left -= take;
  }
  if (left > 0n) throw new InvalidArgumentError('amount', `the sources hold ${amount - left}, less than the ${amount} to slash`);
  return out;
}

export type Compensation = { payouts: { consumer: string; amount: bigint }[]; burned: bigint; toTreasury: bigint };

/**
 * Releases an escrowed slash (SPEC §6.2): `compensationShare` of it (floored) compensates the
 * consumers affected, pro rata to their GPU-seconds with the node in the epoch concerned, by the
 * largest-remainder method (ties to the consumer listed first — the service lists them by key);
 * the rest is burned. With no affected consumer the compensation share goes to the treasury.
 * `payouts + burned + toTreasury = amount`, always.
 *
 * @example computeCompensation(101n, [{ consumer: 'a', gpuSeconds: 3n }, { consumer: 'b', gpuSeconds: 1n }], WAD / 2n)
 */
export function computeCompensation(amount: bigint, consumers: readonly { consumer: string; gpuSeconds: bigint }[], share: bigint): Compensation {
  if (amount < 0n) throw new InvalidArgumentError('amount', 'must not be negative');
  const pot = (amount * share) / WAD;
  const burned = amount - pot;
  const shares = apportion(
    pot,
    consumers.map((c) => c.gpuSeconds),
  );
  if (shares === null) return { payouts: [], burned, toTreasury: pot };
  const payouts = consumers.map((c, i) => ({ consumer: c.consumer, amount: shares[i] as bigint })).filter((p) => p.amount > 0n);
  return { payouts, burned, toTreasury: 0n };
}
