import type { NodeInput } from './epoch-input.ts';
import { InvariantError } from './errors.ts';
import { computeGpuAllowance, countGpus, hardwareClass, rankModels } from './hardware.ts';
import { type Params, PROVIDER_CLASSES, type ProviderClass } from './params.ts';
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
  /** Scarcity of each hardware class met among active nodes (§4.4). */
  scarcity: Map<string, { factor: bigint; clipped: boolean }>;
  classRatings: Record<ProviderClass, ClassRatings>;
};

/**
 * The first pass over an epoch's nodes, in id order: each node's counted GPUs under the per-node and
 * per-cluster caps (a cluster is all of an owner's active nodes, counted in id order, §3.1), and
 * the network's totals the per-node rules read — utilisation for the dynamic factor (§4.2), each
 * hardware class's usage for scarcity (§4.4), and each provider class's ratings for `P` (§4.4).
 *
 * @example const totals = computeNetworkTotals(input.nodes, input.slotSeconds, params)
 */
export function computeNetworkTotals(nodes: readonly NodeInput[], slotSeconds: number, params: Params): NetworkTotals {
  const cp = params.compute;
  const ranked = rankModels(cp.gpuUnits);
  const counted = new Int32Array(nodes.length);
  const capReasons: (readonly ReasonCode[])[] = new Array(nodes.length);
  const classes = new Array<string>(nodes.length);
  const { owners, ownerOf, ownerIndex } = indexOwners(nodes);
  const clusterUsed = new Float64Array(owners.length);
  const utilisation = usageSum();
  const network = usageSum();
  const byClass = new Map<string, UsageSum>();
  const ratings = Object.fromEntries(PROVIDER_CLASSES.map((c) => [c, { count: new ExactSum(), sum: new ExactSum() }])) as Record<
    ProviderClass,
    { count: ExactSum; sum: ExactSum }
  >;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as NodeInput;
    const gpus = countGpus(n.hardware.gpus);
    const active = n.status === 'active';
    const owner = ownerOf[i] as number;
    const used = clusterUsed[owner] as number;
    const allowance = computeGpuAllowance(gpus, used, active, cp);
    counted[i] = allowance.counted;
    capReasons[i] = allowance.reasons;
    classes[i] = hardwareClass(n.hardware.gpus, allowance.counted, ranked, cp.gpuUnits);
    if (active) {
      clusterUsed[owner] = used + allowance.counted;
      utilisation.delivered.add(n.gpuSecondsDelivered);
      utilisation.provisioned.add(gpus * n.upSlots * slotSeconds);
      const usage = scarcityUsage(allowance.counted, n.expectedSlots, slotSeconds, n.gpuSecondsDelivered);
      let sum = byClass.get(classes[i] as string);
      if (sum === undefined) byClass.set(classes[i] as string, (sum = usageSum()));
      sum.delivered.add(usage.delivered);
      sum.provisioned.add(usage.provisioned);
      network.delivered.add(usage.delivered);
      network.provisioned.add(usage.provisioned);
    }
    if (n.ratings.count > 0) {
      const r = ratings[n.providerClass];
      r.count.add(n.ratings.count);
      r.sum.add(n.ratings.sum);
    }
  }
  const classRatings = Object.fromEntries(PROVIDER_CLASSES.map((c) => [c, { count: ratings[c].count.value, sum: ratings[c].sum.value }])) as Record<
    ProviderClass,
    ClassRatings
  >;
  const networkUsage = usageOf(network);
  const scarcity = new Map([...byClass].map(([cls, usage]) => [cls, computeScarcity(usageOf(usage), networkUsage, cp)]));
  return { ranked, counted, capReasons, classes, owners, ownerOf, ownerIndex, utilisation: usageOf(utilisation), scarcity, classRatings };
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
