import { describe, expect, it } from 'vitest';
import { computeExcludedSlots, excludedRanges, isPlatformOutage, maintenanceRefusal, maintenanceSlots, serviceDownFrom } from './outages.ts';
import { defaultParams } from './params.ts';

const h = defaultParams().heartbeats; // share 0.5, at least 10 nodes

describe('our faults are not theirs (SPEC §3.2)', () => {
  it.each([
    ['more than half missed', 51, 100, true],
    ['exactly half: the nodes’ own fault', 50, 100, false],
    ['every node missed', 100, 100, true],
    ['too few nodes to tell the platform from the node', 9, 9, false],
    ['the minimum number of nodes, all missed', 10, 10, true],
  ])('%s', (_, missed, expected, outage) => {
    expect(isPlatformOutage(missed, expected, h)).toBe(outage);
  });

  it('widens the service’s downtime by the slot it stopped in and the slot it came back in', () => {
    expect(serviceDownFrom([true, true, false, true, true])).toEqual([false, true, true, true, false]);
    expect(serviceDownFrom([true, true], false)).toEqual([true, false]); // it came back in slot 0
    expect(serviceDownFrom([true, true, true])).toEqual([false, false, false]);
  });

  it('lists the excluded slots as ranges of one cause, the service’s downtime first', () => {
    expect(excludedRanges([null, 'service-down', 'service-down', 'platform-outage', null, 'platform-outage'])).toEqual([
      { from: 1, to: 2, cause: 'service-down' },
      { from: 3, to: 3, cause: 'platform-outage' },
      { from: 5, to: 5, cause: 'platform-outage' },
    ]);
    const down = [false, true, false, false];
    expect(computeExcludedSlots(down, [20, 20, 20, 20], [20, 0, 0, 15], h)).toEqual([
      { from: 1, to: 1, cause: 'service-down' },
      { from: 2, to: 2, cause: 'platform-outage' },
    ]);
    expect(computeExcludedSlots(null, [20, 20], [20, 19], h)).toEqual([]);
  });
});

describe('announced maintenance (SPEC §3.2)', () => {
  // h: 24 h notice, 2 h a week
  const now = 1_000_000;
  const at = (hours: number) => now + hours * 3600;
  it('accepts a window announced 24 h ahead within 2 h a week, and refuses the rest by name', () => {
    expect(maintenanceRefusal([], { from: at(24), to: at(26) }, now, h)).toBeNull();
    expect(maintenanceRefusal([], { from: at(23), to: at(24) }, now, h)?.code).toBe('SHORT_NOTICE');
    expect(maintenanceRefusal([], { from: at(30), to: at(30) }, now, h)?.code).toBe('EMPTY_WINDOW');
    expect(maintenanceRefusal([], { from: at(30), to: at(32) + 1 }, now, h)?.code).toBe('MAINTENANCE_BUDGET');
    const one = [{ from: at(30), to: at(31) }];
    expect(maintenanceRefusal(one, { from: at(30) + 1800, to: at(32) }, now, h)?.code).toBe('OVERLAPPING_WINDOW');
    expect(maintenanceRefusal(one, { from: at(100), to: at(101) }, now, h)).toBeNull();
    // a second hour 6 days later still fits; the busiest 7 days would hold 2.5 h with a half hour more
    expect(maintenanceRefusal(one, { from: at(30 + 144), to: at(31 + 144) + 1800 }, now, h)?.code).toBe('MAINTENANCE_BUDGET');
    // a week and a bit later the budget is fresh
    expect(maintenanceRefusal(one, { from: at(31 + 168), to: at(33 + 168) }, now, h)).toBeNull();
  });
  it('covers the slots lying wholly inside a window', () => {
    const start = 3600 * 100;
    expect(maintenanceSlots([{ from: start + 3600, to: start + 3 * 3600 }], start, 3600, 5)).toEqual([false, true, true, false, false]);
    // a window that only touches slots 1 and 3 covers slot 2 alone
    expect(maintenanceSlots([{ from: start + 3600 + 1, to: start + 3 * 3600 + 1800 }], start, 3600, 5)).toEqual([false, false, true, false, false]);
  });
});
