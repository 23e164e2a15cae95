import { WAD } from './amount.ts';
import { Amounts } from './amounts.ts';
import {
  ADDRESS_PATTERN,
  ANOMALIES,
  type Anomaly,
  checkEpochExceptNodes,
  checkNodeCounts,
  checkNodeJobs,
  checkNodeRatings,
  type EpochInput,
  type GpuInput,
  NODE_STATUSES,
  type NodeInput,
} from './epoch-input.ts';
import { InvalidArgumentError } from './errors.ts';
import { KEY_PATTERN, type Params, PROVIDER_CLASSES, SLA_CLASSES } from './params.ts';
import type { Scratch } from './scratch.ts';

/**
 * An epoch's nodes as columns — the form the reward engine works on. Strings that repeat (payout
 * addresses, regions, GPU models, service tags) are listed once in a dictionary and referred to by
 * index; classes and statuses are indices into their lists (`SLA_CLASSES`, `PROVIDER_CLASSES`,
 * `NODE_STATUSES`); counts are numbers in typed arrays; bonds an `Amounts` column. Row `i` is the
 * node `ids[i]`, and the rows are in ascending id order.
 *
 * `processEpoch` accepts the nodes in either form: a list of `NodeInput` objects is converted once
 * (`nodeColumns`); a producer that holds its nodes in a table (the service's store) can build the
 * columns directly and skip the million objects — at that scale most of an object epoch's time is
 * the per-object string lookups. `nodeRow(columns, i)` gives row `i` back as a `NodeInput`.
 *
 * Holds exactly what a `NodeInput` does, except that `anomalies` is a set (bit k: `ANOMALIES[k]`):
 * a row comes back with its anomalies once each, in `ANOMALIES` order.
 *
 * Read-only once made: the engine keeps the address index `nodeColumns` built beside its result
 * (`addressIndexOf`), so a list edited in place would pay a validator's reward on the wrong line.
 * For a changed epoch, make new columns (or a new object with new arrays).
 */
export type NodeColumns = {
  readonly format: 'node-columns-v1';
  readonly length: number;
  readonly ids: readonly string[];
  /** The payout addresses `owner` and `referrer` index, each listed once. */
  readonly addresses: readonly string[];
  readonly owner: Int32Array;
  /** -1: no referrer. */
  readonly referrer: Int32Array;
  readonly regions: readonly string[];
  readonly region: Int32Array;
  /** Index into `SLA_CLASSES`. */
  readonly slaClass: Uint8Array;
  /** Index into `PROVIDER_CLASSES`. */
  readonly providerClass: Uint8Array;
  /** Index into `NODE_STATUSES` (0: active). */
  readonly status: Uint8Array;
  /** 1: every onboarding gate passed. */
  readonly onboarded: Uint8Array;
  /** 1: the lock was left early this period. */
  readonly commitmentForfeited: Uint8Array;
  /** Bit k: `ANOMALIES[k]` was flagged. */
  readonly anomalies: Uint8Array;
  readonly models: readonly string[];
  /** Row i's GPUs are entries `gpuStart[i]` to `gpuStart[i + 1] − 1` of `gpuModel` (index into `models`) and `gpuCount`. */
  readonly gpuStart: Int32Array;
  readonly gpuModel: Int32Array;
  readonly gpuCount: Float64Array;
  readonly tags: readonly string[];
  /** Row i's service tags are entries `serviceStart[i]` to `serviceStart[i + 1] − 1` of `service` (index into `tags`). */
  readonly serviceStart: Int32Array;
  readonly service: Int32Array;
  readonly vcpus: Float64Array;
  readonly ramGb: Float64Array;
  readonly nvmeTb: Float64Array;
  readonly bandwidthGbps: Float64Array;
  readonly registeredAt: Float64Array;
  readonly expectedSlots: Float64Array;
  readonly upSlots: Float64Array;
  readonly gpuSecondsDelivered: Float64Array;
  readonly jobsStandard: Float64Array;
  readonly jobsStandardErrors: Float64Array;
  readonly jobsHigh: Float64Array;
  readonly jobsHighErrors: Float64Array;
  readonly p95ResponseMs: Float64Array;
  readonly ratingsCount: Float64Array;
  readonly ratingsSum: Float64Array;
  readonly commitmentDays: Float64Array;
  readonly probationStage: Float64Array;
  /** WAD; -1: none reported. */
  readonly powerEfficiency: BigInt64Array;
  readonly bond: Amounts;
  /** -1: link quality not measured (`network` absent). */
  readonly latencyMs: Float64Array;
  /** WAD; read only where `latencyMs` ≥ 0. */
  readonly packetLoss: BigInt64Array;
};

/** An epoch input whose nodes are columns. */
export type EpochColumnsInput = Omit<EpochInput, 'nodes'> & { nodes: NodeColumns };

type NumberColumn = {
  [K in keyof NodeColumns]: NodeColumns[K] extends Float64Array ? K : never;
}[keyof NodeColumns];

/** The number columns: the field of `NodeInput` each holds, and its range (as the schema's). */
const NUMBERS: readonly [NumberColumn, string, number][] = [
  ['vcpus', 'hardware.vcpus', 1_000_000],
  ['ramGb', 'hardware.ramGb', 1_000_000_000],
  ['nvmeTb', 'hardware.nvmeTb', 1_000_000],
  ['bandwidthGbps', 'hardware.bandwidthGbps', 1_000_000],
  ['registeredAt', 'registeredAt', 253_402_300_799],
  ['expectedSlots', 'expectedSlots', 10_000_000],
  ['upSlots', 'upSlots', 10_000_000],
  ['gpuSecondsDelivered', 'gpuSecondsDelivered', 1e15],
  ['jobsStandard', 'jobs.standard', 1e12],
  ['jobsStandardErrors', 'jobs.standardErrors', 1e12],
  ['jobsHigh', 'jobs.high', 1e12],
  ['jobsHighErrors', 'jobs.highErrors', 1e12],
  ['p95ResponseMs', 'jobs.p95ResponseMs', 100_000_000],
  ['ratingsCount', 'ratings.count', 1e12],
  ['ratingsSum', 'ratings.sum', 1e12],
  ['commitmentDays', 'commitmentDays', 100_000],
  ['probationStage', 'probationStage', 1000],
];

/** The address dictionaries' indices of the columns `nodeColumns` made (it builds them anyway). */
const addressIndexes = new WeakMap<NodeColumns, ReadonlyMap<string, number>>();

/**
 * Each address of `columns.addresses` to its index, when known without hashing them all: for the
 * columns `nodeColumns` made, else undefined.
 */
export function addressIndexOf(columns: NodeColumns): ReadonlyMap<string, number> | undefined {
  return addressIndexes.get(columns);
}

export function isNodeColumns(nodes: readonly NodeInput[] | NodeColumns): nodes is NodeColumns {
  return !Array.isArray(nodes) && (nodes as NodeColumns).format === 'node-columns-v1';
}

/** Interns strings to indices in order of first appearance. */
class Dictionary {
  readonly list: string[] = [];
  readonly index = new Map<string, number>();
  of(s: string): number {
    let k = this.index.get(s);
    if (k === undefined) {
      k = this.list.length;
      this.index.set(s, k);
      this.list.push(s);
    }
    return k;
  }
}

/** The index of `value` in a short list of names (a few comparisons, cheaper than a map's hashing). */
function known(list: readonly string[], value: string, i: number, field: string): number {
  for (let k = 0; k < list.length; k++) if (list[k] === value) return k;
  throw new InvalidArgumentError(`nodes[${i}].${field}`, `unknown value ${JSON.stringify(value)}`, 'INVALID_ENUM');
}

/**
 * The nodes as columns, in ascending id order (a sorted copy of the list when it is not already).
 * Refuses an unknown class, status or anomaly, naming the field; the other checks are
 * `checkEpochInput`'s (on the objects) or `checkNodeColumns`'s.
 *
 * @example const columns = nodeColumns(input.nodes)
 */
export function nodeColumns(list: readonly NodeInput[], memory?: Scratch): NodeColumns {
  let nodes = list;
  for (let i = 1; i < nodes.length; i++) {
    if ((nodes[i - 1] as NodeInput).id >= (nodes[i] as NodeInput).id) {
      nodes = [...list].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      break;
    }
  }
  const n = nodes.length;
  let gpuEntries = 0;
  let serviceEntries = 0;
  for (const node of nodes) {
    gpuEntries += node.hardware.gpus.length;
    serviceEntries += node.services.length;
  }
  const addresses = new Dictionary();
  const regions = new Dictionary();
  const models = new Dictionary();
  const tags = new Dictionary();
  // every entry is written below, so memory that is reused need not be cleared
  const f64 = (length = n) => (memory ? memory.f64(length) : new Float64Array(length));
  const i32 = (length = n) => (memory ? memory.i32(length) : new Int32Array(length));
  const u8 = () => (memory ? memory.u8(n) : new Uint8Array(n));
  const i64 = () => (memory ? memory.i64(n) : new BigInt64Array(n));
  const c = {
    format: 'node-columns-v1' as const,
    length: n,
    ids: new Array<string>(n),
    addresses: addresses.list,
    owner: i32(),
    referrer: i32(),
    regions: regions.list,
    region: i32(),
    slaClass: u8(),
    providerClass: u8(),
    status: u8(),
    onboarded: u8(),
    commitmentForfeited: u8(),
    anomalies: u8(),
    models: models.list,
    gpuStart: i32(n + 1),
    gpuModel: i32(gpuEntries),
    gpuCount: f64(gpuEntries),
    tags: tags.list,
    serviceStart: i32(n + 1),
    service: i32(serviceEntries),
    vcpus: f64(),
    ramGb: f64(),
    nvmeTb: f64(),
    bandwidthGbps: f64(),
    registeredAt: f64(),
    expectedSlots: f64(),
    upSlots: f64(),
    gpuSecondsDelivered: f64(),
    jobsStandard: f64(),
    jobsStandardErrors: f64(),
    jobsHigh: f64(),
    jobsHighErrors: f64(),
    p95ResponseMs: f64(),
    ratingsCount: f64(),
    ratingsSum: f64(),
    commitmentDays: f64(),
    probationStage: f64(),
    powerEfficiency: i64(),
    latencyMs: f64(),
    packetLoss: i64(),
  };
  const bonds = Amounts.builder(n, memory?.u32(4 * n));
  let g = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const node = nodes[i] as NodeInput;
    c.ids[i] = node.id;
    c.owner[i] = addresses.of(node.owner);
    c.referrer[i] = node.referrer === null ? -1 : addresses.of(node.referrer);
    c.region[i] = regions.of(node.region);
    c.slaClass[i] = known(SLA_CLASSES, node.slaClass, i, 'slaClass');
    c.providerClass[i] = known(PROVIDER_CLASSES, node.providerClass, i, 'providerClass');
    c.status[i] = known(NODE_STATUSES, node.status, i, 'status');
    c.onboarded[i] = node.onboarded ? 1 : 0;
    c.commitmentForfeited[i] = node.commitmentForfeited ? 1 : 0;
    let bits = 0;
    const anomalies = node.anomalies;
    for (let k = 0; k < anomalies.length; k++) bits |= 1 << known(ANOMALIES, anomalies[k] as string, i, `anomalies[${k}]`);
    c.anomalies[i] = bits;
    const hw = node.hardware;
    c.gpuStart[i] = g;
    for (const gpu of hw.gpus) {
      c.gpuModel[g] = models.of(gpu.model);
      c.gpuCount[g++] = gpu.count;
    }
    c.serviceStart[i] = s;
    for (const tag of node.services) c.service[s++] = tags.of(tag);
    c.vcpus[i] = hw.vcpus;
    c.ramGb[i] = hw.ramGb;
    c.nvmeTb[i] = hw.nvmeTb;
    c.bandwidthGbps[i] = hw.bandwidthGbps;
    c.registeredAt[i] = node.registeredAt;
    c.expectedSlots[i] = node.expectedSlots;
    c.upSlots[i] = node.upSlots;
    c.gpuSecondsDelivered[i] = node.gpuSecondsDelivered;
    const j = node.jobs;
    c.jobsStandard[i] = j.standard;
    c.jobsStandardErrors[i] = j.standardErrors;
    c.jobsHigh[i] = j.high;
    c.jobsHighErrors[i] = j.highErrors;
    c.p95ResponseMs[i] = j.p95ResponseMs;
    c.ratingsCount[i] = node.ratings.count;
    c.ratingsSum[i] = node.ratings.sum;
    c.commitmentDays[i] = node.commitmentDays;
    c.probationStage[i] = node.probationStage;
    c.powerEfficiency[i] = node.powerEfficiency ?? -1n;
    bonds.set(i, node.bond);
    c.latencyMs[i] = node.network === undefined ? -1 : node.network.latencyMs;
    c.packetLoss[i] = node.network === undefined ? 0n : node.network.packetLoss;
  }
  c.gpuStart[n] = g;
  c.serviceStart[n] = s;
  const columns = canonicalColumns({ ...c, bond: bonds.done() });
  addressIndexes.set(columns, addresses.index);
  return columns;
}

/**
 * The same columns in an object of one fixed shape. Objects made by spreading (`{ ...c, bond }`) or
 * by callers come with shapes of their own — V8 gave each `nodeColumns` result a new one — and the
 * per-node loops, reading a column per field, went megamorphic once they had seen a few: pass 1
 * ran ~2× slower in a process that had converted objects before. The engine reads this copy (the
 * columns themselves are shared, not copied).
 */
export function canonicalColumns(c: NodeColumns): NodeColumns {
  return {
    format: c.format,
    length: c.length,
    ids: c.ids,
    addresses: c.addresses,
    owner: c.owner,
    referrer: c.referrer,
    regions: c.regions,
    region: c.region,
    slaClass: c.slaClass,
    providerClass: c.providerClass,
    status: c.status,
    onboarded: c.onboarded,
    commitmentForfeited: c.commitmentForfeited,
    anomalies: c.anomalies,
    models: c.models,
    gpuStart: c.gpuStart,
    gpuModel: c.gpuModel,
    gpuCount: c.gpuCount,
    tags: c.tags,
    serviceStart: c.serviceStart,
    service: c.service,
    vcpus: c.vcpus,
    ramGb: c.ramGb,
    nvmeTb: c.nvmeTb,
    bandwidthGbps: c.bandwidthGbps,
    registeredAt: c.registeredAt,
    expectedSlots: c.expectedSlots,
    upSlots: c.upSlots,
    gpuSecondsDelivered: c.gpuSecondsDelivered,
    jobsStandard: c.jobsStandard,
    jobsStandardErrors: c.jobsStandardErrors,
    jobsHigh: c.jobsHigh,
    jobsHighErrors: c.jobsHighErrors,
    p95ResponseMs: c.p95ResponseMs,
    ratingsCount: c.ratingsCount,
    ratingsSum: c.ratingsSum,
    commitmentDays: c.commitmentDays,
    probationStage: c.probationStage,
    powerEfficiency: c.powerEfficiency,
    bond: c.bond,
    latencyMs: c.latencyMs,
    packetLoss: c.packetLoss,
  };
}

/**
 * Row `i` of the columns as a `NodeInput` (anomalies once each, in `ANOMALIES` order).
 *
 * @example const node = nodeRow(columns, 0)
 */
export function nodeRow(c: NodeColumns, i: number): NodeInput {
  if (!(Number.isInteger(i) && i >= 0 && i < c.length)) throw new RangeError(`row ${i} out of 0..${c.length - 1}`);
  const gpus: GpuInput[] = [];
  for (let k = c.gpuStart[i] as number; k < (c.gpuStart[i + 1] as number); k++) {
    gpus.push({ model: c.models[c.gpuModel[k] as number] as string, count: c.gpuCount[k] as number });
  }
  const services: string[] = [];
  for (let k = c.serviceStart[i] as number; k < (c.serviceStart[i + 1] as number); k++) services.push(c.tags[c.service[k] as number] as string);
  const pe = c.powerEfficiency[i] as bigint;
  const referrer = c.referrer[i] as number;
  const node: NodeInput = {
    id: c.ids[i] as string,
    owner: c.addresses[c.owner[i] as number] as string,
    region: c.regions[c.region[i] as number] as string,
    slaClass: SLA_CLASSES[c.slaClass[i] as number] as NodeInput['slaClass'],
    providerClass: PROVIDER_CLASSES[c.providerClass[i] as number] as NodeInput['providerClass'],
    hardware: {
      gpus,
      vcpus: c.vcpus[i] as number,
      ramGb: c.ramGb[i] as number,
      nvmeTb: c.nvmeTb[i] as number,
      bandwidthGbps: c.bandwidthGbps[i] as number,
    },
    registeredAt: c.registeredAt[i] as number,
    expectedSlots: c.expectedSlots[i] as number,
    upSlots: c.upSlots[i] as number,
    gpuSecondsDelivered: c.gpuSecondsDelivered[i] as number,
    jobs: {
      standard: c.jobsStandard[i] as number,
      standardErrors: c.jobsStandardErrors[i] as number,
      high: c.jobsHigh[i] as number,
      highErrors: c.jobsHighErrors[i] as number,
      p95ResponseMs: c.p95ResponseMs[i] as number,
    },
    ratings: { count: c.ratingsCount[i] as number, sum: c.ratingsSum[i] as number },
    powerEfficiency: pe < 0n ? null : pe,
    commitmentDays: c.commitmentDays[i] as number,
    commitmentForfeited: c.commitmentForfeited[i] === 1,
    bond: c.bond.get(i),
    status: NODE_STATUSES[c.status[i] as number] as NodeInput['status'],
    onboarded: c.onboarded[i] === 1,
    probationStage: c.probationStage[i] as number,
    anomalies: ANOMALIES.filter((_, k) => ((c.anomalies[i] as number) >>> k) & 1) as Anomaly[],
    services,
    referrer: referrer < 0 ? null : (c.addresses[referrer] as string),
  };
  if ((c.latencyMs[i] as number) >= 0) node.network = { latencyMs: c.latencyMs[i] as number, packetLoss: c.packetLoss[i] as bigint };
  return node;
}

/**
 * Everything `checkEpochInput` and the schema check of a `NodeInput` list, for columns: every
 * column as long as the rows; ids well-formed and strictly ascending; dictionaries well-formed,
 * addresses listed once, GPU models known; indices, classes and flags in range; counts whole and
 * within the schema's bounds; up-time within the expected time, delivered within what was
 * provisioned, errors within jobs, ratings within 1–5. Throws an `InvalidArgumentError` naming the
 * first bad field as the object form would (`nodes[i].upSlots` for row i).
 */
export function checkNodeColumns(c: NodeColumns, params: Params, epoch: { epochSeconds: number; slotSeconds: number }): void {
  if (!isNodeColumns(c)) throw new InvalidArgumentError('nodes', "neither a list of nodes nor node columns (format 'node-columns-v1')");
  const n = c.length;
  if (!(Number.isSafeInteger(n) && n >= 0 && n <= 10_000_000))
    throw new InvalidArgumentError('nodes.length', 'must be a whole number of rows up to 10,000,000');
  // each column of the kind and length the engine reads it as (it views some through their buffers)
  type Kind = typeof Int32Array | typeof Uint8Array | typeof Float64Array | typeof BigInt64Array | typeof Amounts | typeof Array;
  const int32 = ['owner', 'referrer', 'region', 'gpuModel', 'service'] as const;
  const uint8 = ['slaClass', 'providerClass', 'status', 'onboarded', 'commitmentForfeited', 'anomalies'] as const;
  const sized: [string, unknown, number, Kind][] = [
    ['ids', c.ids, n, Array],
    ...int32.map((k): [string, unknown, number, Kind] => [k, c[k], k === 'gpuModel' || k === 'service' ? -1 : n, Int32Array]),
    ...uint8.map((k): [string, unknown, number, Kind] => [k, c[k], n, Uint8Array]),
    ...NUMBERS.map(([k]): [string, unknown, number, Kind] => [k, c[k], n, Float64Array]),
    ['latencyMs', c.latencyMs, n, Float64Array],
    ['powerEfficiency', c.powerEfficiency, n, BigInt64Array],
    ['packetLoss', c.packetLoss, n, BigInt64Array],
    ['bond', c.bond, n, Amounts],
    ['gpuStart', c.gpuStart, n + 1, Int32Array],
    ['serviceStart', c.serviceStart, n + 1, Int32Array],
    ['gpuCount', c.gpuCount, (c.gpuModel as Int32Array | undefined)?.length ?? -1, Float64Array],
  ];
  for (const [name, column, length, kind] of sized) {
    const ok = kind === Array ? Array.isArray(column) : column instanceof kind;
    if (!ok) throw new InvalidArgumentError(`nodes.${name}`, `must be ${kind === Array ? 'an array' : `a ${kind.name}`}`);
    const have = (column as { length: number }).length;
    if (length >= 0 && have !== length) throw new InvalidArgumentError(`nodes.${name}`, `must have ${length} entries, has ${have}`);
  }
  addressDictionary(c.addresses);
  dictionary(c.regions, 'regions', KEY_PATTERN, false);
  dictionary(c.models, 'models', KEY_PATTERN, false);
  dictionary(c.tags, 'tags', KEY_PATTERN, false);
  c.models.forEach((m, k) => {
    if (!Object.hasOwn(params.compute.gpuUnits, m)) {
      throw new InvalidArgumentError(`nodes.models[${k}]`, `unknown GPU model ${JSON.stringify(m)} (declare unlisted models as 'other')`, 'UNKNOWN_GPU_MODEL');
    }
  });
  lists(c.gpuStart, c.gpuModel, c.models.length, 'hardware.gpus', 'model');
  lists(c.serviceStart, c.service, c.tags.length, 'services', 'tag');
  // each check a small function of one column: optimised on its own, as one large function is not
  const badCount = firstNotWhole(c.gpuCount, 1_000_000);
  if (badCount >= 0) throw new InvalidArgumentError(`nodes.gpuCount[${badCount}]`, 'must be a whole number from 0 to 1000000', 'OUT_OF_RANGE');
  for (const [k, field, max] of NUMBERS) {
    const i = firstNotWhole(c[k], max);
    if (i >= 0) throw new InvalidArgumentError(`nodes[${i}].${field}`, `must be a whole number from 0 to ${max}`, 'OUT_OF_RANGE');
  }
  const enums: [string, Uint8Array, number][] = [
    ['slaClass', c.slaClass, SLA_CLASSES.length],
    ['providerClass', c.providerClass, PROVIDER_CLASSES.length],
    ['status', c.status, NODE_STATUSES.length],
    ['onboarded', c.onboarded, 2],
    ['commitmentForfeited', c.commitmentForfeited, 2],
    ['anomalies', c.anomalies, 1 << ANOMALIES.length],
  ];
  for (const [field, col, limit] of enums) {
    const i = firstAtLeast(col, limit);
    if (i >= 0) throw new InvalidArgumentError(`nodes[${i}].${field}`, `index ${col[i]} is out of range (below ${limit})`, 'INVALID_ENUM');
  }
  checkRows(canonicalColumns(c), epoch); // its loop reads a column a field: one shape keeps them fast
}

/** The first entry that is not a whole number from 0 to max, or -1. */
function firstNotWhole(col: Float64Array, max: number): number {
  for (let i = 0; i < col.length; i++) {
    const x = col[i] as number;
    if (!(Number.isInteger(x) && x >= 0 && x <= max)) return i;
  }
  return -1;
}

/** The first entry at or above limit, or -1. */
function firstAtLeast(col: Uint8Array, limit: number): number {
  for (let i = 0; i < col.length; i++) if ((col[i] as number) >= limit) return i;
  return -1;
}

/** What each row must satisfy across its columns: the id, the indices, the WADs, the counts' relations. */
function checkRows(c: NodeColumns, epoch: { epochSeconds: number; slotSeconds: number }): void {
  const n = c.length;
  const maxSlots = Math.ceil(epoch.epochSeconds / epoch.slotSeconds);
  const addresses = c.addresses.length;
  const power = new Int32Array(c.powerEfficiency.buffer, c.powerEfficiency.byteOffset, 2 * n);
  const loss = new Int32Array(c.packetLoss.buffer, c.packetLoss.byteOffset, 2 * n);
  const { ids, owner: owners, referrer: referrers, region: regions, latencyMs, gpuStart, gpuCount } = c;
  const regionCount = c.regions.length;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (typeof id !== 'string' || !isKey(id)) throw new InvalidArgumentError(`nodes[${i}].id`, 'must be 1–64 of [A-Za-z0-9._-]', 'INVALID_FORMAT');
    if (i > 0 && (ids[i - 1] as string) >= id) {
      throw new InvalidArgumentError(
        `nodes[${i}].id`,
        `node columns must be in strictly ascending id order (${JSON.stringify(id)} after ${JSON.stringify(ids[i - 1])})`,
        'NOT_ASCENDING',
      );
    }
    const owner = owners[i] as number;
    const referrer = referrers[i] as number;
    if (!(owner >= 0 && owner < addresses)) throw new InvalidArgumentError(`nodes[${i}].owner`, `index ${owner} is not in nodes.addresses`, 'OUT_OF_RANGE');
    if (!(referrer >= -1 && referrer < addresses))
      throw new InvalidArgumentError(`nodes[${i}].referrer`, `index ${referrer} is not in nodes.addresses`, 'OUT_OF_RANGE');
    if (referrer === owner) throw new InvalidArgumentError(`nodes[${i}].referrer`, 'a node cannot be referred by its own owner', 'SELF_REFERRAL');
    const region = regions[i] as number;
    if (!(region >= 0 && region < regionCount)) throw new InvalidArgumentError(`nodes[${i}].region`, `index ${region} is not in nodes.regions`, 'OUT_OF_RANGE');
    // the 64-bit columns read as two 32-bit words (low first, as the engine reads them): no bigint a row
    const peHigh = power[2 * i + 1] as number;
    const peLow = power[2 * i] as number;
    if (!(peHigh === -1 && peLow === -1) && !atMostWad(peHigh, peLow))
      throw new InvalidArgumentError(`nodes[${i}].powerEfficiency`, 'must be -1 (none) or a WAD from 0 to 1', 'OUT_OF_RANGE');
    const latency = latencyMs[i] as number;
    if (latency !== -1 && !(Number.isInteger(latency) && latency >= 0 && latency <= 1_000_000)) {
      throw new InvalidArgumentError(`nodes[${i}].network.latencyMs`, 'must be -1 (not measured) or a whole number from 0 to 1000000', 'OUT_OF_RANGE');
    }
    if (latency >= 0 && !atMostWad(loss[2 * i + 1] as number, loss[2 * i] as number))
      throw new InvalidArgumentError(`nodes[${i}].network.packetLoss`, 'must be a WAD from 0 to 1', 'OUT_OF_RANGE');
    let gpus = 0;
    for (let k = gpuStart[i] as number; k < (gpuStart[i + 1] as number); k++) gpus += gpuCount[k] as number;
    checkNodeCounts(i, maxSlots, epoch.slotSeconds, gpus, c.expectedSlots[i] as number, c.upSlots[i] as number, c.gpuSecondsDelivered[i] as number);
    checkNodeJobs(i, c.jobsStandard[i] as number, c.jobsStandardErrors[i] as number, c.jobsHigh[i] as number, c.jobsHighErrors[i] as number);
    checkNodeRatings(i, c.ratingsCount[i] as number, c.ratingsSum[i] as number);
  }
}

/** `checkEpochInput` for an epoch input whose nodes are columns. */
export function checkEpochColumnsInput(input: EpochColumnsInput, params: Params): void {
  checkEpochExceptNodes(input);
  checkNodeColumns(input.nodes, params, input);
}

const WAD_HIGH = Number(WAD >> 32n);
const WAD_LOW = Number(WAD & 0xffffffffn);

/** A signed 64-bit value given as its two 32-bit words lies in 0..WAD. */
function atMostWad(high: number, low: number): boolean {
  return high >= 0 && (high < WAD_HIGH || (high === WAD_HIGH && low >>> 0 <= WAD_LOW));
}

/** Per UTF-16 code unit: NOT_HEX set unless a lower-case hex digit, NOT_KEY unless one of [A-Za-z0-9._-]. */
const NOT_HEX = 1;
const NOT_KEY = 2;
const CHAR_CLASS = (() => {
  const t = new Uint8Array(65536).fill(NOT_HEX | NOT_KEY);
  const allow = (from: string, to: string, bits: number) => {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) t[c] = (t[c] as number) & ~bits;
  };
  allow('0', '9', NOT_HEX | NOT_KEY);
  allow('a', 'f', NOT_HEX | NOT_KEY);
  allow('g', 'z', NOT_KEY);
  allow('A', 'Z', NOT_KEY);
  for (const c of '._-') allow(c, c, NOT_KEY);
  return t;
})();

/** `s` matches `KEY_PATTERN`: 1–64 of [A-Za-z0-9._-], not starting with '.', '_' or '-'. */
export function isKey(s: string): boolean {
  const length = s.length;
  if (length < 1 || length > 64) return false;
  const first = s.charCodeAt(0);
  if (first === 46 || first === 95 || first === 45) return false;
  let bits = 0;
  for (let j = 0; j < length; j++) bits |= CHAR_CLASS[s.charCodeAt(j)] as number;
  return (bits & NOT_KEY) === 0;
}

/**
 * The payout addresses: each `0x` and 40 lower-case hex digits, none listed twice. What
 * `dictionary(…, ADDRESS_PATTERN, true)` checks, a few times faster at a million nodes' hundreds of
 * thousands of owners: the characters checked by code, the repeats found in an open-addressing table
 * of the addresses' hashes. A run of colliding hashes (addresses crafted to collide) falls back to
 * the `Set`, so no input makes it quadratic. (`maxProbe` is that run's length; exported for the tests.)
 */
export function addressDictionary(list: readonly string[], maxProbe = 64): void {
  if (!Array.isArray(list)) throw new InvalidArgumentError('nodes.addresses', 'must be a list of strings');
  const bad = (k: number) => new InvalidArgumentError(`nodes.addresses[${k}]`, `must match ${ADDRESS_PATTERN}`, 'INVALID_FORMAT');
  let size = 1024;
  while (size < 2 * list.length) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(2 * size); // per slot: k + 1 of the address there (0: empty), its hash
  for (let k = 0; k < list.length; k++) {
    const s = list[k];
    if (typeof s !== 'string' || s.length !== 42 || s.charCodeAt(0) !== 48 || s.charCodeAt(1) !== 120) throw bad(k);
    // a table lookup, not a range test: random hex digits made the test's branch a coin toss
    let h = 0x811c9dc5;
    let notHex = 0;
    for (let j = 2; j < 42; j++) {
      const ch = s.charCodeAt(j);
      notHex |= CHAR_CLASS[ch] as number;
      h = Math.imul(h ^ ch, 0x01000193);
    }
    if ((notHex & NOT_HEX) !== 0) throw bad(k);
    let at = 2 * ((h ^ (h >>> 16)) & mask);
    for (let probe = 0; ; probe++) {
      const e = table[at] as number;
      if (e === 0) {
        table[at] = k + 1;
        table[at + 1] = h;
        break;
      }
      if (table[at + 1] === h && list[e - 1] === s)
        throw new InvalidArgumentError(`nodes.addresses[${k}]`, `${JSON.stringify(s)} is listed twice`, 'DUPLICATE_ID');
      if (probe >= maxProbe) {
        dictionary(list, 'addresses', ADDRESS_PATTERN, true);
        return;
      }
      at = (at + 2) & (2 * mask + 1);
    }
  }
}

function dictionary(list: readonly string[], name: string, pattern: string, unique: boolean): void {
  if (!Array.isArray(list)) throw new InvalidArgumentError(`nodes.${name}`, 'must be a list of strings');
  const re = new RegExp(pattern);
  const seen = unique ? new Set<string>() : null;
  list.forEach((s, k) => {
    if (typeof s !== 'string' || !re.test(s)) throw new InvalidArgumentError(`nodes.${name}[${k}]`, `must match ${pattern}`, 'INVALID_FORMAT');
    if (seen !== null) {
      if (seen.has(s)) throw new InvalidArgumentError(`nodes.${name}[${k}]`, `${JSON.stringify(s)} is listed twice`, 'DUPLICATE_ID');
      seen.add(s);
    }
  });
}

/** A list column: starts from 0, never decreasing, ending at the entries' count; at most 64 a row; indices in the dictionary. */
function lists(start: Int32Array, entries: Int32Array, size: number, field: string, what: string): void {
  const n = start.length - 1;
  if (start[0] !== 0 || start[n] !== entries.length) {
    throw new InvalidArgumentError(`nodes.${field}`, `the list starts must run from 0 to the ${entries.length} entries`, 'OUT_OF_RANGE');
  }
  for (let i = 0; i < n; i++) {
    const from = start[i] as number;
    const to = start[i + 1] as number;
    if (!(to >= from && to - from <= 64)) throw new InvalidArgumentError(`nodes[${i}].${field}`, 'must list 0 to 64 entries', 'OUT_OF_RANGE');
    for (let k = from; k < to; k++) {
      const x = entries[k] as number;
      if (!(x >= 0 && x < size)) throw new InvalidArgumentError(`nodes[${i}].${field}[${k - from}]`, `${what} index ${x} is out of range`, 'OUT_OF_RANGE');
    }
  }
}
