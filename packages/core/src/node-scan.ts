import { toMicro, WAD } from './amount.ts';
import type { Amounts } from './amounts.ts';
import { InvalidArgumentError, InvariantError } from './errors.ts';
import { FIXED_BYTES, type Kernel, Layout, MODE } from './kernel.ts';
import { canonicalColumns, type NodeColumns } from './node-columns.ts';
import { type Params, PROVIDER_CLASSES, SLA_CLASSES, type Tier } from './params.ts';
import { REASONS, type ReasonCode } from './reasons.ts';
import type { Scratch } from './scratch.ts';

/**
 * The reward engine's first pass over the nodes (SPEC §4.4): hardware, caps, capacity, the network
 * and class totals, reasons, eligibility — and, for the WebAssembly kernel, its per-node columns.
 *
 * A class rather than closures inside `processEpoch`: its methods are the same functions on every
 * call, so V8 optimises them once for the process. Closures made afresh by each call were new
 * functions to optimise each time; at a million nodes most of the loop ran unoptimised while they
 * recompiled (pass 1 took ~0.6 s; as methods it takes a fraction of that).
 */

export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];
/** A reason code's index in `REASON_CODES` (the kernel's run counts reasons by index). */
export const RI = Object.fromEntries(REASON_CODES.map((c, k) => [c, k])) as Record<ReasonCode, number>;
/** The eligibility reasons, by bit (see `ineligibility`), in the order a statement lists them. */
export const ELIGIBILITY_CODES: readonly ReasonCode[] = [
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
export const DAY = 86_400;

/** Byte offsets of the kernel's per-node columns (see `kernel/kernel.ts`), and their layout. */
export type KernelColumns = ReturnType<typeof layColumns>;

function layColumns(lay: Layout, n: number, m: number) {
  // one object literal, `lay` in it (a spread made each call's object a shape of its own)
  return {
    lay,
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
    tied: lay.take(4 * m),
  };
}

/** The kernel's columns for n nodes and m staker-pool weights; null when its memory cannot grow to them. */
export function kernelColumns(kr: Kernel, n: number, m: number): KernelColumns | null {
  const lay = new Layout(kr.base);
  const columns = layColumns(lay, n, m);
  try {
    kr.reserve(lay.end);
  } catch {
    return null; // the bigint engine does the epoch
  }
  return columns;
}

/** A key of K = V·L·(1+B) met in pass 1: hardware class, region, lock tier, bonus bits (no quality tier). */
export type KKey = { key: number; cls: number; region: number; lockIdx: number; bits: number };
type SlaTerms = { targetM: number; rampStartM: number; floorM: number };

export class NodeScan {
  readonly n: number;
  readonly c: NodeColumns;
  readonly slot: number;
  readonly epochStart: number;
  readonly cp: Params['compute'];
  readonly slaOf: readonly SlaTerms[];
  readonly rampM: number;
  readonly responseTargetMs: number;
  readonly tiers: readonly Tier[];
  readonly probation: readonly bigint[];
  /** Per region of the columns: its under-served multiplier, or null. */
  readonly regionGeo: readonly (bigint | null)[];
  private readonly innovation: number;
  private readonly innovativeModel: Uint8Array;
  private readonly innovativeTag: Uint8Array;
  private readonly powerWords: Int32Array;
  private readonly energyHigh: number;
  private readonly energyLow: number;
  private readonly newNodeSeconds: number;
  private readonly underServedSeconds: number;
  private readonly referralSeconds: number;
  private readonly bondUnit: bigint;
  /** Minimum bonds by `minBondKey`, exact and as doubles. */
  private readonly minBonds = new Map<number, bigint>();
  private readonly minBondNumbers = new Map<number, number>();
  private readonly minBondLimbs = new Map<number, Uint32Array | null>(); // null: 2^128 or more
  /** The commitment tiers' days, ascending. */
  private readonly tierDays: Float64Array;
  /** Engine model indices, most valuable first; `modelOf[k]`: the engine index of the columns' k-th model. */
  readonly models: readonly string[];
  readonly modelOf: Int32Array;
  readonly unitM: readonly number[];
  private readonly vcpuM: number;
  private readonly nvmeM: number;
  /** The class index of CPU-only nodes (one past the models). */
  readonly CPU: number;
  private readonly perModel: Float64Array;

  // ---- pass 1's results ----
  readonly gpusOf: Float64Array;
  readonly cuOf: Float64Array; // compute units, in millionths
  readonly classOf: Int32Array;
  /** Kept by the result (the statements read them), not scratch. */
  readonly countedOf: Int32Array;
  readonly capFlags: Uint8Array; // 1: node cap, 2: cluster cap
  netDelivered = 0;
  netProvisioned = 0; // GPU × up-seconds: utilisation for the dynamic factor (§4.2)
  netCapacity = 0; // GPU × expected seconds: the scarcity valuation (see the core README)
  readonly classDelivered: Float64Array;
  readonly classCapacity: Float64Array;
  readonly classActive: Float64Array; // active nodes per class
  readonly ratingSum = new Float64Array(PROVIDER_CLASSES.length);
  readonly ratingCount = new Float64Array(PROVIDER_CLASSES.length);
  /** Nodes whose referrer is still due a share (§4.5). */
  readonly referred: number[] = [];
  /** Reason counts of the kernel's run (merged into the result only if the run stands). */
  readonly hits = new Float64Array(REASON_CODES.length);
  /** The K keys met, and each node's index into them (kernel column `key`). */
  readonly keys: KKey[] = [];
  private readonly keyIndex = new NumberIndex();
  /** False once a number outgrows the kernel's 128-bit columns. */
  kernelFits = true;

  constructor(c: NodeColumns, input: { slotSeconds: number; epochStart: number }, params: Params, memory: Scratch) {
    const n = c.length;
    const cp = params.compute;
    const q = cp.quality;
    const b = cp.bonuses;
    this.n = n;
    this.c = canonicalColumns(c); // one shape for every input (see canonicalColumns)
    this.slot = input.slotSeconds;
    this.epochStart = input.epochStart;
    this.cp = cp;
    this.slaOf = SLA_CLASSES.map((k) => {
      const x = cp.sla[k];
      return { targetM: micro(x.availability), rampStartM: micro(x.availability - q.uptimeRamp), floorM: micro(x.availability - q.eligibilityFloor) };
    });
    this.rampM = micro(q.uptimeRamp);
    this.responseTargetMs = q.responseTargetMs;
    this.tiers = cp.commitment;
    this.tierDays = Float64Array.from(cp.commitment, (t) => t.days);
    this.probation = cp.probation;
    // what the dictionaries' entries mean here: looked up once each, not once a node
    const innovation = new Set(cp.innovationList);
    this.innovation = innovation.size;
    this.regionGeo = c.regions.map((r) => (Object.hasOwn(cp.underServedRegions, r) ? (cp.underServedRegions[r] as bigint) : null));
    this.innovativeModel = Uint8Array.from(c.models, (m) => (innovation.has(m) ? 1 : 0));
    this.innovativeTag = Uint8Array.from(c.tags, (t) => (innovation.has(t) ? 1 : 0));
    this.powerWords = new Int32Array(c.powerEfficiency.buffer, c.powerEfficiency.byteOffset, 2 * n);
    this.energyHigh = Number(b.energyThreshold >> 32n);
    this.energyLow = Number(b.energyThreshold & 0xffffffffn);
    this.newNodeSeconds = b.newNodeDays * DAY;
    this.underServedSeconds = b.underServedDays * DAY;
    this.referralSeconds = params.referral.days * DAY;
    this.bondUnit = (BigInt(params.bond.days * 24) * params.bond.gpuRateUsdPerHour * WAD) / params.bond.referenceTokenPriceUsd;
    this.models = Object.keys(cp.gpuUnits).sort((x, y) => {
      const d = (cp.gpuUnits[y] as bigint) - (cp.gpuUnits[x] as bigint);
      return d > 0n ? 1 : d < 0n ? -1 : x < y ? -1 : x > y ? 1 : 0;
    });
    const modelIndex = new Map(this.models.map((m, k) => [m, k]));
    this.modelOf = Int32Array.from(c.models, (m, k) => {
      const x = modelIndex.get(m);
      if (x === undefined) throw new InvalidArgumentError(`nodes.models[${k}]`, `unknown GPU model ${JSON.stringify(m)}`, 'UNKNOWN_GPU_MODEL');
      return x;
    });
    this.unitM = this.models.map((m) => micro(cp.gpuUnits[m] as bigint));
    this.vcpuM = micro(cp.vcpuUnits);
    this.nvmeM = micro(cp.nvmeTbUnits);
    this.CPU = this.models.length;
    this.perModel = new Float64Array(this.CPU);
    // this call's temporaries live in reused scratch memory; what the statements need later in the result's own arrays
    this.gpusOf = memory.f64(n);
    this.cuOf = memory.f64(n);
    this.classOf = memory.i32(n);
    this.countedOf = new Int32Array(n);
    this.capFlags = new Uint8Array(n);
    this.classDelivered = new Float64Array(this.CPU + 1);
    this.classCapacity = new Float64Array(this.CPU + 1);
    this.classActive = new Float64Array(this.CPU + 1);
  }

  /** A node's GPUs. */
  gpuCount(i: number): number {
    const c = this.c;
    const from = c.gpuStart[i] as number;
    const to = c.gpuStart[i + 1] as number;
    if (to === from + 1) return c.gpuCount[from] as number;
    let gpus = 0;
    for (let e = from; e < to; e++) gpus += c.gpuCount[e] as number;
    return gpus;
  }

  /** A node's hardware class: the model carrying most units (ties: the higher-valued model), or `CPU`. */
  hardwareClass(i: number): number {
    const c = this.c;
    const from = c.gpuStart[i] as number;
    const to = c.gpuStart[i + 1] as number;
    if (to === from) return this.CPU;
    if (to === from + 1) return this.modelOf[c.gpuModel[from] as number] as number;
    const perModel = this.perModel.fill(0);
    let best = -1;
    let cls = this.CPU;
    let lowest = this.CPU;
    for (let e = from; e < to; e++) {
      const k = this.modelOf[c.gpuModel[e] as number] as number;
      perModel[k] = (perModel[k] as number) + (c.gpuCount[e] as number) * (this.unitM[k] as number);
      if (k < lowest) lowest = k;
    }
    for (let k = 0; k < this.CPU; k++) {
      if ((perModel[k] as number) > best && (perModel[k] as number) > 0) {
        best = perModel[k] as number;
        cls = k;
      }
    }
    return cls === this.CPU ? lowest : cls;
  }

  /** Compute units in millionths, counting `allowance` GPUs: the most valuable ones. */
  unitsOf(i: number, cls: number, allowance: number): number {
    const c = this.c;
    const from = c.gpuStart[i] as number;
    const to = c.gpuStart[i + 1] as number;
    let cu = (c.vcpus[i] as number) * this.vcpuM + (c.nvmeTb[i] as number) * this.nvmeM;
    if (to === from + 1) cu += allowance * (this.unitM[cls] as number);
    else if (to > from + 1) {
      // the GPUs by model, most valuable model first (models are ranked by value): counts summed
      // per model in reused scratch, so a node of mixed GPUs allocates nothing
      const perModel = this.perModel.fill(0);
      let first = this.CPU;
      let last = 0;
      for (let e = from; e < to; e++) {
        const k = this.modelOf[c.gpuModel[e] as number] as number;
        perModel[k] = (perModel[k] as number) + (c.gpuCount[e] as number);
        if (k < first) first = k;
        if (k > last) last = k;
      }
      let left = allowance;
      for (let k = first; k <= last && left > 0; k++) {
        const take = Math.min(left, perModel[k] as number);
        cu += take * (this.unitM[k] as number);
        left -= take;
      }
    }
    return cu;
  }

  /** Whether a node's GPUs or services are on the innovation list. */
  private innovative(i: number): boolean {
    const c = this.c;
    for (let k = c.gpuStart[i] as number; k < (c.gpuStart[i + 1] as number); k++) if (this.innovativeModel[c.gpuModel[k] as number] === 1) return true;
    for (let k = c.serviceStart[i] as number; k < (c.serviceStart[i + 1] as number); k++) if (this.innovativeTag[c.service[k] as number] === 1) return true;
    return false;
  }

  /** The non-quality bits of a node's bonus mix (new node, under-served, innovation, energy, anomaly). */
  bonusBits(i: number): number {
    const c = this.c;
    const age = this.epochStart - (c.registeredAt[i] as number);
    let bits = 0;
    if (age < this.newNodeSeconds) bits |= 4;
    if (age < this.underServedSeconds && this.regionGeo[c.region[i] as number] !== null) bits |= 8;
    if (this.innovation > 0 && this.innovative(i)) bits |= 16;
    // the power efficiency (a WAD below 2^63, or −1) against the threshold, by its 32-bit halves
    const high = this.powerWords[2 * i + 1] as number;
    if (high > this.energyHigh || (high === this.energyHigh && high >= 0 && (this.powerWords[2 * i] as number) >>> 0 >= this.energyLow)) bits |= 32;
    if (c.anomalies[i] !== 0) bits |= 64;
    return bits;
  }

  /** The commitment tier a node's lock reaches (−1: none), or −2 when it was forfeited. */
  lockOf(i: number): number {
    const days = this.c.commitmentDays[i] as number;
    const tierDays = this.tierDays;
    let k = -1;
    for (let t = 0; t < tierDays.length && days >= (tierDays[t] as number); t++) k = t; // ascending
    return this.c.commitmentForfeited[i] === 1 && k >= 0 ? -2 : k;
  }

  /**
   * Minimum bond: 7 days of expected revenue per GPU; a node without GPUs bonds per compute unit
   * (one GPU-equivalent per CU, the T4's weight) so the minimum scales with what it offers.
   */
  minBondOf(gpus: number, cuM: number): bigint {
    const key = gpus > 0 ? gpus : -1 - cuM;
    let minBond = this.minBonds.get(key);
    if (minBond === undefined) {
      const m = gpus > 0 ? this.bondUnit * BigInt(gpus) : (this.bondUnit * BigInt(cuM)) / 1_000_000n;
      this.minBonds.set(key, m);
      this.minBondNumbers.set(key, Number(m));
      this.minBondLimbs.set(key, m < 1n << 128n ? Uint32Array.from([0n, 32n, 64n, 96n], (s) => Number((m >> s) & 0xffffffffn)) : null);
      minBond = m;
    }
    return minBond;
  }

  /** Whether a node's bond is below its minimum: by doubles, exactly only when they are close. */
  private bondBelow(bond: Amounts, i: number, gpus: number, cuM: number): boolean {
    const a = bond.approx(i);
    let m = this.minBondNumbers.get(gpus > 0 ? gpus : -1 - cuM);
    if (m === undefined) {
      this.minBondOf(gpus, cuM);
      m = this.minBondNumbers.get(gpus > 0 ? gpus : -1 - cuM) as number;
    }
    if (a < m * (1 - 2 ** -40)) return true;
    if (a > m * (1 + 2 ** -40)) return false;
    // close (a bond of exactly the minimum is common): compared limb by limb, no bigint
    const limbs = this.minBondLimbs.get(gpus > 0 ? gpus : -1 - cuM);
    return limbs ? bond.compareLimbs(i, limbs) < 0 : bond.get(i) < this.minBondOf(gpus, cuM);
  }

  /**
   * Every eligibility reason that applies (SPEC §4.4) as bits, in the order a statement lists them:
   * bit k is `ELIGIBILITY_CODES[k]`. 0: eligible.
   */
  ineligibility(i: number, gpus: number, cuM: number): number {
    const c = this.c;
    let bits = 0;
    const status = c.status[i] as number; // NODE_STATUSES: active, suspended, jailed, excluded
    if (status !== 0) bits |= status === 1 ? 1 : status === 2 ? 2 : 4;
    if (c.onboarded[i] !== 1) bits |= 8;
    const bonded = c.bond.positive(i);
    if (!bonded) bits |= 16;
    else if (this.bondBelow(c.bond, i, gpus, cuM)) bits |= 32;
    if (cuM === 0) bits |= 64;
    const upM = c.upSlots[i] as number;
    if (upM === 0) bits |= 128;
    else if (upM * 1_000_000 < (this.slaOf[c.slaClass[i] as number] as SlaTerms).floorM * (c.expectedSlots[i] as number)) bits |= 256;
    if (bits !== 0 && bonded) bits |= 512;
    return bits;
  }

  /** The key of a node's K without its quality tier (the two low bits). Region leads: it is unbounded. */
  kKey(cls: number, region: number, lockIdx: number, bonusMix: number): number {
    return ((region * (this.CPU + 1) + cls) * 64 + (lockIdx + 1)) * 128 + bonusMix;
  }

  /**
   * Pass 1: each node's hardware, caps (per node, then per cluster — all of an owner's active
   * nodes, in id order), compute units, the network and class totals; and, given the kernel's
   * columns, fills them (see `fill`). Compute units are exact integers of millionths (params are
   * validated to 6 decimals), so this is plain numbers.
   */
  scan(clusterUsed: Int32Array, kernel: { kc: KernelColumns; kr: Kernel } | null): void {
    const c = this.c;
    const cp = this.cp;
    const slot = this.slot;
    const maxPerNode = cp.maxGpusPerNode;
    const maxPerCluster = cp.maxGpusPerCluster;
    clusterUsed.fill(0);
    for (let i = 0; i < this.n; i++) {
      const gpus = this.gpuCount(i);
      const cls = this.hardwareClass(i);
      let allowance = Math.min(gpus, maxPerNode);
      let flags = gpus > maxPerNode ? 1 : 0;
      const owner = c.owner[i] as number;
      const active = c.status[i] === 0;
      if (active) {
        const used = clusterUsed[owner] as number;
        const room = Math.max(0, maxPerCluster - used);
        if (allowance > room) {
          allowance = room;
          flags |= 2;
        }
        clusterUsed[owner] = used + allowance;
      }
      this.capFlags[i] = flags;
      this.gpusOf[i] = gpus;
      this.countedOf[i] = allowance;
      const cuM = this.unitsOf(i, cls, allowance);
      this.cuOf[i] = cuM;
      this.classOf[i] = cls;
      const delivered = c.gpuSecondsDelivered[i] as number;
      if (active) {
        this.netDelivered += delivered;
        this.netProvisioned += gpus * (c.upSlots[i] as number) * slot;
        const cap = gpus * (c.expectedSlots[i] as number) * slot;
        this.netCapacity += cap;
        this.classDelivered[cls] = (this.classDelivered[cls] as number) + delivered;
        this.classCapacity[cls] = (this.classCapacity[cls] as number) + cap;
        this.classActive[cls] = (this.classActive[cls] as number) + 1;
      }
      const ratings = c.ratingsCount[i] as number;
      if (ratings > 0) {
        const pc = c.providerClass[i] as number;
        this.ratingSum[pc] = (this.ratingSum[pc] as number) + (c.ratingsSum[i] as number);
        this.ratingCount[pc] = (this.ratingCount[pc] as number) + ratings;
      }
      if ((c.referrer[i] as number) >= 0 && this.epochStart - (c.registeredAt[i] as number) < this.referralSeconds) this.referred.push(i);
      if (kernel !== null) this.fill(kernel.kc, kernel.kr, i, gpus, cuM, cls, flags);
    }
    if (!Number.isSafeInteger(this.netProvisioned) || !Number.isSafeInteger(this.netCapacity) || !Number.isSafeInteger(this.netDelivered)) {
      throw new InvariantError('network GPU-seconds exceed 2^53');
    }
  }

  private hit(k: number): void {
    this.hits[k] = (this.hits[k] as number) + 1;
  }

  /** One node's kernel columns, reasons and K key, from what pass 1 has just worked out. */
  private fill(kc: KernelColumns, kr: Kernel, i: number, gpus: number, cuM: number, cls: number, flags: number): void {
    const c = this.c;
    const F = kr.F64;
    const U32 = kr.U32;
    if (flags & 1) this.hit(RI.GPU_CAP_EXCEEDED);
    if (flags & 2) this.hit(RI.CLUSTER_CAP_EXCEEDED);
    const upM = c.upSlots[i] as number;
    const expM = c.expectedSlots[i] as number;
    const t = this.slaOf[c.slaClass[i] as number] as SlaTerms;
    F[(kc.cu >>> 3) + i] = cuM;
    F[(kc.gpus >>> 3) + i] = gpus;
    F[(kc.up >>> 3) + i] = upM * this.slot;
    F[(kc.deliv >>> 3) + i] = c.gpuSecondsDelivered[i] as number;
    let mode = 0;
    const up6 = upM * 1_000_000;
    if (expM === 0) mode |= MODE.U_ZERO;
    else if (up6 < t.targetM * expM) {
      const a = up6 - t.rampStartM * expM;
      if (a <= 0) mode |= MODE.U_ZERO;
      else {
        mode |= MODE.U_DIV;
        F[(kc.uNum >>> 3) + i] = a;
        F[(kc.uDen >>> 3) + i] = expM * this.rampM;
      }
      this.hit(RI.UPTIME_BELOW_TARGET);
    }
    const standard = c.jobsStandard[i] as number;
    const high = c.jobsHigh[i] as number;
    if (standard + high > 0) {
      const standardErrors = c.jobsStandardErrors[i] as number;
      const highErrors = c.jobsHighErrors[i] as number;
      if (standardErrors > 0 || highErrors > 0) {
        mode |= MODE.E_DIV;
        const o = (kc.jobs >>> 3) + 4 * i;
        F[o] = standard;
        F[o + 1] = standardErrors;
        F[o + 2] = high;
        F[o + 3] = highErrors;
      }
      const p95 = c.p95ResponseMs[i] as number;
      if (p95 > this.responseTargetMs) {
        mode |= MODE.R_DIV;
        F[(kc.p95 >>> 3) + i] = p95;
        this.hit(RI.SLOW_RESPONSES);
      }
    }
    if ((c.ratingsCount[i] as number) > 0) {
      // P's terms need the class totals: the node's sum and count for now
      mode |= MODE.P_DIV;
      F[(kc.pNum >>> 3) + i] = c.ratingsSum[i] as number;
      F[(kc.pDen >>> 3) + i] = c.ratingsCount[i] as number;
    }
    let lockIdx = this.lockOf(i);
    if (lockIdx === -2) {
      lockIdx = -1;
      this.hit(RI.COMMITMENT_FORFEITED);
    }
    const bits = this.bonusBits(i);
    const region = c.region[i] as number;
    const key = this.kKey(cls, region, lockIdx, bits);
    let kx = this.keyIndex.find(key);
    if (kx < 0) {
      kx = this.keyIndex.add(key);
      this.keys.push({ key, cls, region, lockIdx, bits });
    }
    U32[(kc.key >>> 2) + i] = kx;
    if (bits & 64) this.hit(RI.ANOMALY_FLAGGED);
    let pi = -1;
    const stage = c.probationStage[i] as number;
    if (stage > 0) {
      pi = Math.min(stage, this.probation.length) - 1;
      if ((this.probation[pi] as bigint) < WAD) this.hit(RI.PROBATION);
    }
    kr.I32[(kc.prob >>> 2) + i] = pi;
    const notEligible = this.ineligibility(i, gpus, cuM);
    if (notEligible === 0) mode |= MODE.ELIGIBLE;
    else for (let k = 0; notEligible >>> k !== 0; k++) if ((notEligible >>> k) & 1) this.hit(ELIGIBILITY_INDEX[k] as number);
    if (c.bond.positive(i)) mode |= MODE.BONDED; // the bonds are in the kernel's column already
    U32[(kc.mode >>> 2) + i] = mode;
  }

  /**
   * P's numerator and denominator as numbers, `P = 0.5 + num·10²⁴ / den` (floored), for provider
   * class `pc`: into `out`, true while they are exact as numbers.
   */
  ratingTermsOf(pc: number, sum: number, count: number, spreadM: number, out: Float64Array): boolean {
    const cc = this.ratingCount[pc] as number;
    const cs = this.ratingSum[pc] as number;
    const n1 = sum * cc;
    const n2 = cs * count;
    const dn = spreadM * count * cc;
    out[0] = n1 - n2;
    out[1] = dn;
    return n1 <= Number.MAX_SAFE_INTEGER && n2 <= Number.MAX_SAFE_INTEGER && dn <= Number.MAX_SAFE_INTEGER;
  }

  /**
   * P's terms in the kernel's columns, now that the class totals are known; a node whose terms are
   * beyond exact doubles gets its P from `exact` instead (given: `MODE.P_GIVEN`).
   */
  ratingColumns(kc: KernelColumns, kr: Kernel, spreadM: number, exact: (i: number) => bigint): void {
    const F = kr.F64;
    const U32 = kr.U32;
    const rating = new Float64Array(2);
    for (let i = 0; i < this.n; i++) {
      const mode = U32[(kc.mode >>> 2) + i] as number;
      if ((mode & MODE.P_DIV) === 0) continue;
      const sum = F[(kc.pNum >>> 3) + i] as number;
      const count = F[(kc.pDen >>> 3) + i] as number;
      if (this.ratingTermsOf(this.c.providerClass[i] as number, sum, count, spreadM, rating)) {
        F[(kc.pNum >>> 3) + i] = rating[0] as number;
        F[(kc.pDen >>> 3) + i] = rating[1] as number;
      } else {
        U32[(kc.mode >>> 2) + i] = (mode & ~MODE.P_DIV) | MODE.P_GIVEN;
        kr.B64[(kc.pGiven >>> 3) + i] = exact(i);
      }
    }
  }
}

/**
 * Numbers (whole, 0 ≤ x < 2^53) to 0, 1, 2… in order of addition: an open-addressing table,
 * cheaper per lookup than a `Map` in the per-node loop.
 */
export class NumberIndex {
  private keys = new Float64Array(64).fill(-1);
  private values = new Int32Array(64);
  private shift = 32 - 6; // 64 slots
  private size = 0;

  private slot(key: number): number {
    const mask = this.keys.length - 1;
    // Fibonacci hashing: the product's top bits, which every bit of the key reaches
    let h = Math.imul((key | 0) ^ Math.imul((key / 0x100000000) | 0, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
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
      this.shift--;
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

export function micro(x: bigint): number {
  const m = toMicro(x);
  if (m === null) throw new InvariantError('parameter not representable in millionths (validateParams should have refused it)');
  return m;
}
