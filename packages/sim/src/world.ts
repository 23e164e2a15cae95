import { createHash } from 'node:crypto';
import { backedProviderClass, defaultParams, type Params, prng, WAD } from '@swarm/core';

/**
 * The simulated world: operators of each archetype with their nodes, validators and stakers, and
 * what each node does in an epoch — which slots it is up, the jobs it really runs for third
 * parties, the jobs it runs for itself (wash trading) and the jobs it claims without running
 * (metric inflation). Both modes read the same activity: fast mode feeds it to `core`, end-to-end
 * mode turns it into signed messages for the real service. Deterministic from the seed.
 */

export const PROVIDER_ARCHETYPES = [
  'reliable-dc',
  'flaky-home',
  'metric-inflater',
  'protected-inflater',
  'unbond-before-slash',
  'wash-trader',
  'fresh-key-wash-trader',
  'a100-holder',
  'utilisation-pumper',
  'erring-dc',
  'error-diluter',
  'self-rater',
  'rating-attacker',
  'new-dc',
  'self-referrer',
  'lock-breaker',
  'sybil-splitter',
  'host-splitter',
  'hardware-over-declarer',
  'whitewasher',
  'audit-seed-grinder',
  'heartbeat-forger',
  'job-refuser',
  'maintenance-dc',
  'outage-region',
  'background',
] as const;
export const VALIDATOR_ARCHETYPES = ['honest-validator', 'lazy-validator', 'copying-validator', 'colluding-validator', 'framing-validator'] as const;
export type ProviderArchetype = (typeof PROVIDER_ARCHETYPES)[number];
export type ValidatorArchetype = (typeof VALIDATOR_ARCHETYPES)[number];
export type Archetype = ProviderArchetype | ValidatorArchetype;

/** Each cheating archetype's honest twin: the same hardware and demand, played straight. */
export const TWINS: Partial<Record<Archetype, Archetype>> = {
  'metric-inflater': 'reliable-dc',
  'protected-inflater': 'reliable-dc',
  'unbond-before-slash': 'reliable-dc',
  'wash-trader': 'reliable-dc',
  'fresh-key-wash-trader': 'reliable-dc',
  'utilisation-pumper': 'a100-holder',
  'error-diluter': 'erring-dc',
  'self-rater': 'reliable-dc',
  'rating-attacker': 'reliable-dc',
  'self-referrer': 'new-dc',
  'lock-breaker': 'reliable-dc',
  'sybil-splitter': 'reliable-dc',
  'host-splitter': 'reliable-dc',
  'hardware-over-declarer': 'reliable-dc',
  whitewasher: 'reliable-dc',
  'audit-seed-grinder': 'reliable-dc',
  'heartbeat-forger': 'flaky-home',
  'job-refuser': 'reliable-dc',
  'lazy-validator': 'honest-validator',
  'copying-validator': 'honest-validator',
  'colluding-validator': 'honest-validator',
  'framing-validator': 'honest-validator',
};
export const CHEATERS = Object.keys(TWINS) as Archetype[];
/**
 * Cheaters whose cheat is not a lie but a reshuffle that must gain nothing (SPEC §4.4's split
 * property, §4.5's referral out of the node's own reward): they hold when they earn no more than
 * their twin, up to a base unit per extra node, epoch and pool of rounding. Every other cheater
 * must earn strictly less.
 */
export const NO_GAIN: readonly Archetype[] = ['sybil-splitter', 'self-referrer', 'whitewasher'];

export const DESCRIPTIONS: Record<Archetype, string> = {
  'reliable-dc': 'data centre, 8 × H100, always up, organic demand',
  'flaky-home': 'home GPU, 1 × RTX 4090, up about 98.5 % of the time',
  'metric-inflater': 'reliable-dc that also files receipts for jobs it never ran (its own consumer key)',
  'protected-inflater': 'metric-inflater whose fakes the colluding validators vouch for',
  'unbond-before-slash': 'metric-inflater that starts unbonding its bond as soon as it has filed its fakes',
  'wash-trader': 'reliable-dc that fills its idle capacity with jobs it pays itself for from its own key, at the minimum billable rate',
  'fresh-key-wash-trader': 'reliable-dc that fills its idle capacity with jobs paid at the market price from fresh consumer keys, refunded off-chain',
  'a100-holder': '4 nodes of 4 × A100-80G — about a third of its class — honest',
  'utilisation-pumper': 'a100-holder that wash-trades its class to full utilisation to raise its scarcity factor V and the network’s D',
  'erring-dc': 'reliable-dc whose real jobs fail 3 % of the time, with a p95 of 250 ms',
  'error-diluter': 'erring-dc that pads its receipts with fast, successful self-paid jobs to dilute its error rate and p95',
  'self-rater': 'reliable-dc that buys itself jobs from its own key and rates them 5',
  'rating-attacker': 'reliable-dc that buys jobs from a rival and rates them 1',
  'new-dc': 'reliable-dc registered 10 days before the run (in its referral period), with no referrer',
  'self-referrer': 'new-dc registered with its own second address as referrer',
  'lock-breaker': 'reliable-dc that declares a 730-day lock (L = 1.5) and unbonds after 5 epochs',
  'sybil-splitter': 'one 8 × H100 machine registered as 8 nodes of one GPU, each bonded, each declaring its share of the host',
  'host-splitter': 'sybil-splitter whose 8 nodes each declare the whole host’s 32 vCPUs and 4 TB',
  'hardware-over-declarer': 'reliable-dc that declares 1,000 vCPUs, 8 TB of RAM and 100 TB of NVMe on a host of 32, 256 GB and 4 TB',
  whitewasher:
    'reliable-dc re-registered under a new id on its old host (first registered 100 days ago) for the new-node bonus; what its exclusion cost it before is sunk',
  'audit-seed-grinder': 'metric-inflater that renames its fakes until none falls in the sample it can compute before the close (the seed without the beacon)',
  'heartbeat-forger': 'flaky-home that keeps its key heartbeating in every slot, also those in which its GPU does not serve',
  'job-refuser':
    'reliable-dc that stays up for the capacity reward but refuses 3 in 10 of the jobs offered, renting that GPU time out elsewhere at the same price; the consumers sign refusals',
  'maintenance-dc': 'reliable-dc that takes an announced 2-hour maintenance window once a week (SPEC §3.2): honest, never to be warned for it',
  'outage-region': 'reliable-dc in a region that loses power for some epochs',
  background: 'the rest of the network: honest nodes of mixed hardware',
  'honest-validator': 're-executes every receipt it is assigned and reports what it finds',
  'lazy-validator': 'reports "match" on everything without re-executing',
  'copying-validator': "copies the other validator's commitment and reveal on each assignment instead of re-executing",
  'colluding-validator': 'honest, except that it vouches for the protected inflater ("match" on its receipts)',
  'framing-validator': 'honest, except that it reports mismatches on the first background node’s receipts (a pair of them frames it together)',
};

export type Scenario = {
  name: string;
  description: string;
  epochs: number;
  seed: number;
  /** Epoch length and heartbeat slot (fast mode: daily epochs of minutes, as in production). */
  epochSeconds: number;
  slotSeconds: number;
  background: number;
  operators: Partial<Record<ProviderArchetype, number>>;
  validators: Partial<Record<ValidatorArchetype, number>>;
  /** A regional outage: nodes in `region` are up only `uptime` of the time in epochs from..to. */
  outage?: { region: string; from: number; to: number; uptime: number };
  /** The service itself is down for `slots` slots from `from` in epoch `epoch` (SPEC §3.2): nobody can heartbeat, nobody is to blame. */
  serviceDown?: { epoch: number; from: number; slots: number };
};

const base = { seed: 1, epochSeconds: 86_400, slotSeconds: 60 };
/** One operator of every provider archetype (the background aside). */
const EVERY_PROVIDER = Object.fromEntries(PROVIDER_ARCHETYPES.filter((a) => a !== 'background').map((a) => [a, 1])) as Partial<
  Record<ProviderArchetype, number>
>;
export const SCENARIOS: Record<string, Scenario> = {
  mixed: {
    ...base,
    name: 'mixed',
    description: 'every archetype in one network of 200 honest background nodes, 30 daily epochs',
    epochs: 30,
    background: 200,
    operators: { ...EVERY_PROVIDER, 'reliable-dc': 4, 'flaky-home': 4, 'metric-inflater': 2, 'wash-trader': 2, 'sybil-splitter': 2, 'outage-region': 2 },
    validators: { 'honest-validator': 4, 'lazy-validator': 2, 'copying-validator': 1, 'colluding-validator': 2, 'framing-validator': 2 },
    outage: { region: 'outage-land', from: 10, to: 12, uptime: 0.6 },
  },
  outage: {
    ...base,
    name: 'outage',
    description: 'a region goes dark for three epochs: what honest providers lose, and what an appeal would return',
    epochs: 20,
    background: 100,
    operators: { 'reliable-dc': 4, 'outage-region': 6 },
    validators: { 'honest-validator': 3 },
    outage: { region: 'outage-land', from: 5, to: 7, uptime: 0.5 },
  },
  e2e: {
    ...base,
    name: 'e2e',
    description: 'a 200-node network of every archetype on hourly epochs: the end-to-end scenario, run through the real service',
    epochs: 5,
    epochSeconds: 3600,
    slotSeconds: 60,
    background: 175,
    operators: {
      'hardware-over-declarer': 1,
      'reliable-dc': 4,
      'flaky-home': 4,
      'metric-inflater': 2,
      'protected-inflater': 1,
      'wash-trader': 1,
      'fresh-key-wash-trader': 2,
      'sybil-splitter': 1,
      'outage-region': 2,
    },
    validators: { 'honest-validator': 3, 'lazy-validator': 1, 'colluding-validator': 2 },
    outage: { region: 'outage-land', from: 2, to: 3, uptime: 0.6 },
  },
  small: {
    ...base,
    name: 'small',
    description: 'a small network with one of each archetype, 12 daily epochs (the test scenario)',
    epochs: 12,
    background: 30,
    operators: { ...EVERY_PROVIDER, 'reliable-dc': 2 },
    validators: { 'honest-validator': 3, 'lazy-validator': 1, 'copying-validator': 1, 'colluding-validator': 1, 'framing-validator': 2 },
    outage: { region: 'outage-land', from: 4, to: 5, uptime: 0.6 },
    serviceDown: { epoch: 3, from: 600, slots: 40 },
  },
  cartel: {
    ...base,
    name: 'cartel',
    description: 'colluding validators holding a third of the operator stake vouch for a protected inflater, 12 daily epochs',
    epochs: 12,
    background: 30,
    operators: { 'reliable-dc': 2, 'protected-inflater': 1 },
    validators: { 'honest-validator': 4, 'colluding-validator': 2 },
  },
};

export type SimNode = {
  id: string;
  operator: string;
  archetype: ProviderArchetype;
  region: string;
  slaClass: 'minimum' | 'recommended';
  providerClass: 'individual' | 'edge' | 'datacentre';
  gpus: { model: string; count: number }[];
  /** Share of its capacity third parties use (fixed per node). */
  demand: number;
  bondGpus: number;
  /** CPU cores and NVMe declared (a split machine splits these too); RAM is 8 GB per declared core. */
  vcpus: number;
  nvmeTb: number;
  /** The host it runs on, as a validator's check measures it (SPEC §3.1); nodes of one machine share it. */
  host: { id: string; vcpus: number; ramGb: number; nvmeTb: number; firstSeenDaysAgo: number };
  /** Registered this many days before the run starts. */
  registeredDaysAgo: number;
  referrer: string | null;
  commitmentDays: number;
  /** The epoch in which it starts unbonding its bond (leaving any lock early), if it does. */
  unbondAt?: number;
};
export type Operator = { id: string; archetype: Archetype; payout: string; nodes: SimNode[] };
export type Job = {
  jobId: string;
  nodeId: string;
  consumer: string;
  gpuSeconds: number;
  price: bigint;
  /** organic: a third party's real job; wash: paid for by the node's own operator; fake: never run; attack: bought from a rival to rate it down. */
  kind: 'organic' | 'wash' | 'fake' | 'attack';
  /** The operator who paid for it out of its own pocket (refunded off-chain or not), null for a third party. */
  payer: string | null;
  /** What the consumer's countersigned receipt says. */
  failed: boolean;
  responseMs: number;
  rating: number;
};
/** A job offered to a node and refused (or dropped): the consumer signs it (SPEC §12's job refuser). */
export type Refusal = { jobId: string; consumer: string; gpuSeconds: number; price: bigint };
/**
 * `upSlots`: the slots it claimed up (heartbeats sent); `servedSlots`: those its GPUs really served
 * (a liveness probe finds the difference); `maintenanceSlots`: slots of announced maintenance (not
 * expected); `refused`: jobs it was offered and turned down.
 */
export type NodeActivity = {
  nodeId: string;
  upSlots: number;
  servedSlots: number;
  expectedSlots: number;
  maintenanceSlots: number;
  jobs: Job[];
  refused: Refusal[];
};

export const CONSUMERS = 20;
export const address = (label: string) => `0x${createHash('sha256').update(`swarm-sim:${label}`).digest('hex').slice(0, 40)}`;

const DEFAULT_COMPUTE = defaultParams().compute;
/** A host of its own (8 GB of RAM a core), first registered `firstSeenDaysAgo` days before the run. */
function ownHost(label: string, vcpus: number, nvmeTb: number, firstSeenDaysAgo: number): SimNode['host'] {
  return { id: createHash('sha256').update(`swarm-sim-host:${label}`).digest('hex'), vcpus, ramGb: 8 * vcpus, nvmeTb, firstSeenDaysAgo };
}

/** The operators, validators and stakers of a scenario. */
export function buildWorld(s: Scenario): { operators: Operator[]; nodes: SimNode[] } {
  const r = prng(s.seed);
  const operators: Operator[] = [];
  const add = (archetype: Archetype, k: number, nodes: (id: string) => Omit<SimNode, 'operator' | 'archetype'>[]) => {
    const id = `${archetype}-${String(k + 1).padStart(3, '0')}`;
    const op: Operator = { id, archetype, payout: address(id), nodes: [] };
    op.nodes = nodes(id).map((n) => ({ ...n, operator: id, archetype: archetype as ProviderArchetype }));
    operators.push(op);
  };
  const honest = { registeredDaysAgo: 100, referrer: null, commitmentDays: 0 };
  const dc = (id: string, region = 'eu-west'): Omit<SimNode, 'operator' | 'archetype'> => ({
    id,
    region,
    slaClass: 'recommended',
    providerClass: 'datacentre',
    gpus: [{ model: 'H100', count: 8 }],
    demand: 0.55,
    bondGpus: 8,
    vcpus: 32,
    nvmeTb: 4,
    host: ownHost(id, 32, 4, 100),
    ...honest,
  });
  const a100 = (id: string) =>
    Array.from({ length: 4 }, (_, i) => ({
      id: `${id}-n${i}`,
      region: 'eu-west',
      slaClass: 'minimum' as const,
      providerClass: 'edge' as const,
      gpus: [{ model: 'A100-80G', count: 4 }],
      demand: 0.5,
      bondGpus: 4,
      vcpus: 32,
      nvmeTb: 4,
      host: ownHost(`${id}-n${i}`, 32, 4, 100),
      ...honest,
    }));
  for (const a of PROVIDER_ARCHETYPES) {
    if (a === 'background') continue;
    for (let k = 0; k < (s.operators[a] ?? 0); k++) {
      if (a === 'flaky-home' || a === 'heartbeat-forger')
        add(a, k, (id) => [
          {
            id,
            region: 'us-east',
            slaClass: 'minimum',
            providerClass: 'individual',
            gpus: [{ model: 'RTX-4090', count: 1 }],
            demand: 0.5,
            bondGpus: 1,
            vcpus: 16,
            nvmeTb: 2,
            host: ownHost(id, 16, 2, 100),
            ...honest,
          },
        ]);
      else if (a === 'sybil-splitter' || a === 'host-splitter')
        // one machine of 32 cores and 4 TB as 8 nodes: each declaring its share, or the whole host
        add(a, k, (id) =>
          Array.from({ length: 8 }, (_, i) => ({
            ...dc(`${id}-n${i}`),
            gpus: [{ model: 'H100', count: 1 }],
            bondGpus: 1,
            ...(a === 'sybil-splitter' ? { vcpus: 4, nvmeTb: i < 4 ? 1 : 0 } : { vcpus: 32, nvmeTb: 4 }),
            host: ownHost(id, 32, 4, 100),
          })),
        );
      else if (a === 'hardware-over-declarer') add(a, k, (id) => [{ ...dc(id), vcpus: 1000, nvmeTb: 100 }]);
      else if (a === 'whitewasher') add(a, k, (id) => [{ ...dc(id), registeredDaysAgo: 0 }]);
      else if (a === 'outage-region') add(a, k, (id) => [dc(id, s.outage?.region ?? 'eu-west')]);
      else if (a === 'a100-holder' || a === 'utilisation-pumper') add(a, k, a100);
      else if (a === 'new-dc') add(a, k, (id) => [{ ...dc(id), registeredDaysAgo: 10, host: ownHost(id, 32, 4, 10) }]);
      else if (a === 'self-referrer')
        add(a, k, (id) => [{ ...dc(id), registeredDaysAgo: 10, host: ownHost(id, 32, 4, 10), referrer: address(`${id}-second-address`) }]);
      else if (a === 'lock-breaker') add(a, k, (id) => [{ ...dc(id), commitmentDays: 730, unbondAt: 5 }]);
      else if (a === 'unbond-before-slash') add(a, k, (id) => [{ ...dc(id), unbondAt: 1 }]);
      else add(a, k, (id) => [dc(id)]);
    }
  }
  const kinds = [
    { model: 'RTX-4090', count: [1, 2], cls: 'individual', sla: 'minimum' },
    { model: 'A100-80G', count: [4, 4], cls: 'edge', sla: 'minimum' },
    { model: 'L40S', count: [4, 8], cls: 'edge', sla: 'minimum' },
    { model: 'H100', count: [8, 8], cls: 'datacentre', sla: 'recommended' },
  ] as const;
  for (let k = 0; k < s.background; k++) {
    const kind = kinds[Math.floor(r() * kinds.length)] as (typeof kinds)[number];
    const count = kind.count[0] + Math.floor(r() * (kind.count[1] - kind.count[0] + 1));
    add('background', k, (id) => [
      {
        id,
        region: ['eu-west', 'us-east', 'ap-south', 'sa-east'][k % 4] as string,
        slaClass: kind.sla,
        providerClass: kind.cls,
        gpus: [{ model: kind.model, count }],
        demand: 0.3 + r() * 0.5,
        bondGpus: count,
        vcpus: 8 * count,
        nvmeTb: count,
        host: ownHost(id, 8 * count, count, 100),
        ...honest,
      },
    ]);
  }
  for (const a of VALIDATOR_ARCHETYPES) for (let k = 0; k < (s.validators[a] ?? 0); k++) add(a, k, () => []);
  // each operator declares the provider class its hosts back together (SPEC §3.1)
  for (const op of operators) {
    const hosts = new Map(op.nodes.map((n) => [n.host.id, n.host.ramGb]));
    const owner = { gpus: op.nodes.reduce((x, n) => x + n.gpus.reduce((y, g) => y + g.count, 0), 0), ramGb: [...hosts.values()].reduce((x, r) => x + r, 0) };
    for (const n of op.nodes) n.providerClass = backedProviderClass(owner, DEFAULT_COMPUTE) ?? 'individual';
  }
  return { operators, nodes: operators.flatMap((o) => o.nodes) };
}

/** Token base units per USD at the reference price. */
export function usdToTokens(usdWad: bigint, params: Params): bigint {
  return (usdWad * WAD) / params.bond.referenceTokenPriceUsd;
}

const JOB_SECONDS = 1800;

/**
 * What each node does in epoch `e`: up slots (behaviour, outage), and its jobs — organic ones at
 * the target GPU rate from the network's consumers, and what each archetype adds: self-paid jobs
 * (wash trading, padding, self-rating) at the minimum billable rate or — from fresh keys — at the
 * market price, fake ones (claimed, never run), and jobs bought from a rival to rate it down.
 * Every self-paid price is at or above the billable minimum (SPEC §12: the cheaters are priced to count).
 */
export function epochActivity(s: Scenario, world: { nodes: SimNode[] }, e: number, params: Params): NodeActivity[] {
  const r = prng(s.seed * 1_000_003 + e);
  const slots = s.epochSeconds / s.slotSeconds;
  // per GPU-second, rounded up: a price floored below the hourly rate would fall under the billable minimum
  const ratePerGpuSecond = (p: bigint) => (usdToTokens(p, params) + 3599n) / 3600n;
  const organicRate = ratePerGpuSecond(params.bond.gpuRateUsdPerHour);
  const washRate = ratePerGpuSecond(params.fees.minBillableUsdPerGpuHour);
  const activity = world.nodes.map((n) => {
    let up = 1;
    if (n.archetype === 'flaky-home' || n.archetype === 'heartbeat-forger') up = 0.975 + r() * 0.02;
    else if (n.archetype === 'background') up = r() < 0.9 ? 1 : 0.995 + r() * 0.005;
    if (s.outage && n.region === s.outage.region && e >= s.outage.from && e <= s.outage.to) up = s.outage.uptime;
    // announced maintenance: 2 hours once a week, down and not expected (SPEC §3.2)
    const maintenanceSlots = n.archetype === 'maintenance-dc' && e % 7 === 2 ? Math.round((2 * 3600) / s.slotSeconds) : 0;
    const servedSlots = Math.round(slots * up) - maintenanceSlots;
    // the heartbeat forger's key heartbeats in every slot; its GPU serves only some of them
    const upSlots = n.archetype === 'heartbeat-forger' && !(s.outage && n.region === s.outage.region) ? slots : servedSlots;
    const gpus = n.gpus.reduce((a, g) => a + g.count, 0);
    const capacity = gpus * servedSlots * s.slotSeconds;
    const jobs: Job[] = [];
    const erring = n.archetype === 'erring-dc' || n.archetype === 'error-diluter';
    const fill = (kind: Job['kind'], gpuSeconds: number, consumer: (k: number) => string, rate: bigint, o: Partial<Job> = {}) => {
      // whole jobs of JOB_SECONDS and the rest as one shorter job: a machine's use is the same split or not
      for (let k = 0; gpuSeconds > 0; k++, gpuSeconds -= JOB_SECONDS) {
        const seconds = Math.min(JOB_SECONDS, gpuSeconds);
        const real = kind === 'organic';
        jobs.push({
          jobId: `${n.id}.e${e}.${kind[0]}${k}`,
          nodeId: n.id,
          consumer: consumer(k),
          gpuSeconds: seconds,
          price: rate * BigInt(seconds),
          kind,
          payer: real ? null : n.operator,
          // the erring nodes' real jobs: 3 % fail, a tenth answer slowly
          failed: real && erring && k % 33 === 0,
          responseMs: real && erring && k % 10 === 0 ? 250 : 80,
          rating: 4,
          ...o,
        });
      }
    };
    // the background's demand varies from epoch to epoch; an archetype sees exactly its share, so a
    // cheater and its twin differ only by what the cheater does
    const noise = r();
    const organic = Math.floor(capacity * n.demand * (n.archetype === 'background' ? 0.9 + 0.2 * noise : 1));
    fill('organic', organic, () => `consumer-${Math.floor(r() * CONSUMERS)}`, organicRate);
    // the job refuser turns down 3 in 10 of the jobs offered; their consumers sign the refusals
    const refused: Refusal[] = [];
    if (n.archetype === 'job-refuser') {
      const kept = jobs.filter((j, k) => k % 10 >= 3 || j.kind !== 'organic');
      for (const j of jobs) if (!kept.includes(j)) refused.push({ jobId: j.jobId, consumer: j.consumer, gpuSeconds: j.gpuSeconds, price: j.price });
      jobs.splice(0, jobs.length, ...kept);
    }
    const idle = capacity - organic;
    const self = () => `self-${n.operator}`;
    switch (n.archetype) {
      case 'wash-trader':
      case 'utilisation-pumper':
        fill('wash', idle, self, washRate);
        break;
      case 'fresh-key-wash-trader':
        fill('wash', idle, (k) => `fresh-${n.operator}-e${e}-${k % 5}`, organicRate);
        break;
      case 'error-diluter':
        fill('wash', idle, self, washRate, { responseMs: 20, rating: 5 });
        break;
      case 'self-rater':
        fill('wash', Math.floor(idle * 0.2), self, washRate, { rating: 5 });
        break;
      case 'metric-inflater':
      case 'protected-inflater':
      case 'unbond-before-slash':
      case 'audit-seed-grinder':
        fill('fake', Math.floor(idle * 0.8), self, washRate);
        break;
    }
    return { nodeId: n.id, upSlots, servedSlots, expectedSlots: slots, maintenanceSlots, jobs, refused };
  });
  // rating attackers buy ten jobs a day from the first background node and rate them 1
  const victim = activity.find((a) => world.nodes.find((n) => n.id === a.nodeId)?.archetype === 'background');
  for (const attacker of world.nodes.filter((n) => n.archetype === 'rating-attacker')) {
    for (let k = 0; victim && k < 10; k++) {
      victim.jobs.push({
        jobId: `${victim.nodeId}.e${e}.x${attacker.operator}.${k}`,
        nodeId: victim.nodeId,
        consumer: `attack-${attacker.operator}`,
        gpuSeconds: JOB_SECONDS,
        price: organicRate * BigInt(JOB_SECONDS),
        kind: 'attack',
        payer: attacker.operator,
        failed: false,
        responseMs: 80,
        rating: 1,
      });
    }
  }
  return activity;
}
