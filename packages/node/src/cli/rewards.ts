import {
  type EpochResult,
  formatTokens,
  formatWad,
  type NodeStatement,
  REASONS,
  type ReasonCode,
  ROLES,
  resultJson,
  serializeNodeStatement,
  WAD,
} from '@swarm/core';

const pct = (x: bigint, digits = 2) => `${(Number((x * 10n ** BigInt(digits + 2)) / WAD) / 10 ** digits).toFixed(digits)} %`;
const fx = (x: bigint) => Number(formatWad(x)).toFixed(3);
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

/** The readable summary of an epoch result: pool totals, top earners, reason-code counts. */
export function formatSummary(r: EpochResult, top = 10): string {
  const out: string[] = [];
  const e = r.emission;
  const nodes = r.nodeIds.length;
  out.push(
    `Epoch ${r.epoch} · parameters ${r.paramsHash.slice(0, 18)}… · ${nodes} nodes, ${r.validators.length} validators, ${r.stakes.length} stakes and bonds`,
  );
  out.push('');
  out.push(
    `Emission   base ${formatTokens(e.baseEmission)} × growth ${fx(e.growth)} = pool ${formatTokens(e.epochPool)} · D ${fx(e.dynamicFactor)} (network utilisation ${pct(e.networkUtilisation)}, raw D ${fx(e.rawDynamicFactor)}) scales the usage pool`,
  );
  const u = r.usagePool;
  out.push(
    `Usage pool min(usage share × D × compute pool ${formatTokens(u.byShare)}, κ × protocol fees ${formatTokens(u.fees)} = ${formatTokens(u.feeBound)}) = ${formatTokens(u.pool)}`,
  );
  out.push(
    `           next base emission ${formatTokens(e.nextBaseEmission)} · stake ratio ${pct(r.stakeRatio)} → staker weight × ${fx(r.stakerWeightAdjust)}`,
  );
  if (e.reasons.length > 0) out.push(`           ${e.reasons.join(', ')}`);
  out.push('');
  out.push(`${pad('Pool', 12)}${lpad('allocated', 20)}${lpad('paid', 20)}${lpad('to treasury', 18)}`);
  for (const role of ROLES) {
    const p = r.pools[role];
    out.push(`${pad(role, 12)}${lpad(formatTokens(p.allocated), 20)}${lpad(formatTokens(p.paid), 20)}${lpad(formatTokens(p.toTreasury), 18)}`);
  }
  out.push(`${pad('treasury', 12)}${lpad(formatTokens(r.treasury), 20)}`);
  out.push('');
  const rewards = r.nodeRewards;
  const order = rewards
    .map((_, i) => i)
    .sort((a, b) => {
      const d = (rewards[b] as bigint) - (rewards[a] as bigint);
      return d > 0n ? 1 : d < 0n ? -1 : a - b;
    });
  const paid = r.nodeRewards.filter((x) => x > 0n).length;
  out.push(`Top nodes (${paid} of ${nodes} earned from the compute pool)`);
  out.push(
    `${pad('node', 16)}${pad('class', 10)}${lpad('GPUs', 5)}${lpad('uptime', 10)}${lpad('Q', 7)}${lpad('V', 7)}${lpad('L', 6)}${lpad('B', 6)}${lpad('reward', 18)}`,
  );
  for (const i of order.slice(0, top)) {
    const s = r.statement(i);
    out.push(
      `${pad(s.id, 16)}${pad(s.hardwareClass, 10)}${lpad(String(s.gpus), 5)}${lpad(pct(s.uptime), 10)}${lpad(fx(s.quality.total), 7)}${lpad(fx(s.valuation.total), 7)}${lpad(fx(s.commitment).slice(0, 4), 6)}${lpad(fx(s.bonuses.total).slice(0, 4), 6)}${lpad(formatTokens(s.reward), 18)}`,
    );
  }
  out.push('');
  out.push('Top payout addresses (all pools)');
  const payouts = [...r.payouts].sort((a, b) => (b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : a.address < b.address ? -1 : 1));
  for (const p of payouts.slice(0, top)) out.push(`  ${p.address}${lpad(formatTokens(p.amount), 20)}`);
  out.push('');
  out.push('Reason codes');
  const counts = Object.entries(r.reasonCounts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (counts.length === 0) out.push('  none');
  for (const [code, n] of counts) out.push(`  ${lpad(String(n), 6)}  ${pad(code, 28)} ${REASONS[code as ReasonCode] ?? ''}`);
  return out.join('\n');
}

/** A statement in words: every factor, its inputs, and the reason codes. */
export function formatStatement(s: NodeStatement): string {
  const q = s.quality;
  const b = s.bonuses;
  const lines = [
    `${s.id} (owner ${s.owner}) — ${s.eligible ? 'eligible' : 'NOT eligible'} — reward ${formatTokens(s.reward, 6)}`,
    `  paid        capacity ${formatTokens(s.capacityReward, 6)} + usage ${formatTokens(s.usageReward, 6)} (its receipts paid ${formatTokens(s.fee, 6)} in protocol fees)${s.referral > 0n ? ` − referral ${formatTokens(s.referral, 6)}` : ''}`,
    `  vesting     locked ${formatTokens(s.locked, 6)} to vest, vested now ${formatTokens(s.vested, 6)}, still unvested ${formatTokens(s.unvested, 6)}${s.forfeited > 0n ? `, FORFEITED ${formatTokens(s.forfeited, 6)}` : ''}`,
    `  hardware    class ${s.hardwareClass}, ${s.gpus} GPUs (${s.countedGpus} counted), ${formatWad(s.computeUnits)} CU/h`,
    `  uptime      ${pct(s.uptime, 3)} (${s.upSeconds} s up), utilisation ${pct(s.utilisation)}`,
    `  C           ${formatWad(s.contribution)} CU·s = ${formatWad(s.computeUnits)} CU × ${s.upSeconds} s up`,
    `  Q           ${fx(q.total)} = 0.3·U ${fx(q.uptime)} + 0.3·E ${fx(q.errors)} + 0.2·R ${fx(q.response)} + 0.2·P ${fx(q.rating)}`,
    `  V           ${fx(s.valuation.total)} = scarcity ${fx(s.valuation.scarcity)} × geography ${fx(s.valuation.geo)}`,
    `  L           ${fx(s.commitment)}`,
    `  B           ${fx(b.total)} (quality ${fx(b.quality)}, new ${fx(b.newNode)}, region ${fx(b.underServed)}, innovation ${fx(b.innovation)}, energy ${fx(b.energy)})`,
    `  S           ${formatWad(s.score)} (raw ${formatWad(s.rawScore)}, probation share ${fx(s.probationShare)})`,
    `  bond        ${formatTokens(s.bond)} (minimum ${formatTokens(s.minBond)})`,
  ];
  for (const code of s.reasons) lines.push(`  ${code}: ${REASONS[code]}`);
  return lines.join('\n');
}

export function formatWhatIf(before: NodeStatement, after: NodeStatement): string {
  const d = after.reward - before.reward;
  const rel = before.reward === 0n ? '' : ` (${d >= 0n ? '+' : ''}${pct((d * WAD) / before.reward)})`;
  return [
    'Before',
    formatStatement(before),
    '',
    'After',
    formatStatement(after),
    '',
    `Change in reward: ${d >= 0n ? '+' : ''}${formatTokens(d, 6)}${rel}`,
  ].join('\n');
}

export { resultJson, serializeNodeStatement };
