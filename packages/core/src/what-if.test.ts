import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apportion, apportionOne } from './apportion.ts';
import type { EpochInput } from './epoch-input.ts';
import { defaultParams } from './params.ts';
import { processEpoch } from './process-epoch.ts';
import { serializeNodeStatement } from './result-json.ts';
import { syntheticEpoch } from './synthetic.ts';
import { prepareWhatIf, statementOf, whatIf, whatIfPrepared } from './what-if.ts';

const params = defaultParams();

describe('apportionOne', () => {
  it("is each participant's share of the whole split, ties and zero weights included", () => {
    const weights = fc.array(fc.oneof(fc.constant(0n), fc.constant(7n), fc.bigInt({ min: 0n, max: 10n ** 30n })), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 27n }), weights, (pool, w) => {
        const all = apportion(pool, w);
        for (let i = 0; i < w.length; i++) expect(apportionOne(pool, (j) => w[j] as bigint, w.length, i)).toBe(all === null ? 0n : all[i]);
      }),
      { numRuns: 300 },
    );
  });
});

/** Changes a provider would try, valid and not; each applies to any node. */
const CHANGES: ((n: EpochInput['nodes'][number]) => Record<string, string>)[] = [
  () => ({ uptime: '0.999' }),
  () => ({ uptime: '0.5' }),
  () => ({ uptime: '0' }),
  () => ({ commitment: '365' }),
  () => ({ commitment: '0' }),
  (n) => ({ 'jobs.all.p95ResponseMs': String(n.jobs.all.p95ResponseMs * 3 + 1) }),
  () => ({ 'jobs.all.standardFailed': '0', 'jobs.all.highFailed': '0' }),
  () => ({ bond: '0' }),
  (n) => ({ bond: String(n.bond * 3n) }),
  () => ({ region: 'af-south' }),
  () => ({ probationStage: '1' }),
  () => ({ fee: '123456789000000000000' }),
  () => ({ fee: '0' }),
  () => ({ utilisation: '0.9' }),
  () => ({ gpus: '64' }),
  () => ({ rating: '4.5' }),
  () => ({ status: 'suspended' }),
  () => ({ onboarded: 'false' }),
];

describe('whatIf', () => {
  it('answers exactly what the whole epoch recomputed with the change answers, incrementally where nothing shared moves', () => {
    const methods = { incremental: 0, recomputed: 0 };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 2, max: 40 }),
        fc.nat(),
        fc.integer({ min: 0, max: CHANGES.length - 1 }),
        (seed, count, pick, c) => {
          const input = syntheticEpoch({ seed, nodes: count });
          const basis = prepareWhatIf(input, params);
          const node = input.nodes[pick % count] as EpochInput['nodes'][number];
          const changes = (CHANGES[c] as (typeof CHANGES)[number])(node);
          const run = (incremental: boolean) => {
            try {
              const r = whatIfPrepared(basis, node.id, changes, { incremental });
              return { method: r.method, before: serializeNodeStatement(r.before), after: serializeNodeStatement(r.after) };
            } catch (e) {
              return { error: (e as Error).message };
            }
          };
          const fast = run(true);
          const full = run(false);
          if ('method' in fast) methods[fast.method as keyof typeof methods]++;
          expect(full).not.toHaveProperty('method', 'incremental');
          expect({ ...fast, method: undefined }).toEqual({ ...full, method: undefined });
        },
      ),
      { numRuns: 250 },
    );
    // both paths were taken: the comparison above held the incremental one to the recompute
    expect(methods.incremental).toBeGreaterThan(50);
    expect(methods.recomputed).toBeGreaterThan(20);
  });

  it("the recompute is the epoch computed again with the node's input changed", () => {
    const input = syntheticEpoch({ seed: 7, nodes: 30 });
    const result = processEpoch(input, params);
    const node = input.nodes.find((n) => statementOf(result, n.id).reward > 0n) as EpochInput['nodes'][number];
    const half = (n: EpochInput['nodes'][number]) => {
      const upSlots = Math.floor(n.expectedSlots / 2);
      const provisioned = n.hardware.gpus.reduce((a, g) => a + g.count, 0) * upSlots * input.slotSeconds;
      return { ...n, upSlots, gpuSecondsDelivered: Math.min(n.gpuSecondsDelivered, provisioned) };
    };
    const changed = { ...input, nodes: input.nodes.map((n) => (n.id === node.id ? half(n) : n)) };
    const r = whatIf(input, params, node.id, { uptime: '0.5' });
    expect(serializeNodeStatement(r.before)).toEqual(serializeNodeStatement(statementOf(result, node.id)));
    expect(serializeNodeStatement(r.after)).toEqual(serializeNodeStatement(statementOf(processEpoch(changed, params), node.id)));
    expect(r.after.reward).toBeLessThan(r.before.reward);
  });

  it('keeps the work delivered to what the node could deliver with less uptime or fewer GPUs, never refusing the question', () => {
    const input = syntheticEpoch({ seed: 11, nodes: 12 });
    // a node that delivered everything it was up for: any lower uptime leaves it less to deliver in
    const full = input.nodes.map((n) => ({ ...n, gpuSecondsDelivered: n.hardware.gpus.reduce((a, g) => a + g.count, 0) * n.upSlots * input.slotSeconds }));
    const busy = { ...input, nodes: full };
    const node = full.find((n) => n.upSlots > 10) as EpochInput['nodes'][number];
    const upSlots = Math.floor((node.expectedSlots * 9) / 10);
    const r = whatIf(busy, params, node.id, { uptime: '0.9' });
    const gpus = node.hardware.gpus.reduce((a, g) => a + g.count, 0);
    const capped = { ...node, upSlots, gpuSecondsDelivered: Math.min(node.gpuSecondsDelivered, gpus * upSlots * input.slotSeconds) };
    const recomputed = processEpoch({ ...busy, nodes: full.map((n) => (n.id === node.id ? capped : n)) }, params);
    expect(serializeNodeStatement(r.after)).toEqual(serializeNodeStatement(statementOf(recomputed, node.id)));
    expect(() => whatIf(busy, params, node.id, { gpus: '1' })).not.toThrow();
  });

  it('names the field of a bad value and an unknown node', () => {
    const input = syntheticEpoch({ seed: 3, nodes: 5 });
    const id = (input.nodes[0] as EpochInput['nodes'][number]).id;
    expect(() => whatIf(input, params, id, { uptime: '1.5' })).toThrow(/upSlots/);
    expect(() => whatIf(input, params, id, { 'jobs.nope': '1' })).toThrow(/not a field/);
    expect(() => whatIf(input, params, 'node-x', { uptime: '1' })).toThrow(/no node/);
  });
});
