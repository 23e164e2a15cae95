import {
  type Anomaly,
  ATTESTED_ROLES,
  type AttestedRole,
  computeExcludedSlots,
  computeFeeSplit,
  computeUserDiscount,
  type EpochInput,
  type ExcludedSlots,
  InvariantError,
  isPlatformOutage,
  type JobStats,
  type MeasuredHardware,
  maintenanceSlots,
  type NodeInput,
  type NodeStatus,
  type OwnerClassUsage,
  type Params,
  type ProviderClass,
  parseWad,
  type SlaClass,
  type VestingTranche,
  vestingState,
} from '@swarm/core';
import { epochStart, type Settings } from '../service/context.ts';
import type { Sql } from '../store/db.ts';
import { serviceDownSlots } from './liveness.ts';
import { maintenanceDuring } from './maintenance.ts';
import { stakeInEffect } from './stake-sql.ts';
import { openTranches } from './vesting.ts';

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
export async function buildEpochInput(sql: Sql, s: Settings, n: number, params: Params): Promise<EpochInput> {
  const genesisPerEpoch = params.emission.genesisPerEpoch;
  const start = epochStart(s, n);
  const end = start + s.epochSeconds;
  const totalSlots = s.epochSeconds / s.slotSeconds;
  const excluded = await excludedSlots(sql, s, n, params);
  const keep = Array.from({ length: totalSlots }, () => '1');
  for (const r of excluded) for (let k = r.from; k <= r.to; k++) keep[k] = '0';
  const keptMask = keep.join('');
  // kept slots from slot k on (the slots a node registered in slot k was expected in)
  const keptFrom = new Int32Array(totalSlots + 1);
  for (let k = totalSlots - 1; k >= 0; k--) keptFrom[k] = (keptFrom[k + 1] as number) + (keep[k] === '1' ? 1 : 0);
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
    measured: string | null;
    host_first_seen: string | null;
  }>(
    `SELECT n.id, n.owner, n.region, n.sla_class, n.provider_class, n.hardware, n.registered_at::text AS registered_at,
            n.commitment_days, (n.commitment_forfeited OR COALESCE(n.commitment_forfeited_epoch <= $1, false)) AS commitment_forfeited, n.referrer, n.status, COALESCE(oc.passed, n.onboarded) AS onboarded, n.probation_stage,
            -- slots before registration are neither expected nor counted; nor are the excluded ones (SPEC §3.2)
            CASE WHEN s.slots IS NULL THEN 0
                 WHEN n.registered_at <= $3 THEN bit_count(s.slots & $5::varbit)
                 ELSE bit_count(substring(s.slots & $5::varbit FROM (floor((n.registered_at - $3) / $4) + 1)::int)) END::int AS up_slots,
            s.power_sum::text AS power_sum, s.power_count, s.max_gpu_util::text AS max_gpu_util,
            s.heartbeats, s.latency_sum::text AS latency_sum, s.loss_sum::text AS loss_sum,
            oc.measured, hf.first_seen::text AS host_first_seen
       FROM nodes n LEFT JOIN node_slots s ON s.node_id = n.id AND s.epoch = $1
       -- onboarded, and what was measured: the latest validator check up to epoch n that has not
       -- expired (made less than audits.recheckDays before the epoch starts) rules; without one, the
       -- network's default (SPEC §3.1)
       LEFT JOIN (SELECT DISTINCT ON (node_id) node_id, passed, measured, host_id FROM onboarding_checks WHERE epoch <= $1 AND at > $6
                   ORDER BY node_id, epoch DESC, at DESC, validator_key DESC) oc ON oc.node_id = n.id
       -- the host's first registration, by any node ever checked on it: the new-node bonuses count from it
       LEFT JOIN (SELECT c.host_id, MIN(hn.registered_at) AS first_seen FROM onboarding_checks c JOIN nodes hn ON hn.id = c.node_id
                   WHERE c.epoch <= $1 AND c.host_id IS NOT NULL GROUP BY c.host_id) hf ON hf.host_id = oc.host_id
      WHERE n.registered_at < $2
      ORDER BY n.id`,
    [n, end, start, s.slotSeconds, keptMask, start - params.audits.recheckDays * 86_400],
  );
  await summariseReceipts(sql, n);
  const usage = await receiptStats(sql, n, params);
  const refused = await refusedByNode(sql, n);
  const maintenance = await maintenanceMasks(sql, n, start, end, s.slotSeconds, totalSlots);
  // compute rewards still vesting (SPEC §6.1): what is unvested and what vests at this close
  const tranches = new Map<string, VestingTranche[]>();
  for (const t of await openTranches(sql)) if (t.epoch < n) tranches.set(t.nodeId, [...(tranches.get(t.nodeId) ?? []), t]);
  // stakes in effect in epoch n: made before it, less what started unbonding before it
  const stakeRows = await sql.query<{ id: string; kind: string; node_id: string | null; payout: string; lock_days: number; amount: string }>(
    `SELECT st.id, st.kind, st.node_id, st.payout,
            -- a lock left early earns no multiplier from the unbonding on (SPEC §4.4)
            CASE WHEN st.lock_forfeited_epoch <= $1 THEN 0 ELSE st.lock_days END AS lock_days,
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
    // announced maintenance (SPEC §3.2): its kept slots are neither expected nor counted up
    const m = maintenance.get(r.id);
    let expectedSlots = keptFrom[first] as number;
    let upSlots = Number(r.up_slots ?? 0);
    if (m)
      for (let k = first; k < totalSlots; k++)
        if (m.covered[k] && keep[k] === '1') {
          expectedSlots--;
          if (m.slots[k] === '1') upSlots--;
        }
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
      fee: u?.fee ?? 0n,
      jobs: { all: u?.all ?? NO_JOBS, independent: u?.independent ?? NO_JOBS },
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
      ...(r.measured === null ? {} : { measured: JSON.parse(r.measured) as MeasuredHardware, hostFirstSeen: Number(r.host_first_seen) }),
      ...vestingOf(tranches.get(r.id), n),
      ...(refused.has(r.id) ? { refused: refused.get(r.id) as bigint } : {}),
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
    excludedSlots: excluded,
    scarcityHistory: await scarcityHistory(sql, n, params.compute.scarcityWindowEpochs),
    nodes,
    validators: [],
    stakes,
    attestations,
    receipts: await receiptsHash(sql, n),
  };
}

/**
 * Consumers' signed refusals of epoch `n`, per node (SPEC §12's job refuser): the offered price of
 * each refusal no receipt voided, each key's refusals (in job order) counted up to what the key paid
 * the network in billable receipts this epoch — a key that pays nothing weighs nothing.
 */
async function refusedByNode(sql: Sql, n: number): Promise<Map<string, bigint>> {
  const rows = await sql.query<{ node_id: string; refused: string }>(
    `WITH budget AS (SELECT consumer_key, SUM(price) AS paid FROM epoch_receipt_pairs WHERE billable GROUP BY consumer_key),
          f AS (SELECT f.node_id, f.consumer_key, f.price,
                       SUM(f.price) OVER (PARTITION BY f.consumer_key ORDER BY f.job_id COLLATE "C") - f.price AS before
                  FROM refusals f WHERE f.epoch = $1 AND NOT EXISTS (SELECT 1 FROM receipts x WHERE x.job_id = f.job_id))
     SELECT f.node_id, SUM(GREATEST(0, LEAST(f.price, b.paid - f.before)))::text AS refused
       FROM f JOIN budget b ON b.consumer_key = f.consumer_key GROUP BY f.node_id HAVING SUM(GREATEST(0, LEAST(f.price, b.paid - f.before))) > 0`,
    [n],
  );
  return new Map(rows.map((r) => [r.node_id, BigInt(r.refused)]));
}

/**
 * The input's commitment to every receipt of epoch `n` (SPEC §3.4): core `computeReceiptsHash`
 * over job, node and the SHA-256 of each stored signed receipt (computed at ingest), computed by
 * the store — both of its levels — so that no receipt travels (`seeded-close.test.ts` holds the
 * two equal). `COLLATE "C"` sorts by bytes, as JavaScript sorts the ASCII lines.
 */
async function receiptsHash(sql: Sql, n: number): Promise<string> {
  const rows = await sql.query<{ h: string }>(
    `WITH per AS (SELECT node_id || ':' || encode(sha256(convert_to(string_agg(job_id || ':' || message_hash, E'\\n' ORDER BY job_id || ':' || message_hash COLLATE "C"), 'UTF8')), 'hex') AS line
                    FROM receipts WHERE epoch = $1 GROUP BY node_id)
     SELECT encode(sha256(convert_to('swarm-receipts:' || COALESCE(string_agg(line, E'\\n' ORDER BY line COLLATE "C"), ''), 'UTF8')), 'hex') AS h FROM per`,
    [n],
  );
  return (rows[0] as { h: string }).h;
}

const NO_JOBS: JobStats = { standard: 0n, standardFailed: 0n, high: 0n, highFailed: 0n, p95ResponseMs: 0, ratingSum: 0n };

/**
 * Epoch `n`'s receipts summed per node, consumer key and billable flag, in two temporary tables of
 * the close's transaction: `epoch_receipt_pairs` (GPU-seconds, price, the prices of standard, high
 * and failed jobs, Σ price × rating, and the node's owner) and `epoch_receipt_keys` (each paying
 * key's span of owners: this epoch's billable receipts merged with `consumer_owners`). One pass
 * over the receipts, so that the usage statistics, the fees, the refusal budgets, the fee postings
 * and the owners' spans (`receiptStats`, `receiptFees`, `refusedByNode`, the close's `feePostings`,
 * `recordConsumerOwners`) read a row per pair instead of every receipt again.
 */
async function summariseReceipts(sql: Sql, n: number): Promise<void> {
  await sql.query('DROP TABLE IF EXISTS epoch_receipt_pairs, epoch_receipt_keys');
  await sql.query(
    `CREATE TEMPORARY TABLE epoch_receipt_pairs ON COMMIT DROP AS
     SELECT p.*, o.owner FROM (
       SELECT r.node_id, r.consumer_key, r.billable, SUM(r.gpu_seconds) AS delivered, SUM(r.price) AS price,
              COALESCE(SUM(r.price) FILTER (WHERE r.priority = 'standard'), 0) AS standard,
              COALESCE(SUM(r.price) FILTER (WHERE r.priority = 'standard' AND NOT r.success), 0) AS standard_failed,
              COALESCE(SUM(r.price) FILTER (WHERE r.priority = 'high'), 0) AS high,
              COALESCE(SUM(r.price) FILTER (WHERE r.priority = 'high' AND NOT r.success), 0) AS high_failed,
              SUM(r.price * r.rating) AS rating
         FROM receipts r WHERE r.epoch = $1 GROUP BY r.node_id, r.consumer_key, r.billable) p
     JOIN nodes o ON o.id = p.node_id`,
    [n],
  );
  await sql.query(
    `CREATE TEMPORARY TABLE epoch_receipt_keys ON COMMIT DROP AS
     SELECT now.consumer_key, LEAST(now.lo, c.lo) AS lo, GREATEST(now.hi, c.hi) AS hi
       FROM (SELECT consumer_key, MIN(owner) AS lo, MAX(owner) AS hi FROM epoch_receipt_pairs WHERE billable GROUP BY consumer_key) now
       LEFT JOIN consumer_owners c ON c.consumer_key = now.consumer_key`,
  );
  await sql.query('ANALYZE epoch_receipt_pairs, epoch_receipt_keys');
}

/**
 * Epoch `n`'s billable receipts, per node (SPEC §4.4): GPU-seconds delivered, the protocol fee they
 * paid (after each consumer's stake discount, as the fee postings charge it), and — for E, R and P
 * — the prices paid for standard and high-priority jobs and for the failed ones, Σ price × rating,
 * and the price-weighted p95 of inference response times; once over all of them and once over
 * those of independent keys: consumer keys that, up to epoch `n`, have paid some other owner's
 * nodes too (`consumer_owners` for the closed epochs, `recordConsumerOwners`). A key that has paid
 * only this owner counts against the node, never for it. Reads `summariseReceipts`'s tables.
 */
async function receiptStats(
  sql: Sql,
  n: number,
  params: Params,
): Promise<Map<string, { delivered: number; fee: bigint; all: JobStats; independent: JobStats }>> {
  const sum = (what: string, filter: string) => `COALESCE(SUM(${what})${filter}, 0)::text`;
  const sums = (filter: string) => ['standard', 'standard_failed', 'high', 'high_failed', 'rating'].map((c) => sum(`p.${c}`, filter)).join(', ');
  const rows = await sql.query<{ node_id: string; delivered: string; a: string; i: string }>(
    `SELECT p.node_id, SUM(p.delivered)::text AS delivered,
            concat_ws(',', ${sums('')}) AS a, concat_ws(',', ${sums(' FILTER (WHERE k.lo <> p.owner OR k.hi <> p.owner)')}) AS i
       FROM epoch_receipt_pairs p JOIN epoch_receipt_keys k ON k.consumer_key = p.consumer_key
      WHERE p.billable GROUP BY p.node_id ORDER BY p.node_id`,
  );
  // the price-weighted p95 of inference jobs: the smallest response time at which the running price
  // reaches 95 % of the node's — over all its jobs, and over those of independent keys, in one pass.
  // Ordered by response time alone: the window's running sum takes in every job of the same time
  // at once (its peers), and jobs of equal time cross the 95 % together, so their order never matters.
  // A key is captive to a node when its span is that node's owner alone (lo = hi = owner); only such
  // keys (rare: a key that paid one owner) are joined, so that the sorted rows stay narrow — the node,
  // the time, the price and one flag (sorted by bytes: `COLLATE "C"`, as nothing here reads the order).
  const run = (filter: string, order: string) => `SUM(price)${filter} OVER (PARTITION BY node_id${order})`;
  const byTime = ' ORDER BY response_ms';
  const p95 = await sql.query<{ node_id: string; p95: number; ip95: number | null }>(
    `WITH captive AS (SELECT consumer_key, lo AS owner FROM epoch_receipt_keys WHERE lo = hi),
          rs AS (SELECT r.node_id COLLATE "C" AS node_id, r.response_ms, r.price, (c.owner IS NULL OR c.owner <> o.owner) AS independent
                   FROM receipts r JOIN nodes o ON o.id = r.node_id LEFT JOIN captive c ON c.consumer_key = r.consumer_key
                  WHERE r.epoch = $1 AND r.billable AND r.job_type = 'inference'),
          w AS (SELECT node_id, response_ms, independent, ${run('', byTime)} AS run, ${run('', '')} AS total,
                       ${run(' FILTER (WHERE independent)', byTime)} AS irun, ${run(' FILTER (WHERE independent)', '')} AS itotal
                  FROM rs)
     SELECT node_id, MIN(response_ms) FILTER (WHERE run * 100 >= total * 95)::int AS p95,
            MIN(response_ms) FILTER (WHERE independent AND irun * 100 >= itotal * 95)::int AS ip95
       FROM w GROUP BY node_id`,
    [n],
  );
  const p95All = new Map(p95.map((r) => [r.node_id, r.p95]));
  const p95Independent = new Map(p95.filter((r) => r.ip95 !== null).map((r) => [r.node_id, r.ip95 as number]));
  const stats = (csv: string, p: number | undefined): JobStats => {
    const [standard, standardFailed, high, highFailed, ratingSum] = csv.split(',').map((x) => BigInt(x));
    return { standard, standardFailed, high, highFailed, p95ResponseMs: p ?? 0, ratingSum } as JobStats;
  };
  const fees = await receiptFees(sql, n, params);
  const out = new Map<string, { delivered: number; fee: bigint; all: JobStats; independent: JobStats }>();
  for (const r of rows) {
    out.set(r.node_id, {
      delivered: Number(r.delivered),
      fee: fees.get(r.node_id) ?? 0n,
      all: stats(r.a, p95All.get(r.node_id)),
      independent: stats(r.i, p95Independent.get(r.node_id)),
    });
  }
  return out;
}

/** At the close of epoch `n`: merges the owners its billable receipts paid into each consumer key's span (from `summariseReceipts`'s pairs). */
export async function recordConsumerOwners(sql: Sql): Promise<void> {
  await sql.query(
    `INSERT INTO consumer_owners (consumer_key, lo, hi)
     SELECT consumer_key, MIN(owner), MAX(owner) FROM epoch_receipt_pairs WHERE billable GROUP BY consumer_key
     ON CONFLICT (consumer_key) DO UPDATE SET lo = LEAST(consumer_owners.lo, excluded.lo), hi = GREATEST(consumer_owners.hi, excluded.hi)`,
  );
}

/**
 * The protocol fee each node's billable receipts of epoch `n` paid (SPEC §4.4's `f_i`), as the fee
 * postings charge it: per consumer, the fee on its price less the discount its user stake in
 * effect earns (SPEC §5). Per node and consumer, floored: never more than what was charged.
 */
async function receiptFees(sql: Sql, n: number, params: Params): Promise<Map<string, bigint>> {
  const rows = await sql.query<{ node_id: string; consumer_key: string; price: string; staked: string | null }>(
    `WITH p AS (SELECT node_id, consumer_key, price FROM epoch_receipt_pairs WHERE billable),
          k AS (SELECT st.owner_key, SUM${stakeInEffect('$1')} AS staked
                  FROM stakes st WHERE st.kind = 'user' AND st.effective_epoch <= $1 AND st.owner_key IN (SELECT consumer_key FROM p)
                 GROUP BY st.owner_key)
     SELECT p.node_id, p.consumer_key, p.price::text AS price, k.staked::text AS staked
       FROM p LEFT JOIN k ON k.owner_key = p.consumer_key ORDER BY p.node_id, p.consumer_key`,
    [n],
  );
  const out = new Map<string, bigint>();
  for (const r of rows) {
    const f = computeFeeSplit(BigInt(r.price), params, computeUserDiscount(BigInt(r.staked ?? '0'), params));
    out.set(r.node_id, (out.get(r.node_id) ?? 0n) + f.burned + f.treasury);
  }
  return out;
}

/**
 * Each owner's usage per hardware class over the scarcity window's earlier epochs (SPEC §4.4): the
 * `window − 1` epochs before `n`, as their closes recorded it.
 */
async function scarcityHistory(sql: Sql, n: number, window: number): Promise<OwnerClassUsage[]> {
  const rows = await sql.query<{ owner: string; hardware_class: string; delivered: string; provisioned: string }>(
    `SELECT owner, hardware_class, SUM(delivered)::text AS delivered, SUM(provisioned)::text AS provisioned
       FROM owner_class_usage WHERE epoch >= $1 AND epoch < $2 GROUP BY owner, hardware_class ORDER BY owner, hardware_class`,
    [n - window + 1, n],
  );
  return rows.map((r) => ({ owner: r.owner, hardwareClass: r.hardware_class, delivered: Number(r.delivered), provisioned: Number(r.provisioned) }));
}

/**
 * The slots of epoch `n` excluded from every node's expected time (SPEC §3.2), as ascending ranges
 * with their cause: those in which the service was down (`serviceDownSlots`), then those in which
 * more than `platformOutageShare` of the active nodes — at least `platformOutageMinNodes` of them
 * expected — missed their heartbeat. The second needs a count per slot, which is skipped when the
 * epoch's missed slots in all could not add up to one such slot.
 */
async function excludedSlots(sql: Sql, s: Settings, n: number, params: Params): Promise<ExcludedSlots[]> {
  const total = s.epochSeconds / s.slotSeconds;
  const down = await serviceDownSlots(sql, n);
  const start = epochStart(s, n);
  const active = await sql.query<{ first: number; up: number }>(
    `SELECT GREATEST(0, floor((n.registered_at - $2) / $3))::int AS first, COALESCE(bit_count(s.slots), 0)::int AS up
       FROM nodes n LEFT JOIN node_slots s ON s.node_id = n.id AND s.epoch = $1
      WHERE n.status = 'active' AND n.registered_at < $4`,
    [n, start, s.slotSeconds, start + s.epochSeconds],
  );
  const h = params.heartbeats;
  const expected = new Int32Array(total);
  let missed = 0;
  for (const a of active) {
    if (a.first < total) expected[a.first] = (expected[a.first] as number) + 1;
    missed += total - a.first - Math.min(a.up, total - a.first);
  }
  for (let k = 1; k < total; k++) expected[k] = (expected[k] as number) + (expected[k - 1] as number);
  const up = Int32Array.from(expected); // every expected node up, unless counted otherwise below
  // a slot k is an outage only if more than the share of expected[k] (at least the minimum) missed it:
  // the epoch's missed node-slots in all must exceed that share of the fewest nodes a qualifying slot expects
  const fewest = expected.find((x) => x >= h.platformOutageMinNodes);
  if (fewest !== undefined && isPlatformOutage(missed, fewest, h)) {
    // up[k] = expected[k] less the nodes that missed slot k: a node without a heartbeat all epoch
    // missed every slot from its first; any other only its zero bits, read from the bitmaps of the
    // nodes that missed a slot at all (varbit_send: a 4-byte bit length, then the bits, first slot
    // in the high bit) — not a count over every node and slot
    const gone = new Int32Array(total + 1);
    for (const a of active)
      if (a.up === 0 && a.first < total) {
        gone[a.first] = (gone[a.first] as number) + 1;
        gone[total] = (gone[total] as number) - 1;
      }
    for (let k = 0, run = 0; k < total; k++) {
      run += gone[k] as number;
      up[k] = (up[k] as number) - run;
    }
    const gaps = await sql.query<{ first: number; b: Uint8Array }>(
      `SELECT GREATEST(0, floor((n.registered_at - $2) / $3))::int AS first, varbit_send(s.slots) AS b
         FROM node_slots s JOIN nodes n ON n.id = s.node_id AND n.status = 'active' AND n.registered_at < $4
        WHERE s.epoch = $1 AND bit_count(s.slots) > 0 AND bit_count(s.slots) < $5 - GREATEST(0, floor((n.registered_at - $2) / $3))`,
      [n, start, s.slotSeconds, start + s.epochSeconds, total],
    );
    for (const g of gaps)
      for (let k = g.first; k < total; k++) {
        const byte = g.b[4 + (k >> 3)] as number;
        if (byte === 0xff)
          k |= 7; // a whole byte up: skip to its last bit
        else if ((byte & (0x80 >> (k & 7))) === 0) up[k] = (up[k] as number) - 1;
      }
  }
  return computeExcludedSlots(down, expected, up, h);
}

/** The slots of epoch n each node announced as maintenance, with the node's heartbeat bits (for the up slots in them). */
async function maintenanceMasks(sql: Sql, n: number, start: number, end: number, slotSeconds: number, totalSlots: number) {
  const windows = await maintenanceDuring(sql, start, end);
  const out = new Map<string, { covered: boolean[]; slots: string }>();
  if (windows.size === 0) return out;
  const ids = [...windows.keys()];
  const bits = new Map(
    (
      await sql.query<{ node_id: string; slots: string }>('SELECT node_id, slots::text AS slots FROM node_slots WHERE epoch = $1 AND node_id = ANY($2)', [
        n,
        ids,
      ])
    ).map((r) => [r.node_id, r.slots]),
  );
  for (const [id, w] of windows) out.set(id, { covered: maintenanceSlots(w, start, slotSeconds, totalSlots), slots: bits.get(id) ?? '' });
  return out;
}

function vestingOf(tranches: VestingTranche[] | undefined, n: number): Pick<NodeInput, 'vesting'> {
  const v = tranches === undefined ? undefined : vestingState(tranches, n);
  return v === undefined ? {} : { vesting: v };
}
