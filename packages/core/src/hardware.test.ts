import { describe, expect, it } from 'vitest';
import { parseWad, WAD } from './amount.ts';
import {
  backedProviderClass,
  computeComputeUnits,
  computeGpuAllowance,
  computeMinBond,
  countedHostResources,
  countGpus,
  hardwareClass,
  isClassBacked,
  rankModels,
} from './hardware.ts';
import { defaultParams } from './params.ts';

const params = defaultParams();
const c = params.compute; // caps: 32 a node, 1,000 a cluster
const ranked = rankModels(c.gpuUnits);
const w = (x: string) => parseWad(x, 'x');

describe('counted hardware (SPEC §3.1)', () => {
  it('ranks the models most valuable first, as the §3.1 table lists them', () => {
    expect(ranked.slice(0, 3)).toEqual(['H200', 'H100', 'A100-80G']);
    expect(ranked.at(-1)).toBe('other');
  });

  it.each([
    ['under both caps', 8, 0, true, 8, []],
    ['above the node cap', 40, 0, true, 32, ['GPU_CAP_EXCEEDED']],
    ['the cluster nearly full', 8, 995, true, 5, ['CLUSTER_CAP_EXCEEDED']],
    ['both caps', 40, 990, true, 10, ['GPU_CAP_EXCEEDED', 'CLUSTER_CAP_EXCEEDED']],
    ['an inactive node counts toward no cluster', 8, 1000, false, 8, []],
  ])('allowance: %s', (_, gpus, used, active, counted, reasons) => {
    expect(computeGpuAllowance(gpus, used, active, c)).toEqual({ counted, reasons });
  });

  it.each([
    ['one model', [{ model: 'H100', count: 2 }], 2, 'H100'],
    ['no GPU', [], 0, 'cpu'],
    ['a GPU entry of count 0 (issue 18: it was that model)', [{ model: 'H100', count: 0 }], 0, 'cpu'],
    [
      'entries of count 0 and nothing else',
      [
        { model: 'T4', count: 0 },
        { model: 'H100', count: 0 },
      ],
      0,
      'cpu',
    ],
    [
      'the model carrying most units: 2 H100 (24) against 10 T4 (10)',
      [
        { model: 'T4', count: 10 },
        { model: 'H100', count: 2 },
      ],
      12,
      'H100',
    ],
    [
      'of the counted GPUs only: 1 counted of 1 T4 + 30 other',
      [
        { model: 'other', count: 30 },
        { model: 'T4', count: 1 },
      ],
      1,
      'T4',
    ],
    [
      'a tie goes to the model first in the table: 2 A10 (4) against 1 L40S (4)',
      [
        { model: 'A10', count: 2 },
        { model: 'L40S', count: 1 },
      ],
      3,
      'L40S',
    ],
    ['a capped node of no counted GPU', [{ model: 'H100', count: 4 }], 0, 'cpu'],
  ])('class: %s', (_, gpus, counted, cls) => {
    expect(hardwareClass(gpus, counted, ranked, c.gpuUnits)).toBe(cls);
  });

  it('counts the most valuable GPUs, the vCPUs and the NVMe', () => {
    const hw = {
      gpus: [
        { model: 'T4', count: 6 },
        { model: 'H100', count: 30 },
      ],
      vcpus: 100,
      nvmeTb: 10,
    };
    expect(countGpus(hw.gpus)).toBe(36);
    // 30 H100 × 12 + 2 T4 × 1 + 100 × 0.05 + 10 × 0.02
    expect(computeComputeUnits(hw, 32, ranked, c)).toBe(w('367.2'));
    expect(computeComputeUnits({ gpus: [{ model: 'H100', count: 0 }], vcpus: 20, nvmeTb: 0 }, 0, ranked, c)).toBe(WAD);
  });

  it('bonds 7 days of GPU revenue per GPU, or per compute unit without GPUs (SPEC §5)', () => {
    const perGpu = computeMinBond({ hardware: { gpus: [{ model: 'RTX-4090', count: 1 }], vcpus: 16, ramGb: 64, nvmeTb: 2, bandwidthGbps: 1 } }, params);
    expect(perGpu).toBeGreaterThan(0n);
    expect(computeMinBond({ hardware: { gpus: [{ model: 'H100', count: 8 }], vcpus: 0, ramGb: 0, nvmeTb: 0, bandwidthGbps: 1 } }, params)).toBe(8n * perGpu);
    // 20 vCPUs = 1 compute unit = one GPU's bond; a GPU entry of count 0 is no GPU
    expect(computeMinBond({ hardware: { gpus: [{ model: 'H100', count: 0 }], vcpus: 20, ramGb: 0, nvmeTb: 0, bandwidthGbps: 1 } }, params)).toBe(perGpu);
  });

  const host = { vcpus: 64, ramGb: 512, nvmeTb: 8, bandwidthGbps: 10, hostId: 'a'.repeat(64) };
  it('counts min(declared, measured) CPUs and NVMe, shared by the nodes on one host (SPEC §3.1)', () => {
    // declared 1,000 vCPUs on a 64-vCPU host: 64 counted
    expect(countedHostResources({ vcpus: 1000, nvmeTb: 100 }, host, 1)).toEqual({ vcpus: 64, nvmeTb: 8 });
    // four nodes each declaring the whole host share it
    expect(countedHostResources({ vcpus: 64, nvmeTb: 8 }, host, 4)).toEqual({ vcpus: 16, nvmeTb: 2 });
    // declaring less than measured counts the declaration
    expect(countedHostResources({ vcpus: 8, nvmeTb: 1 }, host, 1)).toEqual({ vcpus: 8, nvmeTb: 1 });
    // without a measurement (open onboarding) the declaration is all there is
    expect(countedHostResources({ vcpus: 1000, nvmeTb: 100 }, undefined, 3)).toEqual({ vcpus: 1000, nvmeTb: 100 });
  });

  it('holds the declared classes against what was measured: the link per node, the provider class per owner (SPEC §3.1)', () => {
    const node = { slaClass: 'recommended', providerClass: 'individual' } as const;
    const one = { gpus: 1, ramGb: 512 };
    expect(isClassBacked(node, host, one, c)).toBe(true);
    expect(isClassBacked({ ...node, slaClass: 'mission-critical' }, host, one, c)).toBe(false);
    expect(isClassBacked({ ...node, slaClass: 'mission-critical' }, { ...host, bandwidthGbps: 100 }, one, c)).toBe(true);
    expect(isClassBacked(node, host, { gpus: 1, ramGb: c.providerClasses.individual.minRamGb - 1 }, c)).toBe(false);
    expect(isClassBacked(node, host, { gpus: 0, ramGb: 512 }, c)).toBe(false);
    // a data centre: 100 GPUs and 1 TB across its owner's nodes (a node holds at most 32)
    const dc = { ...node, providerClass: 'datacentre' } as const;
    expect(isClassBacked(dc, host, { gpus: 8, ramGb: 512 }, c)).toBe(false);
    expect(isClassBacked(dc, host, { gpus: 104, ramGb: 13 * 512 }, c)).toBe(true);
    expect(isClassBacked({ ...node, slaClass: 'mission-critical' }, undefined, { gpus: 0, ramGb: 0 }, c)).toBe(true);
  });

  it('names the highest provider class an owner backs', () => {
    expect(backedProviderClass({ gpus: 0, ramGb: 512 }, c)).toBeNull();
    expect(backedProviderClass({ gpus: 8, ramGb: 256 }, c)).toBe('individual');
    expect(backedProviderClass({ gpus: 16, ramGb: 1024 }, c)).toBe('edge');
    expect(backedProviderClass({ gpus: 100, ramGb: 1024 }, c)).toBe('datacentre');
    expect(backedProviderClass({ gpus: 100, ramGb: 1023 }, c)).toBe('edge');
  });
});
