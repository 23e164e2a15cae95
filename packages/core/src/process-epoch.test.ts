import { describe, expect, it } from 'vitest';
import { WAD } from './amount.ts';
import type { EpochInput, NodeInput } from './epoch-input.ts';
import { computeNetworkTotals } from './network.ts';
import { defaultParams } from './params.ts';
import { processEpoch } from './process-epoch.ts';
import { resultJson } from './result-json.ts';
import { syntheticEpoch } from './synthetic.ts';

const params = defaultParams();
const NO_JOBS = { standard: 0n, standardFailed: 0n, high: 0n, highFailed: 0n, p95ResponseMs: 0, ratingSum: 0n };

/** A small active, onboarded, bonded network whose every node is alike but for what a test changes. */
function network(changes: ((n: NodeInput, i: number) => void)[]): EpochInput {
  const input = syntheticEpoch({ seed: 7, nodes: changes.length });
  input.nodes.forEach((n, i) => {
    Object.assign(n, {
      status: 'active',
      onboarded: true,
      probationStage: 0,
      anomalies: [],
      services: [],
      referrer: null,
      commitmentDays: 0,
      commitmentForfeited: false,
    });
    Object.assign(n, { expectedSlots: 1440, upSlots: 1440, bond: 10_000n * WAD, registeredAt: input.epochStart - 400 * 86_400 });
    Object.assign(n, { region: 'eu-west', slaClass: 'minimum', providerClass: 'edge', powerEfficiency: null });
    Object.assign(n, { fee: 0n, jobs: { all: NO_JOBS, independent: NO_JOBS }, owner: `0x${(i + 1).toString(16).padStart(40, '0')}` });
    (changes[i] as (n: NodeInput, i: number) => void)(n, i);
  });
  return input;
}

describe('processEpoch', () => {
  it('gives a node whose only GPU entry has count 0 the cpu class, as if it had no entry (issue 18: it took the GPU’s class and was paid 45 % too much)', () => {
    const cpuOnly = (gpus: NodeInput['hardware']['gpus']) => (n: NodeInput) => {
      n.hardware = { gpus, vcpus: 64, ramGb: 128, nvmeTb: 8, bandwidthGbps: 10 };
      n.gpuSecondsDelivered = 0;
    };
    const busyH100 = (n: NodeInput) => {
      n.hardware = { gpus: [{ model: 'H100', count: 8 }], vcpus: 128, ramGb: 1024, nvmeTb: 16, bandwidthGbps: 100 };
      n.gpuSecondsDelivered = 8 * 1440 * 60 * 0.9;
    };
    const idleA10 = (n: NodeInput) => {
      n.hardware = { gpus: [{ model: 'A10', count: 2 }], vcpus: 16, ramGb: 64, nvmeTb: 2, bandwidthGbps: 10 };
      n.gpuSecondsDelivered = 0;
    };
    const r = processEpoch(network([cpuOnly([]), cpuOnly([{ model: 'H100', count: 0 }]), busyH100, busyH100, idleA10]), params);
    const [plain, zero] = [r.statement(0), r.statement(1)];
    expect(zero.hardwareClass).toBe('cpu');
    expect(zero.valuation).toEqual(plain.valuation);
    expect(zero.score).toBe(plain.score);
    expect(r.nodeRewards[1]).toBe(r.nodeRewards[0]);
    expect(r.statement(2).valuation.scarcity).toBeGreaterThan(WAD); // the H100 class is in demand: the zero entry would have taken its factor
  });

  it('counts each owner’s GPUs toward the cluster cap in id order, active nodes only', () => {
    const p = { ...params, compute: { ...params.compute, maxGpusPerCluster: 40 } };
    const input = network([
      (n) => {
        n.hardware.gpus = [{ model: 'T4', count: 32 }];
        n.owner = '0x00000000000000000000000000000000000000aa';
      },
      (n) => {
        n.hardware.gpus = [{ model: 'T4', count: 8 }];
        n.owner = '0x00000000000000000000000000000000000000bb';
      },
      (n) => {
        n.hardware.gpus = [{ model: 'T4', count: 16 }];
        n.owner = '0x00000000000000000000000000000000000000aa';
      },
      (n) => {
        n.hardware.gpus = [{ model: 'T4', count: 16 }];
        n.owner = '0x00000000000000000000000000000000000000aa';
        n.status = 'suspended';
      },
    ]);
    for (const n of input.nodes) n.gpuSecondsDelivered = 0;
    const t = computeNetworkTotals(input.nodes, 60, p);
    expect(Array.from(t.counted)).toEqual([32, 8, 8, 16]);
    expect(t.capReasons).toEqual([[], [], ['CLUSTER_CAP_EXCEEDED'], []]);
    expect(t.owners).toEqual(['0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000bb']);
  });

  it('scarcity leaves the node’s own owner out, over the trailing window (SPEC §4.4): pumping one’s own class moves only the others’ factor', () => {
    const h100 = (delivered: number, owner: string) => (n: NodeInput) => {
      n.hardware = { gpus: [{ model: 'H100', count: 8 }], vcpus: 128, ramGb: 1024, nvmeTb: 16, bandwidthGbps: 100 };
      n.gpuSecondsDelivered = delivered;
      n.owner = owner;
    };
    const a10 = (delivered: number) => (n: NodeInput) => {
      n.hardware = { gpus: [{ model: 'A10', count: 8 }], vcpus: 16, ramGb: 64, nvmeTb: 2, bandwidthGbps: 10 };
      n.gpuSecondsDelivered = delivered;
    };
    const full = 8 * 1440 * 60;
    const [pumper, rival] = ['0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000bb'];
    const honest = processEpoch(network([h100(full / 2, pumper), h100(full / 2, rival), a10(full / 2)]), params);
    const pumped = processEpoch(network([h100(full, pumper), h100(full / 2, rival), a10(full / 2)]), params);
    expect(pumped.statement(0).valuation.scarcity).toBe(honest.statement(0).valuation.scarcity); // its own pumping: no change
    expect(pumped.statement(1).valuation.scarcity).toBeGreaterThan(honest.statement(1).valuation.scarcity); // the rival sees the demand
    // the window: an earlier epoch in which the rival's class was idle lowers what the pumper sees
    const input = network([h100(full / 2, pumper), h100(full / 2, rival), a10(full / 2)]);
    input.scarcityHistory = [{ owner: rival, hardwareClass: 'H100', delivered: 0, provisioned: full }];
    expect(processEpoch(input, params).statement(0).valuation.scarcity).toBeLessThan(honest.statement(0).valuation.scarcity);
    expect(honest.ownerClassUsage).toEqual([
      { owner: '0x0000000000000000000000000000000000000003', hardwareClass: 'A10', delivered: full / 2, provisioned: full },
      { owner: pumper, hardwareClass: 'H100', delivered: full / 2, provisioned: full },
      { owner: rival, hardwareClass: 'H100', delivered: full / 2, provisioned: full },
    ]);
  });

  it('pays use from the usage pool, never above κ × the fee its receipts paid; capacity by score (SPEC §4.4)', () => {
    const paid = (fee: bigint) => (n: NodeInput) => {
      n.hardware = { gpus: [{ model: 'H100', count: 8 }], vcpus: 128, ramGb: 1024, nvmeTb: 16, bandwidthGbps: 100 };
      n.fee = fee;
    };
    const r = processEpoch(network([paid(0n), paid(10n * WAD), paid(30n * WAD)]), params);
    const [idle, a, b] = [r.statement(0), r.statement(1), r.statement(2)];
    expect(r.usagePool.fees).toBe(40n * WAD);
    expect(r.usagePool.pool).toBe(32n * WAD); // κ 0.8 × 40 tokens: far below 30 % of the compute pool
    expect(r.reasonCounts.USAGE_POOL_FEE_BOUND).toBe(1); // the fee bound, not the share, set the pool
    expect([idle.usageReward, a.usageReward, b.usageReward]).toEqual([0n, 8n * WAD, 24n * WAD]);
    expect(idle.capacityReward - a.capacityReward <= 1n && a.capacityReward - idle.capacityReward <= 1n).toBe(true); // the same capacity earns the same (± the largest remainder's unit), used or not
    expect(idle.capacityReward + a.capacityReward + b.capacityReward).toBe(r.pools.compute.paid - 32n * WAD);
  });

  it('takes a referral out of the referred node’s own reward, not the community pool (SPEC §4.5)', () => {
    const referrer = '0x00000000000000000000000000000000000000cc';
    const input = network([(n) => n, (n) => n]);
    const node = input.nodes[1] as NodeInput;
    Object.assign(node, { referrer, registeredAt: input.epochStart - 10 * 86_400 });
    const r = processEpoch(input, params);
    const s = r.statement(1);
    expect(s.referral).toBe((s.capacityReward * params.referral.share) / WAD);
    expect(s.reward).toBe(s.capacityReward - s.referral);
    expect(s.reasons).toContain('REFERRAL_PAID');
    expect(r.referrals).toEqual([{ referrer, nodeId: node.id, paid: s.referral }]);
    expect(r.pools.community.allocated).toBe(r.pools.community.paid + r.pools.community.toTreasury);
    // referring oneself from a second address gains nothing: owner + referrer get what the node alone would
    const plain = processEpoch({ ...input, nodes: input.nodes.map((n, i) => (i === 1 ? { ...n, referrer: null } : n)) }, params);
    expect(s.reward + s.referral).toBe(plain.statement(1).reward);
  });

  it('gives the same bytes whatever order the participants come in', () => {
    const input = syntheticEpoch({ seed: 3, nodes: 50, validators: 4, stakes: 6 });
    const shuffled = { ...input, nodes: [...input.nodes].reverse(), validators: [...input.validators].reverse(), stakes: [...input.stakes].reverse() };
    expect(resultJson(processEpoch(shuffled, params))).toBe(resultJson(processEpoch(input, params)));
  });

  it('sums GPU-seconds exactly for the largest node the schema admits, over a year-long epoch', () => {
    const input = network([(n) => n, (n) => n]);
    const year = 31_536_000;
    Object.assign(input, { epochSeconds: year, slotSeconds: 3600 });
    for (const n of input.nodes) {
      n.hardware.gpus = Array.from({ length: 64 }, () => ({ model: 'other', count: 1_000_000 }));
      Object.assign(n, { expectedSlots: year / 3600, upSlots: year / 3600, gpuSecondsDelivered: 0 });
    }
    const t = computeNetworkTotals(input.nodes, 3600, params);
    expect(t.utilisation.provisioned).toBe(2n * 64_000_000n * BigInt(year)); // 4.0e15 each side of 2^52: past the number part
  });
});
