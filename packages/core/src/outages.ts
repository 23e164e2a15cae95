import { WAD } from './amount.ts';
import type { ExcludedSlots } from './epoch-input.ts';
import type { Params } from './params.ts';

/**
 * The network's own faults are not the providers' (SPEC §3.2): slots excluded from every node's
 * expected time, so that an outage of the service, a restart or a burst of load never warns,
 * slashes or excludes a provider.
 */

/**
 * "A minute … in which more than `platformOutageShare` (default 50 %) of the active nodes missed
 * their heartbeat" is a platform outage — counted only where at least `platformOutageMinNodes`
 * active nodes were expected, so that a lone node's missed heartbeat stays its own fault.
 *
 * @example isPlatformOutage(60, 100, params.heartbeats) // true: 60 % missed
 */
export function isPlatformOutage(missed: number, expected: number, h: Pick<Params['heartbeats'], 'platformOutageShare' | 'platformOutageMinNodes'>): boolean {
  return expected >= h.platformOutageMinNodes && BigInt(missed) * WAD > h.platformOutageShare * BigInt(expected);
}

/**
 * The slots in which the service itself was down, from the bits it recorded (`true` = it was up),
 * widened by one slot on each side of every gap: the slot in which it stopped and the one in
 * which it came back were partly down too. `before`: whether it was up in the slot before the first.
 *
 * @example serviceDownFrom([true, true, false, true, true], true) // [false, true, true, true, false]
 */
export function serviceDownFrom(up: readonly boolean[], before = true): boolean[] {
  const at = (k: number) => (k < 0 ? before : k >= up.length ? true : (up[k] as boolean));
  return up.map((_, k) => !at(k) || !at(k - 1) || !at(k + 1));
}

/**
 * The excluded slots as the epoch input lists them: ascending ranges of one cause, from a cause
 * (or none) per slot — the service's own downtime first, then platform outages.
 *
 * @example excludedRanges([null, 'service-down', 'service-down', 'platform-outage']) // [{ from: 1, to: 2, cause: 'service-down' }, { from: 3, to: 3, cause: 'platform-outage' }]
 */
export function excludedRanges(causes: readonly (ExcludedSlots['cause'] | null)[]): ExcludedSlots[] {
  const out: ExcludedSlots[] = [];
  causes.forEach((c, k) => {
    if (c === null) return;
    const last = out[out.length - 1];
    if (last && last.cause === c && last.to === k - 1) last.to = k;
    else out.push({ from: k, to: k, cause: c });
  });
  return out;
}

/**
 * Every excluded slot of an epoch (SPEC §3.2): where the service was down, and where — among the
 * rest — more than the governed share of the expected active nodes missed. `expected[k]` and
 * `up[k]`: active nodes expected in slot k, and those with a heartbeat in it.
 *
 * @example computeExcludedSlots(null, [10, 10], [10, 2], params.heartbeats) // [{ from: 1, to: 1, cause: 'platform-outage' }]
 */
export function computeExcludedSlots(
  serviceDown: readonly boolean[] | null,
  expected: ArrayLike<number>,
  up: ArrayLike<number>,
  h: Pick<Params['heartbeats'], 'platformOutageShare' | 'platformOutageMinNodes'>,
): ExcludedSlots[] {
  const causes = Array.from({ length: expected.length }, (_, k): ExcludedSlots['cause'] | null => {
    if (serviceDown?.[k]) return 'service-down';
    const e = expected[k] as number;
    return isPlatformOutage(e - (up[k] as number), e, h) ? 'platform-outage' : null;
  });
  return excludedRanges(causes);
}

/** A node's announced maintenance: `[from, to)` in unix seconds. */
export type MaintenanceWindow = { from: number; to: number };
const WEEK = 7 * 86_400;

/**
 * Why an announced maintenance window is refused, or `null` when it is accepted (SPEC §3.2:
 * "announced maintenance (announced ≥ 24 h ahead, ≤ 2 h per week) is excluded from the expected
 * minutes"): it must start at least `maintenanceNoticeHours` after `announcedAt`, end after it
 * starts, not overlap the node's other windows, and — with them — total at most
 * `maintenanceHoursPerWeek` in any 7 days.
 *
 * @example maintenanceRefusal([], { from: now + 25 * 3600, to: now + 26 * 3600 }, now, params.heartbeats) // null
 */
export function maintenanceRefusal(
  existing: readonly MaintenanceWindow[],
  w: MaintenanceWindow,
  announcedAt: number,
  h: Pick<Params['heartbeats'], 'maintenanceNoticeHours' | 'maintenanceHoursPerWeek'>,
): { code: 'EMPTY_WINDOW' | 'SHORT_NOTICE' | 'OVERLAPPING_WINDOW' | 'MAINTENANCE_BUDGET'; message: string } | null {
  if (w.to <= w.from) return { code: 'EMPTY_WINDOW', message: 'a maintenance window ends after it starts' };
  if (w.from < announcedAt + h.maintenanceNoticeHours * 3600)
    return { code: 'SHORT_NOTICE', message: `maintenance is announced at least ${h.maintenanceNoticeHours} h before it starts` };
  if (existing.some((x) => x.from < w.to && w.from < x.to)) return { code: 'OVERLAPPING_WINDOW', message: 'the window overlaps one announced before' };
  // the busiest 7 days start where some window starts: check each
  const all = [...existing, w];
  const budget = h.maintenanceHoursPerWeek * 3600;
  for (const a of all) {
    const used = all.reduce((sum, x) => sum + Math.max(0, Math.min(x.to, a.from + WEEK) - Math.max(x.from, a.from)), 0);
    if (used > budget) return { code: 'MAINTENANCE_BUDGET', message: `at most ${h.maintenanceHoursPerWeek} h of maintenance in any 7 days` };
  }
  return null;
}

/**
 * Which of an epoch's slots a node's announced maintenance covers: the slots lying wholly inside a
 * window (a slot the window only touches was partly the node's to serve).
 *
 * @example maintenanceSlots([{ from: start + 3600, to: start + 3 * 3600 }], start, 3600, 24) // slots 1 and 2
 */
export function maintenanceSlots(windows: readonly MaintenanceWindow[], epochStart: number, slotSeconds: number, totalSlots: number): boolean[] {
  return Array.from({ length: totalSlots }, (_, k) => {
    const a = epochStart + k * slotSeconds;
    return windows.some((w) => w.from <= a && a + slotSeconds <= w.to);
  });
}
