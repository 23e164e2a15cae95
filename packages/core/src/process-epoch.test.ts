import { describe, expect, it } from 'vitest';
import { WAD } from './amount.ts';
import type { EpochInput, NodeInput } from './epoch-input.ts';
import { computeNetworkTotals } from './network.ts';
import { defaultParams } from './params.ts';
import { processEpoch } from './process-epoch.ts';
import { resultJson } from './result-json.ts';
import { syntheticEpoch } from './synthetic.ts';

const params = defaultParams();

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
    Object.assign(n, { jobs: { standard: 0, standardErrors: 0, high: 0, highErrors: 0, p95ResponseMs: 0 }, ratings: { count: 0, sum: 0 } });
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
    const r = processEpoch(network([cpuOnly([]), cpuOnly([{ model: 'H100', count: 0 }]), busyH100, idleA10]), params);
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
