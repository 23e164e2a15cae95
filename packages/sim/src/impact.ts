import { type EpochInput, formatTokens, type Params, paramsHash, processEpoch, ROLES } from '@swarm/core';
import { runFast } from './fast.ts';
import { SCENARIOS, type Scenario } from './world.ts';

/**
 * The simulated impact of a parameter change (SPEC §7), attached to a proposal: the last closed
 * epochs replayed under the proposed set beside the set in force — each role pool, how many nodes
 * gain or lose and by how much, the largest movers — and the incentive scenario's verdicts (each
 * cheater against its honest twin) under both. Plain JSON with amounts as decimal strings, small
 * enough to ride in the signed proposal.
 */
export type Impact = {
  current: string;
  proposed: string;
  replay: {
    epochs: number[];
    pools: { role: string; current: string; proposed: string }[];
    nodes: number;
    gaining: number;
    losing: number;
    /** Change of the total compute reward, in basis points. */
    computeChangeBp: number;
    movers: { nodeId: string; current: string; proposed: string }[];
  };
  scenario: { name: string; epochs: number; twins: { cheater: string; current: string; proposed: string; holdsNow: boolean; holdsProposed: boolean }[] };
};

export type ImpactParameters = { inputs: readonly EpochInput[]; current: Params; proposed: Params; scenario?: Scenario };

export function computeImpact(p: ImpactParameters): Impact {
  const pools = new Map<string, [bigint, bigint]>(ROLES.map((r) => [r, [0n, 0n]]));
  const perNode = new Map<string, [bigint, bigint]>();
  for (const input of p.inputs) {
    const [a, b] = [processEpoch(input, p.current), processEpoch(input, p.proposed)];
    for (const r of ROLES) {
      const x = pools.get(r) as [bigint, bigint];
      x[0] += a.pools[r].paid;
      x[1] += b.pools[r].paid;
    }
    a.nodeIds.forEach((id, i) => {
      const x = perNode.get(id) ?? [0n, 0n];
      x[0] += a.nodeRewards[i] as bigint;
      perNode.set(id, x);
    });
    b.nodeIds.forEach((id, i) => {
      const x = perNode.get(id) ?? [0n, 0n];
      x[1] += b.nodeRewards[i] as bigint;
      perNode.set(id, x);
    });
  }
  const nodes = [...perNode.entries()];
  const delta = ([, [a, b]]: [string, [bigint, bigint]]) => b - a;
  const movers = [...nodes]
    .sort((x, y) => {
      const dx = delta(x) < 0n ? -delta(x) : delta(x);
      const dy = delta(y) < 0n ? -delta(y) : delta(y);
      return dx > dy ? -1 : dx < dy ? 1 : x[0] < y[0] ? -1 : 1;
    })
    .slice(0, 5)
    .map(([nodeId, [a, b]]) => ({ nodeId, current: a.toString(), proposed: b.toString() }));
  const [c0, c1] = pools.get('compute') as [bigint, bigint];
  const scenario = p.scenario ?? (SCENARIOS.small as Scenario);
  const [now, then] = [runFast(scenario, { params: p.current }), runFast(scenario, { params: p.proposed })];
  return {
    current: paramsHash(p.current),
    proposed: paramsHash(p.proposed),
    replay: {
      epochs: p.inputs.map((i) => i.epoch),
      pools: [...pools.entries()].map(([role, [a, b]]) => ({ role, current: a.toString(), proposed: b.toString() })),
      nodes: nodes.length,
      gaining: nodes.filter((x) => delta(x) > 0n).length,
      losing: nodes.filter((x) => delta(x) < 0n).length,
      computeChangeBp: c0 === 0n ? 0 : Number(((c1 - c0) * 10_000n) / c0),
      movers,
    },
    scenario: {
      name: scenario.name,
      epochs: scenario.epochs,
      twins: now.twins.map((t, i) => {
        const u = then.twins[i] as (typeof then.twins)[number];
        return { cheater: t.cheater, current: t.marginPercent, proposed: u.marginPercent, holdsNow: t.holds, holdsProposed: u.holds };
      }),
    },
  };
}

/** The impact in a few lines, for a terminal. */
export function formatImpact(x: Impact): string {
  const lines = [
    `replayed epochs ${x.replay.epochs.join(', ') || '(none closed yet)'} under the proposed set:`,
    ...x.replay.pools
      .filter((p) => p.current !== p.proposed)
      .map((p) => `  ${p.role} pool ${formatTokens(BigInt(p.current))} → ${formatTokens(BigInt(p.proposed))}`),
    `  ${x.replay.gaining} of ${x.replay.nodes} nodes gain, ${x.replay.losing} lose; compute rewards ${x.replay.computeChangeBp >= 0 ? '+' : ''}${(x.replay.computeChangeBp / 100).toFixed(2)} %`,
    `scenario '${x.scenario.name}' (${x.scenario.epochs} epochs), each cheater against its honest twin, now → proposed:`,
    ...x.scenario.twins.map((t) => `  ${t.cheater}: ${t.current} % → ${t.proposed} %${t.holdsProposed ? '' : '  (earns more than its twin)'}`),
  ];
  return lines.join('\n');
}
