import { describe, expect, it } from 'vitest';
import { parseWad, TOKEN } from './amount.ts';
import { defaultParams } from './params.ts';
import { bondWeight, computeAttestedRewards, computeReferral, computeValidatorRewards, splitStakerPool, stakeStatement } from './pools.ts';

const params = defaultParams();
const a = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const w = (x: string) => parseWad(x, 'x');

describe('the other pools (SPEC §4.5)', () => {
  it('pays validators by agreed audits; one without any gets nothing and a reason', () => {
    const r = computeValidatorRewards(100n, [
      { id: 'v1', payout: a(1), agreedAudits: 3 },
      { id: 'v2', payout: a(2), agreedAudits: 1 },
      { id: 'v3', payout: a(3), agreedAudits: 0 },
    ]);
    expect(r.statements.map((s) => s.reward)).toEqual([75n, 25n, 0n]);
    expect(r.statements[2]?.reasons).toEqual(['NO_AGREED_AUDITS']);
    expect(computeValidatorRewards(100n, [{ id: 'v1', payout: a(1), agreedAudits: 0 }]).paid).toBe(false);
  });

  it('weighs a stake by its lock and a bond by its lock and quality, nothing while ineligible', () => {
    expect(stakeStatement({ id: 's', payout: a(1), kind: 'user', amount: 100n * TOKEN, lockDays: 90 }, params.compute.commitment).weight).toBe(110n * TOKEN);
    expect(bondWeight(1000n * TOKEN, w('1.1'), w('0.9'), true)).toBe(990n * TOKEN);
    expect(bondWeight(1000n * TOKEN, w('1.1'), w('0.9'), false)).toBe(0n);
  });

  it('gives the staker pool’s leftover units by ascending participant id across bonds and stakes (issue 18: it went by list position)', () => {
    // three equal weights, 2 units: floors 0 each, remainders equal, so the two smallest ids win
    const r = splitStakerPool(2n, { ids: ['node-b', 'node-z'], weights: [1n, 1n] }, [{ id: 'node-a', weight: 1n }]);
    expect(r).toEqual({ bonds: [1n, 0n], stakes: [1n] });
    // a bond and a stake of one id: the bond first
    expect(splitStakerPool(1n, { ids: ['x'], weights: [1n] }, [{ id: 'x', weight: 1n }])).toEqual({ bonds: [1n], stakes: [0n] });
    expect(splitStakerPool(5n, { ids: ['x'], weights: [0n] }, [])).toBeNull();
  });

  it.each([
    [1000n, 50n],
    [19n, 0n],
    [20n, 1n],
    [0n, 0n],
  ])('a referrer is paid 5 %% of %s out of the node’s own reward: %s', (reward, paid) => {
    expect(computeReferral(reward, params.referral)).toBe(paid);
  });

  it('pays attested points from approved attestors only, and names the roles nobody shared', () => {
    const attestors = { ...params.attestors, model: ['foundation'] };
    const r = computeAttestedRewards(
      { model: 100n, developer: 40n, community: 0n, liquidity: 10n },
      [
        {
          role: 'model',
          attestor: 'foundation',
          entries: [
            { payout: a(2), points: 3 },
            { payout: a(1), points: 1 },
          ],
        },
        { role: 'developer', attestor: 'nobody', entries: [{ payout: a(3), points: 5 }] },
      ],
      attestors,
    );
    expect(r.statements).toEqual([
      { role: 'model', payout: a(1), points: 1n, reward: 25n },
      { role: 'model', payout: a(2), points: 3n, reward: 75n },
    ]);
    expect(r.ignored).toEqual([{ role: 'developer', attestor: 'nobody', reason: 'ATTESTOR_NOT_APPROVED' }]);
    expect(r.unpaid).toEqual(['developer', 'liquidity']);
  });
});
