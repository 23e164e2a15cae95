import { parseWad, WAD } from './amount.ts';
import type { NodeInput } from './epoch-input.ts';

/**
 * The onboarding gates (SPEC §3.1) as a pure function: a validator measures a node and signs what
 * it found; this decides, from the node's declaration and those measurements, which gates pass.
 * A node earns nothing until every gate passes; a later re-check can revoke it.
 */

/**
 * Expected benchmark of each listed GPU model: dense BF16 tensor throughput with FP32 accumulate,
 * in TFLOPS, as `[lowest, highest]` a healthy card of that model measures (the range covers the
 * model's board variants, e.g. H100 PCIe to SXM, and clock and thermal spread). A model governance
 * adds without a reference here needs only a positive result; so does `other`.
 */
export const GPU_BENCHMARK_TFLOPS: Readonly<Record<string, readonly [number, number]>> = {
  H200: [700, 1_100],
  H100: [600, 1_100],
  'A100-80G': [250, 340],
  'A100-40G': [250, 340],
  L40S: [290, 400],
  'RTX-4090': [130, 185],
  A10: [100, 140],
  'RTX-3090': [55, 80],
  T4: [50, 72],
};
/** The least link bandwidth a node may have (SPEC §3.1: ≥ 1 Gbps). */
export const MIN_LINK_GBPS = 1;

export const ONBOARDING_GATES = ['hardware', 'link', 'nvme', 'tpm'] as const;
export type OnboardingGate = (typeof ONBOARDING_GATES)[number];

/** What a validator measured on a node: every GPU it found with its benchmark, the link, the disk and the TPM. */
export type OnboardingMeasurement = {
  gpus: readonly { model: string; count: number; tflops: string }[];
  linkGbps: string;
  nvme: boolean;
  tpm: boolean;
  /** The host's CPUs, RAM and NVMe and its identity (SPEC §3.1: counted hardware is measured hardware). */
  vcpus: number;
  ramGb: number;
  nvmeTb: number;
  hostId: string;
};
export type OnboardingOutcome = { passed: boolean; gates: Record<OnboardingGate, boolean>; reasons: string[] };

/**
 * Which gates pass: **hardware** — the GPUs found are exactly the declared models and counts, each
 * model benchmarks within its expected range (`GPU_BENCHMARK_TFLOPS`), and the host has at least
 * the vCPUs, RAM and NVMe declared (a node on a shared host declares the host's or its share: the
 * epoch counts the host once, split between its nodes, `countedHostResources`); **link** — at least
 * `MIN_LINK_GBPS`; **nvme** — an NVMe SSD present; **tpm** — a TPM 2.0 present. Every failure is
 * named in `reasons`.
 *
 * @example evaluateOnboarding(node.hardware, { gpus: [{ model: 'H100', count: 8, tflops: '940' }], linkGbps: '100', nvme: true, tpm: true, vcpus: 128, ramGb: 2048, nvmeTb: 30, hostId }).passed // true
 */
export function evaluateOnboarding(declared: NodeInput['hardware'], measured: OnboardingMeasurement): OnboardingOutcome {
  const reasons: string[] = [];
  const want = new Map<string, number>();
  for (const g of declared.gpus) want.set(g.model, (want.get(g.model) ?? 0) + g.count);
  const found = new Map<string, number>();
  for (const g of measured.gpus) found.set(g.model, (found.get(g.model) ?? 0) + g.count);
  for (const model of [...new Set([...want.keys(), ...found.keys()])].sort()) {
    if ((want.get(model) ?? 0) !== (found.get(model) ?? 0))
      reasons.push(`hardware: ${found.get(model) ?? 0} × ${model} found, ${want.get(model) ?? 0} declared`);
  }
  for (const [item, unit] of [
    ['vcpus', 'vCPUs'],
    ['ramGb', 'GB of RAM'],
    ['nvmeTb', 'TB of NVMe'],
  ] as const)
    if (declared[item] > measured[item]) reasons.push(`hardware: ${measured[item]} ${unit} found, ${declared[item]} declared`);
  for (const g of measured.gpus) {
    const tflops = parseWad(g.tflops, 'tflops');
    const range = GPU_BENCHMARK_TFLOPS[g.model];
    const [lo, hi] = range ?? [0, Number.POSITIVE_INFINITY];
    // lo < tflops ≤ hi for a listed model; > 0 otherwise (exact: compared in WAD)
    const ok = range === undefined ? tflops > 0n : tflops >= BigInt(lo) * WAD && tflops <= BigInt(hi) * WAD;
    if (!ok) reasons.push(`hardware: ${g.model} benchmarks ${g.tflops} TFLOPS, expected ${range === undefined ? 'above 0' : `${lo}–${hi}`}`);
  }
  const link = parseWad(measured.linkGbps, 'linkGbps') >= BigInt(MIN_LINK_GBPS) * WAD;
  if (!link) reasons.push(`link: ${measured.linkGbps} Gbps, at least ${MIN_LINK_GBPS} needed`);
  if (!measured.nvme) reasons.push('nvme: no NVMe SSD found');
  if (!measured.tpm) reasons.push('tpm: no TPM 2.0 found');
  const gates = {
    hardware: !reasons.some((r) => r.startsWith('hardware:')),
    link,
    nvme: measured.nvme,
    tpm: measured.tpm,
  };
  return { passed: gates.hardware && gates.link && gates.nvme && gates.tpm, gates, reasons };
}
