import { WAD } from './amount.ts';
import type { GpuInput, NodeInput } from './epoch-input.ts';
import { type Params, PROVIDER_CLASSES, type ProviderClass } from './params.ts';
import type { ReasonCode } from './reasons.ts';

/**
 * Counted hardware (SPEC §3.1): how many of a node's GPUs count under the per-node and per-cluster
 * caps, the compute units they and its CPUs and NVMe are worth, and the node's hardware class.
 */

/** The hardware class of a node without a counted GPU. */
export const CPU_CLASS = 'cpu';

/**
 * The GPU models most valuable first (by compute units; equal ones by name), so that "the most
 * valuable GPUs count first" and "ties to the model first in the §3.1 table" are one order.
 *
 * @example rankModels(defaultParams().compute.gpuUnits) // ['H200', 'H100', 'A100-80G', …, 'other']
 */
export function rankModels(gpuUnits: Readonly<Record<string, bigint>>): string[] {
  return Object.keys(gpuUnits).sort((x, y) => {
    const d = (gpuUnits[y] as bigint) - (gpuUnits[x] as bigint);
    return d > 0n ? 1 : d < 0n ? -1 : x < y ? -1 : x > y ? 1 : 0;
  });
}

/** A node's GPUs, every model. */
export function countGpus(gpus: readonly GpuInput[]): number {
  let total = 0;
  for (const g of gpus) total += g.count;
  return total;
}

export type GpuAllowanceReturnType = { counted: number; reasons: readonly ReasonCode[] };
const NONE: readonly ReasonCode[] = Object.freeze([]);

/**
 * SPEC §3.1 caps: "≤ 32 GPUs per node and ≤ 1,000 GPUs per cluster; capacity above a cap earns
 * nothing." `clusterUsed` is what the owner's active nodes before this one (in id order) counted
 * already; an inactive node counts toward no cluster.
 *
 * @example computeGpuAllowance(40, 990, true, params.compute) // { counted: 10, reasons: ['GPU_CAP_EXCEEDED', 'CLUSTER_CAP_EXCEEDED'] }
 */
export function computeGpuAllowance(gpus: number, clusterUsed: number, active: boolean, c: Params['compute']): GpuAllowanceReturnType {
  let reasons: readonly ReasonCode[] = NONE;
  let counted = gpus;
  if (gpus > c.maxGpusPerNode) {
    counted = c.maxGpusPerNode;
    reasons = ['GPU_CAP_EXCEEDED'];
  }
  if (active) {
    const room = Math.max(0, c.maxGpusPerCluster - clusterUsed);
    if (counted > room) {
      counted = room;
      reasons = [...reasons, 'CLUSTER_CAP_EXCEEDED'];
    }
  }
  return { counted, reasons };
}

/**
 * A node's hardware class (SPEC §4.4): "the GPU model that carries most of its compute units (ties
 * to the model first in the §3.1 table; `cpu` for nodes without a counted GPU)" — of its `counted`
 * GPUs, the most valuable ones (`ranked` order). A GPU entry of count 0 is no GPU.
 *
 * @example hardwareClass([{ model: 'T4', count: 0 }], 0, ranked, params.compute.gpuUnits) // 'cpu'
 */
export function hardwareClass(gpus: readonly GpuInput[], counted: number, ranked: readonly string[], units: Readonly<Record<string, bigint>>): string {
  if (counted === 0) return CPU_CLASS;
  if (gpus.length === 1) return (gpus[0] as GpuInput).model;
  let best = 0n;
  let cls = CPU_CLASS;
  forCountedGpus(gpus, counted, ranked, (model, take) => {
    const u = BigInt(take) * (units[model] as bigint);
    if (u > best) {
      best = u;
      cls = model;
    }
  });
  return cls;
}

/**
 * `CU_i`, "the sum of the node's counted devices' compute units" (SPEC §4.4, units of §3.1): its
 * `counted` most valuable GPUs, its vCPUs and its NVMe TB. WAD.
 *
 * @example computeComputeUnits({ gpus: [{ model: 'H100', count: 2 }], vcpus: 32, nvmeTb: 2 }, 2, ranked, params.compute) // 25.64 WAD
 */
export function computeComputeUnits(
  hw: Pick<NodeInput['hardware'], 'gpus' | 'vcpus' | 'nvmeTb'>,
  counted: number,
  ranked: readonly string[],
  c: Params['compute'],
): bigint {
  let units = BigInt(hw.vcpus) * c.vcpuUnits + BigInt(hw.nvmeTb) * c.nvmeTbUnits;
  if (counted > 0 && hw.gpus.length === 1) return units + BigInt(counted) * (c.gpuUnits[(hw.gpus[0] as GpuInput).model] as bigint);
  forCountedGpus(hw.gpus, counted, ranked, (model, take) => {
    units += BigInt(take) * (c.gpuUnits[model] as bigint);
  });
  return units;
}

/** Calls `f` for each model of the node's `counted` most valuable GPUs, most valuable first, with how many count. */
function forCountedGpus(gpus: readonly GpuInput[], counted: number, ranked: readonly string[], f: (model: string, take: number) => void): void {
  let left = counted;
  for (const model of ranked) {
    if (left === 0) return;
    let have = 0;
    for (const g of gpus) if (g.model === model) have += g.count;
    const take = Math.min(left, have);
    if (take > 0) f(model, take);
    left -= take;
  }
}

/** The minimum bond per GPU (SPEC §5): `bond.days` × 24 h × the GPU rate, in tokens at the reference price. */
export function bondUnit(params: Params): bigint {
  return (BigInt(params.bond.days * 24) * params.bond.gpuRateUsdPerHour * WAD) / params.bond.referenceTokenPriceUsd;
}

/**
 * SPEC §5: the minimum bond is `bond.days` of a GPU's expected revenue at the GPU rate, in tokens
 * at the reference price, per GPU; a node without GPUs bonds per compute unit (one GPU-equivalent
 * per CU, the T4's weight), so the minimum scales with what it offers.
 *
 * @example computeMinBond({ hardware: { gpus: [{ model: 'H100', count: 8 }], vcpus: 128, nvmeTb: 16 } }, params) // 8 × 7 × 24 × rate / price
 */
export function computeMinBond(
  node: { hardware: Pick<NodeInput['hardware'], 'gpus' | 'vcpus' | 'nvmeTb'> & Partial<NodeInput['hardware']> },
  params: Params,
  unit = bondUnit(params),
): bigint {
  const hw = node.hardware;
  const gpus = countGpus(hw.gpus);
  if (gpus > 0) return unit * BigInt(gpus);
  const cpu = params.compute.vcpuUnits * BigInt(hw.vcpus) + params.compute.nvmeTbUnits * BigInt(hw.nvmeTb);
  return (unit * cpu) / WAD;
}

/** What a validator's latest check measured on a node's host (SPEC §3.1). */
export type MeasuredHardware = { vcpus: number; ramGb: number; nvmeTb: number; bandwidthGbps: number; hostId: string };

/**
 * The CPUs and NVMe a node is counted for (SPEC §3.1): "a node's compute units are computed from
 * `min(declared, measured)` for every item, never from the declaration alone … nodes on one host
 * share that host's CPUs and NVMe (they are counted once, split evenly between them)". `sharing`:
 * how many nodes of the epoch were measured on the same host. Without a measurement (the network's
 * onboarding is `open`: no validator checks anything) the declaration is all there is.
 *
 * @example countedHostResources({ vcpus: 64, nvmeTb: 8 }, { vcpus: 64, ramGb: 512, nvmeTb: 8, bandwidthGbps: 10, hostId }, 4) // { vcpus: 16, nvmeTb: 2 }
 */
export function countedHostResources(
  declared: Pick<NodeInput['hardware'], 'vcpus' | 'nvmeTb'>,
  measured: MeasuredHardware | undefined,
  sharing: number,
): { vcpus: number; nvmeTb: number } {
  if (measured === undefined) return { vcpus: declared.vcpus, nvmeTb: declared.nvmeTb };
  const k = Math.max(1, sharing);
  return { vcpus: Math.min(declared.vcpus, Math.floor(measured.vcpus / k)), nvmeTb: Math.min(declared.nvmeTb, Math.floor(measured.nvmeTb / k)) };
}

/**
 * Whether what was measured backs the classes a node declared (SPEC §3.1): its SLA class by its
 * own link ("a mission-critical node needs its 100 Gbps"), its provider class by what its owner
 * was measured to run — the counted GPUs of the owner's measured nodes and the RAM of their hosts,
 * each host once (a data centre is ≥ 100 GPUs and 1 TB across its nodes: a node holds at most 32).
 * Without a measurement there is nothing to hold the declaration against.
 *
 * @example isClassBacked(node, measured, { gpus: 8, ramGb: 512 }, params.compute) // false when the measured link is below the SLA class's bandwidth
 */
export function isClassBacked(
  node: Pick<NodeInput, 'slaClass' | 'providerClass'>,
  measured: MeasuredHardware | undefined,
  owner: { gpus: number; ramGb: number },
  c: Params['compute'],
): boolean {
  if (measured === undefined) return true;
  const pc = c.providerClasses[node.providerClass];
  return measured.bandwidthGbps >= c.sla[node.slaClass].bandwidthGbps && owner.ramGb >= pc.minRamGb && owner.gpus >= pc.minGpus;
}

/**
 * The highest provider class an owner's measured hardware backs (SPEC §3.1: Individual ≥ 1 GPU and
 * 32 GB, Edge ≥ 10 GPUs and 256 GB, Data centre ≥ 100 GPUs and 1 TB, across its nodes) — what an
 * agent should declare; `null` below the first.
 *
 * @example backedProviderClass({ gpus: 16, ramGb: 1024 }, params.compute) // 'edge'
 */
export function backedProviderClass(owner: { gpus: number; ramGb: number }, c: Params['compute']): ProviderClass | null {
  let best: ProviderClass | null = null;
  for (const cls of PROVIDER_CLASSES) {
    const pc = c.providerClasses[cls];
    if (owner.gpus >= pc.minGpus && owner.ramGb >= pc.minRamGb) best = cls;
  }
  return best;
}
