import { TOKEN, WAD } from './amount.ts';
import type { EpochInput, JobStats, NodeInput, NodeStatus } from './epoch-input.ts';
import type { ProviderClass, SlaClass } from './params.ts';

/**
 * A deterministic generator of realistic epoch inputs — mixed hardware, provider and SLA classes,
 * regions and behaviour — for examples, tests and benchmarks. Pure: the same options give the same
 * input (randomness comes from a seeded PRNG, never from the environment).
 */
export type SyntheticEpochParameters = {
  seed: number;
  nodes: number;
  epoch?: number;
  epochStart?: number;
  epochSeconds?: number;
  validators?: number;
  stakes?: number;
};

/** mulberry32: a small, fast, seeded PRNG returning [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The regions of synthetic and seeded networks. */
export const REGIONS = ['eu-west', 'eu-north', 'us-east', 'us-west', 'ap-south', 'ap-east', 'sa-east', 'af-south'];
export type Profile = { cls: ProviderClass; sla: SlaClass; models: string[]; gpus: [number, number]; vcpus: number; ram: number; nvme: number; bw: number };
/** The mix of synthetic and seeded networks: each profile's share of the nodes, then what such a node has. */
export const PROFILES: [number, Profile][] = [
  [0.3, { cls: 'individual', sla: 'minimum', models: ['RTX-4090', 'RTX-3090'], gpus: [1, 2], vcpus: 16, ram: 64, nvme: 2, bw: 1 }],
  [0.12, { cls: 'individual', sla: 'minimum', models: ['T4', 'A10', 'other'], gpus: [1, 4], vcpus: 8, ram: 32, nvme: 1, bw: 1 }],
  [0.2, { cls: 'edge', sla: 'recommended', models: ['L40S', 'A100-40G', 'A10'], gpus: [4, 8], vcpus: 64, ram: 256, nvme: 8, bw: 10 }],
  [0.3, { cls: 'datacentre', sla: 'recommended', models: ['H100', 'A100-80G'], gpus: [8, 8], vcpus: 128, ram: 1024, nvme: 16, bw: 100 }],
  [0.06, { cls: 'datacentre', sla: 'mission-critical', models: ['H200', 'H100'], gpus: [8, 8], vcpus: 192, ram: 2048, nvme: 30, bw: 100 }],
  [0.02, { cls: 'individual', sla: 'minimum', models: [], gpus: [0, 0], vcpus: 64, ram: 128, nvme: 8, bw: 10 }],
];

function hex40(r: () => number): string {
  const parts = ['0x'];
  for (let i = 0; i < 5; i++)
    parts.push(
      Math.floor(r() * 0x100000000)
        .toString(16)
        .padStart(8, '0'),
    );
  return parts.join(''); // a flat string, as JSON.parse makes (a rope is re-hashed on every Map lookup)
}

/**
 * Generates an epoch input of `nodes` nodes (ids `node-0000001`…, already in id order).
 *
 * @example const input = syntheticEpoch({ seed: 1, nodes: 60 })
 */
export function syntheticEpoch(p: SyntheticEpochParameters): EpochInput {
  const r = prng(p.seed);
  const epochSeconds = p.epochSeconds ?? 86_400;
  const epoch = p.epoch ?? 42;
  const epochStart = p.epochStart ?? 1_767_225_600 + epoch * epochSeconds;
  const minutes = Math.floor(epochSeconds / 60);
  const owners: string[] = [];
  const ownerCount = Math.max(1, Math.floor(p.nodes / 3));
  for (let i = 0; i < ownerCount; i++) owners.push(hex40(r));
  const pad = Math.max(7, String(p.nodes).length);
  const nodes: NodeInput[] = new Array(p.nodes);
  for (let i = 0; i < p.nodes; i++) nodes[i] = syntheticNode(r, i, pad, owners, epochStart, minutes);
  const validators = Array.from({ length: p.validators ?? 5 }, (_, i) => ({
    id: `validator-${String(i + 1).padStart(2, '0')}`,
    payout: hex40(r),
    agreedAudits: i === 0 ? 0 : 5 + Math.floor(r() * 40),
  }));
  const stakes = Array.from({ length: p.stakes ?? 20 }, (_, i) => {
    const operator = i < 3;
    return {
      id: `stake-${String(i + 1).padStart(3, '0')}`,
      payout: hex40(r),
      kind: operator ? ('operator' as const) : ('user' as const),
      amount: (operator ? 100_000n + BigInt(Math.floor(r() * 400_000)) : BigInt(100 + Math.floor(r() * 50_000))) * TOKEN,
      lockDays: operator ? 730 : ([0, 30, 90, 180, 365][Math.floor(r() * 5)] as number),
    };
  });
  const attestation = (role: 'model' | 'developer' | 'community' | 'liquidity', k: number) => ({
    role,
    attestor: 'foundation',
    entries: Array.from({ length: k }, () => ({ payout: hex40(r), points: 1 + Math.floor(r() * 1000) })),
  });
  let staked = 0n;
  for (const n of nodes) staked += n.bond;
  for (const s of stakes) staked += s.amount;
  return {
    version: 1,
    epoch,
    epochStart,
    epochSeconds,
    slotSeconds: 60,
    baseEmission: 1_000_000n * TOKEN,
    previousDynamicFactor: WAD,
    expansionPhase: false,
    supply: { total: staked * 3n + 1n, staked },
    excludedSlots: [],
    scarcityHistory: [],
    nodes,
    validators,
    stakes,
    attestations: [
      attestation('model', 4),
      attestation('developer', 6),
      attestation('community', 8),
      attestation('liquidity', 3),
      { role: 'model', attestor: 'unknown-attestor', entries: [{ payout: hex40(r), points: 50 }] },
    ],
  };
}

/** A job's price: 1,800 GPU-seconds at $0.30 per GPU-hour, 3 tokens at $0.10 a token. */
const JOB_PRICE = (1800n * 3n * TOKEN) / 3600n;

/** Price-weighted receipt statistics of `standard` and `high` jobs, rated `mean` on average. */
function syntheticJobStats(standard: number, standardErrors: number, high: number, highErrors: number, p95: number, mean: number): JobStats {
  const paid = BigInt(standard + high) * JOB_PRICE;
  return {
    standard: BigInt(standard) * JOB_PRICE,
    standardFailed: BigInt(standardErrors) * JOB_PRICE,
    high: BigInt(high) * JOB_PRICE,
    highFailed: BigInt(highErrors) * JOB_PRICE,
    p95ResponseMs: standard + high === 0 ? 0 : p95,
    ratingSum: (paid * BigInt(Math.round(mean * 100))) / 100n,
  };
}

/** Node i of a synthetic epoch: a profile, its behaviour, its bond, lock and referrer, all drawn from `r`. */
function syntheticNode(r: () => number, i: number, pad: number, owners: readonly string[], epochStart: number, minutes: number): NodeInput {
  let x = r();
  let prof = (PROFILES[0] as [number, Profile])[1];
  for (const [w, pr] of PROFILES) {
    if (x < w) {
      prof = pr;
      break;
    }
    x -= w;
  }
  const gpuCount = prof.gpus[0] + Math.floor(r() * (prof.gpus[1] - prof.gpus[0] + 1));
  const gpus = gpuCount === 0 ? [] : [{ model: prof.models[Math.floor(r() * prof.models.length)] as string, count: gpuCount }];
  // behaviour
  const b = r();
  let uptime: number;
  if (b < 0.7)
    uptime = 0.9995 + r() * 0.0005; // reliable
  else if (b < 0.88)
    uptime = 0.985 + r() * 0.015; // slightly flaky
  else if (b < 0.96)
    uptime = 0.9 + r() * 0.08; // flaky home GPU
  else uptime = r() * 0.9; // mostly down
  const isNew = r() < 0.08;
  const registeredAt = isNew ? epochStart - Math.floor(r() * 80 * 86_400) : epochStart - (100 + Math.floor(r() * 600)) * 86_400;
  const expectedSlots = r() < 0.03 ? Math.floor(minutes * (0.2 + 0.7 * r())) : minutes;
  const upSlots = Math.min(expectedSlots, Math.round(expectedSlots * uptime));
  const util = gpuCount === 0 ? 0 : r() < 0.15 ? 0 : r() * 0.95;
  const delivered = Math.floor(gpuCount * upSlots * 60 * util);
  const jobs = Math.floor(delivered / 1800);
  const high = Math.floor(jobs * r() * 0.3);
  const standard = jobs - high;
  const errRate = r() < 0.9 ? r() * 0.01 : r() * 0.08;
  const mean = 3 + r() * 2;
  const standardErrors = Math.min(standard, Math.round(standard * errRate));
  const highErrors = Math.min(high, Math.round(high * errRate * 0.3));
  const p95 = jobs === 0 ? 0 : 40 + Math.floor(r() * (r() < 0.8 ? 80 : 400));
  const all = syntheticJobStats(standard, standardErrors, high, highErrors, p95, mean);
  // one node in ten also ran jobs for keys that have paid only its owner: they count only against it
  const ownShare = r() < 0.1 ? Math.floor((standard - standardErrors) * r()) : 0;
  const statusRoll = r();
  const status: NodeStatus = statusRoll < 0.015 ? 'suspended' : statusRoll < 0.022 ? 'jailed' : statusRoll < 0.026 ? 'excluded' : 'active';
  const bondUnitTokens = 504n;
  const bondGpus = BigInt(gpuCount > 0 ? gpuCount : Math.ceil(prof.vcpus * 0.05 + prof.nvme * 0.02));
  const bondRoll = r();
  const bond =
    bondRoll < 0.02 ? 0n : bondRoll < 0.05 ? (bondUnitTokens * bondGpus * TOKEN) / 2n : bondUnitTokens * bondGpus * TOKEN * BigInt(1 + Math.floor(r() * 3));
  const lockRoll = r();
  const commitmentDays = lockRoll < 0.5 ? 0 : lockRoll < 0.7 ? 30 : lockRoll < 0.85 ? 90 : lockRoll < 0.93 ? 180 : lockRoll < 0.98 ? 365 : 730;
  const owner = owners[Math.floor(r() * owners.length)] as string;
  let referrer: string | null = null;
  if (isNew && r() < 0.5) {
    referrer = owners[Math.floor(r() * owners.length)] as string;
    if (referrer === owner) referrer = null;
  }
  return {
    id: ['node-', String(i + 1).padStart(pad, '0')].join(''),
    owner,
    region: REGIONS[Math.floor(r() * REGIONS.length)] as string,
    slaClass: prof.sla,
    providerClass: prof.cls,
    hardware: { gpus, vcpus: prof.vcpus, ramGb: prof.ram, nvmeTb: prof.nvme, bandwidthGbps: prof.bw },
    registeredAt,
    expectedSlots,
    upSlots,
    gpuSecondsDelivered: delivered,
    fee: (BigInt(jobs) * JOB_PRICE) / 10n,
    jobs: { all, independent: ownShare === 0 ? all : syntheticJobStats(standard - ownShare, standardErrors, high, highErrors, p95, mean) },
    powerEfficiency: r() < 0.1 ? null : (BigInt(Math.floor((0.6 + r() * 0.35) * 10_000)) * WAD) / 10_000n,
    commitmentDays,
    commitmentForfeited: commitmentDays > 0 && r() < 0.03,
    bond,
    status,
    onboarded: r() > 0.02,
    probationStage: r() < 0.02 ? 1 + Math.floor(r() * 3) : 0,
    anomalies: r() < 0.01 ? ['GPU_UTILISATION_OVER_100'] : [],
    services: r() < 0.05 ? ['confidential-compute'] : [],
    referrer,
  };
}
