import { WAD } from './amount.ts';
import { InvalidArgumentError } from './errors.ts';
import type { MeasuredHardware } from './hardware.ts';
import { ATTESTED_ROLES, type AttestedRole, KEY_PATTERN, type Params, PROVIDER_CLASSES, type ProviderClass, SLA_CLASSES, type SlaClass } from './params.ts';
import { amount, arr, bool, fieldsOf, int, itemOf, nullable, obj, parseWith, serializeWith, str, type TSchema, toJsonSchema, wad } from './schema.ts';

/**
 * The epoch input, format version 1: everything `processEpoch` needs, so that anyone holding it
 * and the parameter set can replay an epoch bit for bit. The service builds it from its store at
 * epoch close (uptime from heartbeat minutes, usage from receipts, stakes, attestations) and
 * publishes it; `epoch-input.schema.json` beside this package is generated from `epochInputSchema`.
 */
export const EPOCH_INPUT_VERSION = 1;

export const ADDRESS_PATTERN = '^0x[0-9a-f]{40}$';
export const ANOMALIES = ['GPU_UTILISATION_OVER_100', 'DELIVERED_ABOVE_PROVISIONED', 'THROUGHPUT_ABOVE_CEILING', 'DUAL_LOCATION', 'OTHER'] as const;
export type Anomaly = (typeof ANOMALIES)[number];
export const NODE_STATUSES = ['active', 'suspended', 'jailed', 'excluded'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

const id: TSchema = str({ pattern: KEY_PATTERN, doc: 'participant id: 1–64 of [A-Za-z0-9._-]' });
const address: TSchema = str({ pattern: ADDRESS_PATTERN, doc: 'EVM payout address, lower-case hex' });
const count = (doc: string, max = 1_000_000_000_000): TSchema => int({ min: 0, max, doc });
const MAX_PARTICIPANTS = 10_000_000;

/** A node's billable receipts, each weighted by its price (base units): E, R and P read these. */
const jobStats = (doc: string): TSchema =>
  obj({
    fields: {
      standard: amount({ doc: 'price paid for standard-priority jobs' }),
      standardFailed: amount({ doc: 'of which for failed jobs' }),
      high: amount({ doc: 'price paid for high-priority jobs' }),
      highFailed: amount({ doc: 'of which for failed jobs' }),
      p95ResponseMs: count('95th percentile response time of inference jobs, each weighted by its price, ms (0 when none)', 100_000_000),
      ratingSum: amount({ doc: 'Σ price × rating (1–5) over the rated jobs (every countersigned receipt carries a rating)' }),
    },
    doc,
  });

const nodeSchema: TSchema = obj({
  fields: {
    id,
    owner: address,
    region: str({ pattern: KEY_PATTERN }),
    slaClass: str({ enum: SLA_CLASSES }),
    providerClass: str({ enum: PROVIDER_CLASSES }),
    hardware: obj({
      fields: {
        gpus: arr({
          maxItems: 64,
          item: obj({
            fields: {
              model: str({ pattern: KEY_PATTERN, doc: "a model of params.compute.gpuUnits ('other' if unlisted)" }),
              count: count('number of GPUs of this model', 1_000_000),
            },
          }),
        }),
        vcpus: count('virtual CPU cores', 1_000_000),
        ramGb: count('RAM in GB', 1_000_000_000),
        nvmeTb: count('NVMe storage in TB', 1_000_000),
        bandwidthGbps: count('link bandwidth in Gbps', 1_000_000),
      },
    }),
    registeredAt: int({ min: 0, max: 253_402_300_799, doc: 'registration time, unix seconds' }),
    expectedSlots: count(
      'heartbeat slots (minutes when slotSeconds is 60) the node was expected up this epoch: since registration, less announced maintenance',
      10_000_000,
    ),
    upSlots: count('slots with at least one valid heartbeat', 10_000_000),
    gpuSecondsDelivered: count('GPU-seconds delivered to consumers, from countersigned receipts', 1e15),
    fee: amount({
      doc: "protocol fee paid on the node's billable receipts this epoch, base units (after consumers' stake discounts): the usage pool's weight (SPEC §4.4)",
    }),
    jobs: obj({
      fields: {
        all: jobStats('every billable receipt of the epoch'),
        independent: jobStats("billable receipts from consumer keys that have also paid another owner's nodes"),
      },
      doc: 'what E, R and P are computed from (SPEC §4.4): billable receipts only, each weighted by the price it paid; keys that have paid only this owner count against the node, never for it',
    }),
    refused: amount({
      doc: "the offered price of the jobs consumers signed as refused or dropped by this node this epoch, each key's refusals counted up to what that key paid the network in the epoch: they count as failed jobs rated 1, and above slashing.hoardingShare they are resource hoarding (SPEC §6.1, §12)",
    }),
    powerEfficiency: nullable({ inner: wad({ min: '0', max: '1' }), doc: 'average power efficiency reported, null if none' }),
    commitmentDays: count('committed lock length, days', 100_000),
    commitmentForfeited: bool({ doc: 'the lock was left early this period' }),
    bond: amount({ doc: 'bonded tokens, base units' }),
    status: str({ enum: NODE_STATUSES }),
    onboarded: bool({ doc: 'every onboarding gate passed, confirmed by a validator' }),
    probationStage: count('0 = not on probation; k = k-th epoch of probation', 1000),
    anomalies: arr({ maxItems: 16, item: str({ enum: ANOMALIES }) }),
    services: arr({ maxItems: 64, item: str({ pattern: KEY_PATTERN }), doc: 'service tags (for the innovation list)' }),
    referrer: nullable({ inner: address }),
    measured: obj({
      fields: {
        vcpus: count('virtual CPU cores found on the host', 1_000_000),
        ramGb: count('RAM found on the host, GB', 1_000_000_000),
        nvmeTb: count('NVMe capacity found on the host, TB', 1_000_000),
        bandwidthGbps: count('link bandwidth measured, Gbps', 1_000_000),
        hostId: str({ pattern: '^[0-9a-f]{64}$', doc: "the host's identity: SHA-256 of its TPM endorsement key" }),
      },
      doc: "what the latest unexpired validator check measured on the node's host (SPEC §3.1); absent when none did (open onboarding)",
    }),
    vesting: obj({
      fields: {
        unvested: amount({ doc: 'compute rewards locked in earlier epochs and not yet vested, base units' }),
        due: amount({ doc: 'the part of `unvested` that vests at this epoch’s close' }),
        forfeit: bool({ doc: 'a failed verification or an equivocation was judged at this close: everything unvested is forfeited (SPEC §6.1)' }),
      },
      doc: "the node's locked rewards (SPEC §6.1); absent when nothing is unvested and nothing is forfeited",
    }),
    hostFirstSeen: int({
      min: 0,
      max: 253_402_300_799,
      doc: "when the node's host was first registered, by any node (unix seconds): the new-node and under-served bonuses count from it; absent without a measured host",
    }),
    network: obj({
      fields: {
        latencyMs: count('mean latency reported by the heartbeats, ms (floored)', 1_000_000),
        packetLoss: wad({ min: '0', max: '1', doc: 'mean packet loss reported by the heartbeats, a fraction' }),
      },
      doc: 'link quality over the epoch from the heartbeats (SPEC §3.2); absent when none arrived or it was not measured',
    }),
  },
  optional: ['network', 'measured', 'hostFirstSeen', 'vesting', 'refused'],
});

export const epochInputSchema: TSchema = obj({
  fields: {
    version: int({ min: 1, max: 1 }),
    epoch: count('epoch number n', 1e12),
    epochStart: int({ min: 0, max: 253_402_300_799, doc: 'start of the epoch, unix seconds' }),
    epochSeconds: int({ min: 60, max: 31_536_000, doc: 'epoch length' }),
    slotSeconds: int({ min: 1, max: 3600, doc: 'length of a heartbeat slot (SPEC: 60, a minute; shorter for demos)' }),
    baseEmission: amount({ doc: 'E_n, base units' }),
    previousDynamicFactor: nullable({ inner: wad({ min: '0', max: '100' }), doc: 'D_{n−1}; null for the first epoch' }),
    expansionPhase: bool(),
    supply: obj({ fields: { total: amount(), staked: amount() } }),
    excludedSlots: arr({
      maxItems: 100_000,
      item: obj({
        fields: {
          from: count('first slot of the range, from the epoch start', 10_000_000),
          to: count('last slot of the range, inclusive', 10_000_000),
          cause: str({ enum: ['service-down', 'platform-outage'] }),
        },
      }),
      doc: "slots excluded from every node's expected time because the fault was the network's (SPEC §3.2): the service could not accept heartbeats, or more than platformOutageShare of the active nodes missed; ascending, disjoint",
    }),
    scarcityHistory: arr({
      maxItems: MAX_PARTICIPANTS,
      item: obj({
        fields: {
          owner: address,
          hardwareClass: str({ pattern: KEY_PATTERN }),
          delivered: count('billable GPU-seconds delivered, capped at provisioned', 1e15),
          provisioned: count('counted GPUs × expected seconds', 1e15),
        },
      }),
      doc: "each owner's usage per hardware class over the scarcity window's earlier epochs (SPEC §4.4: V over a trailing window, leaving the node's own owner out); one entry per owner and class",
    }),
    nodes: arr({ maxItems: MAX_PARTICIPANTS, item: nodeSchema }),
    validators: arr({
      maxItems: MAX_PARTICIPANTS,
      item: obj({ fields: { id, payout: address, agreedAudits: count('audits whose verdict agreed with the final outcome') } }),
    }),
    stakes: arr({
      maxItems: MAX_PARTICIPANTS,
      item: obj({
        fields: { id, payout: address, kind: str({ enum: ['user', 'operator'] }), amount: amount(), lockDays: count('lock length, days', 100_000) },
      }),
      doc: "user and operator stakes; providers' bonds are the nodes' own `bond`",
    }),
    receipts: str({
      pattern: '^[0-9a-f]{64}$',
      doc: "computeReceiptsHash of the epoch's receipts: the input commits to every receipt, the audit sample's population (SPEC §3.4)",
    }),
    attestations: arr({
      maxItems: 10_000,
      item: obj({
        fields: {
          role: str({ enum: ATTESTED_ROLES }),
          attestor: id,
          entries: arr({ maxItems: MAX_PARTICIPANTS, item: obj({ fields: { payout: address, points: count('attested points') } }) }),
        },
      }),
    }),
  },
  optional: ['receipts'],
});

export type GpuInput = { model: string; count: number };
/** Billable receipts weighted by their prices (base units). */
export type JobStats = { standard: bigint; standardFailed: bigint; high: bigint; highFailed: bigint; p95ResponseMs: number; ratingSum: bigint };
export type ExcludedSlots = { from: number; to: number; cause: 'service-down' | 'platform-outage' };
export type OwnerClassUsage = { owner: string; hardwareClass: string; delivered: number; provisioned: number };
export type NodeInput = {
  id: string;
  owner: string;
  region: string;
  slaClass: SlaClass;
  providerClass: ProviderClass;
  hardware: { gpus: GpuInput[]; vcpus: number; ramGb: number; nvmeTb: number; bandwidthGbps: number };
  registeredAt: number;
  expectedSlots: number;
  upSlots: number;
  gpuSecondsDelivered: number;
  fee: bigint;
  jobs: { all: JobStats; independent: JobStats };
  powerEfficiency: bigint | null;
  commitmentDays: number;
  commitmentForfeited: boolean;
  bond: bigint;
  status: NodeStatus;
  onboarded: boolean;
  probationStage: number;
  anomalies: Anomaly[];
  services: string[];
  referrer: string | null;
  /** Link quality from the heartbeats; absent when not measured. */
  network?: { latencyMs: number; packetLoss: bigint };
  /** What the latest validator check measured on its host; absent under open onboarding. */
  measured?: MeasuredHardware;
  /** When its host was first registered; absent without a measured host. */
  hostFirstSeen?: number;
  /** Its locked rewards: unvested, due to vest now, and whether they are forfeited now (SPEC §6.1). */
  vesting?: { unvested: bigint; due: bigint; forfeit: boolean };
  /** Offered price of the jobs it refused, from consumers' signed refusals (SPEC §12's job refuser); absent means none. */
  refused?: bigint;
};
export type ValidatorInput = { id: string; payout: string; agreedAudits: number };
export type StakeInput = { id: string; payout: string; kind: 'user' | 'operator'; amount: bigint; lockDays: number };
export type AttestationInput = { role: AttestedRole; attestor: string; entries: { payout: string; points: number }[] };
export type EpochInput = {
  version: 1;
  epoch: number;
  epochStart: number;
  epochSeconds: number;
  slotSeconds: number;
  baseEmission: bigint;
  previousDynamicFactor: bigint | null;
  expansionPhase: boolean;
  supply: { total: bigint; staked: bigint };
  excludedSlots: ExcludedSlots[];
  scarcityHistory: OwnerClassUsage[];
  nodes: NodeInput[];
  validators: ValidatorInput[];
  stakes: StakeInput[];
  attestations: AttestationInput[];
  /** The hash of the epoch's receipts (`computeReceiptsHash`); absent in inputs made before it. */
  receipts?: string;
};

/**
 * Parses an epoch input from its wire form and checks it against the parameter set: shape and
 * types, then what a schema cannot say — up-time within the expected time, delivered work within
 * what was provisioned, errors within jobs, ratings within 1–5, known GPU models, unique ids.
 * Throws an `InvalidArgumentError` naming the first bad field; nothing is computed.
 *
 * @example const input = parseEpochInput(JSON.parse(text), defaultParams())
 */
export function parseEpochInput(json: unknown, params: Params): EpochInput {
  const input = parseWith(epochInputSchema, json, '') as EpochInput;
  checkEpochInput(input, params);
  return input;
}

/** The schema of one node of the input (`nodes[i]`). */
export function nodeInputSchema(): TSchema {
  return itemOf(fieldsOf(epochInputSchema)?.nodes as TSchema) as TSchema;
}

/** One node's input from its wire form (a node of a stored epoch input: checked when the epoch was). Throws naming the bad field. */
export function parseNodeInput(json: unknown, field = 'node'): NodeInput {
  return parseWith(nodeInputSchema(), json, field) as NodeInput;
}

/** The semantic checks of an already-typed epoch input (run again by `processEpoch`). */
export function checkEpochInput(input: EpochInput, params: Params): void {
  checkEpochExceptNodes(input);
  const maxSlots = usableSlots(input);
  const nodes = input.nodes;
  uniqueIds(nodes, 'nodes', 'node id');
  for (let i = 0; i < nodes.length; i++) checkNode(nodes[i] as NodeInput, i, maxSlots, input.slotSeconds, params);
}

/** The epoch's slots less the excluded ones (checked: ascending, disjoint, within the epoch). */
export function usableSlots(input: Pick<EpochInput, 'epochSeconds' | 'slotSeconds' | 'excludedSlots'>): number {
  const slots = Math.ceil(input.epochSeconds / input.slotSeconds);
  return slots - checkExcludedSlots(input.excludedSlots, slots);
}

/** The semantic checks of node `i` (`maxSlots`: `usableSlots` of its epoch); the error names `nodes[i].<field>`. */
export function checkNode(n: NodeInput, i: number, maxSlots: number, slot: number, params: Params): void {
  let gpus = 0;
  const hw = n.hardware.gpus;
  for (let j = 0; j < hw.length; j++) {
    const g = hw[j] as GpuInput;
    if (!Object.hasOwn(params.compute.gpuUnits, g.model)) {
      throw new InvalidArgumentError(
        `nodes[${i}].hardware.gpus[${j}].model`,
        `unknown GPU model ${JSON.stringify(g.model)} (declare unlisted models as 'other')`,
        'UNKNOWN_GPU_MODEL',
      );
    }
    gpus += g.count;
  }
  checkNodeCounts(i, maxSlots, slot, gpus, n.expectedSlots, n.upSlots, n.gpuSecondsDelivered);
  const j = n.jobs;
  checkJobStats(`nodes[${i}].jobs.all`, j.all);
  checkJobStats(`nodes[${i}].jobs.independent`, j.independent);
  for (const k of ['standard', 'high'] as const) {
    if (j.independent[k] > j.all[k]) throw new InvalidArgumentError(`nodes[${i}].jobs.independent.${k}`, `must not exceed jobs.all.${k}`, 'OUT_OF_RANGE');
  }
  if (n.vesting && n.vesting.due > n.vesting.unvested)
    throw new InvalidArgumentError(`nodes[${i}].vesting.due`, 'must not exceed vesting.unvested', 'OUT_OF_RANGE');
  if (n.referrer !== null && n.referrer === n.owner) {
    throw new InvalidArgumentError(`nodes[${i}].referrer`, 'a node cannot be referred by its own owner', 'SELF_REFERRAL');
  }
  if (n.powerEfficiency !== null && n.powerEfficiency > WAD) {
    throw new InvalidArgumentError(`nodes[${i}].powerEfficiency`, 'must be at most 1', 'OUT_OF_RANGE');
  }
}

/** The checks of everything but the nodes: staked within the supply, validator and stake ids unique. */
export function checkEpochExceptNodes(input: Omit<EpochInput, 'nodes'>): void {
  if (input.supply.staked > input.supply.total) {
    throw new InvalidArgumentError('supply.staked', 'must not exceed supply.total', 'OUT_OF_RANGE');
  }
  uniqueIds(input.validators, 'validators');
  uniqueIds(input.stakes, 'stakes');
  const seen = new Set<string>();
  input.scarcityHistory.forEach((h, k) => {
    const key = `${h.owner}/${h.hardwareClass}`;
    if (seen.has(key)) throw new InvalidArgumentError(`scarcityHistory[${k}]`, `repeats owner ${h.owner} and class ${h.hardwareClass}`, 'DUPLICATE_ID');
    seen.add(key);
    if (h.delivered > h.provisioned) throw new InvalidArgumentError(`scarcityHistory[${k}].delivered`, 'must not exceed provisioned', 'OUT_OF_RANGE');
  });
}

/**
 * The checks of node i's slots and delivered work (shared by the object and column forms): no
 * more expected slots than the epoch has, up-time within the expected time, delivered GPU-seconds
 * within the GPUs × up-seconds provisioned.
 */
export function checkNodeCounts(i: number, maxSlots: number, slot: number, gpus: number, expectedSlots: number, upSlots: number, delivered: number): void {
  if (expectedSlots > maxSlots) {
    throw new InvalidArgumentError(`nodes[${i}].expectedSlots`, `must not exceed the epoch's ${maxSlots} slots`, 'OUT_OF_RANGE');
  }
  if (upSlots > expectedSlots) {
    throw new InvalidArgumentError(
      `nodes[${i}].upSlots`,
      `up-time (${upSlots} slots) exceeds the expected time (${expectedSlots} slots)`,
      'UPTIME_ABOVE_EXPECTED',
    );
  }
  const provisioned = gpus * upSlots * slot;
  if (delivered > provisioned) {
    throw new InvalidArgumentError(
      `nodes[${i}].gpuSecondsDelivered`,
      `delivered ${delivered} GPU-seconds exceeds the ${provisioned} provisioned (GPUs × up-seconds)`,
      'DELIVERED_ABOVE_PROVISIONED',
    );
  }
}

/** A node's receipts: failures within the jobs, ratings within 1–5 of the price weight. */
export function checkJobStats(field: string, j: JobStats): void {
  if (j.standardFailed > j.standard) throw new InvalidArgumentError(`${field}.standardFailed`, 'must not exceed standard', 'OUT_OF_RANGE');
  if (j.highFailed > j.high) throw new InvalidArgumentError(`${field}.highFailed`, 'must not exceed high', 'OUT_OF_RANGE');
  const paid = j.standard + j.high;
  if (j.ratingSum < paid || j.ratingSum > 5n * paid) {
    throw new InvalidArgumentError(
      `${field}.ratingSum`,
      `must lie between the price paid and 5 × it (ratings are 1–5), got ${j.ratingSum} for ${paid}`,
      'OUT_OF_RANGE',
    );
  }
}

/** The excluded slot ranges lie in the epoch, ascending and disjoint; returns how many slots they cover. */
function checkExcludedSlots(ranges: readonly ExcludedSlots[], slots: number): number {
  let covered = 0;
  let next = 0;
  ranges.forEach((r, k) => {
    if (r.from < next || r.to < r.from || r.to >= slots) {
      throw new InvalidArgumentError(`excludedSlots[${k}]`, `ranges must be ascending, disjoint and within the epoch's ${slots} slots`, 'OUT_OF_RANGE');
    }
    covered += r.to - r.from + 1;
    next = r.to + 1;
  });
  return covered;
}

/**
 * Refuses a repeated id, naming the first repeat. Ids in strictly ascending order are unique
 * without a set (the canonical order, in which the service and the examples list them); otherwise
 * a set finds the first one seen twice.
 */
function uniqueIds(items: readonly { id: string }[], field: string, what = 'id'): void {
  let ascending = true;
  for (let i = 1; i < items.length && ascending; i++) ascending = (items[i - 1] as { id: string }).id < (items[i] as { id: string }).id;
  if (ascending) return;
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as { id: string };
    if (seen.has(item.id)) throw new InvalidArgumentError(`${field}[${i}].id`, `duplicate ${what} ${JSON.stringify(item.id)}`, 'DUPLICATE_ID');
    seen.add(item.id);
  }
}

/** The wire form of an epoch input. */
export function serializeEpochInput(input: EpochInput): Record<string, unknown> {
  return serializeWith(epochInputSchema, input) as Record<string, unknown>;
}

/** JSON Schema (draft 2020-12) of the epoch input, format version 1. */
export function epochInputJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://swarm.example/schemas/epoch-input-v1.json',
    title: 'Swarm Rewards epoch input, version 1',
    description:
      "Everything the reward engine needs to compute one epoch (SPEC §4). Uptime is counted in heartbeat slots of slotSeconds (a minute by default). Amounts are base units (18 decimals) as decimal strings; ratios are exact decimal strings; counts, seconds and minutes are integers. Semantic checks (up-time ≤ expected, expected ≤ the epoch's slots less the excluded ones, delivered ≤ GPUs × up-seconds, failed ≤ paid, 1–5 ratings, known GPU models, unique ids) are made by the parser.",
    ...toJsonSchema(epochInputSchema),
  };
}
