import { describe, expect, it } from 'vitest';
import { computeExcludedSlots, excludedRanges, isPlatformOutage, serviceDownFrom } from './outages.ts';
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
