import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WAD } from './amount.ts';
import {
  assignAudits,
  beaconCommitment,
  computeAuditSeed,
  computeBeacon,
  computeReceiptsHash,
  isTrap,
  judgeAnswer,
  judgeValidators,
  probeViolations,
  resolveAudit,
  selectAuditSample,
  simulatedResultHash,
  trapCommitment,
  trapResultHash,
  verdictCommitment,
} from './audits.ts';
import { defaultParams, parseParams, serializeParams } from './params.ts';
import { applyValidatorFaults, CLEAN_VALIDATOR } from './violations.ts';

const params = defaultParams();
const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const NO_FAULTS = { missedTraps: [], unanswered: [], contradicted: [], overturned: [] };

describe('the beacon (SPEC §3.4)', () => {
  it('commitments bind the epoch and the validator; the beacon is order-free and moves with every secret', () => {
    const s = hex('secret');
    expect(beaconCommitment(3, 'v1', s)).not.toBe(beaconCommitment(4, 'v1', s));
    expect(beaconCommitment(3, 'v1', s)).not.toBe(beaconCommitment(3, 'v2', s));
    expect(() => beaconCommitment(3, 'v1', 'short')).toThrow(/64/);
    const a = { validator: 'a', secret: hex('a') };
    const b = { validator: 'b', secret: hex('b') };
    expect(computeBeacon([a, b])).toBe(computeBeacon([b, a]));
    expect(computeBeacon([a, b])).not.toBe(computeBeacon([a]));
    expect(computeBeacon([a, { ...b, secret: hex('c') }])).not.toBe(computeBeacon([a, b]));
  });

  // A node that varies its receipts (job ids, hence the input hash) before the close can evaluate
  // every variant under any rule it can compute; with the beacon unknown until after the close, the
  // variant it picks is sampled as often as any other. Without the beacon it escapes.
  it('a receipt grinder cannot choose its sample once the beacon is mixed in (property)', () => {
    const rate = (WAD * 2n) / 10n; // 20 %, ten fake receipts: 2 expected in the sample
    const variants = 32;
    const trial = (withBeacon: boolean, seed: number, secrets: string[]) => {
      const others = Array.from({ length: 20 }, (_, i) => ({ jobId: `o-${seed}-${i}`, nodeId: 'honest' }));
      const fakes = (v: number) => Array.from({ length: 10 }, (_, i) => ({ jobId: `g-${seed}-${v}-${i}`, nodeId: 'grinder' }));
      const inputHash = (v: number) => hex(JSON.stringify([...others, ...fakes(v)]));
      const sampled = (seedHex: string, v: number) =>
        selectAuditSample({ seed: seedHex, receipts: [...others, ...fakes(v)], rate, mustCover: new Set() }).filter((j) => j.startsWith('g-')).length;
      // the grinder's best guess: the sample as it would be drawn from the input hash alone
      let best = 0;
      for (let v = 1; v < variants; v++) if (sampled(inputHash(v), v) < sampled(inputHash(best), best)) best = v;
      const beacon = computeBeacon(secrets.map((secret, i) => ({ validator: `v${i}`, secret })));
      return sampled(withBeacon ? computeAuditSeed(inputHash(best), beacon) : inputHash(best), best);
    };
    const runs = fc.sample(
      fc.tuple(fc.integer({ min: 1, max: 1e9 }), fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 5 })),
      {
        numRuns: 150,
        seed: 42,
      },
    );
    const mean = (withBeacon: boolean) =>
      runs.reduce(
        (a, [seed, ss]) =>
          a +
          trial(
            withBeacon,
            seed,
            ss.map((u) => Buffer.from(u).toString('hex')),
          ),
        0,
      ) / runs.length;
    expect(mean(false)).toBeLessThan(0.2); // the seed it can compute: it grinds its way out
    const m = mean(true);
    // 2 expected, standard error ≈ 1.26 / √150 ≈ 0.10: ±5 standard errors
    expect(m).toBeGreaterThan(1.5);
    expect(m).toBeLessThan(2.5);
  });
});

describe('commit–reveal verdicts and traps (SPEC §3.4)', () => {
  it('a commitment is bound to the job and the validator: a copied one does not open for the copier', () => {
    const a = { verdict: 'match' as const, resultHash: hex('r'), salt: hex('salt') };
    expect(verdictCommitment('j1', 'v1', a)).toBe(verdictCommitment('j1', 'v1', { ...a }));
    expect(verdictCommitment('j1', 'v2', a)).not.toBe(verdictCommitment('j1', 'v1', a));
    expect(verdictCommitment('j2', 'v1', a)).not.toBe(verdictCommitment('j1', 'v1', a));
    expect(verdictCommitment('j1', 'v1', { ...a, verdict: 'mismatch' })).not.toBe(verdictCommitment('j1', 'v1', a));
  });

  it('traps take their governed share, show a wrong hash derived from the secret, and anyone can recompute them', () => {
    const secret = hex('trap');
    expect(trapCommitment(5, secret)).toBe(trapCommitment(5, secret));
    expect(trapCommitment(5, secret)).not.toBe(trapCommitment(6, secret));
    const receipts = Array.from({ length: 2000 }, (_, i) => ({ jobId: `j${i}`, nodeId: `n${i % 7}`, claimedResultHash: simulatedResultHash(`j${i}`, 60) }));
    const p = { seed: hex('seed'), receipts, validators: ['a', 'b', 'c', 'd'], count: 2, round: 0, trapSecret: secret, trapShare: params.audits.trapShare };
    const as = assignAudits(p);
    expect(as).toHaveLength(4000);
    const traps = as.filter((a) => a.trap);
    expect(traps.length).toBeGreaterThan(320); // 10 % of 4000 = 400 ± 19
    expect(traps.length).toBeLessThan(480);
    for (const t of traps) {
      expect(t.shownResultHash).toBe(trapResultHash(secret, t.jobId, t.validator));
      expect(t.shownResultHash).not.toBe(simulatedResultHash(t.jobId, 60));
      expect(isTrap(secret, t.jobId, t.validator, params.audits.trapShare)).toBe(true);
    }
    for (const a of as.filter((x) => !x.trap)) expect(a.shownResultHash).toBe(simulatedResultHash(a.jobId, 60));
    expect(assignAudits(p)).toEqual(as);
    expect(assignAudits({ ...p, trapShare: 0n }).some((a) => a.trap)).toBe(false);
  });

  it('judges an answer: an honest one confirms the node through a trap; "match" on a trap counts for nothing', () => {
    const claimed = simulatedResultHash('j', 60);
    const real = { trap: false, shownResultHash: claimed };
    const trap = { trap: true, shownResultHash: trapResultHash(hex('t'), 'j', 'v') };
    expect(judgeAnswer(real, claimed, { verdict: 'match', resultHash: claimed }).vote).toBe('match');
    expect(judgeAnswer(trap, claimed, { verdict: 'mismatch', resultHash: claimed })).toEqual({
      answered: true,
      missedTrap: false,
      inconsistent: false,
      vote: 'match',
    });
    // the lazy answer: "match" to whatever it is shown
    expect(judgeAnswer(trap, claimed, { verdict: 'match', resultHash: trap.shownResultHash })).toEqual({
      answered: true,
      missedTrap: true,
      inconsistent: false,
      vote: null,
    });
    // a verdict that does not follow from its own result hash
    expect(judgeAnswer(real, claimed, { verdict: 'match', resultHash: hex('other') }).inconsistent).toBe(true);
    // a fake job: the re-executed result is not what the node claimed
    const fake = { trap: false, shownResultHash: hex('made up') };
    expect(judgeAnswer(fake, hex('made up'), { verdict: 'mismatch', resultHash: claimed }).vote).toBe('mismatch');
    expect(judgeAnswer(real, claimed, null)).toEqual({ answered: false, missedTrap: false, inconsistent: false, vote: null });
  });

  it('two mismatches confirm; a split or a lone mismatch is referred, and the majority of the referral’s votes decides', () => {
    expect(resolveAudit([['mismatch', 'mismatch']])).toBe('mismatch');
    expect(resolveAudit([['match', 'match']])).toBe('match');
    expect(resolveAudit([['match', null]])).toBe('match');
    expect(resolveAudit([[null, null]])).toBe('unconfirmed');
    expect(resolveAudit([['match', 'mismatch']])).toBe('referred');
    expect(resolveAudit([['mismatch', null]])).toBe('referred');
    expect(
      resolveAudit([
        ['match', 'mismatch'],
        ['mismatch', 'mismatch', 'match'],
      ]),
    ).toBe('mismatch');
    expect(
      resolveAudit([
        ['mismatch', 'mismatch'],
        ['match', 'match', 'mismatch'],
      ]),
    ).toBe('match');
    // votes cast decide: a lazy "match" against one honest mismatch is no majority
    expect(
      resolveAudit([
        ['match', 'mismatch'],
        ['match', null, 'mismatch'],
      ]),
    ).toBe('unconfirmed');
    expect(
      resolveAudit([
        ['mismatch', 'mismatch'],
        ['mismatch', null, null],
      ]),
    ).toBe('mismatch');
  });

  it('a validator earns for agreeing answers and nothing in an epoch with a missed trap, an unanswered assignment or an unrevealed secret', () => {
    const a = (validator: string, jobId: string, trap = false) => ({ jobId, nodeId: 'n', validator, round: 0, trap, shownResultHash: 'x' });
    const j = (vote: 'match' | 'mismatch' | null, extra: Partial<{ answered: boolean; missedTrap: boolean }> = {}) => ({
      answered: true,
      missedTrap: false,
      inconsistent: false,
      vote,
      ...extra,
    });
    const out = judgeValidators(
      ['good', 'lazy', 'mute', 'hider', 'wrong'],
      [
        { assignment: a('good', 'j1'), judgement: j('match'), outcome: 'match' },
        { assignment: a('good', 'j2', true), judgement: j('match'), outcome: 'match' },
        { assignment: a('lazy', 'j2', true), judgement: j(null, { missedTrap: true }), outcome: 'match' },
        { assignment: a('lazy', 'j1'), judgement: j('match'), outcome: 'match' },
        { assignment: a('mute', 'j3'), judgement: j(null, { answered: false }), outcome: 'match' },
        { assignment: a('hider', 'j3'), judgement: j('match'), outcome: 'match' },
        { assignment: a('wrong', 'j4'), judgement: j('match'), outcome: 'mismatch' },
        { assignment: a('wrong', 'j5'), judgement: j('match'), outcome: 'referred' },
        { assignment: a('wrong', 'j6'), judgement: j('match'), outcome: 'unconfirmed' },
      ],
      new Set(['hider']),
    );
    const by = Object.fromEntries(out.map((v) => [v.validator, v]));
    expect(by.good).toMatchObject({ agreed: 2, forfeits: false });
    expect(by.lazy).toMatchObject({ agreed: 1, missedTraps: ['j2'], forfeits: true });
    expect(by.mute).toMatchObject({ unanswered: ['j3'], forfeits: true });
    expect(by.hider).toMatchObject({ agreed: 1, unrevealedBeacon: true, forfeits: true });
    expect(by.wrong).toMatchObject({ agreed: 0, contradicted: ['j4'], forfeits: false });
  });
});

describe('the validator ladder (SPEC §6.1)', () => {
  const stake = 100_000n * WAD;
  const day = 86_400;
  it('1 %, 10 %, then 100 % and removal within the window; a clean epoch costs nothing', () => {
    let s = CLEAN_VALIDATOR;
    const shares: bigint[] = [];
    for (let k = 0; k < 3; k++) {
      const r = applyValidatorFaults(s, stake, { ...NO_FAULTS, missedTraps: [`j${k}`] }, 1_000_000 + k * day, params);
      s = r.standing;
      shares.push(r.penalty?.amount ?? -1n);
    }
    expect(shares).toEqual([stake / 100n, stake / 10n, stake]);
    expect(s.removed).toBe(true);
    expect(applyValidatorFaults(CLEAN_VALIDATOR, stake, NO_FAULTS, 0, params).penalty).toBeNull();
    // violations older than the window are forgotten
    const old = applyValidatorFaults(CLEAN_VALIDATOR, stake, { ...NO_FAULTS, unanswered: ['j'] }, 0, params).standing;
    expect(applyValidatorFaults(old, stake, { ...NO_FAULTS, unanswered: ['k'] }, 31 * day, params).penalty?.share).toBe(WAD / 100n);
  });

  it('a contradicted verdict is a violation the second time within the window; an overturned one at once', () => {
    const first = applyValidatorFaults(CLEAN_VALIDATOR, stake, { ...NO_FAULTS, contradicted: ['j1'] }, 100, params);
    expect(first.penalty).toBeNull();
    const second = applyValidatorFaults(first.standing, stake, { ...NO_FAULTS, contradicted: ['j2'] }, 200, params);
    expect(second.penalty?.evidence).toContain('contradicted:j2');
    const late = applyValidatorFaults(first.standing, stake, { ...NO_FAULTS, contradicted: ['j2'] }, 100 + 31 * day, params);
    expect(late.penalty).toBeNull();
    expect(applyValidatorFaults(CLEAN_VALIDATOR, stake, { ...NO_FAULTS, overturned: ['j9'] }, 100, params).penalty?.amount).toBe(stake / 100n);
  });

  it('the ladder is a governed, validated parameter', () => {
    const json: any = serializeParams(params);
    json.slashing.validator = ['0.1', '0.01'];
    expect(() => parseParams(json)).toThrow(/slashing.validator/);
    delete json.slashing.validator;
    expect(parseParams(json).slashing.validator).toEqual(params.slashing.validator);
  });
});

describe('liveness probes (SPEC §3.4)', () => {
  it('a failed probe in a slot the node claimed up is a performance violation; in a slot it did not claim, nothing', () => {
    const v = probeViolations(
      [
        { nodeId: 'forger', slot: 3, claimedUp: true, answered: false, evidence: 'c1' },
        { nodeId: 'forger', slot: 9, claimedUp: true, answered: true, evidence: 'c2' },
        { nodeId: 'down', slot: 4, claimedUp: false, answered: false, evidence: 'c3' },
        { nodeId: 'honest', slot: 4, claimedUp: true, answered: true, evidence: 'c4' },
      ],
      1000,
    );
    expect([...v.keys()]).toEqual(['forger']);
    expect(v.get('forger')).toEqual([{ kind: 'performance', at: 1000, evidence: ['probe:c1', 'failed-liveness-probe'] }]);
  });
});

describe('computeReceiptsHash', () => {
  const sha = (x: string) => createHash('sha256').update(x).digest('hex');
  const receipt = fc.record({
    jobId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,8}$/),
    nodeId: fc.constantFrom('n-1', 'n-1.a', 'n-2', 'N_3'),
    messageHash: fc.stringMatching(/^[0-9a-f]{4}$/),
  });

  it('is the hash of the sorted node lines, each the node and the hash of its sorted receipt lines, whatever the order given', () => {
    fc.assert(
      fc.property(fc.uniqueArray(receipt, { selector: (r) => r.jobId, maxLength: 30 }), fc.integer(), (rs, k) => {
        const byNode = new Map<string, string[]>();
        for (const r of rs) byNode.set(r.nodeId, [...(byNode.get(r.nodeId) ?? []), `${r.jobId}:${r.messageHash}`]);
        const lines = [...byNode].map(([n, l]) => `${n}:${sha(l.sort().join('\n'))}`).sort();
        const rotated = rs.map((_, i) => rs[(i + Math.abs(k)) % rs.length] as (typeof rs)[number]);
        expect(computeReceiptsHash(rotated)).toBe(sha(`swarm-receipts:${lines.join('\n')}`));
      }),
    );
  });

  it('moves with any receipt: its job, node or signed hash', () => {
    const rs = [
      { jobId: 'j1', nodeId: 'n-1', messageHash: 'aa' },
      { jobId: 'j12', nodeId: 'n-1', messageHash: 'bb' },
      { jobId: 'j2', nodeId: 'n-2', messageHash: 'cc' },
    ];
    const h = computeReceiptsHash(rs);
    expect(computeReceiptsHash([...rs.slice(0, 2), { ...(rs[2] as (typeof rs)[number]), messageHash: 'cd' }])).not.toBe(h);
    expect(computeReceiptsHash([...rs.slice(0, 2), { ...(rs[2] as (typeof rs)[number]), nodeId: 'n-1' }])).not.toBe(h);
    expect(computeReceiptsHash(rs.slice(1))).not.toBe(h);
    expect(computeReceiptsHash([])).toBe(sha('swarm-receipts:'));
  });
});
