import { parseWad, WAD } from './amount.ts';
import { type EpochInput, epochInputSchema, type NodeInput, parseEpochInput, serializeEpochInput } from './epoch-input.ts';
import { InvalidArgumentError } from './errors.ts';
import type { Params } from './params.ts';
import { type EpochResult, processEpoch } from './process-epoch.ts';
import { fieldsOf, innerOf, itemOf, kindOf, type TSchema } from './schema.ts';
import type { NodeStatement } from './statement.ts';

/** Names a what-if may set besides the raw input fields, each mapped onto the raw inputs. */
export const WHAT_IF_ALIASES = {
  uptime: 'fraction of the expected slots up (sets upSlots)',
  utilisation: 'fraction of provisioned GPU-seconds delivered (sets gpuSecondsDelivered)',
  rating: 'mean rating 1–5 (sets ratings.sum; at least one rating)',
  commitment: 'lock length in days (sets commitmentDays)',
  gpus: 'number of GPUs of the first model (sets hardware.gpus[0].count)',
} as const;

export type WhatIfReturnType = { before: NodeStatement; after: NodeStatement; input: EpochInput };

/**
 * The same epoch with one node's inputs changed: its statement before and after (SPEC §4.6).
 * `changes` maps an alias (`uptime`, `utilisation`, `rating`, `commitment`, `gpus`) or any raw
 * field path of the node (`jobs.p95ResponseMs`, `hardware.gpus[0].model`, `status`) to a value.
 * The changed input is validated like any other; a bad value names the field.
 *
 * @example whatIf(input, params, 'node-0000001', { uptime: '0.999' })
 */
export function whatIf(input: EpochInput, params: Params, nodeId: string, changes: Record<string, string>): WhatIfReturnType {
  const index = input.nodes.findIndex((n) => n.id === nodeId);
  if (index < 0) throw new InvalidArgumentError('node', `no node ${JSON.stringify(nodeId)} in this epoch`, 'UNKNOWN_NODE');
  const before = statementOf(processEpoch(input, params), nodeId);
  const wire = serializeEpochInput(input) as { nodes: Record<string, unknown>[] };
  const node = wire.nodes[index] as Record<string, unknown>;
  const typed = input.nodes[index] as NodeInput;
  for (const [key, value] of Object.entries(changes)) applyChange(node, typed, input.slotSeconds, key, value);
  const changed = parseEpochInput(wire, params);
  const after = statementOf(processEpoch(changed, params), nodeId);
  return { before, after, input: changed };
}

function applyChange(node: Record<string, unknown>, typed: NodeInput, slotSeconds: number, key: string, value: string): void {
  const gpus = typed.hardware.gpus.reduce((a, g) => a + g.count, 0);
  const frac = () => parseWad(value, key);
  switch (key) {
    case 'uptime':
      node.upSlots = Number((BigInt(typed.expectedSlots) * frac()) / WAD);
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
      return;
    default:
      setPath(node, key, value);
  }
}

/** Sets a raw field of the node's wire form, converting `value` to that field's wire type. */
function setPath(node: Record<string, unknown>, path: string, value: string): void {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let schema = itemOf(fieldsOf(epochInputSchema)?.nodes as TSchema) as TSchema;
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
