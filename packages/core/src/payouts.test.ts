import { describe, expect, it } from 'vitest';
import { computePayouts } from './payouts.ts';

const a = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

describe('payouts by address', () => {
  it('sums each address once, owners first in node order, then the others in order of appearance; zeros left out', () => {
    const payouts = computePayouts({
      owners: [a(2), a(1), a(5)],
      ownerOf: Int32Array.of(0, 1, 0, 2),
      ownerIndex: new Map([
        [a(2), 0],
        [a(1), 1],
        [a(5), 2],
      ]),
      nodeRewards: [10n, 5n, 1n, 0n],
      bondRewards: [1n, 0n, 0n, 0n],
      validators: [{ id: 'v', payout: a(1), agreedAudits: 1, reward: 7n, reasons: [] }],
      stakes: [{ id: 's', payout: a(9), kind: 'user', amount: 1n, lockMultiplier: 1n, weight: 1n, reward: 4n }],
      attested: [{ role: 'model', payout: a(8), points: 1n, reward: 3n }],
      referrals: [{ referrer: a(9), nodeId: 'n', paid: 2n }],
    });
    expect(payouts).toEqual([
      { address: a(2), amount: 12n },
      { address: a(1), amount: 12n },
      { address: a(9), amount: 6n },
      { address: a(8), amount: 3n },
    ]);
  });
});
