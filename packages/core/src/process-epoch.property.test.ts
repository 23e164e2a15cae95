import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WAD } from './amount.ts';
import type { EpochInput, NodeInput } from './epoch-input.ts';
import { defaultParams, parseParams, ROLES, serializeParams } from './params.ts';
import { type EpochResult, processEpoch } from './process-epoch.ts';
import { resultJson } from './result-json.ts';
import { prng, syntheticEpoch } from './synthetic.ts';

const params = defaultParams();
// a variant with under-served regions and an innovation list, so every bonus is exercised
const richJson: any = serializeParams(params);
richJson.compute.underServedRegions = { 'af-south': '1.3', 'sa-east': '1.15' };
richJson.compute.innovationList = ['H200', 'confidential-compute'];
const rich = parseParams(richJson);

const epochs = fc.record({ seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }), nodes: fc.integer({ min: 1, max: 40 }), rich: fc.boolean() });
const paramsOf = (e: { rich: boolean }) => (e.rich ? rich : params);

/** Every contribution of an epoch scaled by k: hardware, delivered work, bonds, stakes, supply, audits, points. */
function scaledBy(input: EpochInput, k: number): EpochInput {
  const K = BigInt(k);
  return {
    ...input,
    supply: { total: input.supply.total * K, staked: input.supply.staked * K },
    nodes: input.nodes.map((n) => ({
      ...n,
      hardware: {
        ...n.hardware,
        gpus: n.hardware.gpus.map((g) => ({ ...g, count: g.count * k })),
        vcpus: n.hardware.vcpus * k,
        nvmeTb: n.hardware.nvmeTb * k,
      },
      gpuSecondsDelivered: n.gpuSecondsDelivered * k,
      bond: n.bond * K,
    })),
    stakes: input.stakes.map((s) => ({ ...s, amount: s.amount * K })),
    validators: input.validators.map((v) => ({ ...v, agreedAudits: v.agreedAudits * k })),
    attestations: input.attestations.map((a) => ({ ...a, entries: a.entries.map((x) => ({ ...x, points: x.points * k })) })),
  };
}
const runs = { numRuns: Number(process.env.PROPERTY_RUNS ?? 60) };

function shuffle<T>(items: T[], seed: number): T[] {
  const r = prng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function ownerTotal(r: EpochResult, owner: string): bigint {
  return r.payouts.find((p) => p.address === owner)?.amount ?? 0n;
}

describe('processEpoch properties', () => {
  it('pays every pool out exactly, and no share is negative', () => {
    fc.assert(
      fc.property(epochs, (e) => {
        const r = processEpoch(syntheticEpoch(e), paramsOf(e));
        let allocated = 0n;
        let treasury = 0n;
        for (const role of ROLES) {
          const p = r.pools[role];
          expect(p.paid + p.toTreasury).toBe(p.allocated);
          allocated += p.allocated;
          treasury += p.toTreasury;
        }
        expect(allocated).toBe(r.emission.epochPool);
        expect(treasury).toBe(r.treasury);
        const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
        // the compute pool is paid to the nodes, less what referred nodes pass on to their referrers
        expect(sum(r.nodeRewards) + sum(r.referrals.map((x) => x.paid))).toBe(r.pools.compute.paid);
        expect(r.usagePool.pool <= r.usagePool.feeBound).toBe(true);
        expect(sum(r.validators.map((v) => v.reward))).toBe(r.pools.validators.paid);
        expect(sum(r.stakes.map((s) => s.reward)) + sum(r.bondRewards)).toBe(r.pools.stakers.paid);
        expect(sum(r.attested.filter((a) => a.role === 'community').map((a) => a.reward))).toBe(r.pools.community.paid);
        expect(sum(r.payouts.map((p) => p.amount)) + r.treasury).toBe(r.emission.epochPool);
        for (const x of [...r.nodeRewards, ...r.bondRewards, ...r.payouts.map((p) => p.amount), ...r.stakes.map((s) => s.reward)]) expect(x >= 0n).toBe(true);
        for (let i = 0; i < r.nodeIds.length; i++) {
          const s = r.statement(i);
          expect(s.reward).toBe(r.nodeRewards[i] as bigint);
          expect(s.capacityReward + s.usageReward - s.referral).toBe(s.reward);
          // SPEC §4.4: a node's usage reward is at most κ × the fee its receipts paid
          expect(s.usageReward * WAD <= paramsOf(e).compute.usageFeeBound * s.fee + WAD).toBe(true);
          expect(s.bondReward).toBe(r.bondRewards[i] as bigint);
          if (!s.eligible) {
            expect(s.reward).toBe(0n);
            expect(s.bondReward).toBe(0n);
          }
        }
      }),
      runs,
    );
  });

  it('is deterministic: the same input, and the same input shuffled, give byte-identical JSON', () => {
    fc.assert(
      fc.property(epochs, fc.integer(), (e, s) => {
        const input = syntheticEpoch(e);
        const a = resultJson(processEpoch(input, paramsOf(e)));
        expect(resultJson(processEpoch(syntheticEpoch(e), paramsOf(e)))).toBe(a);
        const shuffled: EpochInput = {
          ...input,
          nodes: shuffle(input.nodes, s),
          validators: shuffle(input.validators, s + 1),
          stakes: shuffle(input.stakes, s + 2),
          attestations: shuffle(input.attestations, s + 3),
        };
        expect(resultJson(processEpoch(shuffled, paramsOf(e)))).toBe(a);
      }),
      { numRuns: 40 },
    );
  });

  it('is monotone: more uptime, usage or rating never lowers a node score', () => {
    const change = fc.constantFrom('uptime', 'usage', 'rating');
    fc.assert(
      fc.property(epochs, fc.nat(), change, fc.integer({ min: 1, max: 1440 }), (e, pick, what, amount) => {
        const input = syntheticEpoch(e);
        const i = pick % input.nodes.length;
        const before = processEpoch(input, paramsOf(e)).statement(i);
        const node = { ...(input.nodes[i] as NodeInput) };
        const gpus = node.hardware.gpus.reduce((a, g) => a + g.count, 0);
        if (what === 'uptime') node.upSlots = Math.min(node.expectedSlots, node.upSlots + amount);
        if (what === 'usage') node.gpuSecondsDelivered = Math.min(gpus * node.upSlots * 60, node.gpuSecondsDelivered + amount * 60);
        if (what === 'rating') {
          // the same jobs (a node without any is given one), every rating by independent keys, raised
          const j = node.jobs.all;
          const paid = j.standard + j.high > 0n ? j.standard + j.high : WAD;
          const stats = { ...j, standard: j.standard + j.high > 0n ? j.standard : WAD, ratingSum: j.standard + j.high > 0n ? j.ratingSum : WAD };
          const base = { ...(input.nodes[i] as NodeInput), jobs: { all: stats, independent: stats } };
          const more = {
            ...stats,
            ratingSum: stats.ratingSum + (paid * BigInt(amount)) / 1440n > 5n * paid ? 5n * paid : stats.ratingSum + (paid * BigInt(amount)) / 1440n,
          };
          node.jobs = { all: more, independent: more };
          const baseline = processEpoch({ ...input, nodes: input.nodes.map((n, k) => (k === i ? base : n)) }, paramsOf(e)).statement(i);
          const after = processEpoch({ ...input, nodes: input.nodes.map((n, k) => (k === i ? node : n)) }, paramsOf(e)).statement(i);
          expect(after.score >= baseline.score).toBe(true);
          expect(after.quality.total >= baseline.quality.total).toBe(true);
          return;
        }
        const after = processEpoch({ ...input, nodes: input.nodes.map((n, k) => (k === i ? node : n)) }, paramsOf(e)).statement(i);
        expect(after.score >= before.score, `${what}: ${before.score} → ${after.score}`).toBe(true);
        expect(after.rawScore >= before.rawScore).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('splitting a node into two nodes of half its hardware never raises its owner’s total reward', () => {
    const twice = (j: NodeInput['jobs']['all']) => ({
      standard: 2n * j.standard,
      standardFailed: 2n * j.standardFailed,
      high: 2n * j.high,
      highFailed: 2n * j.highFailed,
      p95ResponseMs: j.p95ResponseMs,
      ratingSum: 2n * j.ratingSum,
    });
    fc.assert(
      fc.property(epochs, fc.nat(), (e, pick) => {
        const input = syntheticEpoch(e);
        const i = pick % input.nodes.length;
        const half = input.nodes[i] as NodeInput;
        // the whole node is twice `half` in every extensive quantity; rates and times are shared
        const whole: NodeInput = {
          ...half,
          hardware: {
            ...half.hardware,
            gpus: half.hardware.gpus.map((g) => ({ ...g, count: 2 * g.count })),
            vcpus: 2 * half.hardware.vcpus,
            nvmeTb: 2 * half.hardware.nvmeTb,
          },
          gpuSecondsDelivered: 2 * half.gpuSecondsDelivered,
          fee: 2n * half.fee,
          jobs: { all: twice(half.jobs.all), independent: twice(half.jobs.independent) },
          bond: 2n * half.bond,
        };
        const others = input.nodes.filter((_, k) => k !== i);
        const one = processEpoch({ ...input, nodes: [...others, whole] }, paramsOf(e));
        const two = processEpoch({ ...input, nodes: [...others, half, { ...half, id: `${half.id}-b` }] }, paramsOf(e));
        const si = one.nodeIds.indexOf(whole.id);
        const a = two.statement(two.nodeIds.indexOf(half.id));
        const b = two.statement(two.nodeIds.indexOf(`${half.id}-b`));
        // scores: the halves never add up to more than the whole (floors only lose)
        expect(a.score + b.score <= one.statement(si).score).toBe(true);
        // rewards: at most a base unit more per place that rounds per node — one extra
        // largest-remainder unit in each pool that pays the owner (compute, usage and stakers), and
        // the referral's floor taken once per node (a referred node keeps the floored remainder)
        expect(ownerTotal(two, half.owner) <= ownerTotal(one, half.owner) + 4n).toBe(true);
      }),
      runs,
    );
  });

  it('scaling every contribution by the same factor leaves the shares unchanged', () => {
    fc.assert(
      fc.property(epochs, fc.integer({ min: 2, max: 4 }), (e, k) => {
        const input = syntheticEpoch(e);
        const scaled = scaledBy(input, k);
        const a = processEpoch(input, paramsOf(e));
        const b = processEpoch(scaled, paramsOf(e));
        expect(b.emission.epochPool).toBe(a.emission.epochPool);
        // exact shares up to the one base unit a largest-remainder tie can move
        a.nodeRewards.forEach((x, i) => {
          const d = x - (b.nodeRewards[i] as bigint);
          expect(d >= -1n && d <= 1n, `node ${i}: ${x} vs ${b.nodeRewards[i] as bigint}`).toBe(true);
        });
        a.bondRewards.forEach((x, i) => {
          const d = x - (b.bondRewards[i] as bigint);
          expect(d >= -1n && d <= 1n).toBe(true);
        });
        a.stakes.forEach((s, i) => {
          const d = s.reward - (b.stakes[i] as { reward: bigint }).reward;
          expect(d >= -1n && d <= 1n).toBe(true);
        });
        expect(b.validators.map((v) => v.reward)).toEqual(a.validators.map((v) => v.reward));
        expect(b.attested.map((a) => a.reward)).toEqual(a.attested.map((x) => x.reward));
      }),
      runs,
    );
  });

  it('a suspended, jailed or excluded node never earns, from the compute pool or from its bond', () => {
    fc.assert(
      fc.property(epochs, fc.nat(), fc.constantFrom('suspended', 'jailed', 'excluded'), (e, pick, status) => {
        const input = syntheticEpoch(e);
        const i = pick % input.nodes.length;
        const node = { ...(input.nodes[i] as NodeInput), status: status as NodeInput['status'] };
        const r = processEpoch({ ...input, nodes: input.nodes.map((n, k) => (k === i ? node : n)) }, paramsOf(e));
        expect(r.nodeRewards[i] as bigint).toBe(0n);
        expect(r.bondRewards[i] as bigint).toBe(0n);
        expect(r.statement(i).reasons).toContain(status.toUpperCase());
      }),
      runs,
    );
  });
});
