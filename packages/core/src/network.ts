import type { NodeInput, OwnerClassUsage } from './epoch-input.ts';
import { InvalidArgumentError, InvariantError } from './errors.ts';
import { computeGpuAllowance, countGpus, hardwareClass, rankModels } from './hardware.ts';
import { type Params, PROVIDER_CLASSES, type ProviderClass } from './params.ts';
import { cmp } from './pools.ts';
import type { ClassRatings } from './quality.ts';
import type { ReasonCode } from './reasons.ts';
import { computeScarcity, scarcityUsage, type Usage } from './valuation.ts';

/**
 * An exact sum of non-negative safe integers (GPU-seconds, ratings): added as numbers, carried into
 * a bigint before the number part could leave the exact range. Every input the schema admits is a
 * safe integer (a node's GPUs × an epoch's seconds stays below 2^51), so nothing valid is refused.
 */
class ExactSum {
  private big = 0n;
  private small = 0;
  add(x: number): void {
    if (!(x >= 0 && Number.isSafeInteger(x))) throw new InvariantError('a count out of the exact range', String(x));
    if (this.small > Number.MAX_SAFE_INTEGER - x) {
      this.big += BigInt(this.small);
      this.small = 0;
    }
    this.small += x;
  }
  get value(): bigint {
    return this.big + BigInt(this.small);
  }
}

type UsageSum = { delivered: ExactSum; provisioned: ExactSum };
const usageSum = (): UsageSum => ({ delivered: new ExactSum(), provisioned: new ExactSum() });
const usageOf = (s: UsageSum): Usage => ({ delivered: s.delivered.value, provisioned: s.provisioned.value });

/**
 * Usage summed per (owner, hardware class), keyed by the owner's index and a small class index
 * instead of a string per node. A pair's sums stay exact as numbers: an owner's active GPUs are
 * held under the cluster cap, so a pair is at most that cap × the epoch's seconds.
 */
class OwnerClassPairs {
  readonly classIndex = new Map<string, number>();
  readonly classNames: string[] = [];
  private readonly index = new Map<number, number>();
  readonly owner: number[] = [];
  readonly cls: number[] = [];
  readonly delivered: number[] = [];
  readonly provisioned: number[] = [];

  /** The index of a hardware class, given one if it has none yet. */
  classOf(hardwareClass: string): number {
    let c = this.classIndex.get(hardwareClass);
    if (c === undefined) {
      c = this.classNames.length;
      // a pair's key is owner × 65,536 + class: more classes would alias another owner's
      if (c >= 65_536) throw new InvalidArgumentError('scarcityHistory', 'more than 65,536 hardware classes', 'OUT_OF_RANGE');
      this.classIndex.set(hardwareClass, c);
      this.classNames.push(hardwareClass);
    }
    return c;
  }

  /** The pair of (owner index, class), or −1. */
  find(owner: number, hardwareClass: string): number {
    const c = this.classIndex.get(hardwareClass);
    return c === undefined ? -1 : (this.index.get(owner * 65_536 + c) ?? -1);
  }

  /** Adds usage to (owner index, class); returns the pair's index. */
  add(owner: number, hardwareClass: string, u: { delivered: number; provisioned: number }): number {
    const c = this.classOf(hardwareClass);
    const key = owner * 65_536 + c;
    let k = this.index.get(key);
    if (k === undefined) {
      k = this.owner.length;
      this.index.set(key, k);
      this.owner.push(owner);
      this.cls.push(c);
      this.delivered.push(0);
      this.provisioned.push(0);
    }
    this.delivered[k] = (this.delivered[k] as number) + u.delivered;
    this.provisioned[k] = (this.provisioned[k] as number) + u.provisioned;
    return k;
  }

  /** Every pair's usage, by owner then class. */
  sorted(owners: readonly string[]): OwnerClassUsage[] {
    const order = Array.from(this.owner.keys());
    order.sort(
      (a, b) =>
        cmp(owners[this.owner[a] as number] as string, owners[this.owner[b] as number] as string) ||
        cmp(this.classNames[this.cls[a] as number] as string, this.classNames[this.cls[b] as number] as string),
    );
    return order.map((k) => {
      const provisioned = this.provisioned[k] as number;
      if (!Number.isSafeInteger(provisioned)) throw new InvariantError('an owner and class usage out of the exact range', String(provisioned));
      return {
        owner: owners[this.owner[k] as number] as string,
        hardwareClass: this.classNames[this.cls[k] as number] as string,
        delivered: this.delivered[k] as number,
        provisioned,
      };
    });
  }
}

export type NetworkTotals = {
  /** GPU models, most valuable first. */
  ranked: string[];
  /** Each node's GPUs under the caps, the caps that bound, and its hardware class (in the nodes' order). */
  counted: Int32Array;
  capReasons: (readonly ReasonCode[])[];
  classes: string[];
  /** The payout addresses in order of first appearance, and each node's index into them. */
  owners: string[];
  ownerOf: Int32Array;
  ownerIndex: Map<string, number>;
  /** Delivered and provisioned (GPUs × up-seconds) over active nodes: the dynamic factor's utilisation (§4.2). */
  utilisation: Usage;
  /** Scarcity of each (owner, hardware class) met among active nodes, leaving that owner out (§4.4), and which of them each node reads (−1: none, its factor is 1). */
  scarcity: { factor: bigint; clipped: boolean }[];
  scarcityOf: Int32Array;
  /** How many of the epoch's nodes were measured on each node's host (1 without a measured host): they share its CPUs and NVMe (§3.1). */
  hostSharing: Int32Array;
  /** Per owner (by `ownerIndex`): the counted GPUs of its measured nodes and the RAM of their hosts, each host once — what backs its provider class (§3.1). */
  ownerMeasured: { gpus: number; ramGb: number }[];
  /** This epoch's usage per owner and hardware class (active nodes), for the next epochs' trailing window. */
  ownerClassUsage: OwnerClassUsage[];
  classRatings: Record<ProviderClass, ClassRatings>;
};

/**
 * The first pass over an epoch's nodes, in id order: each node's counted GPUs under the per-node and
 * per-cluster caps (a cluster is all of an owner's active nodes, counted in id order, §3.1), and
 * the network's totals the per-node rules read — utilisation for the dynamic factor (§4.2), the
 * scarcity of each hardware class as each owner sees it (leaving itself out, over the trailing
 * window of `history`, §4.4), and each provider class's ratings from independent keys for `P` (§4.4).
 *
 * @example const totals = computeNetworkTotals(input.nodes, input.slotSeconds, params, input.scarcityHistory)
 */
export function computeNetworkTotals(
  nodes: readonly NodeInput[],
  slotSeconds: number,
  params: Params,
  history: readonly OwnerClassUsage[] = [],
): NetworkTotals {
  const cp = params.compute;
  const ranked = rankModels(cp.gpuUnits);
  const counted = new Int32Array(nodes.length);
  const capReasons: (readonly ReasonCode[])[] = new Array(nodes.length);
  const classes = new Array<string>(nodes.length);
  const { owners, ownerOf, ownerIndex } = indexOwners(nodes);
  const clusterUsed = new Float64Array(owners.length);
  const utilisation = usageSum();
  const pairs = new OwnerClassPairs(); // this epoch's scarcity usage, per owner and class
  const scarcityOf = new Int32Array(nodes.length).fill(-1);
  const ratings = Object.fromEntries(PROVIDER_CLASSES.map((c) => [c, { weight: 0n, sum: 0n }])) as Record<ProviderClass, ClassRatings>;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as NodeInput;
    const owner = ownerOf[i] as number;
    const f = nodeFootprint(n, clusterUsed[owner] as number, slotSeconds, ranked, cp);
    counted[i] = f.counted;
    capReasons[i] = f.capReasons;
    classes[i] = f.hardwareClass;
    if (f.active) {
      clusterUsed[owner] = (clusterUsed[owner] as number) + f.counted;
      utilisation.delivered.add(f.utilisation.delivered);
      utilisation.provisioned.add(f.utilisation.provisioned);
      scarcityOf[i] = pairs.add(owner, f.hardwareClass, f.scarcity);
    }
    const r = ratings[n.providerClass];
    r.weight += f.ratingWeight;
    r.sum += n.jobs.independent.ratingSum;
  }
  // an inactive node reads its owner's factor for its class, if the owner's active nodes met one
  for (let i = 0; i < nodes.length; i++) if (scarcityOf[i] === -1) scarcityOf[i] = pairs.find(ownerOf[i] as number, classes[i] as string);
  const ownerClassUsage = pairs.sorted(owners);
  const scarcity = computeOwnerScarcity(pairs, owners.length, ownerIndex, history, cp);
  return {
    ranked,
    counted,
    capReasons,
    classes,
    owners,
    ownerOf,
    ownerIndex,
    utilisation: usageOf(utilisation),
    scarcity,
    scarcityOf,
    hostSharing: countHostSharing(nodes),
    ownerMeasured: sumOwnerMeasured(nodes, counted, ownerOf, owners.length),
    ownerClassUsage,
    classRatings: ratings,
  };
}

/** What one node adds to the network's totals, given what its owner's active nodes before it (in id order) counted. */
export type NodeFootprint = {
  active: boolean;
  /** Its GPUs under the per-node and cluster caps, the caps that bound, and its hardware class. */
  counted: number;
  capReasons: readonly ReasonCode[];
  hardwareClass: string;
  /** Delivered and provisioned GPU-seconds toward the network's utilisation (§4.2): counted only while active. */
  utilisation: { delivered: number; provisioned: number };
  /** Its usage toward its (owner, class) scarcity (§4.4): counted only while active. */
  scarcity: { delivered: number; provisioned: number };
  /** Its independent paid jobs, the weight of its ratings in its provider class's `P` (§4.4). */
  ratingWeight: bigint;
};

/**
 * A node's part in `computeNetworkTotals`, its one reading of the node. Besides this, the totals
 * read only the node's `owner`, `providerClass`, `jobs.independent.ratingSum` and `measured`
 * (host sharing and owner backing): a change that leaves all of these and everything here but
 * `utilisation` as they were leaves every other node's statement as it was (what the what-if's
 * incremental path relies on, `whatIfPrepared`).
 */
export function nodeFootprint(n: NodeInput, clusterUsed: number, slotSeconds: number, ranked: readonly string[], cp: Params['compute']): NodeFootprint {
  const gpus = countGpus(n.hardware.gpus);
  const active = n.status === 'active';
  const allowance = computeGpuAllowance(gpus, clusterUsed, active, cp);
  return {
    active,
    counted: allowance.counted,
    capReasons: allowance.reasons,
    hardwareClass: hardwareClass(n.hardware.gpus, allowance.counted, ranked, cp.gpuUnits),
    utilisation: { delivered: n.gpuSecondsDelivered, provisioned: gpus * n.upSlots * slotSeconds },
    scarcity: scarcityUsage(allowance.counted, n.expectedSlots, slotSeconds, n.gpuSecondsDelivered),
    ratingWeight: n.jobs.independent.standard + n.jobs.independent.high,
  };
}

/** Each owner's counted GPUs on measured nodes, and the RAM of the distinct hosts they were measured on. */
function sumOwnerMeasured(nodes: readonly NodeInput[], counted: Int32Array, ownerOf: ArrayLike<number>, owners: number): { gpus: number; ramGb: number }[] {
  const out = Array.from({ length: owners }, () => ({ gpus: 0, ramGb: 0 }));
  const seen = new Set<string>();
  nodes.forEach((n, i) => {
    if (!n.measured) return;
    const o = out[ownerOf[i] as number] as { gpus: number; ramGb: number };
    o.gpus += counted[i] as number;
    const host = `${ownerOf[i]}/${n.measured.hostId}`;
    if (!seen.has(host)) {
      seen.add(host);
      o.ramGb += n.measured.ramGb;
    }
  });
  return out;
}

/** For each node, how many of the nodes were measured on its host (1 without a measured host). */
function countHostSharing(nodes: readonly NodeInput[]): Int32Array {
  const perHost = new Map<string, number>();
  for (const n of nodes) if (n.measured) perHost.set(n.measured.hostId, (perHost.get(n.measured.hostId) ?? 0) + 1);
  return Int32Array.from(nodes, (n) => (n.measured ? (perHost.get(n.measured.hostId) as number) : 1));
}

/**
 * Scarcity as each owner sees it (SPEC §4.4): "`V_class = clamp(util_class / util_network, 0.7,
 * 1.5)` … with `util_class` leaving out the node's own owner and taken over the trailing window"
 * — the network's utilisation leaves the owner out too, so no owner can move its own factor.
 * `now` is this epoch's usage per owner and class, `history` the window's earlier epochs.
 */
function computeOwnerScarcity(
  pairs: OwnerClassPairs,
  owners: number,
  ownerIndex: ReadonlyMap<string, number>,
  history: readonly OwnerClassUsage[],
  cp: Params['compute'],
): { factor: bigint; clipped: boolean }[] {
  // per class and over the network as bigints (few of them); per owner and per pair as numbers,
  // within the exact range for the reason `OwnerClassPairs` gives (times the window)
  const byClass: UsageSum[] = [];
  const network = usageSum();
  const ownerDelivered = new Float64Array(owners);
  const ownerProvisioned = new Float64Array(owners);
  const n = pairs.owner.length;
  const ownDelivered = Float64Array.from(pairs.delivered); // the pair's usage over the window: what it leaves out of its class
  const ownProvisioned = Float64Array.from(pairs.provisioned);
  const add = (c: number, owner: number, delivered: number, provisioned: number) => {
    const cls = (byClass[c] ??= usageSum());
    cls.delivered.add(delivered);
    cls.provisioned.add(provisioned);
    network.delivered.add(delivered);
    network.provisioned.add(provisioned);
    if (owner >= 0) {
      ownerDelivered[owner] = (ownerDelivered[owner] as number) + delivered;
      ownerProvisioned[owner] = (ownerProvisioned[owner] as number) + provisioned;
    }
  };
  for (let k = 0; k < n; k++) add(pairs.cls[k] as number, pairs.owner[k] as number, pairs.delivered[k] as number, pairs.provisioned[k] as number);
  for (const u of history) {
    // an owner without a node this epoch counts toward its class and the network, and needs no factor
    const owner = ownerIndex.get(u.owner) ?? -1;
    add(pairs.classOf(u.hardwareClass), owner, u.delivered, u.provisioned);
    const k = owner < 0 ? -1 : pairs.find(owner, u.hardwareClass);
    if (k >= 0) {
      ownDelivered[k] = (ownDelivered[k] as number) + u.delivered;
      ownProvisioned[k] = (ownProvisioned[k] as number) + u.provisioned;
    }
  }
  const classes = byClass.map(usageOf);
  const total = usageOf(network);
  const out = new Array<{ factor: bigint; clipped: boolean }>(n);
  for (let k = 0; k < n; k++) {
    const owner = pairs.owner[k] as number;
    const cls = classes[pairs.cls[k] as number] as Usage;
    if (!Number.isSafeInteger(ownerProvisioned[owner]) || !Number.isSafeInteger(ownProvisioned[k]))
      throw new InvariantError('an owner usage out of the exact range', String(ownerProvisioned[owner]));
    const others = { delivered: cls.delivered - BigInt(ownDelivered[k] as number), provisioned: cls.provisioned - BigInt(ownProvisioned[k] as number) };
    const rest = {
      delivered: total.delivered - BigInt(ownerDelivered[owner] as number),
      provisioned: total.provisioned - BigInt(ownerProvisioned[owner] as number),
    };
    out[k] = computeScarcity(others, rest, cp);
  }
  return out;
}

/** The nodes' payout addresses in order of first appearance, and each node's index into them. */
function indexOwners(nodes: readonly NodeInput[]): { owners: string[]; ownerOf: Int32Array; ownerIndex: Map<string, number> } {
  const index = new Map<string, number>();
  const owners: string[] = [];
  const ownerOf = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const owner = (nodes[i] as NodeInput).owner;
    let k = index.get(owner);
    if (k === undefined) {
      k = owners.length;
      index.set(owner, k);
      owners.push(owner);
    }
    ownerOf[i] = k;
  }
  return { owners, ownerOf, ownerIndex: index };
}
