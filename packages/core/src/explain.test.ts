import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatWad } from './amount.ts';
import { parseNodeInput, serializeEpochInput } from './epoch-input.ts';
import { computeTotalsOf, explainStatement } from './explain.ts';
import { defaultParams } from './params.ts';
import { processEpoch } from './process-epoch.ts';
import { parseNodeStatement, serializeNodeStatement } from './result-json.ts';
import { syntheticEpoch } from './synthetic.ts';

const params = defaultParams();

describe('explainStatement', () => {
  it("multiplies back to every node's tokens: pool × share, floored, plus at most the largest remainder's unit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 40 }), (seed, count) => {
        const input = syntheticEpoch({ seed, nodes: count });
        const r = processEpoch(input, params);
        const totals = computeTotalsOf(r);
        let capacity = 0n;
        for (const [i, node] of input.nodes.entries()) {
          const s = r.statement(r.nodeIds.indexOf(node.id));
          // what the store keeps reads back exactly: the API explains from the stored forms
          expect(parseNodeStatement(serializeNodeStatement(s))).toEqual({ ...s, reasons: [...s.reasons] });
          const wire = (serializeEpochInput(input).nodes as unknown[])[i];
          expect(parseNodeInput(wire)).toEqual(node);
          const x = explainStatement(parseNodeInput(wire), parseNodeStatement(serializeNodeStatement(s)), params, totals);
          const floor = BigInt(x.capacity.floor);
          expect(BigInt(x.capacity.reward) - floor, `${i} capacity`).toBe(x.capacity.remainderUnit ? 1n : 0n);
          expect(BigInt(x.usage.reward) - BigInt(x.usage.floor), `${i} usage`).toBe(x.usage.remainderUnit ? 1n : 0n);
          expect(BigInt(x.capacity.reward) + BigInt(x.usage.reward) - BigInt(x.referral)).toBe(s.reward);
          expect(BigInt(x.reward)).toBe(s.reward);
          capacity += s.capacityReward;
          // every reason of the statement explained, in its order
          expect(x.reasons.map((y) => y.code)).toEqual([...s.reasons]);
        }
        if (totals.scoreTotal > 0n) expect(capacity).toBe(totals.computePool - totals.usagePool);
      }),
      { numRuns: 60 },
    );
  });

  it('names the target and the value behind a reduced uptime, and the share behind the reward', () => {
    const input = syntheticEpoch({ seed: 5, nodes: 20 });
    // one node up 97 % of its slots: below every SLA class's target, above the no-reward floor of the minimum class
    const i = input.nodes.findIndex((x) => x.slaClass === 'minimum' && x.expectedSlots >= 100);
    const node = input.nodes[i] as (typeof input.nodes)[number];
    const up = Math.floor((node.expectedSlots * 97) / 100);
    const gpus = node.hardware.gpus.reduce((a, g) => a + g.count, 0);
    const changed = { ...node, upSlots: up, gpuSecondsDelivered: Math.min(node.gpuSecondsDelivered, gpus * up * input.slotSeconds) };
    const epoch = { ...input, nodes: input.nodes.map((x, k) => (k === i ? changed : x)) };
    const r = processEpoch(epoch, params);
    const s = r.statement(r.nodeIds.indexOf(node.id));
    const x = explainStatement(changed, s, params, computeTotalsOf(r));
    const uptime = x.reasons.find((y) => y.code === 'UPTIME_BELOW_TARGET');
    expect(uptime?.words).toMatch(/below the SLA class target/);
    const target = params.compute.sla.minimum.availability;
    expect(uptime?.numbers).toContainEqual({ label: 'SLA minimum target', value: `${formatWad(target * 100n)} %` });
    expect(uptime?.numbers).toContainEqual({ label: 'slots up / expected', value: `${up} / ${node.expectedSlots}` });
    expect(x.quality.find((f) => f.name === 'U')?.value).toBe((Number(s.quality.uptime) / 1e18).toString());
  });
});
