import { formatTokens, type Params, paramsHash, TOKEN } from '@swarm/core';
import { type Archetype, CHEATERS, DESCRIPTIONS, NO_GAIN, type Operator, type Scenario, TWINS } from './world.ts';

/**
 * What a run measured, per operator and per epoch, and the report made of it: each archetype's
 * profit (rewards + fees + compensation − what it paid itself − power − slashes), its share of the
 * rewards against its share of real contribution, the Gini of reward per unit of contribution,
 * every cheater against its honest twin, and supply, inflation and treasury over time.
 */
export type Account = {
  id: string;
  archetype: Archetype;
  nodes: number;
  gpus: number;
  rewards: bigint;
  fees: bigint;
  compensation: bigint;
  selfPaid: bigint;
  cost: bigint;
  slashed: bigint;
  violations: number;
  /** Providers: CU-seconds of real contribution (SPEC §4.4's C with only third-party use); validators: honest audits. */
  contribution: bigint;
  gpuSeconds: bigint;
};
export type EpochPoint = {
  epoch: number;
  supply: bigint;
  minted: bigint;
  burned: bigint;
  treasury: bigint;
  slashed: bigint;
  compensated: bigint;
  warnings: number;
  dynamicFactor: bigint;
  networkUtilisation: bigint;
};
export type ArchetypeRow = {
  archetype: Archetype;
  description: string;
  operators: number;
  /** Nodes per operator. */
  nodes: number;
  /** Mean per operator, base units. */
  profit: bigint;
  rewards: bigint;
  fees: bigint;
  slashed: bigint;
  cost: bigint;
  violations: number;
  /** Share of the role's rewards and of its real contribution, in millionths. */
  rewardShare: number;
  contributionShare: number;
};
export type TwinCheck = { cheater: Archetype; twin: Archetype; cheaterProfit: bigint; twinProfit: bigint; holds: boolean; marginPercent: string };
export type SimResult = {
  scenario: string;
  mode: 'fast' | 'e2e';
  seed: number;
  epochs: number;
  epochSeconds: number;
  paramsHash: string;
  archetypes: ArchetypeRow[];
  twins: TwinCheck[];
  /** Gini of reward per unit of real contribution over provider operators (0 = perfectly proportional). */
  gini: number;
  /**
   * SPEC §3.4's rule, checked: audit probability × slash ≥ 3 × the expected gain from a faked job.
   * The gain is what a metric inflater earned above its twin in the first epoch (before any audit
   * could judge it), less the protocol fee it paid on its fakes, per fake job filed; the slash is
   * the failed-verification share of its bond.
   */
  deterrence: { auditRate: bigint; slash: bigint; forfeit: bigint; gainPerFakeJob: bigint; expectedLoss: bigint; holds: boolean } | null;
  /** What the validators did over the run (fast mode; null end to end): SPEC §3.4's machinery at work. */
  audits: AuditStats | null;
  series: EpochPoint[];
  accounts: Account[];
};
export type AuditStats = {
  /** Assignments answered, traps among them, traps answered "match", assignments left unanswered. */
  assignments: number;
  traps: number;
  missedTraps: number;
  unanswered: number;
  /** First rounds that split and went to three more validators. */
  referred: number;
  /** Confirmed mismatches disputed by their node: overturned (framing) or upheld. */
  disputesWon: number;
  disputesLost: number;
  failedVerifications: number;
  /** Liveness probes sent, and those a node failed in a slot it claimed up. */
  probes: number;
  probesFailed: number;
  /** Validator violations, and validators removed by the ladder's last step. */
  validatorViolations: number;
  validatorsRemoved: number;
};

export function newAccount(op: Operator): Account {
  return {
    id: op.id,
    archetype: op.archetype,
    nodes: op.nodes.length,
    gpus: op.nodes.reduce((a, n) => a + n.gpus.reduce((b, g) => b + g.count, 0), 0),
    rewards: 0n,
    fees: 0n,
    compensation: 0n,
    selfPaid: 0n,
    cost: 0n,
    slashed: 0n,
    violations: 0,
    contribution: 0n,
    gpuSeconds: 0n,
  };
}

export const profitOf = (a: Account) => a.rewards + a.fees + a.compensation - a.selfPaid - a.cost - a.slashed;
const isValidator = (a: Archetype) => a.endsWith('-validator');

export function summarise(
  s: Scenario,
  params: Params,
  accounts: Account[],
  series: EpochPoint[],
  mode: 'fast' | 'e2e',
  deterrence: SimResult['deterrence'] = null,
  audits: AuditStats | null = null,
): SimResult {
  const archetypes: ArchetypeRow[] = [];
  const sum = (xs: Account[], f: (a: Account) => bigint) => xs.reduce((a, x) => a + f(x), 0n);
  const share = (part: bigint, whole: bigint) => (whole === 0n ? 0 : Number((part * 1_000_000n) / whole));
  for (const archetype of [...new Set(accounts.map((a) => a.archetype))]) {
    const own = accounts.filter((a) => a.archetype === archetype);
    const peers = accounts.filter((a) => isValidator(a.archetype) === isValidator(archetype));
    const k = BigInt(own.length);
    archetypes.push({
      archetype,
      description: DESCRIPTIONS[archetype],
      operators: own.length,
      nodes: Math.round(own.reduce((a, x) => a + x.nodes, 0) / own.length),
      profit: sum(own, profitOf) / k,
      rewards: sum(own, (a) => a.rewards) / k,
      fees: sum(own, (a) => a.fees + a.compensation - a.selfPaid) / k,
      slashed: sum(own, (a) => a.slashed) / k,
      cost: sum(own, (a) => a.cost) / k,
      violations: own.reduce((a, x) => a + x.violations, 0),
      rewardShare: share(
        sum(own, (a) => a.rewards),
        sum(peers, (a) => a.rewards),
      ),
      contributionShare: share(
        sum(own, (a) => a.contribution),
        sum(peers, (a) => a.contribution),
      ),
    });
  }
  const row = (a: Archetype) => archetypes.find((r) => r.archetype === a);
  const twins: TwinCheck[] = [];
  for (const cheater of CHEATERS) {
    const c = row(cheater);
    const t = row(TWINS[cheater] as Archetype);
    if (!c || !t) continue;
    const margin = t.profit === 0n ? 0n : ((c.profit - t.profit) * 10_000n) / (t.profit < 0n ? -t.profit : t.profit);
    twins.push({
      cheater,
      twin: t.archetype,
      cheaterProfit: c.profit,
      twinProfit: t.profit,
      // splitting a machine or referring oneself is not a lie, so the property there is that it never
      // gains (SPEC §4.4, §4.5) beyond rounding: a base unit per extra node (or referral), epoch and
      // pool paying it; every other cheater must earn less
      holds: NO_GAIN.includes(cheater) ? c.profit <= t.profit + splitDust(c, t, s.epochs) : c.profit < t.profit,
      marginPercent: `${margin < 0n ? '-' : '+'}${(margin < 0n ? -margin : margin) / 100n}.${String((margin < 0n ? -margin : margin) % 100n).padStart(2, '0')}`,
    });
  }
  const providers = accounts.filter((a) => !isValidator(a.archetype) && a.contribution > 0n);
  const ratios = providers.map((a) => Number((a.rewards * 1_000_000n) / a.contribution) / 1e6);
  return {
    scenario: s.name,
    mode,
    seed: s.seed,
    epochs: s.epochs,
    epochSeconds: s.epochSeconds,
    paramsHash: paramsHash(params),
    archetypes,
    twins,
    gini: gini(ratios),
    deterrence,
    audits,
    series,
    accounts,
  };
}

/** A base unit of largest remainder per extra node, epoch and pool paying it (capacity, usage, stakers). */
function splitDust(c: ArchetypeRow, t: ArchetypeRow, epochs: number): bigint {
  return 3n * BigInt(Math.max(1, c.nodes - t.nodes) * epochs);
}

/** The Gini coefficient of non-negative values (0 when all equal, towards 1 when one holds everything). */
export function gini(values: readonly number[]): number {
  const xs = [...values].sort((a, b) => a - b);
  const n = xs.length;
  const total = xs.reduce((a, x) => a + x, 0);
  if (n === 0 || total === 0) return 0;
  let weighted = 0;
  xs.forEach((x, i) => {
    weighted += (2 * (i + 1) - n - 1) * x;
  });
  return Math.round((weighted / (n * total)) * 1e6) / 1e6;
}

/** The result as JSON (amounts as decimal strings of base units). */
export function resultJson(r: SimResult): string {
  return JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

const tok = (x: bigint) => formatTokens(x < 0n ? -x : x).replace(/^/, x < 0n ? '−' : '');
const pct = (millionths: number) => `${(millionths / 10_000).toFixed(2)} %`;

/** The report: Markdown, with its charts as SVG files beside it. */
export function renderReport(r: SimResult, params: Params): { markdown: string; charts: Record<string, string> } {
  const epochsPerYear = (365 * 86_400) / r.epochSeconds;
  const charts: Record<string, string> = {
    'supply.svg': lineChart(
      'Supply (tokens)',
      r.series.map((p) => Number(p.supply / TOKEN)),
    ),
    'treasury.svg': lineChart(
      'Treasury (tokens)',
      r.series.map((p) => Number(p.treasury / TOKEN)),
    ),
    'inflation.svg': lineChart(
      'Inflation, annualised (%)',
      r.series.map((p) => (Number(((p.minted - p.burned) * 1_000_000n) / (p.supply === 0n ? 1n : p.supply)) / 1e4) * epochsPerYear),
    ),
    'profit.svg': barChart(
      'Profit per operator (tokens)',
      r.archetypes.map((a) => [a.archetype, Number(a.profit / TOKEN)]),
    ),
  };
  const lines = [
    `# Simulation: ${r.scenario} (${r.mode} mode)`,
    '',
    `${r.epochs} epochs, seed ${r.seed}, parameter set \`${r.paramsHash.slice(0, 18)}…\`. Amounts in tokens, per operator (mean of the archetype's operators).`,
    `Profit = rewards + fees received (+ compensation) − what it paid itself − power (${formatTokens((params.fees.powerCostUsdPerGpuHour * 10n ** 18n) / params.bond.referenceTokenPriceUsd)} tokens per GPU-hour run) − slashes.`,
    '',
    '## Cheaters against their honest twins',
    '',
    '| cheater | twin | cheater profit | twin profit | difference | holds (cheater earns less; the splitter no more) |',
    '|---|---|---:|---:|---:|---|',
    ...r.twins.map(
      (t) => `| ${t.cheater} | ${t.twin} | ${tok(t.cheaterProfit)} | ${tok(t.twinProfit)} | ${t.marginPercent} % | ${t.holds ? 'yes' : '**NO**'} |`,
    ),
    ...(r.twins.length === 0 ? ['| (no cheater in this scenario) | | | | | |'] : []),
    '',
    '## Archetypes',
    '',
    '| archetype | operators | profit | rewards | fees net | power / re-execution | slashed | violations | reward share | contribution share |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.archetypes.map(
      (a) =>
        `| ${a.archetype} | ${a.operators} | ${tok(a.profit)} | ${tok(a.rewards)} | ${tok(a.fees)} | ${tok(a.cost)} | ${tok(a.slashed)} | ${a.violations} | ${pct(a.rewardShare)} | ${pct(a.contributionShare)} |`,
    ),
    '',
    ...r.archetypes.map((a) => `- **${a.archetype}**: ${a.description}`),
    '',
    `Gini of reward per unit of real contribution over provider operators: **${r.gini.toFixed(4)}** (0 = rewards exactly proportional to contribution).`,
    '',
    ...(r.deterrence === null
      ? []
      : [
          `Audit deterrence (SPEC §3.4, §12: audit probability × (slash + forfeited unvested rewards) ≥ 3 × expected gain from a faked job): ${formatTokens(r.deterrence.auditRate * 100n)} % × (${tok(r.deterrence.slash)} + ${tok(r.deterrence.forfeit)}) = ${tok(r.deterrence.expectedLoss)} against 3 × ${tok(r.deterrence.gainPerFakeJob)} = ${tok(3n * r.deterrence.gainPerFakeJob)} — **${r.deterrence.holds ? 'holds' : 'fails'}**${r.deterrence.holds ? '' : ' (by this rule alone; the jail and the second strike are not counted in it)'}.`,
        ]),
    ...(r.audits === null
      ? []
      : [
          '',
          `Validators (SPEC §3.4): ${r.audits.assignments} audit assignments, ${r.audits.traps} of them traps; ${r.audits.missedTraps} traps answered "match", ${r.audits.unanswered} assignments without a valid reveal; ${r.audits.referred} split rounds referred; ${r.audits.failedVerifications} failed verifications; disputes ${r.audits.disputesWon} won, ${r.audits.disputesLost} lost; ${r.audits.probes} liveness probes, ${r.audits.probesFailed} failed in a claimed slot; ${r.audits.validatorViolations} validator violations, ${r.audits.validatorsRemoved} validators removed.`,
        ]),
    '',
    '![profit](profit.svg)',
    '',
    '## Supply, inflation and treasury',
    '',
    '![supply](supply.svg) ![inflation](inflation.svg) ![treasury](treasury.svg)',
    '',
    '| epoch | supply | minted | burned | treasury | slashed | compensated | warnings | D | utilisation |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.series.map(
      (p) =>
        `| ${p.epoch} | ${tok(p.supply)} | ${tok(p.minted)} | ${tok(p.burned)} | ${tok(p.treasury)} | ${tok(p.slashed)} | ${tok(p.compensated)} | ${p.warnings} | ${formatTokens(p.dynamicFactor)} | ${formatTokens(p.networkUtilisation)} |`,
    ),
    '',
  ];
  return { markdown: lines.join('\n'), charts };
}

const W = 720;
const H = 260;
const PAD = 48;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function frame(title: string, lo: number, hi: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="${PAD}" y="18" font-size="13" font-weight="bold">${esc(title)}</text>
<line x1="${PAD}" y1="${H - PAD}" x2="${W - 10}" y2="${H - PAD}" stroke="#999"/><line x1="${PAD}" y1="30" x2="${PAD}" y2="${H - PAD}" stroke="#999"/>
<text x="${PAD - 4}" y="34" text-anchor="end">${fmt(hi)}</text><text x="${PAD - 4}" y="${H - PAD}" text-anchor="end">${fmt(lo)}</text>
${body}
</svg>
`;
}

function fmt(x: number): string {
  const a = Math.abs(x);
  return a >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : a >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(a < 10 ? 2 : 0);
}

function lineChart(title: string, ys: number[]): string {
  const lo = Math.min(...ys, 0);
  const hi = Math.max(...ys, lo + 1e-9);
  const x = (i: number) => PAD + (i * (W - PAD - 10)) / Math.max(1, ys.length - 1);
  const y = (v: number) => H - PAD - ((v - lo) * (H - PAD - 30)) / (hi - lo);
  const points = ys.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const axis = `<text x="${PAD}" y="${H - PAD + 14}">epoch 0</text><text x="${W - 10}" y="${H - PAD + 14}" text-anchor="end">epoch ${ys.length - 1}</text>`;
  return frame(title, lo, hi, `<polyline fill="none" stroke="#2563eb" stroke-width="2" points="${points}"/>${axis}`);
}

function barChart(title: string, bars: [string, number][]): string {
  const lo = Math.min(0, ...bars.map((b) => b[1]));
  const hi = Math.max(1e-9, ...bars.map((b) => b[1]));
  const bw = (W - PAD - 70) / Math.max(1, bars.length);
  const y = (v: number) => H - PAD - ((v - lo) * (H - PAD - 30)) / (hi - lo);
  const body = bars
    .map(([label, v], i) => {
      const top = Math.min(y(v), y(0));
      const h = Math.abs(y(v) - y(0));
      const cx = PAD + i * bw + bw / 2;
      return `<rect x="${(PAD + i * bw + 3).toFixed(1)}" y="${top.toFixed(1)}" width="${(bw - 6).toFixed(1)}" height="${Math.max(1, h).toFixed(1)}" fill="${v < 0 ? '#dc2626' : '#16a34a'}"/><text transform="translate(${cx.toFixed(1)},${H - PAD + 10}) rotate(30)" font-size="9">${esc(label)}</text>`;
    })
    .join('\n');
  return frame(title, lo, hi, body);
}
