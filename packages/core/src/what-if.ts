import { parseWad, WAD } from './amount.ts';
import { apportionOne } from './apportion.ts';
import { checkNode, type EpochInput, type NodeInput, nodeInputSchema, usableSlots } from './epoch-input.ts';
import { InvalidArgumentError, InvariantError } from './errors.ts';
import { type NodeFootprint, nodeFootprint } from './network.ts';
import type { Params } from './params.ts';
import { type StakeStatement, stakerOrder } from './pools.ts';
import { completeStatement, computeRolePools, type EpochResult, payReferral, processEpoch } from './process-epoch.ts';
import { fieldsOf, innerOf, itemOf, kindOf, parseWith, serializeWith, type TSchema } from './schema.ts';
import { evaluateNode, type NodeStatement } from './statement.ts';
import { computeUsagePool } from './usage.ts';
import { computeNodeVesting } from './vesting.ts';

/** Names a what-if may set besides the raw input fields, each mapped onto the raw inputs. */
export const WHAT_IF_ALIASES = {
  uptime: 'fraction of the expected slots up (sets upSlots; the GPU-seconds delivered are kept to what the node could deliver up that long)',
  utilisation: 'fraction of provisioned GPU-seconds delivered (sets gpuSecondsDelivered)',
  rating: 'mean rating 1–5 (sets ratings.sum; at least one rating)',
  commitment: 'lock length in days (sets commitmentDays)',
  gpus: 'number of GPUs of the first model (sets hardware.gpus[0].count; the GPU-seconds delivered are kept to what those GPUs could deliver)',
} as const;

export type WhatIfReturnType = {
  before: NodeStatement;
  after: NodeStatement;
  /**
   * How `after` was found — always what the whole epoch recomputed with the change gives:
   * `incremental` when the change moves nothing another node's statement reads (only this node's
   * score, fee and bond weight, and the emission through the network's utilisation), so its shares
   * are taken against the stored totals in one pass; `recomputed` otherwise (the epoch again).
   */
  method: 'incremental' | 'recomputed';
};

/** A closed epoch computed once, to answer many what-ifs against (`whatIfPrepared`). */
export type WhatIfBasis = { input: EpochInput; params: Params; result: EpochResult; stakerOrder?: Int32Array };

/** Computes the epoch once for what-ifs against it. */
export function prepareWhatIf(input: EpochInput, params: Params): WhatIfBasis {
  return { input, params, result: processEpoch(input, params) };
}

/**
 * The same epoch with one node's inputs changed: its statement before and after (SPEC §4.6).
 * `changes` maps an alias (`uptime`, `utilisation`, `rating`, `commitment`, `gpus`) or any raw
 * field path of the node (`jobs.p95ResponseMs`, `hardware.gpus[0].model`, `status`) to a value.
 * The changed input is validated like any other; a bad value names the field.
 *
 * @example whatIf(input, params, 'node-0000001', { uptime: '0.999' })
 */
export function whatIf(input: EpochInput, params: Params, nodeId: string, changes: Record<string, string>): WhatIfReturnType {
  return whatIfPrepared(prepareWhatIf(input, params), nodeId, changes);
}

const NODE_SCHEMA = nodeInputSchema();

/**
 * `whatIf` against an epoch computed once. Incremental when it can be (see `method`): the node's
 * statement alone, and a pass of bigint arithmetic over the weights of a pool whose split moved;
 * `incremental: false` recomputes the epoch whatever the change (what the tests hold it to).
 */
export function whatIfPrepared(basis: WhatIfBasis, nodeId: string, changes: Record<string, string>, options: { incremental?: boolean } = {}): WhatIfReturnType {
  const { input, params, result } = basis;
  const i = indexOf(result.nodeIds, nodeId);
  const typed = result.computed.nodes[i] as NodeInput;
  const wire = serializeWith(NODE_SCHEMA, typed) as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) applyChange(wire, typed, input.slotSeconds, key, value);
  const changed = parseWith(NODE_SCHEMA, wire, `nodes[${i}]`) as NodeInput;
  checkNode(changed, i, usableSlots(input), input.slotSeconds, params);
  const before = result.statement(i);
  const incremental = options.incremental === false ? null : afterIncrementally(basis, i, changed, before);
  if (incremental !== null) return { before, after: incremental, method: 'incremental' };
  const nodes = result.computed.nodes.slice();
  nodes[i] = changed;
  return { before, after: statementOf(processEpoch({ ...input, nodes }, params), changed.id), method: 'recomputed' };
}

/**
 * Node `i`'s statement with `changed` as its input, when the change leaves every other node's
 * statement as it was (`nodeFootprint`); null otherwise. The pools are split again only where
 * the node's weight in them or the pool itself moved: its share is its floor plus a leftover unit
 * by rank (`apportionOne`), exactly what the whole split gives.
 */
function afterIncrementally(basis: WhatIfBasis, i: number, changed: NodeInput, before: NodeStatement): NodeStatement | null {
  const { input, params, result } = basis;
  const { nodes, context: ctx, scores, fees, bondWeights } = result.computed;
  const t = ctx.totals;
  const node = nodes[i] as NodeInput;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (changed.id !== node.id || changed.owner !== node.owner || changed.providerClass !== node.providerClass) return null;
  if (changed.jobs.independent.ratingSum !== node.jobs.independent.ratingSum || !same(changed.measured, node.measured)) return null;
  const used = clusterUsedBefore(nodes, t, i);
  const was = nodeFootprint(node, used, input.slotSeconds, t.ranked, params.compute);
  const now = nodeFootprint(changed, used, input.slotSeconds, t.ranked, params.compute);
  if (was.counted !== t.counted[i]) throw new InvariantError('what-if: the first pass disagrees with the node', node.id);
  if (was.active !== now.active || was.counted !== now.counted || was.hardwareClass !== now.hardwareClass || was.ratingWeight !== now.ratingWeight) return null;
  if (was.active && !same(was.scarcity, now.scarcity)) return null;

  // the node alone against the epoch's totals, then the emission from the utilisation it moved
  const one = {
    ...ctx,
    totals: {
      ...t,
      counted: Int32Array.of(now.counted),
      capReasons: [now.capReasons],
      classes: [now.hardwareClass],
      hostSharing: Int32Array.of(t.hostSharing[i] as number),
      ownerOf: Int32Array.of(t.ownerOf[i] as number),
      scarcityOf: Int32Array.of(t.scarcityOf[i] as number),
    },
  };
  const s = evaluateNode(one, changed, 0);
  const part = (f: NodeFootprint, k: 'delivered' | 'provisioned') => (f.active ? BigInt(f.utilisation[k]) : 0n);
  const utilisation = {
    delivered: t.utilisation.delivered - part(was, 'delivered') + part(now, 'delivered'),
    provisioned: t.utilisation.provisioned - part(was, 'provisioned') + part(now, 'provisioned'),
  };
  const { emission, rolePool } = computeRolePools(input, utilisation, params);
  const samePools = emission.epochPool === result.emission.epochPool && emission.dynamicFactor === result.emission.dynamicFactor;

  // the compute pool: usage by eligible fees, capacity by scores (SPEC §4.4)
  const n = nodes.length;
  const fee = s.eligible ? s.fee : 0n;
  const usagePool = computeUsagePool(rolePool.compute, emission.dynamicFactor, result.usagePool.fees - (fees[i] as bigint) + fee, params.compute);
  const usageReward =
    samePools && fee === fees[i]
      ? before.usageReward
      : usagePool.pool > 0n
        ? apportionOne(usagePool.pool, (j) => (j === i ? fee : (fees[j] as bigint)), n, i)
        : 0n;
  const capacityReward =
    samePools && s.score === scores[i] && usagePool.pool === result.usagePool.pool
      ? before.capacityReward
      : apportionOne(rolePool.compute - usagePool.pool, (j) => (j === i ? s.score : (scores[j] as bigint)), n, i);
  const { reward } = payReferral(ctx, changed, capacityReward + usageReward);

  // the staker pool: its bond among the bonds and stakes (SPEC §4.5)
  let bondReward = before.bondReward;
  if (!samePools || s.bondWeight !== bondWeights[i]) {
    basis.stakerOrder ??= stakerOrder(result.nodeIds, result.stakes);
    const order = basis.stakerOrder;
    const weightAt = (k: number) => {
      const x = order[k] as number;
      return x === i ? s.bondWeight : x >= 0 ? (bondWeights[x] as bigint) : (result.stakes[-x - 1] as StakeStatement).weight;
    };
    bondReward = apportionOne(rolePool.stakers, weightAt, order.length, order.indexOf(i));
  }
  const vesting = computeNodeVesting(reward, changed.vesting, params.vesting);
  return completeStatement(s, { capacityReward, usageReward, reward, bondReward, vesting });
}

/** What node `i`'s owner's active nodes before it (in id order) counted toward its cluster cap. */
function clusterUsedBefore(nodes: readonly NodeInput[], t: { ownerOf: Int32Array; counted: Int32Array }, i: number): number {
  const owner = t.ownerOf[i] as number;
  let used = 0;
  for (let j = 0; j < i; j++) if (t.ownerOf[j] === owner && (nodes[j] as NodeInput).status === 'active') used += t.counted[j] as number;
  return used;
}

/** Node `id`'s index in the ascending ids. */
function indexOf(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = ids[mid] as string;
    if (x === id) return mid;
    if (x < id) lo = mid + 1;
    else hi = mid - 1;
  }
  throw new InvalidArgumentError('node', `no node ${JSON.stringify(id)} in this epoch`, 'UNKNOWN_NODE');
}

function applyChange(node: Record<string, unknown>, typed: NodeInput, slotSeconds: number, key: string, value: string): void {
  const gpus = typed.hardware.gpus.reduce((a, g) => a + g.count, 0);
  const frac = () => parseWad(value, key);
  switch (key) {
    case 'uptime':
      node.upSlots = Number((BigInt(typed.expectedSlots) * frac()) / WAD);
      capDelivered(node, gpus, slotSeconds);
      return;
    case 'utilisation':
      node.gpuSecondsDelivered = Number((BigInt(gpus * (node.upSlots as number) * slotSeconds) * frac()) / WAD);
      return;
    case 'rating': {
      // every paid job rated `value` (1–5), by independent consumers; a node without jobs is given a nominal one
      const rated = (j: NodeInput['jobs']['all']) => {
        const paid = j.standard + j.high > 0n ? j.standard + j.high : WAD;
        return { ...j, standard: j.standard + j.high > 0n ? j.standard : WAD, ratingSum: (paid * frac()) / WAD };
      };
      const all = rated(typed.jobs.all);
      const wireStats = (j: typeof all) => ({
        ...j,
        standard: j.standard.toString(),
        standardFailed: j.standardFailed.toString(),
        high: j.high.toString(),
        highFailed: j.highFailed.toString(),
        ratingSum: j.ratingSum.toString(),
      });
      node.jobs = { all: wireStats(all), independent: wireStats(all) };
      return;
    }
    case 'commitment':
      setPath(node, 'commitmentDays', value);
      return;
    case 'gpus':
      setPath(node, 'hardware.gpus[0].count', value);
      capDelivered(
        node,
        (node.hardware as NodeInput['hardware']).gpus.reduce((a, g) => a + Number(g.count), 0),
        slotSeconds,
      );
      return;
    default:
      setPath(node, key, value);
  }
}

/**
 * Fewer up slots or GPUs than the node had leave it less to have delivered in: the work it did is
 * kept up to what it could have done up that long with those GPUs (SPEC §3.3's provisioned
 * GPU-seconds) — a provider asking "what if my uptime were 99 %" means the same node, not an
 * input the engine refuses.
 */
function capDelivered(node: Record<string, unknown>, gpus: number, slotSeconds: number): void {
  const provisioned = gpus * (node.upSlots as number) * slotSeconds;
  if ((node.gpuSecondsDelivered as number) > provisioned) node.gpuSecondsDelivered = provisioned;
}

/** Sets a raw field of the node's wire form, converting `value` to that field's wire type. */
function setPath(node: Record<string, unknown>, path: string, value: string): void {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let schema = NODE_SCHEMA;
  let target: Record<string, unknown> | unknown[] = node;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (kindOf(schema) === 'nullable') schema = innerOf(schema);
    const next = fieldsOf(schema)?.[part] ?? (/^\d+$/.test(part) ? itemOf(schema) : undefined);
    if (next === undefined) throw new InvalidArgumentError(path, 'is not a field of a node', 'UNKNOWN_FIELD');
    if (i === parts.length - 1) {
      (target as Record<string, unknown>)[part] = toWire(next, value, path);
      return;
    }
    const child = (target as Record<string, unknown>)[part];
    if (child === null || typeof child !== 'object') throw new InvalidArgumentError(path, 'does not exist on this node', 'UNKNOWN_FIELD');
    target = child as Record<string, unknown>;
    schema = next;
  }
}

function toWire(schema: TSchema, value: string, path: string): unknown {
  switch (kindOf(schema)) {
    case 'nullable':
      return value === 'null' ? null : toWire(innerOf(schema), value, path);
    case 'integer':
      if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(path, `must be an integer, got ${JSON.stringify(value)}`, 'INVALID_TYPE');
      return Number(value);
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw new InvalidArgumentError(path, 'must be true or false', 'INVALID_TYPE');
      return value === 'true';
    case 'array':
      return value === '' ? [] : value.split(',');
    case 'obj':
    case 'map':
      throw new InvalidArgumentError(path, 'is a group of fields; set one of its members', 'INVALID_TYPE');
    default:
      return value;
  }
}

/** The statement of node `id` in a result. */
export function statementOf(result: EpochResult, id: string): NodeStatement {
  const i = result.nodeIds.indexOf(id);
  if (i < 0) throw new InvalidArgumentError('node', `no node ${JSON.stringify(id)} in this epoch`, 'UNKNOWN_NODE');
  return result.statement(i);
}
