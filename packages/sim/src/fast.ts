import {
  applyValidatorFaults,
  CLEAN_STANDING,
  CLEAN_VALIDATOR,
  clawFromTranches,
  computeAuditScore,
  computeCompensation,
  computeFeeSplit,
  computeForfeitedExtra,
  computeMinBond,
  contentHash,
  detectViolations,
  type EpochInput,
  type EpochResult,
  evaluateOnboarding,
  GPU_BENCHMARK_TFLOPS,
  isBillable,
  type MeasuredHardware,
  mergeOwnerClassUsage,
  type NodeInput,
  type NodeVesting,
  type OnboardingMeasurement,
  type OwnerClassUsage,
  type Params,
  probeViolations,
  processEpoch,
  processStandings,
  type Standing,
  selectAuditSample,
  serializeEpochInput,
  TOKEN,
  type ValidatorStanding,
  type VestingTranche,
  type Violation,
  vestingState,
  WAD,
} from '@swarm/core';
import { type Account, type EpochPoint, newAccount, type SimResult, summarise } from './report.ts';
import { SimValidators } from './validators.ts';
import type { NodeActivity } from './world.ts';
import { buildWorld, epochActivity, type Job, type Operator, type Scenario, type SimNode, usdToTokens } from './world.ts';

/**
 * Fast mode: the scenario's epochs through the real `core` — `processEpoch` for the rewards,
 * `detectViolations` / `processStandings` for the ladder, `selectAuditSample` and the beacon,
 * commit–reveal, traps, referrals, disputes and probes of `audits.ts` for the validators
 * (`validators.ts`), `applyValidatorFaults` for their ladder, `computeFeeSplit` for the fees and `computeCompensation`
 * for the escrow's release — with the bookkeeping the service would do between them. Every amount
 * is a bigint; the same scenario and parameters give the byte-identical result.
 */
export type RunOptions = {
  params: Params;
  onEpoch?: (epoch: number, of: number) => void;
  /** Sees every epoch's input and result (for tests and inspection). */
  inspect?: (input: EpochInput, result: EpochResult) => void;
};

const GENESIS = 1_767_225_600;
/** The supply at the start of a run, and the users' stake in it (40 %). */
export const INITIAL_SUPPLY = 1_000_000_000n * TOKEN;
const USER_STAKE = 400_000_000n * TOKEN;

export function runFast(scenario: Scenario, o: RunOptions): SimResult {
  const { params } = o;
  const world = buildWorld(scenario);
  const operatorOf = new Map<string, Operator>();
  for (const op of world.operators) for (const n of op.nodes) operatorOf.set(n.id, op);
  const simNode = new Map(world.nodes.map((n) => [n.id, n]));
  const accountOf = (nodeId: string) => accounts.get((operatorOf.get(nodeId) as Operator).id) as Account;
  const accounts = new Map<string, Account>(world.operators.map((op) => [op.id, newAccount(op)]));
  const validators = world.operators.filter((op) => op.nodes.length === 0);
  // the framing validators' target: the first background node (its operator is no one's twin)
  const victim = world.nodes.find((n) => n.archetype === 'background')?.id ?? null;
  const audits = new SimValidators(validators, (id) => operatorOf.get(id) as Operator, victim, params, scenario.seed);
  const operatorStake = new Map(validators.map((v) => [v.id, params.staking.operatorMinStake]));
  const validatorStanding = new Map<string, ValidatorStanding>();
  const day = 86_400;
  const epochsPerDay = Math.max(1, Math.round(day / scenario.epochSeconds));
  // bonds: 1.5 × the minimum; validators stake the operator minimum
  const bond = new Map<string, bigint>();
  for (const n of world.nodes) bond.set(n.id, (computeMinBond({ hardware: nodeHardware(n) }, params) * 3n) / 2n);
  // the onboarding check: the hardware gate compares the declaration with what the host has
  const onboarded = new Map(world.nodes.map((n) => [n.id, evaluateOnboarding(nodeHardware(n), onboardingMeasurement(n)).passed]));
  const standing = new Map<string, Standing>();
  /** Each node's compute rewards still vesting (SPEC §6.1). */
  const tranches = new Map<string, VestingTranche[]>();
  const escrow: { amount: bigint; release: number; nodeId: string; consumers: Map<string, bigint> }[] = [];
  const lastAudited = new Map<string, number>();
  let previousInputHash = '';
  let supply = INITIAL_SUPPLY;
  // as the service does: the genesis emission is per day, scaled to the epoch's length
  let baseEmission = (params.emission.genesisPerEpoch * BigInt(scenario.epochSeconds)) / 86_400n;
  let previousDynamicFactor: bigint | null = null;
  let treasury = 0n;
  const series: EpochPoint[] = [];
  const history: OwnerClassUsage[][] = [];
  const paidOwners = new Map<string, Set<string>>();
  /** Each node's capacity rewards and commitment so far: what leaving a lock early forfeits (SPEC §4.4). */
  const lockPaid = new Map<string, { reward: bigint; commitment: bigint }[]>();
  let deterrence: SimResult['deterrence'] = null;
  const powerPerGpuSecond = usdToTokens(params.fees.powerCostUsdPerGpuHour, params) / 3600n;

  for (let e = 0; e < scenario.epochs; e++) {
    const start = GENESIS + e * scenario.epochSeconds;
    const end = start + scenario.epochSeconds;
    const activity = epochActivity(scenario, world, e, params);
    // the service's own outage (SPEC §3.2): its slots are excluded from everyone's expected time, and no heartbeat counted in them
    const down = scenario.serviceDown?.epoch === e ? scenario.serviceDown : undefined;
    if (down)
      for (const a of activity) {
        a.expectedSlots -= down.slots;
        a.upSlots -= Math.max(0, Math.min(a.upSlots, down.from + down.slots) - down.from);
      }
    const jobsOf = new Map(activity.map((a) => [a.nodeId, a]));

    // the audits of the previous epoch's sample (and open referrals and disputes), judged now
    const judged = audits.judge(e);
    const failed = new Map<string, Violation[]>();
    for (const [nodeId, jobs] of judged.failed)
      failed.set(
        nodeId,
        jobs.map((j) => ({ kind: 'failed-verification', at: end, evidence: [`audit:${j}`] })),
      );
    for (const [v, seconds] of judged.reexecuted) (accounts.get(v) as Account).cost += powerPerGpuSecond * BigInt(seconds);
    const credits = new Map(judged.validators.filter((v) => !v.forfeits && v.agreed > 0).map((v) => [v.validator, v.agreed]));
    // the validator ladder: a missed trap, an unanswered assignment, an overturned or twice contradicted verdict
    for (const v of audits.active()) {
      const f = judged.faults.get(v);
      if (!f) continue;
      const { standing: st, penalty } = applyValidatorFaults(validatorStanding.get(v) ?? CLEAN_VALIDATOR, operatorStake.get(v) ?? 0n, f, end, params, day);
      validatorStanding.set(v, st);
      if (!penalty) continue;
      const acc = accounts.get(v) as Account;
      operatorStake.set(v, (operatorStake.get(v) ?? 0n) - penalty.amount);
      acc.slashed += penalty.amount;
      acc.violations += 1;
      audits.stats.validatorViolations += 1;
      // into escrow like any slash (SPEC §6.2); no consumer was hurt, so its compensation share goes to the treasury
      escrow.push({
        amount: penalty.amount,
        release: e + Math.ceil((params.slashing.escrowDays * day) / scenario.epochSeconds),
        nodeId: v,
        consumers: new Map(),
      });
      if (penalty.removed) audits.remove(v);
      // a validator violation costs that epoch's validator reward too (SPEC §6.1)
      credits.delete(v);
    }

    const staked = [...bond.values()].reduce((a, b) => a + b, 0n) + USER_STAKE + [...operatorStake.values()].reduce((a, b) => a + b, 0n);
    // every consumer key's owners paid so far: a key that has paid only one owner is that owner's own (SPEC §4.4)
    for (const a of activity)
      for (const j of a.jobs) paidOwners.set(j.consumer, (paidOwners.get(j.consumer) ?? new Set()).add((operatorOf.get(j.nodeId) as Operator).payout));
    // consumers' signed refusals count up to what each key paid the network this epoch (SPEC §12): a
    // key that pays nothing cannot weigh a refusal against anyone
    const keyBudget = new Map<string, bigint>();
    for (const a of activity)
      for (const j of a.jobs) if (isBillable(params, j.price, j.gpuSeconds)) keyBudget.set(j.consumer, (keyBudget.get(j.consumer) ?? 0n) + j.price);
    const refusedOf = (a: NodeActivity) => {
      let total = 0n;
      for (const x of a.refused) {
        const left = keyBudget.get(x.consumer) ?? 0n;
        const counted = x.price < left ? x.price : left;
        keyBudget.set(x.consumer, left - counted);
        total += counted;
      }
      return total === 0n ? {} : { refused: total };
    };
    const vestingOf = (id: string) => {
      const v = vestingState(tranches.get(id) ?? [], e);
      return v === undefined ? {} : { vesting: v };
    };
    const nodes: NodeInput[] = world.nodes.map((n) => {
      const a = jobsOf.get(n.id) as (typeof activity)[number];
      const claimed = a.jobs.reduce((x, j) => x + j.gpuSeconds, 0);
      const st = standing.get(n.id) ?? CLEAN_STANDING;
      const owner = (operatorOf.get(n.id) as Operator).payout;
      const left = n.unbondAt !== undefined && e >= n.unbondAt;
      return {
        id: n.id,
        owner,
        region: n.region,
        slaClass: n.slaClass,
        providerClass: n.providerClass,
        hardware: nodeHardware(n),
        registeredAt: GENESIS - n.registeredDaysAgo * day,
        // every node is checked by a validator: what it measured counts (SPEC §3.1)
        measured: measuredHost(n),
        hostFirstSeen: GENESIS - n.host.firstSeenDaysAgo * day,
        expectedSlots: a.expectedSlots - a.maintenanceSlots,
        upSlots: a.upSlots,
        gpuSecondsDelivered: Math.min(claimed, gpusOf(n) * a.upSlots * scenario.slotSeconds),
        ...receiptsOf(a.jobs, params, (j) =>
          (paidOwners.get(j.consumer) as Set<string>).size > 1 ? true : !(paidOwners.get(j.consumer) as Set<string>).has(owner),
        ),
        powerEfficiency: null,
        commitmentDays: n.commitmentDays,
        commitmentForfeited: left && n.commitmentDays > 0,
        // an unbonded node is not bonded: it earns nothing, though its unbonding stays slashable (SPEC §5)
        bond: left ? 0n : (bond.get(n.id) ?? 0n),
        status: st.status,
        onboarded: onboarded.get(n.id) as boolean,
        probationStage: st.probationStage,
        anomalies: [],
        services: [],
        referrer: n.referrer,
        ...vestingOf(n.id),
        ...refusedOf(a),
      };
    });
    const input: EpochInput = {
      version: 1,
      epoch: e,
      epochStart: start,
      epochSeconds: scenario.epochSeconds,
      slotSeconds: scenario.slotSeconds,
      baseEmission,
      previousDynamicFactor,
      expansionPhase: false,
      supply: { total: supply, staked },
      excludedSlots: down ? [{ from: down.from, to: down.from + down.slots - 1, cause: 'service-down' }] : [],
      scarcityHistory: mergeOwnerClassUsage(history.slice(history.length - (params.compute.scarcityWindowEpochs - 1))),
      nodes,
      validators: validators
        .filter((v) => (credits.get(v.id) ?? 0) > 0)
        .map((v) => ({ id: v.id, payout: v.payout, agreedAudits: credits.get(v.id) as number })),
      stakes: [
        { id: 'users', payout: '0x00000000000000000000000000000000000000aa', kind: 'user', amount: USER_STAKE, lockDays: 90 },
        ...validators
          .filter((v) => (operatorStake.get(v.id) ?? 0n) > 0n)
          .map((v) => ({ id: `op-${v.id}`, payout: v.payout, kind: 'operator' as const, amount: operatorStake.get(v.id) as bigint, lockDays: 730 })),
      ],
      attestations: [],
    };

    // the ladder: what the input shows, plus confirmed failed verifications
    const found = detectViolations(input, params, end);
    for (const [id, v] of failed) found.set(id, [...(found.get(id) ?? []), ...v]);
    // liveness probes: a node that claimed a slot up and did not answer a probe in it
    for (const [id, v] of probeViolations(audits.probe(e, activity), end)) found.set(id, [...(found.get(id) ?? []), ...v]);
    const outcomes = processStandings(
      input.nodes.map((n) => ({
        nodeId: n.id,
        standing: standing.get(n.id) ?? CLEAN_STANDING,
        slashable: bond.get(n.id) ?? 0n,
        uptime: n.expectedSlots === 0 ? null : (BigInt(n.upSlots) * WAD) / BigInt(n.expectedSlots),
        violations: found.get(n.id) ?? [],
      })),
      end,
      params,
      day,
    );
    const inputNode = new Map(input.nodes.map((n) => [n.id, n]));
    let slashedNow = 0n;
    let warnings = 0;
    // a slash or forfeiture waits out the appeal window, then compensates the node's consumers of this epoch (SPEC §6.2)
    const toEscrow = (nodeId: string, amount: bigint) => {
      const consumers = new Map<string, bigint>();
      for (const j of (jobsOf.get(nodeId) as (typeof activity)[number]).jobs)
        consumers.set(j.consumer, (consumers.get(j.consumer) ?? 0n) + BigInt(j.gpuSeconds));
      escrow.push({ amount, release: e + Math.ceil((params.slashing.escrowDays * day) / scenario.epochSeconds), nodeId, consumers });
    };
    for (const x of outcomes) {
      standing.set(x.nodeId, x.standing);
      const node = inputNode.get(x.nodeId) as NodeInput;
      node.status = x.standing.status;
      node.probationStage = x.standing.probationStage;
      if (x.penalties.some((p) => p.action === 'warning')) warnings++;
      if (x.slashed > 0n) {
        bond.set(x.nodeId, (bond.get(x.nodeId) ?? 0n) - x.slashed);
        const acc = accountOf(x.nodeId);
        acc.slashed += x.slashed;
        acc.violations += x.penalties.length;
        slashedNow += x.slashed;
        toEscrow(x.nodeId, x.slashed);
      } else if (x.penalties.length > 0) accountOf(x.nodeId).violations += x.penalties.length;
    }

    // a failed verification forfeits everything unvested, into escrow with the slash (SPEC §6.1; the
    // simulated cheaters fake work, they do not equivocate)
    for (const id of failed.keys()) {
      const node = inputNode.get(id) as NodeInput;
      if (node.vesting) node.vesting = { ...node.vesting, forfeit: true };
    }

    const result = processEpoch(input, params);
    o.inspect?.(input, result);
    result.nodeIds.forEach((id, i) => {
      const v = result.vesting.nodes[i] as NodeVesting;
      const open = (tranches.get(id) ?? []).filter((t) => e - t.epoch < t.epochs);
      if (v.forfeited > 0n) {
        tranches.delete(id);
        accountOf(id).slashed += v.forfeited;
        slashedNow += v.forfeited;
        toEscrow(id, v.forfeited);
      } else tranches.set(id, v.locked > 0n ? [...open, { epoch: e, amount: v.locked, epochs: params.vesting.epochs }] : open);
    });
    history.push(result.ownerClassUsage);
    // a lock left early: the extra its multiplier added to every earlier reward goes back, from the bond then the unvested rewards (SPEC §4.4)
    result.nodeIds.forEach((id, i) => {
      const n = simNode.get(id) as SimNode;
      if (n.commitmentDays === 0) return;
      if (n.unbondAt === e) {
        const extra = computeForfeitedExtra(lockPaid.get(id) ?? []);
        const held = bond.get(id) ?? 0n;
        const taken = extra < held ? extra : held;
        bond.set(id, held - taken);
        // what the bond did not hold comes from the node's unvested rewards, the last to vest first
        const claw = clawFromTranches(tranches.get(id) ?? [], extra - taken, e);
        tranches.set(id, claw.tranches);
        const clawed = claw.taken.reduce((a, t) => a + t.amount, 0n);
        accountOf(id).slashed += taken + clawed;
        treasury += taken + clawed;
      } else {
        const s = result.statement(i);
        lockPaid.set(id, [...(lockPaid.get(id) ?? []), { reward: s.capacityReward, commitment: s.commitment }]);
      }
    });
    if (e === 0) deterrence = checkDeterrence(world.operators, result, activity, bond, params);
    let burned = 0n;
    // rewards: compute (and the bond's staker reward) to the node's operator; validators' pool and stake
    result.nodeIds.forEach((id, i) => {
      const acc = accountOf(id);
      acc.rewards += (result.nodeRewards[i] as bigint) + (result.bondRewards[i] as bigint);
    });
    // every referrer in the simulated world is the referred node's own operator under a second address
    for (const x of result.referrals) accountOf(x.nodeId).rewards += x.paid;
    for (const v of result.validators) (accounts.get(v.id) as Account).rewards += v.reward;
    for (const st of result.stakes) if (st.id.startsWith('op-')) (accounts.get(st.id.slice(3)) as Account).rewards += st.reward;
    // fees: every receipt's price; the operator pays for its own jobs (wash, fake) and is paid the provider share of all
    const paidJobs: Job[] = [];
    for (const a of activity) {
      const acc = accountOf(a.nodeId);
      for (const j of a.jobs) {
        const split = computeFeeSplit(j.price, params, 0n);
        acc.fees += split.provider;
        if (j.payer !== null) (accounts.get(j.payer) as Account).selfPaid += j.price;
        if (j.kind !== 'fake') acc.cost += powerPerGpuSecond * BigInt(j.gpuSeconds);
        burned += split.burned;
        treasury += split.treasury;
        paidJobs.push(j);
      }
      // the job refuser rents the GPU time it refused out elsewhere, at the offered price, with no protocol fee
      for (const x of a.refused) {
        acc.fees += x.price;
        acc.cost += powerPerGpuSecond * BigInt(x.gpuSeconds);
      }
      const sim = simNode.get(a.nodeId) as SimNode;
      acc.contribution += contribution(sim, a.upSlots * scenario.slotSeconds, a.jobs, params);
      acc.gpuSeconds += BigInt(gpusOf(sim) * a.upSlots * scenario.slotSeconds);
    }
    for (const v of validators)
      (accounts.get(v.id) as Account).contribution += BigInt(['honest-validator'].includes(v.archetype) ? (credits.get(v.id) ?? 0) : 0);
    // the escrow releases what has waited out the appeal window: compensation, the rest burned
    let compensated = 0n;
    for (const x of escrow.filter((x) => x.release === e)) {
      const c = computeCompensation(
        x.amount,
        [...x.consumers.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([consumer, g]) => ({ consumer, gpuSeconds: g })),
        params.slashing.compensationShare,
      );
      burned += c.burned;
      treasury += c.toTreasury;
      for (const p of c.payouts) {
        compensated += p.amount;
        // a self-dealing operator's own consumer key is compensated too: it goes back to the operator
        if (p.consumer.startsWith('self-')) (accounts.get(p.consumer.slice(5)) as Account).compensation += p.amount;
      }
    }
    treasury += result.treasury;
    const minted = result.emission.epochPool;
    supply = supply + minted - burned;
    series.push({
      epoch: e,
      supply,
      minted,
      burned,
      treasury,
      slashed: slashedNow,
      compensated,
      warnings,
      dynamicFactor: result.emission.dynamicFactor,
      networkUtilisation: result.emission.networkUtilisation,
    });
    baseEmission = result.emission.nextBaseEmission;
    previousDynamicFactor = result.emission.dynamicFactor;

    // this epoch's audit sample, drawn from its input's hash mixed with the validators' beacon
    const inputHash = contentHash(serializeEpochInput(input));
    const mustCover = new Set(world.nodes.filter((n) => e - (lastAudited.get(n.id) ?? -1_000) >= 7 * epochsPerDay).map((n) => n.id));
    // the audit-seed grinder renamed its fakes before the close so that none falls in the sample it
    // could compute then (from the last input hash it knew); the beacon is revealed only now
    const drawn = grind(paidJobs, (id) => (operatorOf.get(id) as Operator).archetype === 'audit-seed-grinder', previousInputHash, params);
    const seed = audits.seed(e, inputHash);
    const sample = new Set(
      selectAuditSample({ seed, receipts: drawn.map((j) => ({ jobId: j.jobId, nodeId: j.nodeId })), rate: params.audits.rate, mustCover }),
    );
    const sampled = drawn.filter((j) => sample.has(j.jobId));
    for (const j of sampled) lastAudited.set(j.nodeId, e);
    audits.assign(e, seed, sampled);
    previousInputHash = inputHash;
    o.onEpoch?.(e + 1, scenario.epochs);
  }
  return summarise(scenario, params, [...accounts.values()], series, 'fast', deterrence, audits.stats);
}

/**
 * The audit-seed grinder's move: each of its fake jobs renamed (up to 64 tries) until it is not in
 * the sample drawn from `guess` — the best seed it can compute before the close. Under SPEC §3.4's
 * beacon that seed is not the one the sample is drawn from, so the renaming buys nothing.
 */
function grind(jobs: readonly Job[], grinds: (nodeId: string) => boolean, guess: string, params: Params): Job[] {
  const threshold = (params.audits.rate * (1n << 64n)) / WAD;
  return jobs.map((j) => {
    if (j.kind !== 'fake' || !grinds(j.nodeId)) return j;
    let k = 0;
    while (k < 64 && computeAuditScore(guess, `${j.jobId}.${k}`) < threshold) k++;
    return { ...j, jobId: `${j.jobId}.${k}` };
  });
}

/**
 * SPEC §3.4's deterrence rule on the first epoch, before any audit has judged anything: what a
 * metric inflater earns above its twin per fake job, less the protocol fee it paid on it, against
 * the audit rate times what a confirmed fake costs: the failed-verification share of its bond and
 * the unvested rewards it forfeits (after one epoch, what that epoch locked).
 */
function checkDeterrence(
  operators: readonly Operator[],
  result: EpochResult,
  activity: readonly NodeActivity[],
  bond: ReadonlyMap<string, bigint>,
  params: Params,
): SimResult['deterrence'] {
  const reward = new Map(result.nodeIds.map((id, i) => [id, (result.nodeRewards[i] as bigint) + (result.bondRewards[i] as bigint)]));
  const jobs = new Map(activity.map((a) => [a.nodeId, a.jobs]));
  const of = (a: string) => operators.filter((o) => o.archetype === a).flatMap((o) => o.nodes);
  const [cheats, twins] = [of('metric-inflater'), of('reliable-dc')];
  if (cheats.length === 0 || twins.length === 0) return null;
  const mean = (ns: SimNode[], f: (n: SimNode) => bigint) => ns.reduce((a, n) => a + f(n), 0n) / BigInt(ns.length);
  const fakeJobs = (n: SimNode) => (jobs.get(n.id) ?? []).filter((j) => j.kind === 'fake');
  const fakes = mean(cheats, (n) => BigInt(fakeJobs(n).length));
  if (fakes === 0n) return null;
  // what the fakes cost the faker: the protocol fee on their prices (the provider's share comes back to it)
  const feePaid = mean(cheats, (n) =>
    fakeJobs(n).reduce((a, j) => {
      const f = computeFeeSplit(j.price, params, 0n);
      return a + f.burned + f.treasury;
    }, 0n),
  );
  const gainPerFakeJob = (mean(cheats, (n) => reward.get(n.id) ?? 0n) - mean(twins, (n) => reward.get(n.id) ?? 0n) - feePaid) / fakes;
  const slash = (mean(cheats, (n) => bond.get(n.id) ?? 0n) * params.slashing.failedVerification) / WAD;
  // and the unvested rewards a failed verification forfeits (SPEC §6.1): what this epoch locked
  const index = new Map(result.nodeIds.map((id, i) => [id, i]));
  const forfeit = mean(cheats, (n) => result.vesting.nodes[index.get(n.id) as number]?.locked ?? 0n);
  const expectedLoss = (params.audits.rate * (slash + forfeit)) / WAD;
  return { auditRate: params.audits.rate, slash, forfeit, gainPerFakeJob, expectedLoss, holds: expectedLoss >= 3n * gainPerFakeJob };
}

/**
 * What a node's billable receipts put in its epoch input, as the service's close computes it (SPEC
 * §4.4): the protocol fee they paid, and the price-weighted job statistics — all of them, and those
 * of keys that have paid another owner too (the operator's own `self-` keys never have).
 */
export function receiptsOf(jobs: readonly Job[], params: Params, independent: (j: Job) => boolean): Pick<NodeInput, 'fee' | 'jobs'> {
  const stats = (js: readonly Job[]) => {
    const paid = js.reduce((a, j) => a + j.price, 0n);
    const failed = js.filter((j) => j.failed).reduce((a, j) => a + j.price, 0n);
    return {
      standard: paid,
      standardFailed: failed,
      high: 0n,
      highFailed: 0n,
      p95ResponseMs: weightedP95(js),
      ratingSum: js.reduce((a, j) => a + j.price * BigInt(j.rating), 0n),
    };
  };
  const billable = jobs.filter((j) => isBillable(params, j.price, j.gpuSeconds));
  const fee = billable.reduce((a, j) => {
    const f = computeFeeSplit(j.price, params, 0n);
    return a + f.burned + f.treasury;
  }, 0n);
  return { fee, jobs: { all: stats(billable), independent: stats(billable.filter(independent)) } };
}

/** The price-weighted p95 of the jobs' response times (0 without jobs), as the service computes it. */
function weightedP95(jobs: readonly Job[]): number {
  if (jobs.length === 0) return 0;
  const sorted = [...jobs].sort((a, b) => a.responseMs - b.responseMs || (a.jobId < b.jobId ? -1 : 1));
  const total = sorted.reduce((a, j) => a + j.price, 0n);
  let run = 0n;
  for (const j of sorted) {
    run += j.price;
    if (run * 100n >= total * 95n) return j.responseMs;
  }
  return (sorted[sorted.length - 1] as Job).responseMs;
}

function gpusOf(n: SimNode): number {
  return n.gpus.reduce((a, g) => a + g.count, 0);
}

/** What a validator's check finds on a node's host. */
function measuredHost(n: SimNode): MeasuredHardware {
  return { vcpus: n.host.vcpus, ramGb: n.host.ramGb, nvmeTb: n.host.nvmeTb, bandwidthGbps: 10, hostId: n.host.id };
}

/** The onboarding check's measurement: the node's GPUs benchmarking mid-range, and its host. */
export function onboardingMeasurement(n: SimNode): OnboardingMeasurement {
  const gpus = n.gpus.map((g) => {
    const [lo, hi] = GPU_BENCHMARK_TFLOPS[g.model] ?? [1, 1];
    return { ...g, tflops: String(Math.round((lo + hi) / 2)) };
  });
  return { gpus, linkGbps: '10', nvme: true, tpm: true, vcpus: n.host.vcpus, ramGb: n.host.ramGb, nvmeTb: n.host.nvmeTb, hostId: n.host.id };
}

function nodeHardware(n: SimNode): NodeInput['hardware'] {
  return { gpus: n.gpus, vcpus: n.vcpus, ramGb: 8 * n.vcpus, nvmeTb: n.nvmeTb, bandwidthGbps: 10 };
}

/**
 * A node's real contribution, SPEC §4.4's `C = CU × up-seconds`: the capacity it made available,
 * in CU-seconds (WAD). What it did with it is rewarded by the usage pool, from real fees.
 */
export function contribution(n: SimNode, upSeconds: number, _jobs: readonly Job[], params: Params): bigint {
  const cu = n.gpus.reduce((a, g) => a + (params.compute.gpuUnits[g.model] ?? params.compute.gpuUnits.other ?? 0n) * BigInt(g.count), 0n);
  return (cu * BigInt(upSeconds)) / WAD;
}
