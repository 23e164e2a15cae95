import { describe, expect, it } from 'vitest';
import { parseWad, WAD } from './amount.ts';
import { type EligibilityParameters, getIneligibility } from './eligibility.ts';
import { defaultParams } from './params.ts';

const q = defaultParams().compute.quality; // floor: 5 points below target
const ok: EligibilityParameters = {
  status: 'active',
  onboarded: true,
  bond: 10n,
  minBond: 10n,
  computeUnits: WAD,
  upSlots: 1000,
  expectedSlots: 1000,
  target: parseWad('0.999', 'x'),
};

describe('eligibility (SPEC §4.4, §5)', () => {
  it.each([
    ['eligible', {}, []],
    ['suspended', { status: 'suspended' }, ['SUSPENDED', 'NODE_NOT_ELIGIBLE']],
    ['jailed', { status: 'jailed' }, ['JAILED', 'NODE_NOT_ELIGIBLE']],
    ['excluded', { status: 'excluded' }, ['EXCLUDED', 'NODE_NOT_ELIGIBLE']],
    ['not onboarded', { onboarded: false }, ['NOT_ONBOARDED', 'NODE_NOT_ELIGIBLE']],
    ['not bonded (no bond to exclude from the staker pool)', { bond: 0n }, ['NOT_BONDED']],
    ['1 wei below the minimum bond', { bond: 9n }, ['BOND_BELOW_MINIMUM', 'NODE_NOT_ELIGIBLE']],
    ['no compute units', { computeUnits: 0n }, ['NO_CAPACITY', 'NODE_NOT_ELIGIBLE']],
    ['never up', { upSlots: 0 }, ['NO_UPTIME', 'NODE_NOT_ELIGIBLE']],
    ['at the floor (94.9 %)', { upSlots: 949 }, []],
    ['below the floor', { upSlots: 948 }, ['BELOW_UPTIME_FLOOR', 'NODE_NOT_ELIGIBLE']],
    [
      'every reason, in statement order',
      { status: 'jailed', onboarded: false, bond: 1n, computeUnits: 0n, upSlots: 0 },
      ['JAILED', 'NOT_ONBOARDED', 'BOND_BELOW_MINIMUM', 'NO_CAPACITY', 'NO_UPTIME', 'NODE_NOT_ELIGIBLE'],
    ],
  ] as const)('%s', (_, change, reasons) => {
    expect(getIneligibility({ ...ok, ...change }, q)).toEqual(reasons);
  });
});
