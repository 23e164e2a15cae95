import { defaultParams } from '@swarm/core';
import { runFast, SCENARIOS } from './packages/sim/src/index.ts';

const params = defaultParams();
const name = process.argv[2] ?? 'small';
const rows = new Map<string, string[]>();
for (const seed of [1, 2, 3, 4, 5]) {
  const t0 = Date.now();
  const r = runFast({ ...(SCENARIOS[name] as any), seed }, { params });
  for (const t of r.twins) rows.set(t.cheater, [...(rows.get(t.cheater) ?? []), `${t.marginPercent}${t.holds ? '' : '!'}`]);
  if (seed === 1)
    for (const a of r.archetypes.filter((a) => a.archetype.endsWith('validator') || a.archetype.includes('forger') || a.archetype.includes('grinder')))
      console.log(
        a.archetype,
        a.profit / 10n ** 18n,
        'rew',
        a.rewards / 10n ** 18n,
        'slashed',
        a.slashed / 10n ** 18n,
        'viol',
        a.violations,
        'cost',
        a.cost / 10n ** 18n,
      );
  console.error('seed', seed, Date.now() - t0, 'ms');
}
for (const [k, v] of rows) console.log(k.padEnd(24), v.join('  '));
