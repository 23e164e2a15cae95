import {
  type Anomaly,
  ATTESTED_ROLES,
  type AttestedRole,
  type EpochInput,
  InvariantError,
  type NodeInput,
  type NodeStatus,
  type ProviderClass,
  parseWad,
  type SlaClass,
} from '@swarm/core';
import { epochStart, type Settings } from '../service/context.ts';
import type { Sql } from '../store/db.ts';
import { stakeInEffect } from './stake-sql.ts';

/**
 * Builds epoch `n`'s input from the store (SPEC §3, §10): uptime from the heartbeat slot bitmaps,
 * usage, errors, response times and ratings from receipts, bonds and stakes in effect, the
 * attestations, supply, and the emission state carried from the last closed epoch.
 *
 * Deterministic: it reads only data that was frozen when epoch `n` stopped accepting messages
 * (messages for `n` are refused after its end plus the grace; stakes take effect from the epoch
 * after they were made; supply counts postings of earlier epochs), in a fixed order — so a close
 * retried after a crash, or run on another store, builds the byte-identical input.
 */
export async function buildEpochInput(sql: Sql, s: Settings, n: number, genesisPerEpoch: bigint): Promise<EpochInput> {
  const start = epochStart(s, n);
  const end = start + s.epochSeconds;
  const totalSlots = s.epochSeconds / s.slotSeconds;
  const rows = await sql.query<{
    id: string;
    owner: string;
    region: string;
    sla_class: string;
    provider_class: string;
    hardware: string;
    registered_at: string;
    commitment_days: number;
    commitment_forfeited: boolean;
    referrer: string | null;
    status: string;
    onboarded: boolean;
    probation_stage: number;
    up_slots: number | null;
    power_sum: string | null;
    power_count: number | null;
    max_gpu_util: string | null;
    heartbeats: number | null;
    latency_sum: string | null;
    loss_sum: string | null;
  }>(
    `SELECT n.id, n.owner, n.region, n.sla_class, n.provider_class, n.hardware, n.registered_at::text AS registered_at,
            n.commitment_days, (n.commitment_forfeited OR COALESCE(n.commitment_forfeited_epoch <= $1, false)) AS commitment_forfeited, n.referrer, n.status, COALESCE(oc.passed, n.onboarded) AS onboarded, n.probation_stage,
            -- slots before registration are neither expected nor counted
            CASE WHEN s.slots IS NULL THEN 0
                 WHEN n.registered_at <= $3 THEN bit_count(s.slots)
                 ELSE bit_count(substring(s.slots FROM (floor((n.registered_at - $3) / $4) + 1)::int)) END::int AS up_slots,
            s.power_sum::text AS power_sum, s.power_count, s.max_gpu_util::text AS max_gpu_util,
            s.heartbeats, s.latency_sum::text AS latency_sum, s.loss_sum::text AS loss_sum
       FROM nodes n LEFT JOIN node_slots s ON s.node_id = n.id AND s.epoch = $1
       -- onboarded: the latest validator check up to epoch n rules; without one, the network's default
       LEFT JOIN (SELECT DISTINCT ON (node_id) node_id, passed FROM onboarding_checks WHERE epoch <= $1
                   ORDER BY node_id, epoch DESC, at DESC, validator_key DESC) oc ON oc.node_id = n.id
      WHERE n.registered_at < $2
      ORDER BY n.id`,
    [n, end, start, s.slotSeconds],
  );
  const usage = new Map<
    string,
    { delivered: number; standard: number; standardErrors: number; high: number; highErrors: number; p95: number; ratings: number; ratingSum: number }
  >();
  for (const r of await sql.query<{
    node_id: string;
    delivered: string | null;
    standard: string;
    standard_errors: string;
    high: string;
    high_errors: string;
    p95: number | null;
    ratings: string;
    rating_sum: string | null;
  }>(
    `SELECT node_id,
            (SUM(gpu_seconds) FILTER (WHERE billable))::text AS delivered,
            COUNT(*) FILTER (WHERE priority = 'standard')::text AS standard,
            COUNT(*) FILTER (WHERE priority = 'standard' AND NOT success)::text AS standard_errors,
            COUNT(*) FILTER (WHERE priority = 'high')::text AS high,
            COUNT(*) FILTER (WHERE priority = 'high' AND NOT success)::text AS high_errors,
            percentile_disc(0.95) WITHIN GROUP (ORDER BY response_ms) AS p95,
            COUNT(*)::text AS ratings,
            SUM(rating)::text AS rating_sum
       FROM receipts WHERE epoch = $1 GROUP BY node_id ORDER BY node_id`,
    [n],
  )) {
    usage.set(r.node_id, {
      delivered: Number(r.delivered ?? 0),
      standard: Number(r.standard),
      standardErrors: Number(r.standard_errors),
      high: Number(r.high),
      highErrors: Number(r.high_errors),
      p95: Number(r.p95 ?? 0),
      ratings: Number(r.ratings),
      ratingSum: Number(r.rating_sum ?? 0),
    });
  }
  // stakes in effect in epoch n: made before it, less what started unbonding before it
  const stakeRows = await sql.query<{ id: string; kind: string; node_id: string | null; payout: string; lock_days: number; amount: string }>(
    `SELECT st.id, st.kind, st.node_id, st.payout, st.lock_days,
            ${stakeInEffect('$1')}::text AS amount
       FROM stakes st WHERE st.effective_epoch <= $1 ORDER BY st.id`,
    [n],
  );
  const bonds = new Map<string, bigint>();
  const stakes: EpochInput['stakes'] = [];
  let staked = 0n;
  for (const st of stakeRows) {
    const amount = BigInt(st.amount);
    if (amount <= 0n) continue;
    staked += amount;
    if (st.kind === 'bond' && st.node_id !== null) bonds.set(st.node_id, (bonds.get(st.node_id) ?? 0n) + amount);
    else stakes.push({ id: st.id, payout: st.payout, kind: st.kind as 'user' | 'operator', amount, lockDays: st.lock_days });
  }
  const nodes: NodeInput[] = rows.map((r) => {
    const hardware = JSON.parse(r.hardware) as NodeInput['hardware'];
    const gpus = hardware.gpus.reduce((a, g) => a + g.count, 0);
    const registeredAt = Number(r.registered_at);
    // slots before registration are not expected, nor counted
    const first = registeredAt <= start ? 0 : Math.floor((registeredAt - start) / s.slotSeconds);
    const expectedSlots = totalSlots - first;
    const upSlots = Number(r.up_slots ?? 0);
    const u = usage.get(r.id);
    const anomalies: Anomaly[] = [];
    if (r.max_gpu_util !== null && Number(r.max_gpu_util) > 1_000_000) anomalies.push('GPU_UTILISATION_OVER_100');
    let delivered = u?.delivered ?? 0;
    const provisioned = gpus * upSlots * s.slotSeconds;
    if (delivered > provisioned) {
      delivered = provisioned; // physically implausible: capped, and the node flagged (SPEC §3.6)
      anomalies.push('DELIVERED_ABOVE_PROVISIONED');
    }
    const powerCount = r.power_count ?? 0;
    const beats = r.heartbeats ?? 0;
    return {
      id: r.id,
      owner: r.owner,
      region: r.region,
      slaClass: r.sla_class as SlaClass,
      providerClass: r.provider_class as ProviderClass,
      hardware,
      registeredAt,
      expectedSlots,
      upSlots,
      gpuSecondsDelivered: delivered,
      jobs: {
        standard: u?.standard ?? 0,
        standardErrors: u?.standardErrors ?? 0,
        high: u?.high ?? 0,
        highErrors: u?.highErrors ?? 0,
        p95ResponseMs: u?.p95 ?? 0,
      },
      ratings: { count: u?.ratings ?? 0, sum: u?.ratingSum ?? 0 },
      powerEfficiency: powerCount === 0 ? null : (BigInt(r.power_sum ?? '0') * 1_000_000_000_000n) / BigInt(powerCount),
      commitmentDays: r.commitment_days,
      commitmentForfeited: r.commitment_forfeited,
      bond: bonds.get(r.id) ?? 0n,
      status: r.status as NodeStatus,
      onboarded: r.onboarded,
      probationStage: r.probation_stage,
      anomalies,
      services: [],
      referrer: r.referrer,
      // the means over the epoch's heartbeats, floored: latency in ms, loss from billionths to WAD
      ...(beats === 0
        ? {}
        : {
            network: {
              latencyMs: Number(BigInt(r.latency_sum ?? '0') / BigInt(beats)),
              packetLoss: (BigInt(r.loss_sum ?? '0') * 1_000_000_000n) / BigInt(beats),
            },
          }),
    };
  });
  const attestations: EpochInput['attestations'] = (
    await sql.query<{ role: string; attestor: string; entries: string }>(
      'SELECT role, attestor, entries FROM attestations WHERE epoch = $1 ORDER BY role, attestor',
      [n],
    )
  )
    .filter((a) => (ATTESTED_ROLES as readonly string[]).includes(a.role))
    .map((a) => ({ role: a.role as AttestedRole, attestor: a.attestor, entries: JSON.parse(a.entries) }));
  const supplyRow = (
    await sql.query<{ minted: string | null; burned: string | null }>(
      `SELECT (SELECT SUM(amount) FROM postings WHERE from_account = 'mint' AND epoch < $1)::text AS minted,
              (SELECT SUM(amount) FROM postings WHERE to_account = 'burn' AND epoch < $1)::text AS burned`,
      [n],
    )
  )[0];
  const total = BigInt(supplyRow?.minted ?? '0') - BigInt(supplyRow?.burned ?? '0');
  if (staked > total) throw new InvariantError(`epoch ${n}: staked ${staked} exceeds supply ${total}`);
  const prev = (await sql.query<{ summary: string }>('SELECT summary FROM epochs WHERE epoch = $1', [n - 1]))[0];
  // the expansion phase governance declared last, up to n
  const expansion = await sql.query<{ value: boolean }>(
    "SELECT value FROM governance_flags WHERE flag = 'expansion' AND effective_epoch <= $1 ORDER BY effective_epoch DESC LIMIT 1",
    [n],
  );
  const prevSummary = prev ? (JSON.parse(prev.summary) as { nextBaseEmission: string; dynamicFactor: string }) : undefined;
  return {
    version: 1,
    epoch: n,
    epochStart: start,
    epochSeconds: s.epochSeconds,
    slotSeconds: s.slotSeconds,
    baseEmission: prevSummary ? BigInt(prevSummary.nextBaseEmission) : (genesisPerEpoch * BigInt(s.epochSeconds)) / 86_400n,
    previousDynamicFactor: prevSummary ? parseWad(prevSummary.dynamicFactor, 'dynamicFactor') : null,
    expansionPhase: expansion[0]?.value ?? false,
    supply: { total, staked },
    nodes,
    validators: [],
    stakes,
    attestations,
  };
}
