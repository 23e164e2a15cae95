import { clamp, floorDiv, toMicro, WAD } from './amount.ts';
import { Amounts, incrementLimbs, limbsToBigint } from './amounts.ts';
import { apportion, largestRemainders } from './apportion.ts';
import { checkEpochInput, type EpochInput, type NodeInput, type StakeInput, type ValidatorInput } from './epoch-input.ts';
import { InvalidArgumentError, InvariantError } from './errors.ts';
import { CONST, FIXED_BYTES, FIXED_LIMIT, type Kernel, kernel, Layout, MODE, OUT } from './kernel.ts';
import { checkEpochColumnsInput, type EpochColumnsInput, isNodeColumns, type NodeColumns, nodeColumns } from './node-columns.ts';
import { ATTESTED_ROLES, type AttestedRole, type Params, PROVIDER_CLASSES, paramsHash, ROLES, type Role, SLA_CLASSES, type Tier } from './params.ts';
import { REASONS, type ReasonCode } from './reasons.ts';
import { scratch as memory } from './scratch.ts';

/** Every factor of a node's compute reward, with the inputs it came from (SPEC §4.4, §4.6). */
export type NodeStatement = {
  id: string;
  owner: string;
  reward: bigint;
  eligible: boolean;
  /** GPU model carrying most of the node's compute units, or `cpu`. */
  hardwareClass: string;
  gpus: number;
  countedGpus: number;
  computeUnits: bigint;
  upSeconds: number;
  uptime: bigint;
  utilisation: bigint;
  contribution: bigint;
  quality: { uptime: bigint; errors: bigint; response: bigint; rating: bigint; total: bigint };
  valuation: { scarcity: bigint; geo: bigint; total: bigint };
  commitment: bigint;
  bonuses: { quality: bigint; newNode: bigint; underServed: bigint; innovation: bigint; energy: bigint; total: bigint };
  /** `C·Q·V·L·(1+B)` before the cap. */
  rawScore: bigint;
  probationShare: bigint;
  /** The score the compute pool is split by: capped, times the probation share; 0 when ineligible. */
  score: bigint;
  minBond: bigint;
  bond: bigint;
  /** The bond's weight in the staker pool: bond × L × Q, 0 while the node is not eligible. */
  bondWeight: bigint;
  /** The bond's share of the staker pool. */
  bondReward: bigint;
  reasons: readonly ReasonCode[];
};

export type ValidatorStatement = { id: string; payout: string; agreedAudits: number; reward: bigint; reasons: readonly ReasonCode[] };
/** A user or operator stake in the staker pool (providers' bonds are on their node statements). */
export type StakeStatement = { id: string; payout: string; kind: 'user' | 'operator'; amount: bigint; lockMultiplier: bigint; weight: bigint; reward: bigint };
export type AttestedStatement = { role: AttestedRole; payout: string; points: bigint; reward: bigint };
export type ReferralStatement = { referrer: string; nodeId: string; due: bigint; paid: bigint };
export type PoolTotals = { allocated: bigint; paid: bigint; toTreasury: bigint };

export type EpochResult = {
  version: 1;
  epoch: number;
  /** The engine that did the per-node arithmetic (not part of the result's JSON: both agree). */
  engine: 'wasm' | 'bigint';
  paramsHash: string;
  emission: {
    baseEmission: bigint;
    nextBaseEmission: bigint;
    networkUtilisation: bigint;
    rawDynamicFactor: bigint;
    dynamicFactor: bigint;
    growth: bigint;
    uncappedPool: bigint;
    epochPool: bigint;
    reasons: readonly ReasonCode[];
  };
  stakeRatio: bigint;
  stakerWeightAdjust: bigint;
  pools: Record<Role, PoolTotals>;
  treasury: bigint;
  /** Node ids in ascending order; `nodeRewards.get(i)` is the compute reward of `nodeIds[i]`. */
  nodeIds: string[];
  /** The payout address of `nodeIds[i]`. */
  nodeOwner: (index: number) => string;
  nodeRewards: Amounts;
  /** `bondRewards.get(i)`: the staker-pool reward of `nodeIds[i]`'s bond. */
  bondRewards: Amounts;
  /** The full statement of the i-th node (recomputed exactly on demand). */
  statement: (index: number) => NodeStatement;
  /** Every node's statement, in id order. */
  statements: () => NodeStatement[];
  validators: ValidatorStatement[];
  stakes: StakeStatement[];
  attested: AttestedStatement[];
  referrals: ReferralStatement[];
  ignoredAttestations: { role: AttestedRole; attestor: string; reason: ReasonCode }[];
  /** Every payout address's total for the epoch, in order of first appearance (nodes by id, validators, stakes, attested, referrers). */
  payouts: { address: string; amount: bigint }[];
  reasonCounts: Record<string, number>;
};

export type ProcessEpochOptions = {
  /** Skip the semantic input checks: only for input that `parseEpochInput` has just checked. */
  checked?: boolean;
  /**
   * Which engine does the per-node arithmetic: `wasm` (the default) runs it in the WebAssembly
   * kernel, on 128-bit columns — an epoch with a number beyond them falls back to `bigint`, the
   * reference engine, which the tests compare it with bit for bit. Both give the same result.
   */
  engine?: 'wasm' | 'bigint';
};

const NONE: readonly ReasonCode[] = Object.freeze([]);
const REASON_CODES = Object.keys(REASONS) as ReasonCode[];
/** A reason code's index in `REASON_CODES` (the kernel's run counts reasons by index). */
const RI = Object.fromEntries(REASON_CODES.map((c, k) => [c, k])) as Record<ReasonCode, number>;
/** The eligibility reasons, by bit (see `ineligibility`), in the order a statement lists them. */
const ELIGIBILITY_CODES: readonly ReasonCode[] = [
  'SUSPENDED',
  'JAILED',
  'EXCLUDED',
  'NOT_ONBOARDED',
  'NOT_BONDED',
  'BOND_BELOW_MINIMUM',
  'NO_CAPACITY',
  'NO_UPTIME',
  'BELOW_UPTIME_FLOOR',
  'NODE_NOT_ELIGIBLE',
];
const ELIGIBILITY_INDEX = ELIGIBILITY_CODES.map((c) => RI[c]);

/** Byte offsets of the kernel's per-node columns (see `kernel/kernel.ts`), and their layout. */
type KernelColumns = ReturnType<typeof layColumns> & { lay: Layout };

function layColumns(lay: Layout, n: number, m: number) {
  return {
    cu: lay.take(8 * n),
    gpus: lay.take(8 * n),
    up: lay.take(8 * n),
    deliv: lay.take(8 * n),
    uNum: lay.take(8 * n),
    uDen: lay.take(8 * n),
    jobs: lay.take(32 * n),
    p95: lay.take(8 * n),
    pNum: lay.take(8 * n),
    pDen: lay.take(8 * n),
    pGiven: lay.take(8 * n),
    bond: lay.take(FIXED_BYTES * n),
    mode: lay.take(4 * n),
    key: lay.take(4 * n),
    prob: lay.take(4 * n),
    score: lay.take(FIXED_BYTES * n),
    weight: lay.take(FIXED_BYTES * m),
    out: lay.take(4 * n),
    shares: lay.take(FIXED_BYTES * m),
    approx: lay.take(8 * m),
  };
}

/** The kernel's columns for n nodes and m staker-pool weights; null when its memory cannot grow to them. */
function kernelColumns(kr: Kernel, n: number, m: number): KernelColumns | null {
  const lay = new Layout(kr.base);
  const columns = layColumns(lay, n, m);
  try {
    kr.reserve(lay.end);
  } catch {
    return null; // the bigint engine does the epoch
  }
  return { ...columns, lay };
}
const DAY = 86_400;
const W2 = WAD * WAD;
const W4 = W2 * W2;
const HALF = WAD / 2n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const SMALL = Array.from({ length: 129 }, (_, i) => BigInt(i));
const MICRO = 10n ** 12n;

/**
 * Computes one epoch's rewards (SPEC §4): emission with decay, dynamic factor and circuit breaker;
 * the role split with the dynamic staker weight; the compute pool by `S = C·Q·V·L·(1+B)`; the
 * validator, staker and attested pools; referrals; a statement for every participant. Pure and
 * deterministic: the result depends only on the input and the parameters — not on the order
 * participants are listed in — and every pool is paid out to the last base unit.
 *
 * @example const result = processEpoch(parseEpochInput(json, params), params)
 */
export function processEpoch(input: EpochInput | EpochColumnsInput, params: Params, options: ProcessEpochOptions = {}): EpochResult {
  const columnar = isNodeColumns(input.nodes);
  if (options.checked !== true) {
    if (columnar) checkEpochColumnsInput(input as EpochColumnsInput, params);
    else checkEpochInput(input as EpochInput, params);
  }
  const reasonCounts: Record<string, number> = {};
  const count = (codes: readonly ReasonCode[]) => {
    for (const c of codes) reasonCounts[c] = (reasonCounts[c] ?? 0) + 1;
  };

  // the engine reads the nodes as columns, in id order: a list of objects is converted once
  const cols = columnar ? (input.nodes as NodeColumns) : nodeColumns(input.nodes as NodeInput[]);
  const n = cols.length;
  const ids = cols.ids;
  if (columnar && options.checked === true) {
    // the one thing the result's determinism rests on, checked even when the caller vouches
    for (let i = 1; i < n; i++) {
      if ((ids[i - 1] as string) >= (ids[i] as string)) {
        throw new InvalidArgumentError(`nodes[${i}].id`, 'node columns must be in strictly ascending id order', 'NOT_ASCENDING');
      }
    }
  }
  const addresses = cols.addresses;
  const inOwner = cols.owner;
  const inReferrer = cols.referrer;
  const inRegion = cols.region;
  const inSla = cols.slaClass;
  const inProvider = cols.providerClass;
  const inStatus = cols.status;
  const inOnboarded = cols.onboarded;
  const inForfeited = cols.commitmentForfeited;
  const inAnomalies = cols.anomalies;
  const inGpuStart = cols.gpuStart;
  const inGpuModel = cols.gpuModel;
  const inGpuCount = cols.gpuCount;
  const inServiceStart = cols.serviceStart;
  const inService = cols.service;
  const inVcpus = cols.vcpus;
  const inNvme = cols.nvmeTb;
  const inRegistered = cols.registeredAt;
  const inExpected = cols.expectedSlots;
  const inUp = cols.upSlots;
  const inDelivered = cols.gpuSecondsDelivered;
  const inStandard = cols.jobsStandard;
  const inStandardErrors = cols.jobsStandardErrors;
  const inHigh = cols.jobsHigh;
  const inHighErrors = cols.jobsHighErrors;
  const inP95 = cols.p95ResponseMs;
  const inRatingCount = cols.ratingsCount;
  const inRatingSum = cols.ratingsSum;
  const inDays = cols.commitmentDays;
  const inProbation = cols.probationStage;
  const inPower = cols.powerEfficiency;
  const inBond = cols.bond;

  memory.reset(); // this call's temporaries: see scratch.ts
  const slot = input.slotSeconds;
  const cp = params.compute;

  // ---- parameters of the compute pool, and the per-node helpers that need nothing else ------
  const q = cp.quality;
  const b = cp.bonuses;
  const slaOf = SLA_CLASSES.map((c) => {
    const x = cp.sla[c];
    return { targetM: micro(x.availability), rampStartM: micro(x.availability - q.uptimeRamp), floorM: micro(x.availability - q.eligibilityFloor) };
  });
  const rampM = micro(q.uptimeRamp);
  const baseM = micro(cp.utilisationBase);
  const weightM = micro(cp.utilisationWeight);
  const wU = BigInt(micro(q.uptimeWeight));
  const wE = BigInt(micro(q.errorWeight));
  const wR = BigInt(micro(q.responseWeight));
  const wP = BigInt(micro(q.ratingWeight));
  const spreadNum = micro(q.ratingSpread);
  const spreadM = BigInt(spreadNum);
  const M6 = 1_000_000n;
  const qualityConstUER = ((wU + wE + wR) * WAD) / M6; // Q's share when U = E = R = 1 (exact: weights are millionths)
  const innovation = new Set(cp.innovationList);
  const errDenStd = q.errorTolerance * q.errorTargetStandard; // W² scale
  const errDenHigh = q.errorTolerance * q.errorTargetHigh;
  const bondUnit = (BigInt(params.bond.days * 24) * params.bond.gpuRateUsdPerHour * WAD) / params.bond.referenceTokenPriceUsd;
  const minBondCache = new Map<number, bigint>();
  const responseNum = BigInt(q.responseTargetMs) * WAD;
  const ratingScale = WAD * M6;
  const tiers = cp.commitment;
  // what the dictionaries' entries mean here: looked up once each, not once a node
  const regionGeo = cols.regions.map((r) => (Object.hasOwn(cp.underServedRegions, r) ? (cp.underServedRegions[r] as bigint) : null));
  const innovativeModel = Uint8Array.from(cols.models, (m) => (innovation.has(m) ? 1 : 0));
  const innovativeTag = Uint8Array.from(cols.tags, (t) => (innovation.has(t) ? 1 : 0));
  const powerWords = new Int32Array(inPower.buffer, inPower.byteOffset, 2 * n);
  const energyHigh = Number(b.energyThreshold >> 32n);
  const energyLow = Number(b.energyThreshold & 0xffffffffn);
  const newNodeSeconds = b.newNodeDays * DAY;
  const underServedSeconds = b.underServedDays * DAY;
  /** Whether a node's GPUs or services are on the innovation list. */
  const innovative = (i: number): boolean => {
    for (let k = inGpuStart[i] as number; k < (inGpuStart[i + 1] as number); k++) if (innovativeModel[inGpuModel[k] as number] === 1) return true;
    for (let k = inServiceStart[i] as number; k < (inServiceStart[i + 1] as number); k++) if (innovativeTag[inService[k] as number] === 1) return true;
    return false;
  };
  /** The non-quality bits of a node's bonus mix (new node, under-served, innovation, energy, anomaly). */
  const bonusBits = (i: number): number => {
    const age = input.epochStart - (inRegistered[i] as number);
    let bits = 0;
    if (age < newNodeSeconds) bits |= 4;
    if (age < underServedSeconds && regionGeo[inRegion[i] as number] !== null) bits |= 8;
    if (innovation.size > 0 && innovative(i)) bits |= 16;
    // the power efficiency (a WAD below 2^63, or −1) against the threshold by its 32-bit halves
    const powerHigh = powerWords[2 * i + 1] as number;
    if (powerHigh > energyHigh || (powerHigh === energyHigh && powerHigh >= 0 && (powerWords[2 * i] as number) >>> 0 >= energyLow)) bits |= 32;
    if (inAnomalies[i] !== 0) bits |= 64;
    return bits;
  };
  /** The commitment tier a node's lock reaches (−1: none), and whether it was forfeited. */
  const lockOf = (i: number): number => {
    const lockIdx = tierIndex(tiers, inDays[i] as number);
    return inForfeited[i] === 1 && lockIdx >= 0 ? -2 : lockIdx;
  };
  /**
   * Minimum bond: 7 days of expected revenue per GPU; a node without GPUs bonds per compute unit
   * (one GPU-equivalent per CU, the T4's weight) so the minimum scales with what it offers.
   */
  const minBondOf = (gpus: number, cuM: number): bigint => {
    let minBond = minBondCache.get(gpus > 0 ? gpus : -1 - cuM);
    if (minBond === undefined) {
      minBond = gpus > 0 ? bondUnit * BigInt(gpus) : (bondUnit * BigInt(cuM)) / M6;
      minBondCache.set(gpus > 0 ? gpus : -1 - cuM, minBond);
    }
    return minBond;
  };
  const minBondNumbers = new Map<bigint, number>();
  /** Whether a node's bond is below `minBond`: by doubles, exactly only when they are close. */
  const bondBelow = (i: number, minBond: bigint): boolean => {
    const a = inBond.approx(i);
    let m = minBondNumbers.get(minBond);
    if (m === undefined) minBondNumbers.set(minBond, (m = Number(minBond)));
    if (a < m * (1 - 2 ** -40)) return true;
    if (a > m * (1 + 2 ** -40)) return false;
    return inBond.get(i) < minBond;
  };
  /**
   * Every eligibility reason that applies (SPEC §4.4) as bits, in the order a statement lists them:
   * bit k is `ELIGIBILITY_CODES[k]`. 0: eligible.
   */
  const ineligibility = (i: number, cuM: number, upM: number, up6: number, floorTimesExpected: number, minBond: bigint): number => {
    let bits = 0;
    const status = inStatus[i] as number; // NODE_STATUSES: active, suspended, jailed, excluded
    if (status !== 0) bits |= status === 1 ? 1 : status === 2 ? 2 : 4;
    if (inOnboarded[i] !== 1) bits |= 8;
    const bonded = inBond.positive(i);
    if (!bonded) bits |= 16;
    else if (bondBelow(i, minBond)) bits |= 32;
    if (cuM === 0) bits |= 64;
    if (upM === 0) bits |= 128;
    else if (up6 < floorTimesExpected) bits |= 256;
    if (bits !== 0 && bonded) bits |= 512;
    return bits;
  };

  // ---- the kernel's columns (the wasm engine), filled as pass 1 goes ---------------------------
  const stakeList = sortedById(input.stakes) as readonly StakeInput[];
  const kr = options.engine !== 'bigint' && n > 0 ? kernel() : null;
  const kc = kr && kernelColumns(kr, n, n + stakeList.length); // null: no memory for them
  // false once a number outgrows the 128-bit columns; the bonds go in as they are
  const kernelFits = kc !== null && inBond.copyLimbs((kr as Kernel).U32, kc.bond >>> 2);
  const kF = kr?.F64 ?? new Float64Array(0);
  const kU32 = kr?.U32 ?? new Uint32Array(0);
  const kI32 = kr?.I32 ?? new Int32Array(0);
  /** Reason counts of the kernel's run (merged into the result only if the run stands). */
  const hits = new Float64Array(REASON_CODES.length);
  const hit = (k: number) => {
    hits[k] = (hits[k] as number) + 1;
  };
  const keyIndex = new NumberIndex();
  const keys: { key: number; cls: number; region: number; lockIdx: number; bits: number }[] = [];
  /** One node's columns, reasons and K key, from what pass 1 has just worked out. */
  const fill = (c: KernelColumns, i: number, gpus: number, cuM: number, cls: number, flags: number): void => {
    const F = kF;
    const U32 = kU32;
    if (flags & 1) hit(RI.GPU_CAP_EXCEEDED);
    if (flags & 2) hit(RI.CLUSTER_CAP_EXCEEDED);
    const upM = inUp[i] as number;
    const expM = inExpected[i] as number;
    const t = slaOf[inSla[i] as number] as { targetM: number; rampStartM: number; floorM: number };
    F[(c.cu >>> 3) + i] = cuM;
    F[(c.gpus >>> 3) + i] = gpus;
    F[(c.up >>> 3) + i] = upM * slot;
    F[(c.deliv >>> 3) + i] = inDelivered[i] as number;
    let mode = 0;
    const up6 = upM * 1_000_000;
    if (expM === 0) mode |= MODE.U_ZERO;
    else if (up6 < t.targetM * expM) {
      const a = up6 - t.rampStartM * expM;
      if (a <= 0) mode |= MODE.U_ZERO;
      else {
        mode |= MODE.U_DIV;
        F[(c.uNum >>> 3) + i] = a;
        F[(c.uDen >>> 3) + i] = expM * rampM;
      }
      hit(RI.UPTIME_BELOW_TARGET);
    }
    const standard = inStandard[i] as number;
    const high = inHigh[i] as number;
    if (standard + high > 0) {
      const standardErrors = inStandardErrors[i] as number;
      const highErrors = inHighErrors[i] as number;
      if (standardErrors > 0 || highErrors > 0) {
        mode |= MODE.E_DIV;
        const o = (c.jobs >>> 3) + 4 * i;
        F[o] = standard;
        F[o + 1] = standardErrors;
        F[o + 2] = high;
        F[o + 3] = highErrors;
      }
      const p95 = inP95[i] as number;
      if (p95 > q.responseTargetMs) {
        mode |= MODE.R_DIV;
        F[(c.p95 >>> 3) + i] = p95;
        hit(RI.SLOW_RESPONSES);
      }
    }
    if ((inRatingCount[i] as number) > 0) {
      // P's terms need the class totals: the node's sum and count for now
      mode |= MODE.P_DIV;
      F[(c.pNum >>> 3) + i] = inRatingSum[i] as number;
      F[(c.pDen >>> 3) + i] = inRatingCount[i] as number;
    }
    let lockIdx = lockOf(i);
    if (lockIdx === -2) {
      lockIdx = -1;
      hit(RI.COMMITMENT_FORFEITED);
    }
    const bits = bonusBits(i);
    const region = inRegion[i] as number;
    const key = kKey(cls, region, lockIdx, bits);
    let kx = keyIndex.find(key);
    if (kx < 0) {
      kx = keyIndex.add(key);
      keys.push({ key, cls, region, lockIdx, bits });
    }
    U32[(c.key >>> 2) + i] = kx;
    if (bits & 64) hit(RI.ANOMALY_FLAGGED);
    let pi = -1;
    const stage = inProbation[i] as number;
    if (stage > 0) {
      pi = Math.min(stage, cp.probation.length) - 1;
      if ((cp.probation[pi] as bigint) < WAD) hit(RI.PROBATION);
    }
    kI32[(c.prob >>> 2) + i] = pi;
    const notEligible = ineligibility(i, cuM, upM, up6, t.floorM * expM, minBondOf(gpus, cuM));
    if (notEligible === 0) mode |= MODE.ELIGIBLE;
    else for (let k = 0; notEligible >>> k !== 0; k++) if ((notEligible >>> k) & 1) hit(ELIGIBILITY_INDEX[k] as number);
    if (inBond.positive(i)) mode |= MODE.BONDED; // the bonds are in the kernel's column already
    U32[(c.mode >>> 2) + i] = mode;
  };

  // ---- pass 1: hardware, capacity, network and class totals ----------------------------------
  // Compute units are exact integers of millionths (params are validated to 6 decimals), so the
  // per-node arithmetic here is plain numbers; bigints come in only where products outgrow 2^53.
  const models = Object.keys(cp.gpuUnits).sort((a, b) => {
    const d = (cp.gpuUnits[b] as bigint) - (cp.gpuUnits[a] as bigint);
    return d > 0n ? 1 : d < 0n ? -1 : cmp(a, b);
  });
  const modelIndex = new Map(models.map((m, i) => [m, i]));
  /** The engine's index (by value) of each model the columns list. */
  const modelOf = Int32Array.from(cols.models, (m, k) => {
    const x = modelIndex.get(m);
    if (x === undefined) throw new InvalidArgumentError(`nodes.models[${k}]`, `unknown GPU model ${JSON.stringify(m)}`, 'UNKNOWN_GPU_MODEL');
    return x;
  });
  const unitM = models.map((m) => micro(cp.gpuUnits[m] as bigint));
  const vcpuM = micro(cp.vcpuUnits);
  const nvmeM = micro(cp.nvmeTbUnits);
  const classNames = [...models, 'cpu'];
  const CPU = models.length;
  // this call's temporaries live in reused scratch memory; what the statements need later (the
  // counted GPUs and the cap flags) in the result's own arrays
  const gpusOf = memory.f64(n);
  const cuOf = memory.f64(n); // compute units, in millionths
  const classOf = memory.i32(n);
  const countedOf = new Int32Array(n);
  const capFlags = new Uint8Array(n); // 1: node cap, 2: cluster cap
  const clusterUsed = memory.f64(addresses.length).fill(0); // GPUs counted so far, by owner
  let netDelivered = 0;
  let netProvisioned = 0; // GPU × up-seconds: utilisation for the dynamic factor (§4.2)
  let netCapacity = 0; // GPU × expected seconds: the scarcity valuation (see the core README)
  const classDelivered = new Float64Array(CPU + 1);
  const classCapacity = new Float64Array(CPU + 1);
  const classActive = new Float64Array(CPU + 1); // active nodes per class
  const nodeIds = ids.slice();
  const referred: number[] = []; // nodes whose referrer is still due a share (§4.5)
  const referralSeconds = params.referral.days * DAY;
  const ratingSum = new Float64Array(PROVIDER_CLASSES.length);
  const ratingCount = new Float64Array(PROVIDER_CLASSES.length);
  const perModel = new Float64Array(CPU); // scratch: units per model of one node
  /** A node's hardware class: the model carrying most units (ties: the higher-valued model), or `cpu`. */
  const hardwareClass = (i: number): number => {
    const from = inGpuStart[i] as number;
    const to = inGpuStart[i + 1] as number;
    if (to === from) return CPU;
    if (to === from + 1) return modelOf[inGpuModel[from] as number] as number;
    perModel.fill(0);
    let best = -1;
    let cls = CPU;
    let lowest = CPU;
    for (let e = from; e < to; e++) {
      const k = modelOf[inGpuModel[e] as number] as number;
      perModel[k] = (perModel[k] as number) + (inGpuCount[e] as number) * (unitM[k] as number);
      if (k < lowest) lowest = k;
    }
    for (let k = 0; k < CPU; k++) {
      if ((perModel[k] as number) > best && (perModel[k] as number) > 0) {
        best = perModel[k] as number;
        cls = k;
      }
    }
    return cls === CPU ? lowest : cls;
  };
  const gpuCount = (i: number): number => {
    const from = inGpuStart[i] as number;
    const to = inGpuStart[i + 1] as number;
    if (to === from + 1) return inGpuCount[from] as number;
    let gpus = 0;
    for (let e = from; e < to; e++) gpus += inGpuCount[e] as number;
    return gpus;
  };
  /** Compute units in millionths, counting `allowance` GPUs: the most valuable ones. */
  const unitsOf = (i: number, cls: number, allowance: number): number => {
    const from = inGpuStart[i] as number;
    const to = inGpuStart[i + 1] as number;
    let cu = (inVcpus[i] as number) * vcpuM + (inNvme[i] as number) * nvmeM;
    if (to === from + 1) cu += allowance * (unitM[cls] as number);
    else if (to > from + 1) {
      let left = allowance;
      const byValue = Array.from({ length: to - from }, (_, e) => from + e).sort(
        (x, y) => (modelOf[inGpuModel[x] as number] as number) - (modelOf[inGpuModel[y] as number] as number),
      );
      for (const e of byValue) {
        if (left <= 0) break;
        const c = Math.min(left, inGpuCount[e] as number);
        cu += c * (unitM[modelOf[inGpuModel[e] as number] as number] as number);
        left -= c;
      }
    }
    return cu;
  };
  /** The key of a node's K without its quality tier (the two low bits). Region leads: it is unbounded. */
  const kKey = (cls: number, region: number, lockIdx: number, bonusMix: number) => ((region * (CPU + 1) + cls) * 64 + (lockIdx + 1)) * 128 + bonusMix;
  for (let i = 0; i < n; i++) {
    const gpus = gpuCount(i);
    const cls = hardwareClass(i);
    // caps: per node, then per cluster (all of an owner's active nodes, in id order)
    let allowance = Math.min(gpus, cp.maxGpusPerNode);
    let flags = gpus > cp.maxGpusPerNode ? 1 : 0;
    const owner = inOwner[i] as number;
    const active = inStatus[i] === 0;
    if (active) {
      const used = clusterUsed[owner] as number;
      const room = Math.max(0, cp.maxGpusPerCluster - used);
      if (allowance > room) {
        allowance = room;
        flags |= 2;
      }
      clusterUsed[owner] = used + allowance;
    }
    capFlags[i] = flags;
    gpusOf[i] = gpus;
    countedOf[i] = allowance;
    const cuM = unitsOf(i, cls, allowance);
    cuOf[i] = cuM;
    classOf[i] = cls;
    const delivered = inDelivered[i] as number;
    if (active) {
      netDelivered += delivered;
      netProvisioned += gpus * (inUp[i] as number) * slot;
      const cap = gpus * (inExpected[i] as number) * slot;
      netCapacity += cap;
      classDelivered[cls] = (classDelivered[cls] as number) + delivered;
      classCapacity[cls] = (classCapacity[cls] as number) + cap;
      classActive[cls] = (classActive[cls] as number) + 1;
    }
    const ratings = inRatingCount[i] as number;
    if (ratings > 0) {
      const pc = inProvider[i] as number;
      ratingSum[pc] = (ratingSum[pc] as number) + (inRatingSum[i] as number);
      ratingCount[pc] = (ratingCount[pc] as number) + ratings;
    }
    if ((inReferrer[i] as number) >= 0 && input.epochStart - (inRegistered[i] as number) < referralSeconds) referred.push(i);
    if (kc !== null && kernelFits) fill(kc, i, gpus, cuM, cls, flags);
  }
  if (!Number.isSafeInteger(netProvisioned) || !Number.isSafeInteger(netCapacity) || !Number.isSafeInteger(netDelivered)) {
    throw new InvariantError('network GPU-seconds exceed 2^53');
  }

  // ---- emission (§4.2) -----------------------------------------------------------------------
  const em = params.emission;
  const emissionReasons: ReasonCode[] = [];
  const networkUtilisation = netProvisioned === 0 ? 0n : (BigInt(netDelivered) * WAD) / BigInt(netProvisioned);
  const ratio = netProvisioned === 0 ? 0n : (BigInt(netDelivered) * W2) / (BigInt(netProvisioned) * em.targetUtilisation);
  const clamped = clamp(ratio, em.dynamicMin, em.dynamicMax);
  if (clamped !== ratio) emissionReasons.push('DYNAMIC_FACTOR_CLAMPED');
  const growth = input.expansionPhase ? em.expansionGrowth : WAD;
  const rawDynamicFactor = (clamped * growth) / WAD;
  let dynamicFactor = rawDynamicFactor;
  const prev = input.previousDynamicFactor;
  if (prev !== null) {
    const lo = (prev * (WAD - em.circuitBreaker)) / WAD;
    const hi = (prev * (WAD + em.circuitBreaker)) / WAD;
    dynamicFactor = clamp(rawDynamicFactor, lo, hi);
    if (dynamicFactor !== rawDynamicFactor) emissionReasons.push('CIRCUIT_BREAKER_CLIPPED');
  }
  const uncappedPool = (input.baseEmission * dynamicFactor) / WAD;
  let epochPool = uncappedPool;
  if (epochPool > em.maxPerEpoch) {
    epochPool = em.maxPerEpoch;
    emissionReasons.push('EMISSION_CAPPED');
  }
  const nextBaseEmission = (input.baseEmission * (WAD - em.decayPerEpoch)) / WAD;

  // ---- role split (§4.3) ---------------------------------------------------------------------
  const { total, staked } = input.supply;
  const stakeRatio = total === 0n ? 0n : (staked * WAD) / total;
  const rp = params.roles;
  const stakerWeightAdjust = staked === 0n ? rp.stakerAdjustMax : clamp((rp.targetStakeRatio * total) / staked, rp.stakerAdjustMin, rp.stakerAdjustMax);
  const roleWeights = ROLES.map((r) => (r === 'stakers' ? (rp.weights[r] * stakerWeightAdjust) / WAD : rp.weights[r]));
  const roleShares = apportion(epochPool, roleWeights) ?? ROLES.map(() => 0n);
  const rolePool = Object.fromEntries(ROLES.map((r, i) => [r, roleShares[i] as bigint])) as Record<Role, bigint>;
  const pools = Object.fromEntries(ROLES.map((r) => [r, { allocated: rolePool[r], paid: 0n, toTreasury: 0n }])) as Record<Role, PoolTotals>;
  let treasury = epochPool - roleShares.reduce((a, b) => a + b, 0n); // 0 unless every weight is 0

  // ---- compute pool (§4.4) -------------------------------------------------------------------
  // scarcity V_class per hardware class (capacity-based: see the core README, "valuation")
  const scarcityOf: bigint[] = [];
  const scarcityClipped: boolean[] = [];
  for (let k = 0; k <= CPU; k++) {
    const cap = classCapacity[k] as number;
    if (netDelivered === 0 || cap === 0) {
      scarcityOf.push(WAD);
      scarcityClipped.push(false);
      continue;
    }
    const raw = (BigInt(classDelivered[k] as number) * BigInt(netCapacity) * WAD) / (BigInt(cap) * BigInt(netDelivered));
    const v = clamp(raw, cp.valuationMin, cp.valuationMax);
    scarcityOf.push(v);
    scarcityClipped.push(v !== raw);
  }
  const classRating = PROVIDER_CLASSES.map((_, k) => ({ sum: BigInt(ratingSum[k] as number), count: BigInt(ratingCount[k] as number) }));
  // K = V·L·(1+B) takes few distinct values: cached by (class, region, lock tier, bonus mix)
  type KEntry = { K: bigint; L: bigint; mayCap: boolean; bonusCapped: boolean; valuation: NodeStatement['valuation']; bonuses: NodeStatement['bonuses'] };
  const kCache = new Map<number, KEntry>();
  /** K = V·L·(1+B) of a (class, region, lock tier, bonus mix) key: few distinct values, cached. */
  const kEntry = (key: number, cls: number, region: number, lockIdx: number, bonusMix: number): KEntry => {
    let k = kCache.get(key);
    if (k !== undefined) return k;
    const scarcity = scarcityOf[cls] as bigint;
    const geo = regionGeo[region] ?? WAD;
    const V = (scarcity * geo) / WAD;
    const L = lockIdx < 0 ? WAD : (tiers[lockIdx] as Tier).multiplier;
    const bq = (bonusMix & 3) === 2 ? b.qualityHigh : (bonusMix & 3) === 1 ? b.qualityMid : 0n;
    const bonuses = {
      quality: bq,
      newNode: bonusMix & 4 ? b.newNode : 0n,
      underServed: bonusMix & 8 ? b.underServed : 0n,
      innovation: bonusMix & 16 ? b.innovation : 0n,
      energy: bonusMix & 32 ? b.energy : 0n,
      total: 0n,
    };
    const sum = bonuses.quality + bonuses.newNode + bonuses.underServed + bonuses.innovation + bonuses.energy;
    let B = sum;
    if (bonusMix & 64) B = 0n;
    else if (B > b.cap) B = b.cap;
    bonuses.total = B;
    const K = V * L * (WAD + B);
    k = {
      K,
      L,
      mayCap: K > capW3,
      bonusCapped: (bonusMix & 64) === 0 && sum > b.cap,
      valuation: Object.freeze({ scarcity, geo, total: V }),
      bonuses: Object.freeze(bonuses),
    };
    kCache.set(key, k);
    return k;
  };
  /**
   * P's numerator and denominator as numbers, `P = 0.5 + num·10²⁴ / den` (floored): into `out`,
   * true while they are exact as numbers.
   */
  const ratingTermsOf = (pc: number, sum: number, count: number, out: Float64Array): boolean => {
    const cc = ratingCount[pc] as number;
    const cs = ratingSum[pc] as number;
    const n1 = sum * cc;
    const n2 = cs * count;
    const dn = spreadNum * count * cc;
    out[0] = n1 - n2;
    out[1] = dn;
    return n1 <= MAX_SAFE && n2 <= MAX_SAFE && dn <= MAX_SAFE;
  };
  const terms = new Float64Array(2);
  /** P before clipping: 0.5 + (mean − classMean) / spread, exact (floored once). */
  const ratingRaw = (i: number): bigint => {
    const pc = inProvider[i] as number;
    const sum = inRatingSum[i] as number;
    const count = inRatingCount[i] as number;
    // the same integers as below, while they are exact as numbers
    if (ratingTermsOf(pc, sum, count, terms)) return HALF + floorDiv(BigInt(terms[0] as number) * ratingScale, BigInt(terms[1] as number));
    const c = classRating[pc] as { sum: bigint; count: bigint };
    const ni = BigInt(count);
    return HALF + floorDiv((BigInt(sum) * c.count - c.sum * ni) * ratingScale, spreadM * ni * c.count);
  };
  const capW3 = cp.scoreCap * W2; // S > cap·C is possible only when Q·K > scoreCap·W³, i.e. K > scoreCap·W²
  let scores: bigint[] = [];
  let rewards: Amounts | undefined;
  let bondWeights: bigint[] = []; // bonds by node, then the stakes
  let bondRewards: Amounts | undefined;
  const ZERO_QUALITY_BONUS = 0;
  const scratch: ReasonCode[] = [];
  /**
   * One node's score. The hot loop keeps only the score (and counts the reasons); `explain`
   * recomputes the node the same way and returns its whole statement — so a million statements
   * need not sit in memory for the rewards to be computed, yet each is exact when asked for.
   */
  const evaluate = (i: number, explain: boolean): NodeStatement | undefined => {
    // the hot loop reuses one scratch list (it only counts the codes); a statement gets its own
    const reasons: ReasonCode[] = explain ? [] : scratch;
    reasons.length = 0;
    const flags = capFlags[i] as number;
    if (flags & 1) reasons.push('GPU_CAP_EXCEEDED');
    if (flags & 2) reasons.push('CLUSTER_CAP_EXCEEDED');
    // the hot loop reads this call's scratch columns; a statement (asked for later) recomputes them
    const gpus = explain ? gpuCount(i) : (gpusOf[i] as number);
    const cls = explain ? hardwareClass(i) : (classOf[i] as number);
    const cuM = explain ? unitsOf(i, cls, countedOf[i] as number) : (cuOf[i] as number);
    const upM = inUp[i] as number;
    const expM = inExpected[i] as number;
    const delivered = inDelivered[i] as number;
    const upSeconds = upM * slot;
    const t = slaOf[inSla[i] as number] as { targetM: number; rampStartM: number; floorM: number };

    // C = CU × upSeconds × (base + weight × utilisation), utilisation = delivered / (GPUs × upSeconds),
    //   = CU × (base·GPUs·upSeconds + weight·delivered) / GPUs      (multiply first, floor once)
    let contribution: bigint;
    if (gpus > 0 && upSeconds > 0) {
      const prov = gpus * upSeconds;
      const x = baseM * prov + weightM * delivered; // millionths, exact below 2^53
      const xb = Number.isSafeInteger(x) ? BigInt(x) : BigInt(baseM) * BigInt(prov) + BigInt(weightM) * BigInt(delivered);
      const cu6 = cuM * 1_000_000;
      contribution = ((cu6 <= MAX_SAFE ? BigInt(cu6) : BigInt(cuM) * M6) * xb) / (gpus < SMALL.length ? (SMALL[gpus] as bigint) : BigInt(gpus));
    } else {
      contribution = BigInt(cuM) * BigInt(upSeconds) * BigInt(baseM) * M6;
    }

    // U: 1 at or above target, linear to 0 at target − ramp
    let U = WAD;
    const up6 = upM * 1_000_000;
    if (expM === 0) U = 0n;
    else if (up6 < t.targetM * expM) {
      const a = up6 - t.rampStartM * expM;
      U = a <= 0 ? 0n : (BigInt(a) * WAD) / BigInt(expM * rampM);
      if (U > WAD) U = WAD;
      reasons.push('UPTIME_BELOW_TARGET');
    }
    // E and R from the jobs
    const standard = inStandard[i] as number;
    const standardErrors = inStandardErrors[i] as number;
    const high = inHigh[i] as number;
    const highErrors = inHighErrors[i] as number;
    const jobs = standard + high;
    let E = WAD;
    let R = WAD;
    if (jobs > 0) {
      if (standardErrors > 0 || highErrors > 0) {
        const eStd = standardErrors > 0 ? errorFactor(standard, standardErrors, errDenStd) : WAD;
        const eHigh = highErrors > 0 ? errorFactor(high, highErrors, errDenHigh) : WAD;
        if ((standard > 0 && eStd === 0n) || (high > 0 && eHigh === 0n)) reasons.push('ERROR_RATE_ABOVE_TOLERANCE');
        E = (BigInt(standard) * eStd + BigInt(high) * eHigh) / BigInt(jobs);
      }
      const p95 = inP95[i] as number;
      if (p95 > q.responseTargetMs) {
        R = responseNum / BigInt(p95);
        reasons.push('SLOW_RESPONSES');
      }
    }
    // P: rating relative to the provider class, 0.5 + (mean − classMean) / spread
    let P = HALF;
    if ((inRatingCount[i] as number) > 0) {
      const raw = ratingRaw(i);
      P = raw < 0n ? 0n : raw > WAD ? WAD : raw;
      if (P !== raw) reasons.push('RATING_CLIPPED');
    }
    // Q = wU·U + wE·E + wR·R + wP·P
    const Q = U === WAD && E === WAD && R === WAD ? qualityConstUER + (wP * P) / M6 : (wU * U + wE * E + wR * R + wP * P) / M6;

    // V, L, B → K = V·L·(1+B), cached
    let lockIdx = lockOf(i);
    if (lockIdx === -2) {
      lockIdx = -1;
      reasons.push('COMMITMENT_FORFEITED');
    }
    const bits = bonusBits(i);
    const bonusMix = (Q >= b.qualityHighThreshold ? 2 : Q >= b.qualityMidThreshold ? 1 : ZERO_QUALITY_BONUS) | bits;
    const region = inRegion[i] as number;
    const k = kEntry(kKey(cls, region, lockIdx, bonusMix), cls, region, lockIdx, bonusMix);
    if (scarcityClipped[cls] && inStatus[i] === 0) reasons.push('VALUATION_CLIPPED');
    if (bonusMix & 64) reasons.push('ANOMALY_FLAGGED');
    else if (k.bonusCapped) reasons.push('BONUS_CAPPED');
    const L = k.L;

    // S = C·Q·V·L·(1+B), capped at scoreCap × C, times the probation share
    const rawScore = (contribution * Q * k.K) / W4;
    let score = rawScore;
    if (k.mayCap) {
      const cap = (cp.scoreCap * contribution) / WAD;
      if (score > cap) {
        score = cap;
        reasons.push('SCORE_CAPPED');
      }
    }
    let probationShare = WAD;
    const stage = inProbation[i] as number;
    if (stage > 0) {
      probationShare = cp.probation[Math.min(stage, cp.probation.length) - 1] as bigint;
      if (probationShare < WAD) reasons.push('PROBATION');
      score = (score * probationShare) / WAD;
    }

    // eligibility: every reason that applies is reported
    const minBond = minBondOf(gpus, cuM);
    const notEligible = ineligibility(i, cuM, upM, up6, t.floorM * expM, minBond);
    for (let k = 0; notEligible >>> k !== 0; k++) if ((notEligible >>> k) & 1) reasons.push(ELIGIBILITY_CODES[k] as ReasonCode);
    const eligible = notEligible === 0;
    if (!eligible) score = 0n;
    // the provider's bond joins the staker pool weighted by L × Q (nothing while ineligible)
    const bond = eligible || explain ? inBond.get(i) : 0n;
    const bondWeight = eligible && bond > 0n ? (bond * L * Q) / W2 : 0n;
    if (!explain) {
      scores[i] = score;
      bondWeights[i] = bondWeight;
      if (reasons.length > 0) count(reasons);
      return undefined;
    }
    return {
      id: ids[i] as string,
      owner: addresses[inOwner[i] as number] as string,
      reward: rewards?.get(i) ?? 0n,
      eligible,
      hardwareClass: classNames[cls] as string,
      gpus,
      countedGpus: countedOf[i] as number,
      computeUnits: BigInt(cuM) * MICRO,
      upSeconds,
      uptime: expM === 0 ? 0n : upM === expM ? WAD : (BigInt(upM) * WAD) / BigInt(expM),
      utilisation: gpus > 0 && upSeconds > 0 ? (BigInt(delivered) * WAD) / BigInt(gpus * upSeconds) : 0n,
      contribution,
      quality: { uptime: U, errors: E, response: R, rating: P, total: Q },
      valuation: k.valuation,
      commitment: L,
      bonuses: k.bonuses,
      rawScore,
      probationShare,
      score,
      minBond,
      bond,
      bondWeight,
      bondReward: bondRewards?.get(i) ?? 0n,
      reasons: reasons.length > 0 ? reasons : NONE,
    };
  };
  // ---- stakers' weights: stakes × L (§4.5); the bonds' come from the nodes -----------------------
  const stakeStatements: StakeStatement[] = stakeList.map((st) => {
    const lm = lockMultiplier(cp.commitment, st.lockDays);
    return { id: st.id, payout: st.payout, kind: st.kind, amount: st.amount, lockMultiplier: lm, weight: (st.amount * lm) / WAD, reward: 0n };
  });

  /** Both pools' shares: the nodes' (null: no positive score), the bonds' and the stakes' (null: no positive weight). */
  type Splits = { engine: 'wasm' | 'bigint'; compute: Amounts | null; stakers: { bonds: Amounts; stakes: bigint[] } | null };
  /** The reference engine: every node evaluated in bigints, both pools split by `apportion`. */
  const bigintSplits = (): Splits => {
    scores = new Array<bigint>(n);
    bondWeights = new Array<bigint>(n + stakeList.length);
    for (let i = 0; i < n; i++) evaluate(i, false);
    stakeStatements.forEach((st, k) => {
      bondWeights[n + k] = st.weight;
    });
    const compute = apportion(rolePool.compute, scores);
    const stakers = apportion(rolePool.stakers, bondWeights);
    return {
      engine: 'bigint',
      compute: compute && Amounts.of(compute),
      stakers: stakers && { bonds: Amounts.of(stakers.slice(0, n)), stakes: stakers.slice(n) },
    };
  };
  /**
   * The same integers by the WebAssembly kernel (`kernel.ts`): pass 1 did each node's number work
   * — reasons, keys, eligibility — and filled the kernel's columns; the kernel does the bigint
   * arithmetic of `evaluate` and the floors of both splits in its memory, so a million nodes do
   * not allocate tens of millions of short-lived bigints. Returns null, having counted nothing,
   * when a number outgrew the kernel's 128-bit columns or its memory could not grow.
   */
  const kernelSplits = (): Splits | null => {
    if (kr === null || kc === null || !kernelFits) return null;
    const m = n + stakeList.length;
    const S = kr.slotBytes;
    const { lay, jobs: jobsCol, p95: p95Col, pNum: pNumCol, pDen: pDenCol, pGiven: pGivenCol, bond: bondCol, mode: modeCol } = kc;
    const { cu: cuCol, gpus: gpusCol, up: upCol, deliv: delivCol, uNum: uNumCol, uDen: uDenCol, key: keyCol, prob: probCol } = kc;
    const { score: scoreCol, weight: weightCol, out: outCol, shares: sharesCol, approx: approxCol } = kc;
    let F = kr.F64;
    let U32 = kr.U32;
    const B64 = kr.B64;
    // P's terms now that the class totals are known; the few beyond exact doubles as bigints
    const rating = new Float64Array(2);
    for (let i = 0; i < n; i++) {
      const mode = U32[(modeCol >>> 2) + i] as number;
      if ((mode & MODE.P_DIV) === 0) continue;
      const sum = F[(pNumCol >>> 3) + i] as number;
      const count = F[(pDenCol >>> 3) + i] as number;
      if (ratingTermsOf(inProvider[i] as number, sum, count, rating)) {
        F[(pNumCol >>> 3) + i] = rating[0] as number;
        F[(pDenCol >>> 3) + i] = rating[1] as number;
      } else {
        const raw = ratingRaw(i);
        const P = raw < 0n ? 0n : raw > WAD ? WAD : raw;
        if (P !== raw) hit(RI.RATING_CLIPPED);
        U32[(modeCol >>> 2) + i] = (mode & ~MODE.P_DIV) | MODE.P_GIVEN;
        B64[(pGivenCol >>> 3) + i] = P;
      }
    }
    for (let k = 0; k <= CPU; k++) if (scarcityClipped[k]) hits[RI.VALUATION_CLIPPED] = (hits[RI.VALUATION_CLIPPED] as number) + (classActive[k] as number);
    // the K table: every key met, at each quality tier; then the constants
    const kTab = lay.take(keys.length * 3 * S);
    const capTab = lay.take(keys.length * 3 * 4);
    const lTab = lay.take(keys.length * S);
    const probTab = lay.take(Math.max(1, cp.probation.length) * S);
    try {
      kr.reserve(lay.end);
    } catch {
      return null;
    }
    F = kr.F64;
    U32 = kr.U32;
    const bonusCapped = new Uint8Array(keys.length * 3);
    keys.forEach((k, kx) => {
      for (let tier = 0; tier < 3; tier++) {
        const e = kEntry(k.key + tier, k.cls, k.region, k.lockIdx, k.bits | tier);
        kr.writeSlot(kTab + (kx * 3 + tier) * S, e.K);
        U32[(capTab >>> 2) + kx * 3 + tier] = e.mayCap ? 1 : 0;
        bonusCapped[kx * 3 + tier] = e.bonusCapped ? 1 : 0;
        kr.writeSlot(lTab + kx * S, e.L);
      }
    });
    cp.probation.forEach((share, k) => {
      kr.writeSlot(probTab + k * S, share);
    });
    const constants: [number, bigint][] = [
      [CONST.WAD, WAD],
      [CONST.W2, W2],
      [CONST.W4, W4],
      [CONST.HALF, HALF],
      [CONST.ERRDEN_STD, errDenStd],
      [CONST.ERRDEN_HIGH, errDenHigh],
      [CONST.RESPONSE_NUM, responseNum],
      [CONST.RATING_SCALE, ratingScale],
      [CONST.CONST_UER, qualityConstUER],
      [CONST.SCORE_CAP, cp.scoreCap],
      [CONST.HIGH_THRESHOLD, b.qualityHighThreshold],
      [CONST.MID_THRESHOLD, b.qualityMidThreshold],
    ];
    for (const [slotIndex, value] of constants) kr.writeSlot(kr.x.constSlot(slotIndex), value);
    kr.x.setNumbers(baseM, weightM, Number(wU), Number(wE), Number(wR), Number(wP));
    kr.x.layout(
      cuCol,
      gpusCol,
      upCol,
      delivCol,
      uNumCol,
      uDenCol,
      jobsCol,
      p95Col,
      pNumCol,
      pDenCol,
      pGivenCol,
      bondCol,
      modeCol,
      keyCol,
      probCol,
      scoreCol,
      weightCol,
      outCol,
      kTab,
      capTab,
      lTab,
      probTab,
    );
    if (kr.x.evaluate(0, n) !== 0) return null;
    let errorRate = 0;
    let ratingClipped = 0;
    let scoreCapped = 0;
    let capped = 0;
    for (let i = 0; i < n; i++) {
      const o = U32[(outCol >>> 2) + i] as number;
      if (o & OUT.ERROR_RATE) errorRate++;
      if (o & OUT.RATING_CLIPPED) ratingClipped++;
      if (o & OUT.SCORE_CAPPED) scoreCapped++;
      if (bonusCapped[(U32[(keyCol >>> 2) + i] as number) * 3 + (o >>> 8)]) capped++;
    }
    /** floor(pool·w_i/Σw) in the kernel; the leftover units to the largest remainders, as `apportion` does. */
    /**
     * floor(pool·w_i/Σw) in the kernel; the leftover units to the largest remainders, as `apportion`
     * does. The shares come out as 128-bit limbs (a copy: the kernel's memory is reused).
     */
    const split = (pool: bigint, col: number, count: number): boolean | undefined => {
      if (pool >= FIXED_LIMIT) return undefined;
      kr.writeSlot(kr.x.constSlot(CONST.POOL), pool);
      const left = kr.x.apportion(col, count, sharesCol, approxCol);
      if (left === -2) return undefined;
      if (left === -1) return false;
      if (left >= count) throw new InvariantError('apportion: leftover out of range');
      if (left > 0) {
        const total = kr.readSlot(kr.x.constSlot(CONST.TOTAL));
        const exact = (i: number) => pool * kr.readFixed(col, i) - kr.readFixed(sharesCol, i) * total;
        const approx = kr.F64.subarray(approxCol >>> 3, (approxCol >>> 3) + count);
        const shares = kr.U32.subarray(sharesCol >>> 2, (sharesCol >>> 2) + 4 * count);
        for (const i of largestRemainders(approx, exact, left, memory.f64(count))) incrementLimbs(shares, i);
      }
      return true;
    };
    const computePaid = split(rolePool.compute, scoreCol, n);
    if (computePaid === undefined) return null;
    // the shares leave the kernel's memory (reused by the next call) as the result's own column
    const compute = computePaid ? Amounts.fromLimbs(kr.U32, sharesCol >>> 2, n) : null;
    for (let k = 0; k < stakeStatements.length; k++) {
      const w = (stakeStatements[k] as StakeStatement).weight;
      if (w >= FIXED_LIMIT) return null;
      kr.writeFixed(weightCol, n + k, w);
    }
    const stakersPaid = split(rolePool.stakers, weightCol, m);
    if (stakersPaid === undefined) return null;
    const stakers = stakersPaid
      ? { bonds: Amounts.fromLimbs(kr.U32, sharesCol >>> 2, n), stakes: stakeStatements.map((_, k) => kr.readFixed(sharesCol, n + k)) }
      : null;
    // the run stands: its reasons count
    REASON_CODES.forEach((c, k) => {
      if ((hits[k] as number) > 0) reasonCounts[c] = (reasonCounts[c] ?? 0) + (hits[k] as number);
    });
    const fromKernel: [ReasonCode, number][] = [
      ['ERROR_RATE_ABOVE_TOLERANCE', errorRate],
      ['RATING_CLIPPED', ratingClipped],
      ['SCORE_CAPPED', scoreCapped],
      ['BONUS_CAPPED', capped],
    ];
    for (const [c, x] of fromKernel) if (x > 0) reasonCounts[c] = (reasonCounts[c] ?? 0) + x;
    return { engine: 'wasm', compute, stakers };
  };
  const splits = (options.engine !== 'bigint' && n > 0 ? kernelSplits() : null) ?? bigintSplits();
  const nodeRewards = splits.compute ?? Amounts.zeros(n);
  rewards = nodeRewards;
  if (splits.compute === null) {
    pools.compute.toTreasury = rolePool.compute;
    treasury += rolePool.compute;
    emissionReasons.push('POOL_EMPTY_TO_TREASURY');
  } else {
    pools.compute.paid = rolePool.compute;
  }

  // ---- validators (§4.5) ---------------------------------------------------------------------
  const validators = sortedById(input.validators);
  const vShares = apportion(
    rolePool.validators,
    validators.map((v) => BigInt(v.agreedAudits)),
  );
  const validatorStatements: ValidatorStatement[] = validators.map((v: ValidatorInput, i) => ({
    id: v.id,
    payout: v.payout,
    agreedAudits: v.agreedAudits,
    reward: vShares ? (vShares[i] as bigint) : 0n,
    reasons: v.agreedAudits === 0 ? (['NO_AGREED_AUDITS'] as const) : NONE,
  }));
  settle(pools.validators, vShares !== null);

  // ---- stakers: bonds × L × Q, stakes × L (§4.5) --------------------------------------------
  // participants in id order: every node's bond (in node id order), then user and operator stakes
  const sShares = splits.stakers;
  const nodeBondRewards = sShares?.bonds ?? Amounts.zeros(n);
  bondRewards = nodeBondRewards;
  if (sShares) {
    for (let i = 0; i < stakeStatements.length; i++) (stakeStatements[i] as StakeStatement).reward = sShares.stakes[i] as bigint;
  }
  settle(pools.stakers, sShares !== null);

  // ---- referrals, out of the community pool (§4.5) ------------------------------------------
  const referralStatements: ReferralStatement[] = [];
  for (const i of referred) {
    if (!nodeRewards.positive(i)) continue;
    referralStatements.push({
      referrer: addresses[inReferrer[i] as number] as string,
      nodeId: ids[i] as string,
      due: (nodeRewards.get(i) * params.referral.share) / WAD,
      paid: 0n,
    });
  }
  let referralTotal = 0n;
  for (const r of referralStatements) referralTotal += r.due;
  let communityLeft = rolePool.community;
  if (referralTotal > 0n) {
    if (referralTotal <= communityLeft) {
      for (const r of referralStatements) r.paid = r.due;
      communityLeft -= referralTotal;
    } else {
      const scaled = apportion(
        communityLeft,
        referralStatements.map((r) => r.due),
      ) as bigint[];
      referralStatements.forEach((r, i) => {
        r.paid = scaled[i] as bigint;
      });
      communityLeft = 0n;
      emissionReasons.push('REFERRALS_SCALED');
    }
  }

  // ---- attested pools (§4.5) -----------------------------------------------------------------
  const attested: AttestedStatement[] = [];
  const ignoredAttestations: EpochResult['ignoredAttestations'] = [];
  const points: Record<AttestedRole, Map<string, bigint>> = { model: new Map(), developer: new Map(), community: new Map(), liquidity: new Map() };
  for (const a of input.attestations) {
    if (!params.attestors[a.role].includes(a.attestor)) {
      ignoredAttestations.push({ role: a.role, attestor: a.attestor, reason: 'ATTESTOR_NOT_APPROVED' });
      continue;
    }
    const m = points[a.role];
    for (const e of a.entries) m.set(e.payout, (m.get(e.payout) ?? 0n) + BigInt(e.points));
  }
  ignoredAttestations.sort((x, y) => cmp(x.role, y.role) || cmp(x.attestor, y.attestor));
  for (const role of ATTESTED_ROLES) {
    const pool = role === 'community' ? communityLeft : rolePool[role];
    const entries = [...points[role]].sort((x, y) => cmp(x[0], y[0]));
    const shares = apportion(
      pool,
      entries.map((e) => e[1]),
    );
    entries.forEach(([payout, pts], i) => {
      attested.push({ role, payout, points: pts, reward: shares ? (shares[i] as bigint) : 0n });
    });
    if (shares === null && pool > 0n) {
      pools[role].toTreasury = pool;
      treasury += pool;
      if (!emissionReasons.includes('POOL_EMPTY_TO_TREASURY')) emissionReasons.push('POOL_EMPTY_TO_TREASURY');
    }
    pools[role].paid = rolePool[role] - pools[role].toTreasury;
  }
  if (pools.validators.toTreasury > 0n || pools.stakers.toTreasury > 0n) {
    treasury += pools.validators.toTreasury + pools.stakers.toTreasury;
    if (!emissionReasons.includes('POOL_EMPTY_TO_TREASURY')) emissionReasons.push('POOL_EMPTY_TO_TREASURY');
  }

  // ---- payouts by address, and conservation ---------------------------------------------------
  // the nodes' rewards summed by owner in 128-bit limbs (no sum can reach 2^128 when the pool
  // cannot), bigints only for the owners; everyone else's in a map by address
  const owners = addresses.length;
  const ownerSums = memory.u32(4 * owners).fill(0);
  const inLimbs = epochPool < FIXED_LIMIT && nodeRewards.addInto(ownerSums, inOwner) && nodeBondRewards.addInto(ownerSums, inOwner);
  const owed = new Array<bigint>(owners);
  for (let k = 0; k < owners; k++) owed[k] = inLimbs ? limbsToBigint(ownerSums, 4 * k, 4) : 0n;
  if (!inLimbs) {
    for (let i = 0; i < n; i++) {
      const x = nodeRewards.get(i) + nodeBondRewards.get(i);
      if (x !== 0n) owed[inOwner[i] as number] = (owed[inOwner[i] as number] as bigint) + x;
    }
  }
  const others = new Map<string, bigint>(); // in order of first appearance
  const add = (a: string, x: bigint) => {
    if (x !== 0n) others.set(a, (others.get(a) ?? 0n) + x);
  };
  for (const v of validatorStatements) add(v.payout, v.reward);
  for (const s of stakeStatements) add(s.payout, s.reward);
  for (const a of attested) add(a.payout, a.reward);
  for (const r of referralStatements) add(r.referrer, r.paid);
  // in order of first appearance — owners by their nodes' ids, then validators, stakes,
  // attestations, referrers — which is deterministic because every list was put in canonical order
  const payouts: { address: string; amount: bigint }[] = [];
  const listed = new Uint8Array(owners);
  for (let i = 0; i < n; i++) {
    const k = inOwner[i] as number;
    if (listed[k] === 1) continue;
    listed[k] = 1;
    const address = addresses[k] as string;
    let amount = owed[k] as bigint;
    if (others.size > 0) {
      const x = others.get(address);
      if (x !== undefined) {
        amount += x;
        others.delete(address);
      }
    }
    if (amount !== 0n) payouts.push({ address, amount });
  }
  for (const [address, amount] of others) payouts.push({ address, amount });
  let paidOut = 0n;
  for (const p of payouts) paidOut += p.amount;
  if (paidOut + treasury !== epochPool) {
    throw new InvariantError('epoch pool not conserved', `paid ${paidOut} + treasury ${treasury} ≠ pool ${epochPool}`);
  }

  for (const v of validatorStatements) count(v.reasons);
  for (const a of ignoredAttestations) count([a.reason]);
  count(emissionReasons);

  return {
    version: 1,
    epoch: input.epoch,
    engine: splits.engine,
    paramsHash: paramsHash(params),
    emission: {
      baseEmission: input.baseEmission,
      nextBaseEmission,
      networkUtilisation,
      rawDynamicFactor,
      dynamicFactor,
      growth,
      uncappedPool,
      epochPool,
      reasons: emissionReasons,
    },
    stakeRatio,
    stakerWeightAdjust,
    pools,
    treasury,
    nodeIds,
    nodeOwner: (i: number) => addresses[inOwner[i] as number] as string,
    nodeRewards,
    bondRewards: nodeBondRewards,
    statement: (i: number) => evaluate(i, true) as NodeStatement,
    statements: () => Array.from({ length: n }, (_, i) => evaluate(i, true) as NodeStatement),
    validators: validatorStatements,
    stakes: stakeStatements,
    attested,
    referrals: referralStatements,
    ignoredAttestations,
    payouts,
    reasonCounts: Object.fromEntries(Object.entries(reasonCounts).sort((x, y) => cmp(x[0], y[0]))),
  };

  function settle(pool: PoolTotals, paid: boolean): void {
    if (paid) pool.paid = pool.allocated;
    else pool.toTreasury = pool.allocated;
  }
}

/** E for one priority: `clamp(1 − (errors/jobs) / (tolerance × target), 0, 1)`, floored once. */
function errorFactor(jobs: number, errors: number, den: bigint): bigint {
  // den = tolerance·target at W² scale; E = (jobs·den − errors·W²)·WAD / (jobs·den)
  const d = BigInt(jobs) * den;
  const num = d - BigInt(errors) * W2;
  return num <= 0n ? 0n : (num * WAD) / d;
}

/** The index of the highest commitment tier `days` reaches, or -1 below the first. */
function tierIndex(tiers: readonly Tier[], days: number): number {
  let k = -1;
  for (let i = 0; i < tiers.length; i++) if (days >= (tiers[i] as Tier).days) k = i;
  return k;
}

function micro(x: bigint): number {
  const m = toMicro(x);
  if (m === null) throw new InvariantError('parameter not representable in millionths (validateParams should have refused it)');
  return m;
}

/** The commitment multiplier L for a lock of `days` (the highest tier reached; 1 below the first). */
export function lockMultiplier(tiers: readonly Tier[], days: number): bigint {
  let m = WAD;
  for (const t of tiers) if (days >= t.days) m = t.multiplier;
  return m;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Numbers (whole, 0 ≤ x < 2^53) to 0, 1, 2… in order of addition: an open-addressing table,
 * cheaper per lookup than a `Map` in the engine's per-node loop.
 */
class NumberIndex {
  private keys = new Float64Array(64).fill(-1);
  private values = new Int32Array(64);
  private size = 0;

  private slot(key: number): number {
    const mask = this.keys.length - 1;
    let h = (Math.imul(key | 0, 0x9e3779b1) ^ Math.imul((key / 0x100000000) | 0, 0x85ebca6b)) & mask;
    while (this.keys[h] !== key && this.keys[h] !== -1) h = (h + 1) & mask;
    return h;
  }

  /** The key's index, or −1. */
  find(key: number): number {
    const h = this.slot(key);
    return this.keys[h] === key ? (this.values[h] as number) : -1;
  }

  /** Adds a key not yet present; returns its index. */
  add(key: number): number {
    if (2 * (this.size + 1) > this.keys.length) {
      const old = this.keys;
      const oldValues = this.values;
      this.keys = new Float64Array(2 * old.length).fill(-1);
      this.values = new Int32Array(2 * old.length);
      for (let k = 0; k < old.length; k++) {
        if (old[k] === -1) continue;
        const h = this.slot(old[k] as number);
        this.keys[h] = old[k] as number;
        this.values[h] = oldValues[k] as number;
      }
    }
    const h = this.slot(key);
    this.keys[h] = key;
    this.values[h] = this.size;
    return this.size++;
  }
}

/** Returns the items in ascending id order, sorting a copy only when they are not already. */
function sortedById<T extends { id: string }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if ((items[i - 1] as T).id >= (items[i] as T).id) return [...items].sort((x, y) => cmp(x.id, y.id));
  }
  return items;
}
