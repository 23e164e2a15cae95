import { clamp, floorDiv, WAD } from './amount.ts';
import { Amounts, incrementLimbs } from './amounts.ts';
import { apportion, bestTied, leftoverThreshold } from './apportion.ts';
import { checkEpochInput, type EpochInput, type NodeInput, type StakeInput, type ValidatorInput } from './epoch-input.ts';
import { InvalidArgumentError, InvariantError } from './errors.ts';
import { CONST, FIXED_LIMIT, kernel, OUT, recip, recipCeil } from './kernel.ts';
import { addressIndexOf, checkEpochColumnsInput, type EpochColumnsInput, isNodeColumns, type NodeColumns, nodeColumns } from './node-columns.ts';
import { ELIGIBILITY_CODES, kernelColumns, micro, NodeScan, REASON_CODES, RI } from './node-scan.ts';
import { ATTESTED_ROLES, type AttestedRole, type Params, PROVIDER_CLASSES, paramsHash, ROLES, type Role, type Tier } from './params.ts';
import type { ReasonCode } from './reasons.ts';
import { inputScratch, scratch as memory, Scratch } from './scratch.ts';

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
const W2 = WAD * WAD;
const W4 = W2 * W2;
const HALF = WAD / 2n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const SMALL = Array.from({ length: 129 }, (_, i) => BigInt(i));
const MICRO = 10n ** 12n;
const U64_MAX = (1n << 64n) - 1n;

/** a/b in lowest terms, for positive a and b. */
function reduced(a: bigint, b: bigint): [bigint, bigint] {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return [a / x, b / x];
}

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
  // (into reused memory: a later call overwrites it, and this result's statements then convert again)
  const cols = columnar ? (input.nodes as NodeColumns) : nodeColumns(input.nodes as NodeInput[], inputScratch.reset());
  const generation = inputScratch.generation;
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
  const inBond = cols.bond;

  memory.reset(); // this call's temporaries: see scratch.ts
  const slot = input.slotSeconds;
  const cp = params.compute;

  // ---- parameters of the compute pool --------------------------------------------------------
  const q = cp.quality;
  const b = cp.bonuses;
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
  const errDenStd = q.errorTolerance * q.errorTargetStandard; // W² scale
  const errDenHigh = q.errorTolerance * q.errorTargetHigh;
  const responseNum = BigInt(q.responseTargetMs) * WAD;
  const ratingScale = WAD * M6;
  const tiers = cp.commitment;

  // ---- pass 1: hardware, caps, capacity, network and class totals (and the kernel's columns) --
  const scan = new NodeScan(cols, input, params, memory);
  const { slaOf, rampM, regionGeo, CPU, gpusOf, cuOf, classOf, countedOf, capFlags, classActive, hits, keys } = scan;
  const classNames = [...scan.models, 'cpu'];
  const nodeIds = ids.slice();
  const stakeList = sortedById(input.stakes) as readonly StakeInput[];
  const kr = options.engine !== 'bigint' && n > 0 ? kernel() : null;
  const kc = kr && kernelColumns(kr, n, n + stakeList.length); // null: no memory for them
  // the bonds go into the kernel's column as they are; one of 2^128 or more: the bigint engine
  scan.kernelFits = kr !== null && kc !== null && inBond.copyLimbs(kr.U32, kc.bond >>> 2);
  scan.scan(memory.i32(addresses.length), kr !== null && kc !== null && scan.kernelFits ? { kc, kr } : null);
  const { netDelivered, netProvisioned, netCapacity, classDelivered, classCapacity, ratingSum, ratingCount, referred } = scan;

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
  const terms = new Float64Array(2);
  /** P before clipping: 0.5 + (mean − classMean) / spread, exact (floored once). */
  const ratingRaw = (C: NodeColumns, i: number): bigint => {
    const pc = C.providerClass[i] as number;
    const sum = C.ratingsSum[i] as number;
    const count = C.ratingsCount[i] as number;
    // the same integers as below, while they are exact as numbers
    if (scan.ratingTermsOf(pc, sum, count, spreadNum, terms)) return HALF + floorDiv(BigInt(terms[0] as number) * ratingScale, BigInt(terms[1] as number));
    const c = classRating[pc] as { sum: bigint; count: bigint };
    const ni = BigInt(count);
    return HALF + floorDiv((BigInt(sum) * c.count - c.sum * ni) * ratingScale, spreadM * ni * c.count);
  };
  /** The columns and the helpers over them: this call's, or — once a later call reused the converted columns — the nodes converted again. */
  const here = { c: cols, s: scan };
  let again: typeof here | undefined;
  const live = (): typeof here => {
    if (columnar || inputScratch.generation === generation) return here;
    if (again === undefined) {
      const c = nodeColumns(input.nodes as NodeInput[]);
      again = { c, s: new NodeScan(c, input, params, new Scratch()) };
    }
    return again;
  };
  const capW3 = cp.scoreCap * W2; // S > cap·C is possible only when Q·K > scoreCap·W³, i.e. K > scoreCap·W²
  /**
   * The least Q at which the cap can bind for this K: below ceil(scoreCap·W³/K), Q·K < scoreCap·W³,
   * so floor(C·Q·K/W⁴) ≤ floor(scoreCap·C/W) — the kernel skips the comparison.
   */
  const capQuality = (K: bigint): bigint => {
    const q = (capW3 * WAD + K - 1n) / K;
    return q > U64_MAX ? U64_MAX : q;
  };
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
    // a statement asked for after a later call reused the converted columns reads them anew
    const { c: C, s: S } = explain ? live() : here;
    // the hot loop reuses one scratch list (it only counts the codes); a statement gets its own
    const reasons: ReasonCode[] = explain ? [] : scratch;
    reasons.length = 0;
    const flags = capFlags[i] as number;
    if (flags & 1) reasons.push('GPU_CAP_EXCEEDED');
    if (flags & 2) reasons.push('CLUSTER_CAP_EXCEEDED');
    // the hot loop reads this call's scratch columns; a statement (asked for later) recomputes them
    const gpus = explain ? S.gpuCount(i) : (gpusOf[i] as number);
    const cls = explain ? S.hardwareClass(i) : (classOf[i] as number);
    const cuM = explain ? S.unitsOf(i, cls, countedOf[i] as number) : (cuOf[i] as number);
    const upM = C.upSlots[i] as number;
    const expM = C.expectedSlots[i] as number;
    const delivered = C.gpuSecondsDelivered[i] as number;
    const upSeconds = upM * slot;
    const t = slaOf[C.slaClass[i] as number] as { targetM: number; rampStartM: number; floorM: number };

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
    const standard = C.jobsStandard[i] as number;
    const standardErrors = C.jobsStandardErrors[i] as number;
    const high = C.jobsHigh[i] as number;
    const highErrors = C.jobsHighErrors[i] as number;
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
      const p95 = C.p95ResponseMs[i] as number;
      if (p95 > q.responseTargetMs) {
        R = responseNum / BigInt(p95);
        reasons.push('SLOW_RESPONSES');
      }
    }
    // P: rating relative to the provider class, 0.5 + (mean − classMean) / spread
    let P = HALF;
    if ((C.ratingsCount[i] as number) > 0) {
      const raw = ratingRaw(C, i);
      P = raw < 0n ? 0n : raw > WAD ? WAD : raw;
      if (P !== raw) reasons.push('RATING_CLIPPED');
    }
    // Q = wU·U + wE·E + wR·R + wP·P
    const Q = U === WAD && E === WAD && R === WAD ? qualityConstUER + (wP * P) / M6 : (wU * U + wE * E + wR * R + wP * P) / M6;

    // V, L, B → K = V·L·(1+B), cached
    let lockIdx = S.lockOf(i);
    if (lockIdx === -2) {
      lockIdx = -1;
      reasons.push('COMMITMENT_FORFEITED');
    }
    const bits = S.bonusBits(i);
    const bonusMix = (Q >= b.qualityHighThreshold ? 2 : Q >= b.qualityMidThreshold ? 1 : ZERO_QUALITY_BONUS) | bits;
    const region = C.region[i] as number;
    const k = kEntry(S.kKey(cls, region, lockIdx, bonusMix), cls, region, lockIdx, bonusMix);
    if (scarcityClipped[cls] && C.status[i] === 0) reasons.push('VALUATION_CLIPPED');
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
    const stage = C.probationStage[i] as number;
    if (stage > 0) {
      probationShare = cp.probation[Math.min(stage, cp.probation.length) - 1] as bigint;
      if (probationShare < WAD) reasons.push('PROBATION');
      score = (score * probationShare) / WAD;
    }

    // eligibility: every reason that applies is reported
    const minBond = S.minBondOf(gpus, cuM);
    const notEligible = S.ineligibility(i, gpus, cuM);
    for (let k = 0; notEligible >>> k !== 0; k++) if ((notEligible >>> k) & 1) reasons.push(ELIGIBILITY_CODES[k] as ReasonCode);
    const eligible = notEligible === 0;
    if (!eligible) score = 0n;
    // the provider's bond joins the staker pool weighted by L × Q (nothing while ineligible)
    const bond = eligible || explain ? C.bond.get(i) : 0n;
    const bondWeight = eligible && bond > 0n ? (bond * L * Q) / W2 : 0n;
    if (!explain) {
      scores[i] = score;
      bondWeights[i] = bondWeight;
      if (reasons.length > 0) count(reasons);
      return undefined;
    }
    return {
      id: C.ids[i] as string,
      owner: C.addresses[C.owner[i] as number] as string,
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
    if (kr === null || kc === null || !scan.kernelFits) return null;
    const m = n + stakeList.length;
    const S = kr.slotBytes;
    const { lay, jobs: jobsCol, p95: p95Col, pNum: pNumCol, pDen: pDenCol, pGiven: pGivenCol, bond: bondCol, mode: modeCol } = kc;
    // P's terms now that the class totals are known; the few beyond exact doubles as bigints
    scan.ratingColumns(kc, kr, spreadNum, (i) => {
      const raw = ratingRaw(cols, i);
      const P = raw < 0n ? 0n : raw > WAD ? WAD : raw;
      if (P !== raw) hits[RI.RATING_CLIPPED] = (hits[RI.RATING_CLIPPED] as number) + 1;
      return P;
    });
    const { cu: cuCol, gpus: gpusCol, up: upCol, deliv: delivCol, uNum: uNumCol, uDen: uDenCol, key: keyCol, prob: probCol } = kc;
    const { score: scoreCol, weight: weightCol, out: outCol, shares: sharesCol, approx: approxCol, tied: tiedCol } = kc;
    for (let k = 0; k <= CPU; k++) if (scarcityClipped[k]) hits[RI.VALUATION_CLIPPED] = (hits[RI.VALUATION_CLIPPED] as number) + (classActive[k] as number);
    // the K table: every key met, at each quality tier; then the constants
    const kTab = lay.take(keys.length * 3 * S);
    const capTab = lay.take(keys.length * 3 * 8);
    const lTab = lay.take(keys.length * S);
    const probTab = lay.take(Math.max(1, cp.probation.length) * S);
    // the same as reciprocals, so the kernel multiplies where it would divide by a constant
    const kfTab = lay.take(keys.length * 3 * S);
    const lfTab = lay.take(keys.length * 3 * S);
    const probfTab = lay.take(Math.max(1, cp.probation.length) * S);
    try {
      kr.reserve(lay.end);
    } catch {
      return null;
    }
    const U32 = kr.U32;
    const bonusCapped = new Uint8Array(keys.length * 3);
    // many keys share a K (and all share a few L): each reciprocal is worked out once per value
    const kRecips = new Map<bigint, { f: bigint; cap: bigint }>();
    const lRecips = new Map<bigint, bigint[]>();
    keys.forEach((k, kx) => {
      for (let tier = 0; tier < 3; tier++) {
        const e = kEntry(k.key + tier, k.cls, k.region, k.lockIdx, k.bits | tier);
        let kr1 = kRecips.get(e.K);
        if (kr1 === undefined) {
          kr1 = { f: recip(e.K, W4), cap: capQuality(e.K) };
          kRecips.set(e.K, kr1);
        }
        kr.writeSlot(kTab + (kx * 3 + tier) * S, e.K);
        kr.writeSlot(kfTab + (kx * 3 + tier) * S, kr1.f);
        kr.B64[(capTab >>> 3) + kx * 3 + tier] = e.mayCap ? kr1.cap : U64_MAX;
        bonusCapped[kx * 3 + tier] = e.bonusCapped ? 1 : 0;
        if (tier === 0) {
          // L and its reciprocals are the key's, whatever the tier
          let lf = lRecips.get(e.L);
          if (lf === undefined) {
            lf = recipCeil(e.L, W2);
            lRecips.set(e.L, lf);
          }
          kr.writeSlot(lTab + kx * S, e.L);
          lf.forEach((f, j) => {
            kr.writeSlot(lfTab + (kx * 3 + j) * S, f);
          });
        }
      }
    });
    cp.probation.forEach((share, k) => {
      kr.writeSlot(probTab + k * S, share);
      kr.writeSlot(probfTab + k * S, recip(share, WAD));
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
      [CONST.SCORE_CAP_F, recip(cp.scoreCap, WAD)],
    ];
    for (const [slotIndex, value] of constants) kr.writeSlot(kr.x.constSlot(slotIndex), value);
    kr.x.setNumbers(baseM, weightM, Number(wU), Number(wE), Number(wR), Number(wP));
    // E's terms: W³/den reduced to p/q, so the kernel divides by jobs·q in registers (q ≥ 2^32: it does not)
    const [pStd, qStd] = reduced(W2 * WAD, errDenStd);
    const [pHigh, qHigh] = reduced(W2 * WAD, errDenHigh);
    kr.writeSlot(kr.x.constSlot(CONST.ERR_P_STD), pStd);
    kr.writeSlot(kr.x.constSlot(CONST.ERR_P_HIGH), pHigh);
    kr.x.setErrorTerms(qStd < 1n << 32n ? Number(qStd) : 0, qHigh < 1n << 32n ? Number(qHigh) : 0);
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
      kfTab,
      lfTab,
      probfTab,
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
        // a unit to every remainder above the threshold in the kernel; the tied ranked exactly here
        const t = leftoverThreshold(approx, left, memory.f64(count));
        const awarded = kr.x.award(sharesCol, approxCol, count, t, tiedCol);
        const tied = kr.I32.subarray(tiedCol >>> 2, (tiedCol >>> 2) + kr.x.tiedCount());
        for (const i of bestTied(tied, exact, left - awarded)) incrementLimbs(shares, i);
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
  const referrerOf: number[] = []; // each statement's referrer, as its index in the addresses
  for (const i of referred) {
    if (!nodeRewards.positive(i)) continue;
    referrerOf.push(inReferrer[i] as number);
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
  const sums64 = new BigUint64Array(ownerSums.buffer, ownerSums.byteOffset, 2 * owners);
  /** Owner k's sum of node and bond rewards. */
  const owedOf = (k: number): bigint => {
    const w = 4 * k;
    if (((ownerSums[w + 2] as number) | (ownerSums[w + 3] as number)) === 0) {
      const hi = ownerSums[w + 1] as number;
      return hi < 0x200000 ? BigInt(hi * 0x100000000 + (ownerSums[w] as number)) : (sums64[2 * k] as bigint);
    }
    return ((sums64[2 * k + 1] as bigint) << 64n) | (sums64[2 * k] as bigint);
  };
  let owed: bigint[] | undefined; // the sums as bigints when they are not in limbs
  if (!inLimbs) {
    owed = new Array<bigint>(owners).fill(0n);
    for (let i = 0; i < n; i++) {
      const x = nodeRewards.get(i) + nodeBondRewards.get(i);
      if (x !== 0n) owed[inOwner[i] as number] = (owed[inOwner[i] as number] as bigint) + x;
    }
  }
  // in order of first appearance — owners by their nodes' ids, then validators, stakes,
  // attestations, referrers — which is deterministic because every list was put in canonical order
  const order = memory.i32(owners);
  const listed = memory.u8(owners).fill(0);
  let ownerCount = 0;
  for (let i = 0; i < n; i++) {
    const k = inOwner[i] as number;
    if (listed[k] === 1) continue;
    listed[k] = 1;
    order[ownerCount++] = k;
  }
  // what else an owner is paid joins its line (by address index: no hashing of every owner's address)
  const extra = new Map<number, bigint>();
  const hasExtra = memory.u8(owners).fill(0);
  const others = new Map<string, bigint>(); // everyone else, in order of first appearance
  const add = (a: string, x: bigint) => {
    if (x !== 0n) others.set(a, (others.get(a) ?? 0n) + x);
  };
  for (const v of validatorStatements) add(v.payout, v.reward);
  for (const s of stakeStatements) add(s.payout, s.reward);
  for (const a of attested) add(a.payout, a.reward);
  if (others.size > 0) {
    const index = addressIndexOf(cols);
    if (index !== undefined) {
      for (const [address, amount] of others) {
        const k = index.get(address);
        if (k !== undefined && listed[k] === 1) {
          extra.set(k, amount);
          hasExtra[k] = 1;
          others.delete(address);
        }
      }
    } else {
      for (let j = 0; j < ownerCount; j++) {
        const k = order[j] as number;
        const x = others.get(addresses[k] as string);
        if (x !== undefined) {
          extra.set(k, x);
          hasExtra[k] = 1;
          others.delete(addresses[k] as string);
        }
      }
    }
  }
  // referrers are in the addresses already
  referralStatements.forEach((r, j) => {
    if (r.paid === 0n) return;
    const k = referrerOf[j] as number;
    if (listed[k] === 1) {
      extra.set(k, (extra.get(k) ?? 0n) + r.paid);
      hasExtra[k] = 1;
    } else add(r.referrer, r.paid);
  });
  const payouts: { address: string; amount: bigint }[] = [];
  for (let j = 0; j < ownerCount; j++) {
    const k = order[j] as number;
    let amount = owed === undefined ? owedOf(k) : (owed[k] as bigint);
    if (hasExtra[k] === 1) amount += extra.get(k) as bigint;
    if (amount !== 0n) payouts.push({ address: addresses[k] as string, amount });
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
    nodeOwner: (i: number) => {
      const c = live().c;
      return c.addresses[c.owner[i] as number] as string;
    },
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

/** The commitment multiplier L for a lock of `days` (the highest tier reached; 1 below the first). */
export function lockMultiplier(tiers: readonly Tier[], days: number): bigint {
  let m = WAD;
  for (const t of tiers) if (days >= t.days) m = t.multiplier;
  return m;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Returns the items in ascending id order, sorting a copy only when they are not already. */
function sortedById<T extends { id: string }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if ((items[i - 1] as T).id >= (items[i] as T).id) return [...items].sort((x, y) => cmp(x.id, y.id));
  }
  return items;
}
