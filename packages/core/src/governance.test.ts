import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeOutcome } from './governance.ts';
import { defaultParams } from './params.ts';

const g = defaultParams().governance; // quorum 0.334, threshold 0.5, veto 0.334

describe('computeOutcome', () => {
  it.each([
    ['passes with quorum and a yes majority', { yes: 30n, no: 10n, abstain: 0n, veto: 0n }, 100n, 'passed'],
    ['fails quorum below 33.4 % of stake', { yes: 33n, no: 0n, abstain: 0n, veto: 0n }, 100n, 'no-quorum'],
    ['reaches quorum at exactly 33.4 %', { yes: 334n, no: 0n, abstain: 0n, veto: 0n }, 1000n, 'passed'],
    ['is vetoed at 33.4 % veto, even with a yes majority', { yes: 60n, no: 0n, abstain: 0n, veto: 31n }, 100n, 'vetoed'],
    ['is rejected on a tie (yes must exceed half)', { yes: 20n, no: 20n, abstain: 10n, veto: 0n }, 100n, 'rejected'],
    ['counts abstentions for quorum only', { yes: 1n, no: 0n, abstain: 40n, veto: 0n }, 100n, 'passed'],
    // §7: yes > 50 % "of non-abstain votes" — a veto below its own threshold still votes against
    ['counts a veto among the non-abstaining votes: 30 yes, 10 no, 20 veto is rejected', { yes: 30n, no: 10n, abstain: 0n, veto: 20n }, 100n, 'rejected'],
    ['passes when yes outweighs no and veto together', { yes: 40n, no: 10n, abstain: 0n, veto: 20n }, 100n, 'passed'],
  ] as const)('%s', (_, t, total, outcome) => {
    expect(computeOutcome(t, total, g).outcome).toBe(outcome);
  });

  it('reports the yes share over yes, no and veto', () => {
    expect(computeOutcome({ yes: 30n, no: 10n, abstain: 50n, veto: 20n }, 200n, g).yesShare).toBe(500_000_000_000_000_000n);
  });

  it('burns the deposit only when vetoed', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 24n }),
        fc.bigInt({ min: 0n, max: 10n ** 24n }),
        fc.bigInt({ min: 0n, max: 10n ** 24n }),
        fc.bigInt({ min: 0n, max: 10n ** 24n }),
        (yes, no, abstain, veto) => {
          const r = computeOutcome({ yes, no, abstain, veto }, yes + no + abstain + veto + 1n, g);
          expect(r.burnDeposit).toBe(r.outcome === 'vetoed');
        },
      ),
    );
  });
});
