import { createHash } from 'node:crypto';
import { computeFeeSplit, computeMinBond, type Params, parseWad, TOKEN } from '@swarm/core';
import {
  type Assignment,
  type KeyPair,
  keysFromSeed,
  reexecuteSimulated,
  type SwarmClient,
  signDispute,
  signHeartbeat,
  signOnboarding,
  signReceipt,
  signRegister,
  signStake,
  ValidatorAgent,
} from '@swarm/sdk';
import { contribution, onboardingMeasurement } from './fast.ts';
import { type Account, type EpochPoint, newAccount, type SimResult, summarise } from './report.ts';
import { claimedResult } from './validators.ts';
import { buildWorld, CONSUMERS, epochActivity, type Job, type Operator, type Scenario, type SimNode, usdToTokens } from './world.ts';

/**
 * End-to-end mode: the same world and the same activity as fast mode, sent to a real service as
 * signed messages over its HTTP API — registrations, bonds and stakes, a heartbeat batch per slot,
 * countersigned receipts, validators' agents committing and revealing beacon secrets and verdicts,
 * nodes disputing confirmed mismatches on jobs they ran — with the
 * epochs closed by the service itself. The result is read back from the API (statements, claimable
 * balances, slashes, epoch summaries), so the report measures the service, not a model of it.
 *
 * The service must run on a clock the caller moves (`setTime`), with `onboarding: 'validators'` (the
 * first honest validator checks every node in the first epoch: what it measures on each host is what
 * counts, SPEC §3.1), a message window of at least the epoch length, and the scenario's epoch and
 * slot lengths.
 */
export type E2eTarget = {
  client: SwarmClient;
  /** Moves the service's clock (unix seconds). */
  setTime: (t: number) => void;
  genesis: number;
  graceSeconds: number;
};
export type E2eOptions = { params: Params; target: E2eTarget; onEpoch?: (epoch: number, of: number) => void };

const keys = (label: string) => keysFromSeed(createHash('sha256').update(`swarm-sim:${label}`).digest('hex'));

export async function runE2e(scenario: Scenario, o: E2eOptions): Promise<SimResult> {
  const { params, target } = o;
  const c = target.client;
  const world = buildWorld(scenario);
  const accounts = new Map<string, Account>(world.operators.map((op) => [op.id, newAccount(op)]));
  const operatorOf = new Map<string, Operator>();
  for (const op of world.operators) for (const n of op.nodes) operatorOf.set(n.id, op);
  const simNode = new Map(world.nodes.map((n) => [n.id, n]));
  const nodeKeys = new Map(world.nodes.map((n) => [n.id, keys(`node:${n.id}`)]));
  const ownerKeys = new Map(world.operators.map((op) => [op.id, keys(`owner:${op.id}`)]));
  const consumerKeys = new Map<string, KeyPair>();
  const consumer = (id: string) => {
    let k = consumerKeys.get(id);
    if (!k) consumerKeys.set(id, (k = keys(`consumer:${id}`)));
    return k;
  };
  const seqs = new Map<string, number>();
  const seq = (k: string) => {
    const s = (seqs.get(k) ?? 0) + 1;
    seqs.set(k, s);
    return s;
  };
  const validators = world.operators.filter((op) => op.nodes.length === 0);
  const power = usdToTokens(params.fees.powerCostUsdPerGpuHour, params) / 3600n;

  // bootstrap, just before genesis: funds, nodes, bonds (1.5 × the minimum), validators' stakes
  let now = target.genesis - 5;
  target.setTime(now);
  for (let i = 0; i < CONSUMERS; i++) await c.grant({ key: consumer(`consumer-${i}`).publicKey, amount: (10_000_000n * TOKEN).toString(), memo: 'sim' });
  for (const op of world.operators) {
    const owner = ownerKeys.get(op.id) as KeyPair;
    await c.grant({ key: owner.publicKey, amount: (1_000_000n * TOKEN).toString(), memo: 'sim' });
    await c.grant({ key: consumer(`self-${op.id}`).publicKey, amount: (1_000_000n * TOKEN).toString(), memo: 'sim' });
    for (const n of op.nodes) {
      const hardware = { gpus: n.gpus, vcpus: n.vcpus, ramGb: 8 * n.vcpus, nvmeTb: n.nvmeTb, bandwidthGbps: 10 };
      const nk = nodeKeys.get(n.id) as KeyPair;
      await c.register(
        signRegister(
          {
            type: 'register',
            nodeId: n.id,
            nodeKey: nk.publicKey,
            ownerKey: owner.publicKey,
            owner: op.payout,
            region: n.region,
            slaClass: n.slaClass,
            providerClass: n.providerClass,
            hardware,
            commitmentDays: n.commitmentDays,
            referrer: n.referrer,
            timestamp: now,
            seq: seq(owner.publicKey),
          },
          nk.privateKey,
          owner.privateKey,
        ),
      );
      const bond = (computeMinBond({ hardware }, params) * 3n) / 2n;
      await c.stake(stakeMsg(owner, `bond-${n.id}`, 'bond', n.id, op.payout, bond, now, seq(owner.publicKey)));
    }
    if (op.nodes.length === 0)
      await c.stake(stakeMsg(owner, `op-${op.id}`, 'operator', null, op.payout, params.staking.operatorMinStake, now, seq(owner.publicKey)));
  }

  // the first epoch: a validator checks every node's host (SPEC §3.1): an over-declarer fails the gate
  now = target.genesis + 1;
  target.setTime(now);
  const checker = validators.find((v) => v.archetype === 'honest-validator');
  if (checker) {
    const vk = ownerKeys.get(checker.id) as KeyPair;
    for (const n of world.nodes)
      await c.onboard(
        signOnboarding(
          {
            type: 'onboarding',
            nodeId: n.id,
            validatorKey: vk.publicKey,
            measured: { ...onboardingMeasurement(n), gpus: [...onboardingMeasurement(n).gpus] },
            timestamp: now,
            seq: seq(vk.publicKey),
          },
          vk.privateKey,
        ),
      );
  }

  const kindOf = new Map<string, Job>();
  const series: EpochPoint[] = [];
  // each validator's agent, playing its archetype (SPEC §12) through the real commit–reveal API
  const victim = world.nodes.find((n) => n.archetype === 'background')?.id;
  const agents = new Map(
    validators.map((v) => {
      const vk = ownerKeys.get(v.id) as KeyPair;
      const acc = accounts.get(v.id) as Account;
      const skips = (a: Assignment) =>
        v.archetype === 'lazy-validator' ||
        v.archetype === 'copying-validator' ||
        (v.archetype === 'colluding-validator' && (operatorOf.get(a.nodeId) as Operator).archetype === 'protected-inflater');
      const reexecute = (a: Assignment) => {
        // "match" on whatever it is shown, without re-executing (a copier has nothing to copy before the deadline)
        if (skips(a)) return a.shownResultHash;
        if (v.archetype === 'framing-validator' && a.nodeId === victim) return createHash('sha256').update(`sim-framed:${a.jobId}`).digest('hex');
        acc.cost += power * BigInt(a.job.usage.reduce((x, u) => x + u.gpuSeconds, 0));
        return reexecuteSimulated(a);
      };
      return [v.id, new ValidatorAgent({ client: c, keys: vk, seq: () => seq(vk.publicKey), reexecute })];
    }),
  );
  const slots = scenario.epochSeconds / scenario.slotSeconds;
  for (let e = 0; e < scenario.epochs; e++) {
    const start = target.genesis + e * scenario.epochSeconds;
    const activity = epochActivity(scenario, world, e, params);
    // the nodes dispute mismatches confirmed at the last close on jobs they really ran (SPEC §3.4)
    now = start + 1;
    target.setTime(now);
    for (const n of world.nodes) {
      for (const x of (await c.disputable(n.id)).confirmations) {
        if (x.status !== 'pending' || kindOf.get(x.jobId)?.kind === 'fake') continue;
        const nk = nodeKeys.get(n.id) as KeyPair;
        await c.dispute(signDispute({ type: 'dispute', jobId: x.jobId, nodeId: n.id, timestamp: now, seq: seq(nk.publicKey) }, nk.privateKey));
      }
    }
    // a heartbeat batch per slot from every node up in it (a node is up in its first upSlots slots)
    for (let k = 0; k < slots; k++) {
      now = start + k * scenario.slotSeconds + 2;
      target.setTime(now);
      // the validators' duties: the beacon early, verdict commits after the draw, reveals after the deadline
      if (k === 1 || k === Math.floor(slots * 0.4) || k === Math.floor(slots * 0.85))
        for (const v of validators) await (agents.get(v.id) as ValidatorAgent).step(now);
      const batch = activity
        .filter((a) => k < a.upSlots)
        .map((a) => {
          const nk = nodeKeys.get(a.nodeId) as KeyPair;
          return signHeartbeat(
            {
              type: 'heartbeat',
              nodeId: a.nodeId,
              seq: seq(nk.publicKey),
              timestamp: now,
              metrics: { gpuUtilisation: '0.5', latencyMs: 5, packetLoss: '0', powerEfficiency: null, jobsRunning: 1 },
            },
            nk.privateKey,
          );
        });
      for (let i = 0; i < batch.length; i += 2000) await c.heartbeats(batch.slice(i, i + 2000));
    }
    // receipts, countersigned by the consumer (an operator's own key for wash and fake jobs)
    now = start + scenario.epochSeconds - 30;
    target.setTime(now);
    for (const a of activity) {
      const node = simNode.get(a.nodeId) as SimNode;
      const acc = accounts.get(node.operator) as Account;
      const nk = nodeKeys.get(a.nodeId) as KeyPair;
      for (const j of a.jobs) {
        kindOf.set(j.jobId, j);
        if (!consumerKeys.has(j.consumer)) await c.grant({ key: consumer(j.consumer).publicKey, amount: (1_000_000n * TOKEN).toString(), memo: 'sim' });
        const ck = consumer(j.consumer);
        await c.receipt(
          signReceipt(
            {
              type: 'receipt',
              jobId: j.jobId,
              nodeId: j.nodeId,
              consumerKey: ck.publicKey,
              timestamp: now,
              resultHash: claimedResult(j),
              usage: [{ model: (node.gpus[0] as { model: string }).model, gpuSeconds: j.gpuSeconds }],
              price: j.price.toString(),
              success: !j.failed,
              responseMs: j.responseMs,
              priority: 'standard',
            },
            nk.privateKey,
            ck.privateKey,
            j.rating,
          ),
        );
        acc.fees += computeFeeSplit(j.price, params, 0n).provider;
        if (j.payer !== null) (accounts.get(j.payer) as Account).selfPaid += j.price;
        if (j.kind !== 'fake') acc.cost += power * BigInt(j.gpuSeconds);
      }
      acc.contribution += contribution(node, a.upSlots * scenario.slotSeconds, a.jobs, params);
      acc.gpuSeconds += BigInt(node.gpus.reduce((x, g) => x + g.count, 0) * a.upSlots * scenario.slotSeconds);
    }
    // the service closes the epoch once its end and the grace have passed
    now = start + scenario.epochSeconds + target.graceSeconds + 1;
    target.setTime(now);
    await c.closeEpochs();
    const s = (await c.epoch(e)).summary as Record<string, string>;
    const supply = BigInt(s.supply as string) + BigInt(s.epochPool as string) - BigInt(s.burned as string);
    series.push({
      epoch: e,
      supply,
      minted: BigInt(s.epochPool as string),
      burned: BigInt(s.burned as string),
      treasury: (series.at(-1)?.treasury ?? 0n) + BigInt(s.treasury as string),
      slashed: BigInt(s.slashed as string),
      compensated: BigInt(s.compensated as string),
      warnings: Number(s.warnings),
      dynamicFactor: parseWad(s.dynamicFactor as string, 'dynamicFactor'),
      networkUtilisation: parseWad(s.networkUtilisation as string, 'networkUtilisation'),
    });
    o.onEpoch?.(e + 1, scenario.epochs);
  }

  // read back what the service paid: compute and bond rewards per node, validators' claimable, slashes
  for (let e = 0; e < scenario.epochs; e++) {
    let after: string | undefined;
    do {
      const page = await c.statements(e, 500, after);
      for (const st of page.statements as { id: string; reward: string; bondReward: string }[]) {
        (accounts.get((operatorOf.get(st.id) as Operator).id) as Account).rewards += BigInt(st.reward) + BigInt(st.bondReward);
      }
      after = page.next ?? undefined;
    } while (after !== undefined);
  }
  for (const v of validators) (accounts.get(v.id) as Account).rewards += BigInt((await c.rewards(v.payout)).claimable as string);
  const validatorOf = new Map(validators.map((v) => [(ownerKeys.get(v.id) as KeyPair).publicKey, v]));
  for (const x of (await c.slashes()).slashes as { nodeId: string; amount: string }[]) {
    const acc = accounts.get(((operatorOf.get(x.nodeId) ?? validatorOf.get(x.nodeId)) as Operator).id) as Account;
    acc.slashed += BigInt(x.amount);
    acc.violations += 1;
  }
  return summarise(scenario, params, [...accounts.values()], series, 'e2e');
}

function stakeMsg(
  owner: KeyPair,
  stakeId: string,
  kind: 'bond' | 'operator',
  nodeId: string | null,
  payout: string,
  amount: bigint,
  timestamp: number,
  seq: number,
) {
  return signStake(
    {
      type: 'stake',
      stakeId,
      ownerKey: owner.publicKey,
      kind,
      nodeId,
      payout,
      amount: amount.toString(),
      lockDays: kind === 'operator' ? 730 : 0,
      timestamp,
      seq,
    },
    owner.privateKey,
  );
}
