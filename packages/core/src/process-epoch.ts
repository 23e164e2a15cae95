import { clamp, floorDiv, WAD } from './amount.ts';
import { apportion } from './apportion.ts';
import { checkEpochInput, type EpochInput, type NodeInput, type StakeInput, type ValidatorInput } from './epoch-input.ts';
import { InvariantError } from './errors.ts';
import { ATTESTED_ROLES, type AttestedRole, type Params, paramsHash, ROLES, type Role, type Tier } from './params.ts';
import type { ReasonCode } from './reasons.ts';

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
  reasons: readonly ReasonCode[];
};

export type ValidatorStatement = { id: string; payout: string; agreedAudits: number; reward: bigint; reasons: readonly ReasonCode[] };
export type StakeStatement = {
  /** `bond/<node id>` for a provider bond, `stake/<id>` for a user or operator stake. */
  id: string;
  payout: string;
  kind: 'bond' | 'user' | 'operator';
  amount: bigint;
  lockMultiplier: bigint;
  /** The node's quality Q for a bond (0 when the node is not eligible), 1 otherwise. */
  qualityFactor: bigint;
  weight: bigint;
  reward: bigint;
  reasons: readonly ReasonCode[];
};
export type AttestedStatement = { role: AttestedRole; payout: string; points: bigint; reward: bigint };
export type ReferralStatement = { referrer: string; nodeId: string; due: bigint; paid: bigint };
export type PoolTotals = { allocated: bigint; paid: bigint; toTreasury: bigint };

export type EpochResult = {
  version: 1;
  epoch: number;
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
  nodes: NodeStatement[];
  validators: ValidatorStatement[];
  stakes: StakeStatement[];
  attested: AttestedStatement[];
  referrals: ReferralStatement[];
  ignoredAttestations: { role: AttestedRole; attestor: string; reason: ReasonCode }[];
  /** Every payout address's total for the epoch, ascending by address. */
  payouts: { address: string; amount: bigint }[];
  reasonCounts: Record<string, number>;
};

export type ProcessEpochOptions = {
  /** Skip the semantic input checks: only for input that `parseEpochInput` has just checked. */
  checked?: boolean;
};

const NONE: readonly ReasonCode[] = Object.freeze([]);
const DAY = 86_400;
const W2 = WAD * WAD;
const W4 = W2 * W2;

/**
 * Computes one epoch's rewards (SPEC §4): emission with decay, dynamic factor and circuit breaker;
 * the role split with the dynamic staker weight; the compute pool by `S = C·Q·V·L·(1+B)`; the
 * validator, staker and attested pools; referrals; a statement for every participant. Pure and
 * deterministic: the result depends only on the input and the parameters — not on the order
 * participants are listed in — and every pool is paid out to the last base unit.
 *
 * @example const result = processEpoch(parseEpochInput(json, params), params)
 */
export function processEpoch(input: EpochInput, params: Params, options: ProcessEpochOptions = {}): EpochResult {
  if (options.checked !== true) checkEpochInput(input, params);
  const reasonCounts: Record<string, number> = {};
  const count = (codes: readonly ReasonCode[]) => {
    for (const c of codes) reasonCounts[c] = (reasonCounts[c] ?? 0) + 1;
  };

  const nodes = sortedById(input.nodes);
  const cp = params.compute;
  const n = nodes.length;

  // ---- pass 1: hardware, capacity, network and class totals ----------------------------------
  const modelOrder = Object.keys(cp.gpuUnits).sort((a, b) => {
    const d = (cp.gpuUnits[b] as bigint) - (cp.gpuUnits[a] as bigint);
    return d > 0n ? 1 : d < 0n ? -1 : a < b ? -1 : a > b ? 1 : 0;
  });
  const modelRank = new Map(modelOrder.map((m, i) => [m, i]));
  const gpusOf = new Int32Array(n);
  const countedOf = new Int32Array(n);
  const cuOf = new Array<bigint>(n);
  const classOf = new Array<string>(n);
  const capReasons = new Array<ReasonCode[] | undefined>(n);
  const clusterUsed = new Map<string, number>();
  let netDelivered = 0;
  let netProvisioned = 0; // GPU × up-seconds: utilisation for the dynamic factor (§4.2)
  let netCapacity = 0; // GPU × expected seconds: the scarcity valuation (see README, "valuation")
  const classDelivered = new Map<string, number>();
  const classCapacity = new Map<string, number>();
  const ratingSum = new Map<string, number>();
  const ratingCount = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const node = nodes[i] as NodeInput;
    const hw = node.hardware;
    let gpus = 0;
    let cls = 'cpu';
    let clsUnits = -1n;
    let sorted = hw.gpus;
    if (sorted.length > 1) sorted = [...sorted].sort((a, b) => (modelRank.get(a.model) as number) - (modelRank.get(b.model) as number));
    for (const g of sorted) gpus += g.count;
    // hardware class: the model carrying most compute units (ties: the higher-valued model)
    const perModel = new Map<string, bigint>();
    for (const g of sorted) perModel.set(g.model, (perModel.get(g.model) ?? 0n) + (cp.gpuUnits[g.model] as bigint) * BigInt(g.count));
    for (const [m, u] of perModel) {
      if (u > clsUnits) {
        clsUnits = u;
        cls = m;
      }
    }
    // caps: per node, then per cluster (all of an owner's active nodes, in id order)
    let allowance = Math.min(gpus, cp.maxGpusPerNode);
    let reasons: ReasonCode[] | undefined;
    if (gpus > cp.maxGpusPerNode) reasons = ['GPU_CAP_EXCEEDED'];
    if (node.status === 'active') {
      const used = clusterUsed.get(node.owner) ?? 0;
      const room = Math.max(0, cp.maxGpusPerCluster - used);
      if (allowance > room) {
        allowance = room;
        (reasons ??= []).push('CLUSTER_CAP_EXCEEDED');
      }
      clusterUsed.set(node.owner, used + allowance);
    }
    capReasons[i] = reasons;
    let cu = BigInt(hw.vcpus) * cp.vcpuUnits + BigInt(hw.nvmeTb) * cp.nvmeTbUnits;
    let left = allowance;
    for (const g of sorted) {
      if (left <= 0) break;
      const c = Math.min(left, g.count);
      cu += (cp.gpuUnits[g.model] as bigint) * BigInt(c);
      left -= c;
    }
    gpusOf[i] = gpus;
    countedOf[i] = allowance;
    cuOf[i] = cu;
    classOf[i] = cls;
    if (node.status === 'active') {
      netDelivered += node.gpuSecondsDelivered;
      netProvisioned += gpus * node.upMinutes * 60;
      const cap = gpus * node.expectedMinutes * 60;
      netCapacity += cap;
      classDelivered.set(cls, (classDelivered.get(cls) ?? 0) + node.gpuSecondsDelivered);
      classCapacity.set(cls, (classCapacity.get(cls) ?? 0) + cap);
    }
    if (node.ratings.count > 0) {
      ratingSum.set(node.providerClass, (ratingSum.get(node.providerClass) ?? 0) + node.ratings.sum);
      ratingCount.set(node.providerClass, (ratingCount.get(node.providerClass) ?? 0) + node.ratings.count);
    }
  }
  if (!Number.isSafeInteger(netProvisioned) || !Number.isSafeInteger(netCapacity)) {
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
  const q = cp.quality;
  const b = cp.bonuses;
  const valuation = new Map<string, { v: bigint; clipped: boolean }>();
  for (const [cls, cap] of classCapacity) {
    const d = classDelivered.get(cls) ?? 0;
    if (netDelivered === 0 || cap === 0) {
      valuation.set(cls, { v: WAD, clipped: false });
      continue;
    }
    const raw = (BigInt(d) * BigInt(netCapacity) * WAD) / (BigInt(cap) * BigInt(netDelivered));
    const v = clamp(raw, cp.valuationMin, cp.valuationMax);
    valuation.set(cls, { v, clipped: v !== raw });
  }
  const slaT = new Map<string, { target: bigint; rampStart: bigint; floor: bigint }>();
  for (const [cls, s] of Object.entries(cp.sla)) {
    slaT.set(cls, { target: s.availability, rampStart: s.availability - q.uptimeRamp, floor: s.availability - q.eligibilityFloor });
  }
  const innovation = new Set(cp.innovationList);
  const errDenStd = cp.quality.errorTolerance * cp.quality.errorTargetStandard; // W² scale
  const errDenHigh = cp.quality.errorTolerance * cp.quality.errorTargetHigh;
  const bondUnit = (BigInt(params.bond.days * 24) * params.bond.gpuRateUsdPerHour * WAD) / params.bond.referenceTokenPriceUsd;
  const responseTarget = BigInt(q.responseTargetMs);
  const statements = new Array<NodeStatement>(n);
  const scores = new Array<bigint>(n);
  for (let i = 0; i < n; i++) {
    const node = nodes[i] as NodeInput;
    const reasons: ReasonCode[] = capReasons[i] ? [...(capReasons[i] as ReasonCode[])] : [];
    const gpus = gpusOf[i] as number;
    const cu = cuOf[i] as bigint;
    const upSeconds = node.upMinutes * 60;
    const exp = BigInt(node.expectedMinutes);
    const up = BigInt(node.upMinutes);
    const sla = slaT.get(node.slaClass) as { target: bigint; rampStart: bigint; floor: bigint };

    // C = CU × upSeconds × (base + weight × utilisation), utilisation = delivered / (GPUs × upSeconds)
    let contribution: bigint;
    let utilisation = 0n;
    if (gpus > 0 && upSeconds > 0) {
      const prov = BigInt(gpus * upSeconds);
      const deliv = BigInt(node.gpuSecondsDelivered);
      utilisation = (deliv * WAD) / prov;
      contribution = (cu * (cp.utilisationBase * prov + cp.utilisationWeight * deliv)) / (BigInt(gpus) * WAD);
    } else {
      contribution = (cu * BigInt(upSeconds) * cp.utilisationBase) / WAD;
    }

    // Q = wU·U + wE·E + wR·R + wP·P
    const uptime = exp === 0n ? 0n : (up * WAD) / exp;
    let U: bigint;
    if (exp === 0n) U = 0n;
    else if (up * WAD >= sla.target * exp) U = WAD;
    else {
      U = clamp(floorDiv((up * WAD - sla.rampStart * exp) * WAD, exp * q.uptimeRamp), 0n, WAD);
      reasons.push('UPTIME_BELOW_TARGET');
    }
    const j = node.jobs;
    const jobs = j.standard + j.high;
    let E = WAD;
    let R = WAD;
    if (jobs > 0) {
      let eStd = WAD;
      let eHigh = WAD;
      if (j.standardErrors > 0) eStd = errorFactor(j.standard, j.standardErrors, errDenStd);
      if (j.highErrors > 0) eHigh = errorFactor(j.high, j.highErrors, errDenHigh);
      if ((j.standard > 0 && eStd === 0n) || (j.high > 0 && eHigh === 0n)) reasons.push('ERROR_RATE_ABOVE_TOLERANCE');
      E = (BigInt(j.standard) * eStd + BigInt(j.high) * eHigh) / BigInt(jobs);
      if (j.p95ResponseMs > q.responseTargetMs) {
        R = (responseTarget * WAD) / BigInt(j.p95ResponseMs);
        reasons.push('SLOW_RESPONSES');
      }
    }
    let P = WAD / 2n;
    if (node.ratings.count > 0) {
      const cs = BigInt(ratingSum.get(node.providerClass) as number);
      const cc = BigInt(ratingCount.get(node.providerClass) as number);
      const ni = BigInt(node.ratings.count);
      const den = q.ratingSpread * ni * cc; // WAD scale
      const raw = floorDiv((WAD / 2n) * den + (BigInt(node.ratings.sum) * cc - cs * ni) * W2, den);
      P = clamp(raw, 0n, WAD);
      if (P !== raw) reasons.push('RATING_CLIPPED');
    }
    const Q = (q.uptimeWeight * U + q.errorWeight * E + q.responseWeight * R + q.ratingWeight * P) / WAD;

    // V = scarcity of the hardware class × geography
    const val = valuation.get(classOf[i] as string);
    const scarcity = val?.v ?? WAD;
    if (val?.clipped && node.status === 'active') reasons.push('VALUATION_CLIPPED');
    const geo = cp.underServedRegions[node.region] ?? WAD;
    const V = (scarcity * geo) / WAD;

    // L = commitment multiplier, forfeited when the lock was left early
    let L = lockMultiplier(cp.commitment, node.commitmentDays);
    if (node.commitmentForfeited && L !== WAD) {
      L = WAD;
      reasons.push('COMMITMENT_FORFEITED');
    }

    // B = bonuses, capped; none for an anomaly-flagged node
    const age = input.epochStart - node.registeredAt;
    const bq = Q >= b.qualityHighThreshold ? b.qualityHigh : Q >= b.qualityMidThreshold ? b.qualityMid : 0n;
    const bNew = age < b.newNodeDays * DAY ? b.newNode : 0n;
    const bUnder = cp.underServedRegions[node.region] !== undefined && age < b.underServedDays * DAY ? b.underServed : 0n;
    let bInnov = 0n;
    if (innovation.size > 0) {
      for (const g of node.hardware.gpus) if (innovation.has(g.model)) bInnov = b.innovation;
      for (const s of node.services) if (innovation.has(s)) bInnov = b.innovation;
    }
    const bEnergy = node.powerEfficiency !== null && node.powerEfficiency >= b.energyThreshold ? b.energy : 0n;
    let B = bq + bNew + bUnder + bInnov + bEnergy;
    if (node.anomalies.length > 0) {
      B = 0n;
      reasons.push('ANOMALY_FLAGGED');
    } else if (B > b.cap) {
      B = b.cap;
      reasons.push('BONUS_CAPPED');
    }

    // S = C·Q·V·L·(1+B), capped at scoreCap × C, times the probation share
    const rawScore = (contribution * Q * V * L * (WAD + B)) / W4;
    const cap = (cp.scoreCap * contribution) / WAD;
    let score = rawScore;
    if (score > cap) {
      score = cap;
      reasons.push('SCORE_CAPPED');
    }
    let probationShare = WAD;
    if (node.probationStage > 0) {
      probationShare = cp.probation[Math.min(node.probationStage, cp.probation.length) - 1] as bigint;
      if (probationShare < WAD) reasons.push('PROBATION');
      score = (score * probationShare) / WAD;
    }

    // eligibility: every reason that applies is reported
    let eligible = true;
    const minBond = bondUnit * BigInt(Math.max(1, gpus));
    if (node.status !== 'active') {
      eligible = false;
      reasons.push(node.status === 'suspended' ? 'SUSPENDED' : node.status === 'jailed' ? 'JAILED' : 'EXCLUDED');
    }
    if (!node.onboarded) {
      eligible = false;
      reasons.push('NOT_ONBOARDED');
    }
    if (node.bond === 0n) {
      eligible = false;
      reasons.push('NOT_BONDED');
    } else if (node.bond < minBond) {
      eligible = false;
      reasons.push('BOND_BELOW_MINIMUM');
    }
    if (cu === 0n) {
      eligible = false;
      reasons.push('NO_CAPACITY');
    }
    if (up === 0n) {
      eligible = false;
      reasons.push('NO_UPTIME');
    } else if (up * WAD < sla.floor * exp) {
      eligible = false;
      reasons.push('BELOW_UPTIME_FLOOR');
    }
    if (!eligible) score = 0n;
    scores[i] = score;
    statements[i] = {
      id: node.id,
      owner: node.owner,
      reward: 0n,
      eligible,
      hardwareClass: classOf[i] as string,
      gpus,
      countedGpus: countedOf[i] as number,
      computeUnits: cu,
      upSeconds,
      uptime,
      utilisation,
      contribution,
      quality: { uptime: U, errors: E, response: R, rating: P, total: Q },
      valuation: { scarcity, geo, total: V },
      commitment: L,
      bonuses: { quality: bq, newNode: bNew, underServed: bUnder, innovation: bInnov, energy: bEnergy, total: B },
      rawScore,
      probationShare,
      score,
      minBond,
      bond: node.bond,
      reasons: reasons.length === 0 ? NONE : reasons,
    };
  }
  const computeShares = apportion(rolePool.compute, scores);
  if (computeShares === null) {
    pools.compute.toTreasury = rolePool.compute;
    treasury += rolePool.compute;
    emissionReasons.push('POOL_EMPTY_TO_TREASURY');
  } else {
    for (let i = 0; i < n; i++) (statements[i] as NodeStatement).reward = computeShares[i] as bigint;
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
  const stakeStatements: StakeStatement[] = [];
  for (let i = 0; i < n; i++) {
    const node = nodes[i] as NodeInput;
    if (node.bond === 0n) continue;
    const st = statements[i] as NodeStatement;
    const qf = st.eligible ? st.quality.total : 0n;
    stakeStatements.push({
      id: `bond/${node.id}`,
      payout: node.owner,
      kind: 'bond',
      amount: node.bond,
      lockMultiplier: st.commitment,
      qualityFactor: qf,
      weight: (node.bond * st.commitment * qf) / W2,
      reward: 0n,
      reasons: st.eligible ? NONE : (['NODE_NOT_ELIGIBLE'] as const),
    });
  }
  for (const s of sortedById(input.stakes) as StakeInput[]) {
    const lm = lockMultiplier(cp.commitment, s.lockDays);
    stakeStatements.push({
      id: `stake/${s.id}`,
      payout: s.payout,
      kind: s.kind,
      amount: s.amount,
      lockMultiplier: lm,
      qualityFactor: WAD,
      weight: (s.amount * lm) / WAD,
      reward: 0n,
      reasons: NONE,
    });
  }
  const sShares = apportion(
    rolePool.stakers,
    stakeStatements.map((s) => s.weight),
  );
  if (sShares) for (let i = 0; i < stakeStatements.length; i++) (stakeStatements[i] as StakeStatement).reward = sShares[i] as bigint;
  settle(pools.stakers, sShares !== null);

  // ---- referrals, out of the community pool (§4.5) ------------------------------------------
  const referralStatements: ReferralStatement[] = [];
  for (let i = 0; i < n; i++) {
    const node = nodes[i] as NodeInput;
    if (node.referrer === null) continue;
    const reward = (statements[i] as NodeStatement).reward;
    if (reward === 0n || input.epochStart - node.registeredAt >= params.referral.days * DAY) continue;
    referralStatements.push({ referrer: node.referrer, nodeId: node.id, due: (reward * params.referral.share) / WAD, paid: 0n });
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
  const byAddress = new Map<string, bigint>();
  const add = (a: string, x: bigint) => {
    if (x !== 0n) byAddress.set(a, (byAddress.get(a) ?? 0n) + x);
  };
  for (const s of statements) add(s.owner, s.reward);
  for (const v of validatorStatements) add(v.payout, v.reward);
  for (const s of stakeStatements) add(s.payout, s.reward);
  for (const a of attested) add(a.payout, a.reward);
  for (const r of referralStatements) add(r.referrer, r.paid);
  const payouts = [...byAddress].sort((x, y) => cmp(x[0], y[0])).map(([address, amount]) => ({ address, amount }));
  let paidOut = 0n;
  for (const p of payouts) paidOut += p.amount;
  if (paidOut + treasury !== epochPool) {
    throw new InvariantError('epoch pool not conserved', `paid ${paidOut} + treasury ${treasury} ≠ pool ${epochPool}`);
  }

  for (const s of statements) count(s.reasons);
  for (const v of validatorStatements) count(v.reasons);
  for (const s of stakeStatements) count(s.reasons);
  for (const a of ignoredAttestations) count([a.reason]);
  count(emissionReasons);

  return {
    version: 1,
    epoch: input.epoch,
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
    nodes: statements,
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
