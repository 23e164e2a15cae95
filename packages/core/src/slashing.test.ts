import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WAD } from './amount.ts';
import { assignAuditors, computeAuditScore, selectAuditSample } from './audits.ts';
import { computeMinBond } from './hardware.ts';
import { defaultParams } from './params.ts';
import { processEpoch } from './process-epoch.ts';
import { allocateSlash, computeCompensation, detectViolations, processStandings } from './slashing.ts';
import { syntheticEpoch } from './synthetic.ts';
import { CLEAN_STANDING, type Standing, type ViolationKind } from './violations.ts';

const params = defaultParams();
const DAY = 86_400;
const T0 = 1_767_225_600;

describe('resource hoarding (SPEC §6.1, §12)', () => {
  it('refusals above slashing.hoardingShare of the work offered are an operational violation, one severity step per fifth of the way to all of it', () => {
    const input = syntheticEpoch({ nodes: 1, seed: 3 });
    const node = input.nodes[0] as (typeof input.nodes)[number];
    const paid = 1000n * WAD;
    const at = (refused: bigint) => {
      const n = {
        ...node,
        status: 'active' as const,
        onboarded: true,
        expectedSlots: 1,
        upSlots: 1,
        bond: 0n,
        jobs: { ...node.jobs, all: { ...node.jobs.all, standard: paid, high: 0n } },
        refused,
      };
      return detectViolations({ ...input, nodes: [n] }, params, T0)
        .get(n.id)
        ?.find((v) => v.kind === 'operational');
    };
    expect(at(0n)).toBeUndefined();
    expect(at((paid * 25n) / 75n)).toBeUndefined(); // exactly a quarter of the work offered
    expect(at((paid * 26n) / 74n)?.severity).toBe(1);
    expect(at(paid)?.severity).toBe(2); // half: ⌈5 × 0.25 / 0.75⌉
    expect(at(paid * 100n)?.severity).toBe(5);
  });
});

describe('slashing: properties', () => {
  it('compensation + burn (+ treasury) = the released slash, every consumer ≥ 0, pro rata within one unit', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { maxLength: 12 }),
        fc.bigInt({ min: 0n, max: WAD }),
        (amount, seconds, share) => {
          const consumers = seconds.map((g, i) => ({ consumer: `c${String(i).padStart(2, '0')}`, gpuSeconds: g }));
          const c = computeCompensation(amount, consumers, share);
          const paid = c.payouts.reduce((a, p) => a + p.amount, 0n);
          expect(paid + c.burned + c.toTreasury).toBe(amount);
          expect(c.burned).toBe(amount - (amount * share) / WAD);
          const total = seconds.reduce((a, g) => a + g, 0n);
          if (total === 0n) expect(c.toTreasury).toBe((amount * share) / WAD);
          for (const p of c.payouts) {
            expect(p.amount).toBeGreaterThan(0n);
            const g = consumers.find((x) => x.consumer === p.consumer)?.gpuSeconds as bigint;
            const exact = ((amount * share) / WAD) * g;
            expect(p.amount * total - exact).toBeLessThanOrEqual(total);
            expect(exact - p.amount * total).toBeLessThan(total);
          }
        },
      ),
    );
  });

  it('a slash never takes more than the bond holds, and its sources add up to it', () => {
    const kinds: ViolationKind[] = ['performance', 'failed-verification', 'equivocation', 'operational'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ kind: fc.constantFrom(...kinds), day: fc.integer({ min: 0, max: 90 }), severity: fc.integer({ min: 1, max: 5 }) }), {
          maxLength: 10,
        }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 24n }), { minLength: 1, maxLength: 4 }),
        (vs, holdings) => {
          let standing: Standing = CLEAN_STANDING;
          const sources = holdings.map((h, i) => ({ account: `stake:${i}`, available: h }));
          let held = holdings.reduce((a, h) => a + h, 0n);
          for (const v of [...vs].sort((a, b) => a.day - b.day)) {
            const [step] = processStandings(
              [
                {
                  nodeId: 'n',
                  standing,
                  slashable: held,
                  uptime: WAD,
                  violations: [{ kind: v.kind, at: T0 + v.day * DAY, severity: v.severity, evidence: [] }],
                },
              ],
              T0 + v.day * DAY,
              params,
            );
            if (!step) throw new Error('a violation always yields an outcome');
            expect(step.slashed).toBeLessThanOrEqual(held);
            expect(step.penalties.reduce((a, p) => a + p.amount, 0n)).toBe(step.slashed);
            const taken = allocateSlash(step.slashed, sources);
            expect(taken.reduce((a, t) => a + t.amount, 0n)).toBe(step.slashed);
            for (const t of taken) {
              const s = sources.find((x) => x.account === t.account) as { available: bigint };
              s.available -= t.amount;
              expect(s.available).toBeGreaterThanOrEqual(0n);
            }
            held -= step.slashed;
            standing = step.standing;
          }
        },
      ),
    );
  });

  it('finds performance and bond violations only where the input shows them, and a node sanctioned in the epoch earns nothing', () => {
    const base = syntheticEpoch({ seed: 7, nodes: 300, epoch: 3 });
    // link quality on two nodes in three, around the classes' limits (latency 0–4× the limit, loss 0–4×)
    const input = {
      ...base,
      nodes: base.nodes.map((n, i) => {
        if (i % 3 === 0) return n;
        const sla = params.compute.sla[n.slaClass];
        return { ...n, network: { latencyMs: Math.floor((sla.latencyMs * ((i * 7) % 17)) / 4), packetLoss: (sla.packetLoss * BigInt((i * 5) % 17)) / 4n } };
      }),
    };
    const found = detectViolations(input, params, input.epochStart + input.epochSeconds);
    let links = 0;
    for (const n of input.nodes) {
      const v = found.get(n.id) ?? [];
      const sla = params.compute.sla[n.slaClass];
      const target = sla.availability - params.compute.quality.uptimeRamp;
      const judged = n.status === 'active' && n.onboarded && n.expectedSlots > 0;
      const badLink = n.network !== undefined && (n.network.latencyMs > 2 * sla.latencyMs || n.network.packetLoss > 2n * sla.packetLoss);
      if (judged && badLink) links++;
      const low = judged && (BigInt(n.upSlots) * WAD < target * BigInt(n.expectedSlots) || badLink);
      expect(v.filter((x) => x.kind === 'performance').length, n.id).toBeLessThanOrEqual(1);
      expect(
        v.some((x) => x.kind === 'performance'),
        n.id,
      ).toBe(low);
      const under = judged && n.bond > 0n && n.bond < computeMinBond(n, params);
      expect(
        v.some((x) => x.kind === 'operational'),
        n.id,
      ).toBe(under);
    }
    expect([...found.values()].flat().length).toBeGreaterThan(0);
    expect(links).toBeGreaterThan(10);
    // computeMinBond agrees with the statement's minimum
    const result = processEpoch(input, params);
    input.nodes.forEach((n, i) => {
      expect(result.statement(i).minBond, n.id).toBe(computeMinBond(n, params));
    });
    // mark every node with a violation suspended: none of them earns
    const marked = { ...input, nodes: input.nodes.map((n) => (found.has(n.id) ? { ...n, status: 'suspended' as const } : n)) };
    const r2 = processEpoch(marked, params);
    marked.nodes.forEach((n, i) => {
      if (n.status !== 'active') expect(r2.nodeRewards[i] as bigint, n.id).toBe(0n);
    });
  });
});

describe('audits', () => {
  const receipts = Array.from({ length: 5000 }, (_, i) => ({ jobId: `job-${i}`, nodeId: `node-${i % 50}` }));

  it('draws about the rate, the same sample from the same seed, another from another seed', () => {
    const a = selectAuditSample({ seed: 'aa', receipts, rate: params.audits.rate, mustCover: new Set() });
    const b = selectAuditSample({ seed: 'aa', receipts: [...receipts].reverse(), rate: params.audits.rate, mustCover: new Set() });
    const c = selectAuditSample({ seed: 'bb', receipts, rate: params.audits.rate, mustCover: new Set() });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.length).toBeGreaterThan(50);
    expect(a.length).toBeLessThan(160); // 2 % of 5,000 = 100
  });

  it('covers every node that must be audited with its lowest-scoring receipt', () => {
    const must = new Set(['node-1', 'node-2']);
    const s = selectAuditSample({ seed: 'cc', receipts, rate: 0n, mustCover: must });
    expect(s).toHaveLength(2);
    for (const node of must) {
      const mine = receipts.filter((r) => r.nodeId === node);
      const best = mine.reduce((x, r) => (computeAuditScore('cc', r.jobId) < computeAuditScore('cc', x.jobId) ? r : x));
      expect(s).toContain(best.jobId);
    }
  });

  it('assigns two distinct validators, never the excluded one', () => {
    const vs = ['v1', 'v2', 'v3', 'v4'];
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const got = assignAuditors('dd', `job-${i}`, vs, 2, new Set(['v4']));
      expect(new Set(got).size).toBe(2);
      expect(got).not.toContain('v4');
      for (const v of got) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    for (const v of ['v1', 'v2', 'v3']) expect(counts.get(v)).toBeGreaterThan(200);
  });
});
