import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TOKEN, WAD } from './amount.ts';
import { defaultParams } from './params.ts';
import { advanceStanding, applyViolations, CLEAN_STANDING, type Standing, type Violation, type ViolationKind } from './violations.ts';

const params = defaultParams();
const DAY = 86_400;
const T0 = 1_767_225_600;
const bond = 1000n * TOKEN;
const v = (kind: ViolationKind, day: number, severity?: number): Violation => ({
  kind,
  at: T0 + day * DAY,
  evidence: [`0x${kind}-${day}`],
  ...(severity ? { severity } : {}),
});

describe('the penalty ladder', () => {
  it('performance: warning → 1 % → 5 % with suspension → 20 % with exclusion → probation back to full', () => {
    let s: Standing = CLEAN_STANDING;
    let b = bond;
    const step = (day: number) => {
      const r = applyViolations(s, b, [v('performance', day)], WAD, params);
      s = r.standing;
      b -= r.slashed;
      return r;
    };
    expect(step(1).penalties[0]).toMatchObject({ action: 'warning', amount: 0n });
    expect(step(2).penalties[0]).toMatchObject({ action: 'slash', amount: 10n * TOKEN });
    const third = step(3);
    expect(third.penalties[0]).toMatchObject({ action: 'suspend', amount: (990n * TOKEN * 5n) / 100n });
    expect(s).toMatchObject({ status: 'suspended', until: T0 + 10 * DAY });
    const fourth = step(4);
    expect(fourth.penalties[0]?.action).toBe('exclude');
    expect(fourth.slashed).toBe((b + fourth.slashed) / 5n);
    expect(s).toMatchObject({ status: 'excluded', permanent: false, until: T0 + 34 * DAY });
    // still excluded before the end; then probation 25 % → 50 % → 100 % → off
    s = advanceStanding(s, T0 + 33 * DAY, params);
    expect(s.status).toBe('excluded');
    s = advanceStanding(s, T0 + 34 * DAY, params);
    expect(s).toMatchObject({ status: 'active', probationStage: 1 });
    const shares = [];
    for (let e = 0; e < 3; e++) {
      shares.push(params.compute.probation[s.probationStage - 1]);
      s = advanceStanding(s, T0 + (35 + e) * DAY, params);
    }
    expect(shares).toEqual([WAD / 4n, WAD / 2n, WAD]);
    expect(s.probationStage).toBe(0);
  });

  it('failed verification: 10 % and jail, then a second within 30 days: everything and permanent exclusion', () => {
    const first = applyViolations(CLEAN_STANDING, bond, [v('failed-verification', 1)], WAD, params);
    expect(first.penalties[0]).toMatchObject({ action: 'jail', amount: 100n * TOKEN });
    expect(first.standing).toMatchObject({ status: 'jailed', until: T0 + 8 * DAY });
    const released = advanceStanding(first.standing, T0 + 8 * DAY, params);
    expect(released).toMatchObject({ status: 'active', probationStage: 1 });
    const second = applyViolations(released, 900n * TOKEN, [v('failed-verification', 20)], WAD, params);
    expect(second.penalties[0]).toMatchObject({ action: 'exclude-permanently', amount: 900n * TOKEN });
    expect(second.standing).toMatchObject({ status: 'excluded', permanent: true });
    expect(advanceStanding(second.standing, T0 + 400 * DAY, params).status).toBe('excluded');
    // outside the window, a failed verification is a first again
    const later = applyViolations({ ...released, history: [{ kind: 'failed-verification', at: T0 + DAY }] }, bond, [v('failed-verification', 40)], WAD, params);
    expect(later.penalties[0]?.action).toBe('jail');
  });

  it('equivocation takes the whole bond and excludes for good; operational violations scale with severity', () => {
    const e = applyViolations(CLEAN_STANDING, bond, [v('equivocation', 3)], WAD, params);
    expect(e.slashed).toBe(bond);
    expect(e.standing).toMatchObject({ status: 'excluded', permanent: true });
    const o = applyViolations(CLEAN_STANDING, bond, [v('operational', 3, 4)], WAD, params);
    expect(o.slashed).toBe((bond * 8n) / 100n);
    expect(o.standing.status).toBe('active');
    expect(() => applyViolations(CLEAN_STANDING, bond, [v('operational', 3, 6)], WAD, params)).toThrow(/severity/);
  });

  it('uptime below 90 % for three epochs running counts as a fourth violation', () => {
    let s: Standing = CLEAN_STANDING;
    for (let e = 0; e < 2; e++) s = applyViolations(s, bond, [], (WAD * 85n) / 100n, params).standing;
    expect(s.lowUptimeStreak).toBe(2);
    const r = applyViolations(s, bond, [v('performance', 5)], (WAD * 85n) / 100n, params);
    expect(r.penalties[0]).toMatchObject({ action: 'exclude', amount: bond / 5n });
  });

  it('a violation on probation counts as a repeat and restarts probation', () => {
    const onProbation: Standing = { ...CLEAN_STANDING, probationStage: 2 };
    const r = applyViolations(onProbation, bond, [v('performance', 1)], WAD, params);
    expect(r.penalties[0]).toMatchObject({ action: 'slash', amount: 10n * TOKEN });
    expect(r.standing.probationStage).toBe(1);
  });

  it('never slashes more than the bond, whatever happens in one epoch', () => {
    const kinds: ViolationKind[] = ['performance', 'failed-verification', 'equivocation', 'operational'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ kind: fc.constantFrom(...kinds), day: fc.integer({ min: 0, max: 60 }), severity: fc.integer({ min: 1, max: 5 }) }), {
          maxLength: 12,
        }),
        fc.bigInt({ min: 0n, max: 10n ** 24n }),
        (vs, b) => {
          const r = applyViolations(
            CLEAN_STANDING,
            b,
            vs.map((x) => v(x.kind, x.day, x.severity)),
            WAD,
            params,
          );
          expect(r.slashed >= 0n && r.slashed <= b).toBe(true);
          expect(r.penalties.reduce((a, p) => a + p.amount, 0n)).toBe(r.slashed);
        },
      ),
    );
  });
});
