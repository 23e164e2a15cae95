import { createHash } from 'node:crypto';
import {
  backedProviderClass,
  computeMinBond,
  defaultParams,
  type Params,
  PROFILES,
  type Profile,
  type ProviderClass,
  prng,
  REGIONS,
  type SlaClass,
  TOKEN,
  WAD,
} from '@swarm/core';
import { ensureSlotPartitions } from '../keepers/partitions.ts';
import { post } from '../ledger/ledger.ts';
import { epochStart, type Settings } from '../service/context.ts';
import type { Db, Sql } from '../store/db.ts';

/**
 * A store filled with a network of `nodes` nodes as the service would have stored it after
 * `epochs` epochs of real traffic, without sending the traffic: for measuring the close and the
 * reads at scale (`npm run bench`) and for trying the service on a large network (`swarm seed`).
 *
 * What it holds, drawn from `seed` (the same options give the same rows on every store):
 * - nodes of mixed hardware, regions, SLA and provider classes (core's `PROFILES`), one owner per
 *   three nodes, each with a validator's onboarding check of what it has, and a bond;
 * - per epoch, each node's heartbeat bitmap: most miss a few minutes in one to three gaps; about
 *   2 % are the violators — long outages below their SLA's target, failing and slow jobs — and a
 *   few of those are dark all epoch;
 * - per epoch, each node's receipts as the simulator's networks make them (`receiptsPerNodeDay`,
 *   jobs of 1,800 GPU-seconds at the organic GPU rate, never more than the node could deliver),
 *   from five consumers per node out of one per five nodes; a tenth high priority, mixed job types;
 * - user stakes of a tenth of the consumers, operator stakes of a hundredth of the owners,
 *   unbondings of a hundredth of the bonds, an attestor per attested role;
 * - the ledger postings that fund all of it (mint → wallets → stakes), so `swarm check` holds.
 *
 * Nothing is signed: the stored messages (`nodes.message`, `receipts.message`, the checks') are `{}`
 * placeholders and a receipt's `message_hash` is the SHA-256 of its job id, so a validator cannot
 * re-verify a seeded receipt. The store is for timing and browsing, not for audits.
 */
export type SeedOptions = {
  nodes: number;
  /** Epochs of heartbeats and receipts, from 0. Default 1. */
  epochs?: number;
  /** Default: the simulator's networks' ~130 a node-day. */
  receiptsPerNodeDay?: number;
  seed?: number;
  params?: Params;
  /** A platform outage: in epoch `epoch`, `share` of the nodes miss slots `from` to `to` − 1 together. */
  outage?: { epoch: number; from: number; to: number; share: number };
  /** Called after each chunk of nodes. */
  progress?: (done: number, total: number) => void;
};

export type SeedSummary = { nodes: number; owners: number; consumers: number; receipts: number; epochs: number };

const CHUNK = 4998; // whole owners
/** A job's length, as in the simulator's world (`packages/sim/src/world.ts`). */
export const JOB_SECONDS = 1800;
const CONSUMERS_PER_NODE = 5;

const hexOf = (label: string) => createHash('sha256').update(label).digest('hex');
const pad = (i: number) => String(i).padStart(7, '0');
export const seededNodeId = (i: number) => `n-${pad(i)}`;
const ownerAddress = (o: number) => `0x${hexOf(`seed-owner:${o}`).slice(0, 40)}`;

export async function seedNetwork(db: Db, s: Settings, o: SeedOptions): Promise<SeedSummary> {
  const params = o.params ?? defaultParams();
  const epochs = o.epochs ?? 1;
  const perDay = o.receiptsPerNodeDay ?? 130;
  const r = prng(o.seed ?? 1);
  const totalSlots = s.epochSeconds / s.slotSeconds;
  const owners = Math.max(1, Math.ceil(o.nodes / 3));
  const consumerCount = Math.max(20, Math.ceil(o.nodes / 5));
  const consumers = Array.from({ length: consumerCount }, (_, c) => hexOf(`seed-consumer:${c}`));
  const ownerKeys = Array.from({ length: owners }, (_, k) => hexOf(`seed-owner-key:${k}`));
  // the organic rate per GPU-second, rounded up as the simulator prices it
  const rate = ((params.bond.gpuRateUsdPerHour * WAD) / params.bond.referenceTokenPriceUsd + 3599n) / 3600n;
  const jobPrice = rate * BigInt(JOB_SECONDS);
  const validator = hexOf('seed-validator');
  const paidBy = new Array<bigint>(consumerCount).fill(0n);
  let receipts = 0;
  let owner = ownerOfNodes(r, 0, params);
  // the heartbeat bitmaps' partitions for the seeded epochs and the one after (what the service does ahead)
  await db.tx((sql) => ensureSlotPartitions(sql, s, 0, epochs));
  await db.tx(async (sql) => {
    await sql.query('INSERT INTO attestors (id, key, roles) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
      'foundation',
      hexOf('seed-attestor'),
      'model,developer,community,liquidity',
    ]);
  });
  for (let from = 0; from < o.nodes; from += CHUNK) {
    const to = Math.min(o.nodes, from + CHUNK);
    const n: NodeColumns = {
      id: [] as string[],
      key: [] as string[],
      ownerKey: [] as string[],
      owner: [] as string[],
      region: [] as string[],
      sla: [] as string[],
      cls: [] as string[],
      hw: [] as string[],
      registered: [] as number[],
      measured: [] as string[],
      bond: [] as string[],
    };
    const slots: EpochColumns[] = Array.from({ length: epochs }, () => ({
      id: [] as string[],
      bits: [] as string[],
      up: [] as number[],
      fail: [] as number[],
      jobs: [] as number[],
      idx: [] as number[],
      latency: [] as number[],
      consumers: Array.from({ length: CONSUMERS_PER_NODE }, () => [] as string[]),
    }));
    for (let i = from; i < to; i++) {
      const id = seededNodeId(i);
      const ownerIx = Math.floor(i / 3);
      // an owner's three nodes: one profile, one region, the provider class their GPUs and RAM back together
      if (i % 3 === 0) owner = ownerOfNodes(r, Math.min(3, o.nodes - i), params);
      const hardware = owner.hardware[i % 3] as (typeof owner.hardware)[number];
      const prof = owner.profile;
      const gpus = hardware.gpus.reduce((a, g) => a + g.count, 0);
      // most registered well before genesis; one in 200 part-way through epoch 0
      const registered = r() < 0.005 ? s.genesis + Math.floor(r() * s.epochSeconds * 0.8) : s.genesis - Math.floor((1 + r() * 90) * 86_400);
      // between one and three times the minimum bond (SPEC §5)
      const bond = (computeMinBond({ hardware }, params) * BigInt(100 + Math.floor(r() * 200))) / 100n;
      n.id.push(id);
      n.key.push(hexOf(`seed-node-key:${i}`));
      n.ownerKey.push(ownerKeys[ownerIx] as string);
      n.owner.push(ownerAddress(ownerIx));
      n.region.push(owner.region);
      n.sla.push(prof.sla);
      n.cls.push(owner.cls);
      n.hw.push(JSON.stringify(hardware));
      n.registered.push(registered);
      n.measured.push(JSON.stringify({ vcpus: prof.vcpus, ramGb: prof.ram, nvmeTb: prof.nvme, bandwidthGbps: prof.bw, hostId: hexOf(`seed-host:${i}`) }));
      n.bond.push(bond.toString());
      const violator = r() < 0.02;
      const demand = 0.3 + r() * 1.4;
      for (let e = 0; e < epochs; e++) {
        const first = Math.max(0, Math.ceil((registered - epochStart(s, e)) / s.slotSeconds));
        if (first >= totalSlots) continue;
        const dark = violator && r() < 0.15;
        if (dark) continue; // no heartbeat all epoch: no row, as the store keeps it
        const { bits, up } = drawBitmap(r, totalSlots, first, violator, o.outage?.epoch === e ? o.outage : undefined);
        const capacity = Math.floor((gpus * up * s.slotSeconds) / JOB_SECONDS);
        const jobs = Math.min(capacity, Math.round(((perDay * s.epochSeconds) / 86_400) * demand));
        const row = slots[e] as (typeof slots)[number];
        row.id.push(id);
        row.bits.push(bits.toString('latin1'));
        row.up.push(up);
        row.fail.push(violator ? 5 : 100); // one job in `fail` fails
        row.jobs.push(jobs);
        row.idx.push(i);
        for (let j = 0; j < CONSUMERS_PER_NODE; j++) (row.consumers[j] as string[]).push(consumers[consumerOf(i, j, consumerCount)] as string);
        row.latency.push(LATENCY[prof.sla][0] + Math.floor(r() * (LATENCY[prof.sla][1] - LATENCY[prof.sla][0] + 1)));
        receipts += jobs;
        for (let k = 0; k < jobs; k++) {
          const c = consumerOf(i, k, consumerCount);
          paidBy[c] = (paidBy[c] as bigint) + jobPrice;
        }
      }
    }
    await db.tx((sql) => writeChunk(sql, s, from, n, slots, { validator, jobPrice }));
    o.progress?.(to, o.nodes);
  }
  await db.tx(async (sql) => {
    await seedConsumers(sql, consumers, paidBy, r);
    await seedStakes(sql, ownerKeys, r, epochs);
    await seedAttestations(sql, epochs, owners, r);
  });
  await db.query('ANALYZE');
  return { nodes: o.nodes, owners, consumers: consumerCount, receipts, epochs };
}

type NodeColumns = Record<'id' | 'key' | 'ownerKey' | 'owner' | 'region' | 'sla' | 'cls' | 'hw' | 'measured' | 'bond', string[]> & { registered: number[] };
/** An epoch's rows, a column each; `consumers[j]` the key of each node's consumer j (its jobs j, j + 5, …). */
type EpochColumns = { id: string[]; bits: string[]; consumers: string[][] } & Record<'up' | 'fail' | 'jobs' | 'idx' | 'latency', number[]>;

/**
 * An epoch's heartbeat bitmap from slot `first` (registration) on, as text: most nodes up all day,
 * some missing a minute or three, a violator 8–20 % of the epoch in one to three gaps; a staged
 * outage takes its slots out too (drawn with its share).
 */
function drawBitmap(
  r: () => number,
  totalSlots: number,
  first: number,
  violator: boolean,
  outage: { from: number; to: number; share: number } | undefined,
): { bits: Buffer; up: number } {
  const bits = Buffer.alloc(totalSlots, 0x31);
  bits.fill(0x30, 0, first);
  const down = violator ? Math.floor(totalSlots * (0.08 + r() * 0.12)) : r() < 0.15 ? 1 + Math.floor(r() * 3) : 0;
  const gaps = violator ? 1 + Math.floor(r() * 3) : 1;
  for (let g = 0; down > 0 && g < gaps; g++) {
    const len = Math.ceil(down / gaps);
    const at = first + Math.floor(r() * Math.max(1, totalSlots - first - len));
    bits.fill(0x30, at, Math.min(totalSlots, at + len));
  }
  if (outage !== undefined && r() < outage.share) bits.fill(0x30, Math.max(first, outage.from), outage.to);
  let up = 0;
  for (let k = 0; k < totalSlots; k++) if (bits[k] === 0x31) up++;
  return { bits, up };
}

/** One chunk of nodes in one transaction: the nodes, their checks and bonds, each epoch's bitmaps and receipts, the ledger that funds the bonds. */
async function writeChunk(
  sql: Sql,
  s: Settings,
  from: number,
  n: NodeColumns,
  slots: readonly EpochColumns[],
  shared: { validator: string; jobPrice: bigint },
): Promise<void> {
  await sql.query(
    `INSERT INTO nodes (id, node_key, owner_key, owner, region, sla_class, provider_class, hardware, registered_at, commitment_days, message)
       SELECT id, k, ok, o, rg, sl, cl, hw, reg, 0, '{}'
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[]) AS u(id, k, ok, o, rg, sl, cl, hw, reg)`,
    [n.id, n.key, n.ownerKey, n.owner, n.region, n.sla, n.cls, n.hw, n.registered],
  );
  await sql.query(
    `INSERT INTO onboarding_checks (node_id, validator_key, epoch, at, passed, gates, message, host_id, measured)
       SELECT id, $1, 0, GREATEST(reg, $2::bigint), true, '{"gates":[],"reasons":[]}', '{}', m::json->>'hostId', m
         FROM unnest($3::text[], $4::bigint[], $5::text[]) AS u(id, reg, m)`,
    [shared.validator, s.genesis - 3600, n.id, n.registered, n.measured],
  );
  await sql.query(
    `INSERT INTO stakes (id, kind, owner_key, node_id, payout, amount, lock_days, effective_epoch)
       SELECT 'bond-' || id, 'bond', ok, id, o, a::numeric, 0, 0 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(id, ok, o, a)`,
    [n.id, n.ownerKey, n.owner, n.bond],
  );
  for (const [e, row] of slots.entries()) {
    const start = epochStart(s, e);
    await sql.query(
      `INSERT INTO node_slots (node_id, epoch, slots, heartbeats, power_sum, power_count, max_gpu_util, latency_sum, loss_sum)
         SELECT id, $1, b::varbit, up, up::bigint * (850000 + i % 100000), up, 600000 + i % 300000, up::bigint * l, up::bigint * (i % 1000)
           FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::int[]) AS u(id, b, up, i, l)`,
      [e, row.id, row.bits, row.up, row.idx, row.latency],
    );
    // each node's jobs, spread over the epoch; its five consumers in turn (`consumerOf`), passed per
    // node: a subscript into the whole list of keys walks it from the start, every row (at 1M nodes,
    // 200,000 keys: 12 s for a chunk's receipts instead of ~1)
    const c = row.consumers;
    await sql.query(
      `INSERT INTO receipts (job_id, node_id, consumer_key, epoch, ts, gpu_seconds, price, success, response_ms, priority, rating, billable, job_type, message, message_hash)
         SELECT u.id || '.e' || $1::int || '.j' || k, u.id, (ARRAY[u.c0, u.c1, u.c2, u.c3, u.c4])[1 + k % ${CONSUMERS_PER_NODE}], $1::int,
                $2::bigint + (k::bigint * $3) / GREATEST(u.jobs, 1), ${JOB_SECONDS}, $4::numeric, k % u.fail <> u.fail - 1,
                CASE WHEN u.fail < 100 AND k % 4 = 0 THEN 150 + (k * 37) % 250 ELSE 20 + (u.i + k * 13) % 70 END,
                CASE WHEN k % 10 = 3 THEN 'high' ELSE 'standard' END, 3 + (u.i + k) % 3, true,
                CASE (u.i + k) % 10 WHEN 0 THEN 'training' WHEN 1 THEN 'fine-tuning' ELSE 'inference' END,
                '{}', encode(sha256(convert_to(u.id || '.e' || $1::int || '.j' || k, 'UTF8')), 'hex')
           FROM unnest($5::text[], $6::int[], $7::int[], $8::int[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) AS u(id, i, jobs, fail, c0, c1, c2, c3, c4),
                generate_series(0, u.jobs - 1) AS k`,
      [e, start, s.epochSeconds, shared.jobPrice.toString(), row.id, row.idx, row.jobs, row.fail, c[0], c[1], c[2], c[3], c[4]],
    );
  }
  // the ledger: each bond out of its owner's wallet, funded by a mint
  const postings = n.id.map((id, k) => ({
    id: `seed:bond:${id}`,
    epoch: -1,
    from: `wallet:${n.ownerKey[k]}`,
    to: `stake:bond-${id}`,
    amount: BigInt(n.bond[k] as string),
    memo: 'bond stake',
  }));
  const minted = new Map<string, bigint>();
  for (const [j, k] of n.ownerKey.entries()) minted.set(k, (minted.get(k) ?? 0n) + BigInt(n.bond[j] as string));
  const mints = [...minted].map(([k, amount]) => ({ id: `seed:mint:${k}:${from}`, epoch: -1, from: 'mint', to: `wallet:${k}`, amount, memo: 'seed' }));
  await post(sql, [...mints, ...postings]);
}

/** The consumer of node i's k-th job: its five consumers in turn (the SQL in `seedNetwork` computes the same). */
function consumerOf(i: number, k: number, count: number): number {
  return (i * 7919 + (k % CONSUMERS_PER_NODE) * 104729) % count;
}

/** Heartbeat latency a node of each SLA class reports, ms: within its target. */
const LATENCY: Record<SlaClass, [number, number]> = { minimum: [10, 45], recommended: [2, 9], 'mission-critical': [1, 4] };

/** An owner's `count` nodes: their profile, region, hardware, and the provider class they back together. */
function ownerOfNodes(r: () => number, count: number, params: Params) {
  const profile = pick(r);
  const region = REGIONS[Math.floor(r() * REGIONS.length)] as string;
  const hardware = Array.from({ length: count }, () => {
    const model = profile.models[Math.floor(r() * profile.models.length)];
    const gpus = profile.gpus[0] + Math.floor(r() * (profile.gpus[1] - profile.gpus[0] + 1));
    return {
      gpus: model === undefined || gpus === 0 ? [] : [{ model, count: gpus }],
      vcpus: profile.vcpus,
      ramGb: profile.ram,
      nvmeTb: profile.nvme,
      bandwidthGbps: profile.bw,
    };
  });
  const backing = { gpus: hardware.reduce((a, h) => a + h.gpus.reduce((b, g) => b + g.count, 0), 0), ramGb: hardware.reduce((a, h) => a + h.ramGb, 0) };
  const cls: ProviderClass = backedProviderClass(backing, params.compute) ?? 'individual';
  return { profile, region, hardware, cls };
}

function pick(r: () => number): Profile {
  let x = r();
  for (const [w, p] of PROFILES) {
    if (x < w) return p;
    x -= w;
  }
  return (PROFILES[0] as [number, Profile])[1];
}

/** Consumers' wallets hold what their receipts will be charged (reserved, as ingest reserves it), and a tenth of them a user stake. */
async function seedConsumers(sql: Sql, keys: string[], paid: bigint[], r: () => number): Promise<void> {
  const used = keys.map((k, c) => [k, paid[c] as bigint] as const).filter(([, p]) => p > 0n);
  await sql.query('INSERT INTO consumers (key, reserved) SELECT k, p::numeric FROM unnest($1::text[], $2::text[]) AS u(k, p)', [
    used.map(([k]) => k),
    used.map(([, p]) => p.toString()),
  ]);
  const postings = [];
  const stakes = { id: [] as string[], key: [] as string[], amount: [] as string[], lock: [] as number[] };
  for (const [k, p] of used) {
    const stake = r() < 0.1 ? BigInt(100 + Math.floor(r() * 50_000)) * TOKEN : 0n;
    postings.push({ id: `seed:fund:${k}`, epoch: -1, from: 'mint', to: `wallet:${k}`, amount: p + stake + TOKEN, memo: 'seed' });
    if (stake > 0n) {
      stakes.id.push(`user-${k.slice(0, 40)}`);
      stakes.key.push(k);
      stakes.amount.push(stake.toString());
      stakes.lock.push([0, 30, 90, 180, 365][Math.floor(r() * 5)] as number);
      postings.push({ id: `seed:stake:user:${k}`, epoch: -1, from: `wallet:${k}`, to: `stake:user-${k.slice(0, 40)}`, amount: stake, memo: 'user stake' });
    }
  }
  await sql.query(
    `INSERT INTO stakes (id, kind, owner_key, node_id, payout, amount, lock_days, effective_epoch)
     SELECT id, 'user', k, NULL, '0x' || substr(k, 1, 40), a::numeric, l, 0 FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS u(id, k, a, l)`,
    [stakes.id, stakes.key, stakes.amount, stakes.lock],
  );
  for (let i = 0; i < postings.length; i += 10_000) await post(sql, postings.slice(i, i + 10_000));
}

/** Operator stakes of a hundredth of the owners; unbondings of a hundredth of the bonds (a fifth of each, due a week on). */
async function seedStakes(sql: Sql, ownerKeys: string[], r: () => number, epochs: number): Promise<void> {
  const postings = [];
  for (let k = 0; k < ownerKeys.length; k++) {
    if (r() >= 0.01) continue;
    const key = ownerKeys[k] as string;
    const amount = BigInt(100_000 + Math.floor(r() * 400_000)) * TOKEN;
    await sql.query(
      `INSERT INTO stakes (id, kind, owner_key, node_id, payout, amount, lock_days, effective_epoch) VALUES ($1, 'operator', $2, NULL, $3, $4, 730, 0)`,
      [`operator-${key.slice(0, 40)}`, key, ownerAddress(k), amount.toString()],
    );
    postings.push({ id: `seed:mint:operator:${key}`, epoch: -1, from: 'mint', to: `wallet:${key}`, amount, memo: 'seed' });
    postings.push({
      id: `seed:stake:operator:${key}`,
      epoch: -1,
      from: `wallet:${key}`,
      to: `stake:operator-${key.slice(0, 40)}`,
      amount,
      memo: 'operator stake',
    });
  }
  const bonds = await sql.query<{ id: string; amount: string }>("SELECT id, amount::text AS amount FROM stakes WHERE kind = 'bond' ORDER BY id");
  for (const b of bonds) {
    if (r() >= 0.01) continue;
    const amount = BigInt(b.amount) / 5n;
    const id = `unbond-${b.id}`;
    const effective = Math.floor(r() * epochs);
    await sql.query('INSERT INTO unbondings (id, stake_id, amount, effective_epoch, release_epoch) VALUES ($1, $2, $3, $4, $5)', [
      id,
      b.id,
      amount.toString(),
      effective,
      effective + 7,
    ]);
    postings.push({ id: `seed:${id}`, epoch: -1, from: `stake:${b.id}`, to: `unbonding:${id}`, amount, memo: 'unbonding' });
  }
  for (let i = 0; i < postings.length; i += 10_000) await post(sql, postings.slice(i, i + 10_000));
}

/** Per epoch, one attestor's points for each attested role, over up to 500 owners. */
async function seedAttestations(sql: Sql, epochs: number, owners: number, r: () => number): Promise<void> {
  for (let e = 0; e < epochs; e++)
    for (const role of ['model', 'developer', 'community', 'liquidity']) {
      const entries = Array.from({ length: Math.min(500, owners) }, (_, k) => ({
        payout: ownerAddress(Math.floor((k * owners) / Math.min(500, owners))),
        points: 1 + Math.floor(r() * 1000),
      }));
      await sql.query('INSERT INTO attestations (epoch, role, attestor, entries, message) VALUES ($1, $2, $3, $4, $5)', [
        e,
        role,
        'foundation',
        JSON.stringify(entries),
        '{}',
      ]);
    }
}
