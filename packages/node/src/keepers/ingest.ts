import { InvariantError, isBillable, parseAmount, parseWad } from '@swarm/core';
import {
  type Attestation,
  type AttestorApproval,
  canonicalJson,
  countersignBody,
  type Grant,
  type Heartbeat,
  type Receipt,
  type Refusal,
  type Register,
  SIGNING_DOMAIN,
  type Stake,
  type Unbond,
  verifyBody,
} from '@swarm/sdk';
import { balanceOf, post } from '../ledger/ledger.ts';
import { type Context, epochOf, epochStart, type NodeInfo, paramsAt } from '../service/context.ts';
import { badRequest, conflict, forbidden, notFound, RequestError, unauthorized } from '../service/errors.ts';
import type { Sql } from '../store/db.ts';
import { messageHash } from './audits.ts';
import { advanceSeq, checkEpochOpen, checkTimestamp, requireEpoch } from './checks.ts';
import { openStake, startUnbonding } from './stakes.ts';
import { reserveFunds } from './wallet.ts';

/**
 * The ingest keepers: each verifies one kind of signed message and stores it in one transaction,
 * or refuses it with a `RequestError` and stores nothing. Replay is refused three ways: a
 * sequence number that must rise per signing key, a timestamp that must be near the server's
 * clock, and ids (job, stake, node) that may be used once.
 */

function sign(ok: boolean, field: string, what: string): void {
  if (!ok) throw unauthorized(`${what} does not verify`, field);
}

export async function getNode(ctx: Context, sql: Sql, id: string): Promise<NodeInfo | undefined> {
  const cached = ctx.nodes.get(id);
  if (cached) return cached;
  const r = await sql.query<{ id: string; node_key: string; owner_key: string; owner: string; registered_at: string; hardware: string }>(
    'SELECT id, node_key, owner_key, owner, registered_at::text AS registered_at, hardware FROM nodes WHERE id = $1',
    [id],
  );
  const row = r[0];
  if (!row) return undefined;
  const hw = JSON.parse(row.hardware) as { gpus: { model: string; count: number }[] };
  const info: NodeInfo = {
    id: row.id,
    nodeKey: row.node_key,
    ownerKey: row.owner_key,
    owner: row.owner,
    registeredAt: Number(row.registered_at),
    gpus: hw.gpus.reduce((a, g) => a + g.count, 0),
    models: new Set(hw.gpus.map((g) => g.model)),
  };
  ctx.nodes.set(id, info);
  return info;
}

// ---- registration ----------------------------------------------------------------------------

export async function registerNode(ctx: Context, msg: Register): Promise<{ nodeId: string }> {
  const b = msg.body;
  sign(verifyBody(b, msg.nodeSignature, b.nodeKey), 'nodeSignature', 'the node signature');
  sign(verifyBody(b, msg.ownerSignature, b.ownerKey), 'ownerSignature', 'the owner signature');
  const epoch = checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  if (b.referrer !== null && b.referrer === b.owner) throw badRequest('SELF_REFERRAL', 'a node cannot be referred by its own owner', 'body.referrer');
  await ctx.db.tx(async (sql) => {
    const { params } = await paramsAt(sql, Math.max(0, epoch));
    b.hardware.gpus.forEach((g, i) => {
      if (params.compute.gpuUnits[g.model] === undefined) {
        throw badRequest(
          'UNKNOWN_GPU_MODEL',
          `unknown GPU model ${JSON.stringify(g.model)} (declare unlisted models as 'other')`,
          `body.hardware.gpus[${i}].model`,
        );
      }
    });
    await advanceSeq(sql, b.ownerKey, b.seq, 'body.seq');
    const r = await sql.query(
      `INSERT INTO nodes (id, node_key, owner_key, owner, region, sla_class, provider_class, hardware, registered_at, commitment_days, referrer, message, onboarded)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING RETURNING id`,
      [
        b.nodeId,
        b.nodeKey,
        b.ownerKey,
        b.owner,
        b.region,
        b.slaClass,
        b.providerClass,
        JSON.stringify(b.hardware),
        b.timestamp,
        b.commitmentDays,
        b.referrer,
        JSON.stringify(msg),
        // onboarded until a check says otherwise only on an open network; else once a validator's check passes
        ctx.settings.onboarding === 'open',
      ],
    );
    if (r.length === 0) throw conflict('ALREADY_REGISTERED', 'a node with this id or node key is already registered', 'body.nodeId');
  });
  ctx.metrics.accepted.inc({ type: 'register' });
  return { nodeId: b.nodeId };
}

// ---- heartbeats ------------------------------------------------------------------------------

type SlotAgg = {
  nodeId: string;
  epoch: number;
  slots: number[];
  heartbeats: number;
  powerSum: number;
  powerCount: number;
  maxUtil: number;
  latencySum: number;
  lossSum: number;
};

/** The slot bitmap as PostgreSQL's bit-string text: one character per slot, '1' where set. */
function mask(slots: number[], length: number): string {
  const bits = new Uint8Array(length).fill(48);
  for (const k of slots) bits[k] = 49;
  return Buffer.from(bits).toString('latin1');
}

/**
 * Accepts a batch of signed heartbeats atomically: all of them, or — if any is malformed, forged,
 * replayed, stale or unknown — none, with the error naming the item.
 *
 * A heartbeat proves its node was alive when it arrived, so it counts for the slot of the service's
 * clock at arrival (SPEC §3.2: "a node-minute is up when at least one valid heartbeat for that
 * minute arrived"), never for the slot its own timestamp names: a node that trusted its own stamps
 * could send a minute's heartbeats stamped over ten minutes and claim ten slots up. The stamp must
 * lag the clock by at most `heartbeats.maxSkewSeconds` (governed, default 5 s) and may not lie in
 * the future. So one request sets at most one slot per node; duplicates within a slot count once.
 */
export async function acceptHeartbeats(ctx: Context, heartbeats: readonly Heartbeat[], fieldPrefix = 'heartbeats'): Promise<{ accepted: number }> {
  const s = ctx.settings;
  const slotsPerEpoch = s.epochSeconds / s.slotSeconds;
  const groups = new Map<string, SlotAgg>();
  const seqs = new Map<string, { min: number; max: number }>();
  const epochs = new Set<number>();
  const at = (i: number) => (fieldPrefix === '' ? '' : `${fieldPrefix}[${i}].`);
  // outside any transaction: who sent each heartbeat, and do the signatures hold
  const senders: NodeInfo[] = [];
  for (let i = 0; i < heartbeats.length; i++) {
    const id = (heartbeats[i] as Heartbeat).body.nodeId;
    const node = await getNode(ctx, ctx.db, id);
    if (!node) throw notFound('UNKNOWN_NODE', `no node ${JSON.stringify(id)} is registered`, `${at(i)}body.nodeId`);
    senders.push(node);
  }
  if (ctx.verifier && heartbeats.length >= 64) {
    const ok = await ctx.verifier.verify(
      heartbeats.map((h, i) => ({ data: SIGNING_DOMAIN + canonicalJson(h.body), signature: h.signature, publicKey: (senders[i] as NodeInfo).nodeKey })),
    );
    const bad = ok.indexOf(false);
    if (bad >= 0) throw unauthorized('the heartbeat signature does not verify', `${at(bad)}signature`);
  } else {
    heartbeats.forEach((h, i) => {
      sign(verifyBody(h.body, h.signature, (senders[i] as NodeInfo).nodeKey), `${at(i)}signature`, 'the heartbeat signature');
    });
  }
  // the arrival: its epoch and slot are where every heartbeat of this request counts
  const now = ctx.clock.now();
  const epoch = epochOf(s, now);
  const slot = Math.floor((now - epochStart(s, epoch)) / s.slotSeconds);
  requireEpoch(epoch, fieldPrefix === '' ? 'body.timestamp' : `${at(0)}body.timestamp`);
  const { params } = await paramsAt(ctx.db, epoch);
  const skew = params.heartbeats.maxSkewSeconds;
  for (let i = 0; i < heartbeats.length; i++) {
    const b = (heartbeats[i] as Heartbeat).body;
    const node = senders[i] as NodeInfo;
    if (b.timestamp > now) {
      throw badRequest(
        'FUTURE_TIMESTAMP',
        `timestamp ${b.timestamp} is after the server's time ${now}: a heartbeat cannot be stamped ahead`,
        `${at(i)}body.timestamp`,
      );
    }
    if (b.timestamp < now - skew) {
      throw badRequest(
        'STALE_TIMESTAMP',
        `timestamp ${b.timestamp} is more than ${skew} s before the server's time ${now} (heartbeats.maxSkewSeconds): send heartbeats as they are made`,
        `${at(i)}body.timestamp`,
      );
    }
    ctx.metrics.ingestLag.observe(now - b.timestamp);
    if (b.timestamp < node.registeredAt)
      throw badRequest('BEFORE_REGISTRATION', 'the heartbeat is older than the node’s registration', `${at(i)}body.timestamp`);
    const prev = seqs.get(b.nodeId);
    if (prev && b.seq <= prev.max) throw conflict('REPLAYED', `sequence number ${b.seq} does not increase within the batch`, `${at(i)}body.seq`);
    seqs.set(b.nodeId, { min: prev?.min ?? b.seq, max: b.seq });
    const util = micro(b.metrics.gpuUtilisation, `${at(i)}body.metrics.gpuUtilisation`);
    const power = b.metrics.powerEfficiency === null ? null : micro(b.metrics.powerEfficiency, `${at(i)}body.metrics.powerEfficiency`);
    if (power !== null && power > 1_000_000) throw badRequest('OUT_OF_RANGE', 'power efficiency is at most 1', `${at(i)}body.metrics.powerEfficiency`);
    const loss = parseWad(b.metrics.packetLoss, `${at(i)}body.metrics.packetLoss`) / 1_000_000_000n; // billionths
    if (loss > 1_000_000_000n) throw badRequest('OUT_OF_RANGE', 'packet loss is a fraction, at most 1', `${at(i)}body.metrics.packetLoss`);
    epochs.add(epoch);
    const key = `${b.nodeId}\u0000${epoch}`;
    let g = groups.get(key);
    if (!g) {
      g = { nodeId: b.nodeId, epoch, slots: [], heartbeats: 0, powerSum: 0, powerCount: 0, maxUtil: 0, latencySum: 0, lossSum: 0 };
      groups.set(key, g);
    }
    if (!g.slots.includes(slot)) g.slots.push(slot);
    g.heartbeats += 1;
    g.latencySum += b.metrics.latencyMs;
    g.lossSum += Number(loss);
    if (power !== null) {
      g.powerSum += power;
      g.powerCount += 1;
    }
    if (util > g.maxUtil) g.maxUtil = util;
  }
  return ctx.db.tx(async (sql) => {
    for (const e of [...epochs].sort((a, b) => a - b)) await checkEpochOpen(ctx, sql, e, fieldPrefix === '' ? 'body.timestamp' : fieldPrefix);
    // sequence numbers: each node's first in this batch must exceed its last accepted one
    const ids = [...seqs.keys()].sort();
    const updated = await sql.query<{ id: string }>(
      `UPDATE nodes SET last_seq = v.mx FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS v(id, mn, mx)
       WHERE nodes.id = v.id AND nodes.last_seq < v.mn RETURNING nodes.id`,
      [ids, ids.map((id) => (seqs.get(id) as { min: number }).min), ids.map((id) => (seqs.get(id) as { max: number }).max)],
    );
    if (updated.length !== ids.length) {
      const ok = new Set(updated.map((r) => r.id));
      const bad = ids.find((id) => !ok.has(id)) as string;
      const i = heartbeats.findIndex((h) => h.body.nodeId === bad);
      throw conflict(
        'REPLAYED',
        'sequence number already used by this node (it must increase)',
        fieldPrefix === '' ? 'body.seq' : `${fieldPrefix}[${i}].body.seq`,
      );
    }
    const gs = [...groups.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : a.epoch - b.epoch));
    // the common case — a node's row for the epoch exists and this batch sets one slot of it — is
    // one set_bit per row; new rows and several slots at once OR a whole mask in
    const single = gs.filter((g) => g.slots.length === 1);
    const done = new Set<SlotAgg>();
    if (single.length > 0) {
      const hit = await sql.query<{ node_id: string; epoch: string }>(
        `UPDATE node_slots s SET slots = set_bit(s.slots, v.slot, 1), heartbeats = s.heartbeats + v.hb, power_sum = s.power_sum + v.ps,
                power_count = s.power_count + v.pc, max_gpu_util = GREATEST(s.max_gpu_util, v.mu), latency_sum = s.latency_sum + v.ls, loss_sum = s.loss_sum + v.lo
           FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[], $5::bigint[], $6::int[], $7::bigint[], $8::bigint[], $9::bigint[])
                AS v(node_id, epoch, slot, hb, ps, pc, mu, ls, lo)
          WHERE s.node_id = v.node_id AND s.epoch = v.epoch
          RETURNING s.node_id, s.epoch::text AS epoch`,
        [
          single.map((g) => g.nodeId),
          single.map((g) => g.epoch),
          single.map((g) => g.slots[0] as number),
          single.map((g) => g.heartbeats),
          single.map((g) => g.powerSum),
          single.map((g) => g.powerCount),
          single.map((g) => g.maxUtil),
          single.map((g) => g.latencySum),
          single.map((g) => g.lossSum),
        ],
      );
      const updated = new Set(hit.map((r) => `${r.node_id}\u0000${r.epoch}`));
      for (const g of single) if (updated.has(`${g.nodeId}\u0000${g.epoch}`)) done.add(g);
    }
    const rest = gs.filter((g) => !done.has(g));
    if (rest.length > 0) {
      await sql.query(
        `INSERT INTO node_slots (node_id, epoch, slots, heartbeats, power_sum, power_count, max_gpu_util, latency_sum, loss_sum)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::varbit[], $4::int[], $5::bigint[], $6::int[], $7::bigint[], $8::bigint[], $9::bigint[])
         ON CONFLICT (node_id, epoch) DO UPDATE SET
           slots = node_slots.slots | excluded.slots,
           heartbeats = node_slots.heartbeats + excluded.heartbeats,
           power_sum = node_slots.power_sum + excluded.power_sum,
           power_count = node_slots.power_count + excluded.power_count,
           max_gpu_util = GREATEST(node_slots.max_gpu_util, excluded.max_gpu_util),
           latency_sum = node_slots.latency_sum + excluded.latency_sum,
           loss_sum = node_slots.loss_sum + excluded.loss_sum`,
        [
          rest.map((g) => g.nodeId),
          rest.map((g) => g.epoch),
          rest.map((g) => mask(g.slots, slotsPerEpoch)),
          rest.map((g) => g.heartbeats),
          rest.map((g) => g.powerSum),
          rest.map((g) => g.powerCount),
          rest.map((g) => g.maxUtil),
          rest.map((g) => g.latencySum),
          rest.map((g) => g.lossSum),
        ],
      );
    }
    ctx.metrics.accepted.inc({ type: 'heartbeat' }, heartbeats.length);
    return { accepted: heartbeats.length };
  });
}

/** A decimal metric in exact millionths (finer digits are truncated: metrics are not money). */
function micro(v: string, field: string): number {
  const w = parseWad(v, field);
  const m = w / 1_000_000_000_000n;
  if (m > 1_000_000_000n) throw badRequest('OUT_OF_RANGE', 'value out of range', field);
  return Number(m);
}

// ---- receipts --------------------------------------------------------------------------------

/**
 * Accepts a usage receipt signed by the node and countersigned by the consumer. The consumer's
 * wallet must cover the price (reserved now, paid when the epoch closes). Receipts priced below
 * the minimum billable rate are kept (and paid) but do not count towards rewards.
 */
/**
 * A consumer's signed refusal (SPEC §12): the job it offered the node was refused or dropped. Once
 * per job id; not for a job that already has a receipt (a receipt filed later voids the refusal).
 * It costs the consumer nothing, but it weighs only up to what the key pays the network in the epoch.
 */
export async function acceptRefusal(ctx: Context, msg: Refusal): Promise<{ jobId: string }> {
  const b = msg.body;
  sign(verifyBody(b, msg.signature, b.consumerKey), 'signature', 'the consumer signature');
  const price = parseAmount(b.price, 'body.price');
  return ctx.db.tx(async (sql) => {
    if (!(await getNode(ctx, sql, b.nodeId))) throw notFound('UNKNOWN_NODE', `no node ${JSON.stringify(b.nodeId)} is registered`, 'body.nodeId');
    const epoch = checkTimestamp(ctx, b.timestamp, 'body.timestamp');
    requireEpoch(epoch, 'body.timestamp');
    await checkEpochOpen(ctx, sql, epoch, 'body.timestamp');
    if ((await sql.query('SELECT 1 FROM receipts WHERE job_id = $1', [b.jobId])).length > 0)
      throw conflict('JOB_RECEIPTED', `job ${b.jobId} has a receipt: it was not refused`, 'body.jobId');
    await advanceSeq(sql, b.consumerKey, b.seq, 'body.seq');
    const r = await sql.query(
      'INSERT INTO refusals (job_id, node_id, consumer_key, epoch, price, message) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING job_id',
      [b.jobId, b.nodeId, b.consumerKey, epoch, price.toString(), JSON.stringify(msg)],
    );
    if (r.length === 0) throw conflict('DUPLICATE_REFUSAL', `job ${b.jobId} was already refused`, 'body.jobId');
    ctx.metrics.accepted.inc({ type: 'refusal' });
    return { jobId: b.jobId };
  });
}

export async function acceptReceipt(ctx: Context, msg: Receipt): Promise<{ jobId: string; billable: boolean }> {
  const b = msg.body;
  const price = parseAmount(b.price, 'body.price');
  const out = await ctx.db.tx(async (sql) => {
    const node = await getNode(ctx, sql, b.nodeId);
    if (!node) throw notFound('UNKNOWN_NODE', `no node ${JSON.stringify(b.nodeId)} is registered`, 'body.nodeId');
    sign(verifyBody(b, msg.nodeSignature, node.nodeKey), 'nodeSignature', 'the node signature');
    sign(verifyBody(countersignBody(msg), msg.consumerSignature, b.consumerKey), 'consumerSignature', 'the consumer countersignature');
    const epoch = checkTimestamp(ctx, b.timestamp, 'body.timestamp');
    requireEpoch(epoch, 'body.timestamp');
    await checkEpochOpen(ctx, sql, epoch, 'body.timestamp');
    if (await recordEquivocation(sql, msg, epoch)) return { equivocation: true as const };
    const { params } = await paramsAt(sql, epoch);
    let gpuSeconds = 0;
    b.usage.forEach((u, i) => {
      if (params.compute.gpuUnits[u.model] === undefined)
        throw badRequest('UNKNOWN_GPU_MODEL', `unknown GPU model ${JSON.stringify(u.model)}`, `body.usage[${i}].model`);
      gpuSeconds += u.gpuSeconds;
    });
    const billable = isBillable(params, price, gpuSeconds);
    // funds: the wallet must cover everything already reserved plus this price (atomic: see wallet.ts)
    await reserveFunds(sql, b.consumerKey, price, 'body.price', 'the receipt');
    const text = JSON.stringify(msg);
    const r = await sql.query(
      `INSERT INTO receipts (job_id, node_id, consumer_key, epoch, ts, gpu_seconds, price, success, response_ms, priority, rating, billable, message, job_type, message_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING RETURNING job_id`,
      [
        b.jobId,
        b.nodeId,
        b.consumerKey,
        epoch,
        b.timestamp,
        gpuSeconds,
        price.toString(),
        b.success,
        b.responseMs,
        b.priority,
        msg.rating,
        billable,
        text,
        b.jobType ?? 'inference',
        messageHash(text),
      ],
    );
    if (r.length === 0) throw conflict('DUPLICATE_RECEIPT', `job ${b.jobId} already has a receipt`, 'body.jobId');
    ctx.metrics.accepted.inc({ type: 'receipt' });
    return { jobId: b.jobId, billable };
  });
  if ('equivocation' in out) {
    throw conflict('EQUIVOCATION', `job ${b.jobId} already has a different receipt signed by node ${b.nodeId}; both are kept as evidence`, 'body.jobId');
  }
  return out;
}

/**
 * Two different receipts for one job, both signed by the node, are an equivocation (SPEC §6.1):
 * the pair is kept as evidence — committed even though the receipt itself is refused — and
 * judged when the epoch closes. Returns whether this receipt was one.
 */
async function recordEquivocation(sql: Sql, msg: Receipt, epoch: number): Promise<boolean> {
  const b = msg.body;
  const prev = (await sql.query<{ node_id: string; message: string }>('SELECT node_id, message FROM receipts WHERE job_id = $1', [b.jobId]))[0];
  if (!prev || prev.node_id !== b.nodeId) return false;
  const first = JSON.parse(prev.message) as Receipt;
  if (canonicalJson(first.body) === canonicalJson(b)) return false; // the same receipt again: a replay, refused as a duplicate
  const hashes = [first.nodeSignature, msg.nodeSignature].map((x) => `sig:${x}`);
  await sql.query('INSERT INTO evidence (id, node_id, epoch, kind, at, hashes, messages) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING', [
    `equivocation:${b.jobId}:${msg.nodeSignature.slice(0, 32)}`,
    b.nodeId,
    epoch,
    'equivocation',
    b.timestamp,
    JSON.stringify(hashes),
    JSON.stringify([first, msg]),
  ]);
  return true;
}

/** price × reference price ≥ minimum rate × GPU-hours, exactly. */

// ---- attestations ----------------------------------------------------------------------------

export async function acceptAttestation(ctx: Context, msg: Attestation): Promise<{ epoch: number }> {
  const b = msg.body;
  checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  return ctx.db.tx(async (sql) => {
    const a = (await sql.query<{ key: string; roles: string }>('SELECT key, roles FROM attestors WHERE id = $1', [b.attestor]))[0];
    if (!a || !(JSON.parse(a.roles) as string[]).includes(b.role)) {
      throw forbidden('ATTESTOR_NOT_APPROVED', `${b.attestor} is not an approved attestor for ${b.role}`, 'body.attestor');
    }
    sign(verifyBody(b, msg.signature, a.key), 'signature', 'the attestation signature');
    await checkEpochOpen(ctx, sql, b.epoch, 'body.epoch');
    await advanceSeq(sql, a.key, b.seq, 'body.seq');
    const r = await sql.query(
      'INSERT INTO attestations (epoch, role, attestor, entries, message) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING epoch',
      [b.epoch, b.role, b.attestor, JSON.stringify(b.entries), JSON.stringify(msg)],
    );
    if (r.length === 0) throw conflict('DUPLICATE_ATTESTATION', `${b.attestor} already attested ${b.role} for epoch ${b.epoch}`, 'body.epoch');
    ctx.metrics.accepted.inc({ type: 'attestation' });
    return { epoch: b.epoch };
  });
}

// ---- stakes (embedded mode) ------------------------------------------------------------------

/** Moves tokens from the owner's wallet into a new stake, effective from the next epoch. */
export async function acceptStake(ctx: Context, msg: Stake): Promise<{ stakeId: string; effectiveEpoch: number }> {
  const b = msg.body;
  sign(verifyBody(b, msg.signature, b.ownerKey), 'signature', 'the stake signature');
  const epoch = checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  const amount = parseAmount(b.amount, 'body.amount');
  if (amount === 0n) throw badRequest('OUT_OF_RANGE', 'a stake must be positive', 'body.amount');
  return ctx.db.tx(async (sql) => {
    if (b.kind === 'bond') {
      if (ctx.bondsOnChain) {
        throw conflict('BONDS_ON_CHAIN', `bonds come from the StakingVault at ${ctx.bondsOnChain}: bond there, for the node's key`, 'body.kind');
      }
      if (b.nodeId === null) throw badRequest('MISSING_FIELD', 'a bond names its node', 'body.nodeId');
      const node = await getNode(ctx, sql, b.nodeId);
      if (!node) throw notFound('UNKNOWN_NODE', `no node ${JSON.stringify(b.nodeId)} is registered`, 'body.nodeId');
      if (node.ownerKey !== b.ownerKey) throw forbidden('NOT_NODE_OWNER', 'only the node’s owner key can bond for it', 'body.ownerKey');
    } else if (b.nodeId !== null) {
      throw badRequest('UNEXPECTED_FIELD', 'only a bond names a node', 'body.nodeId');
    }
    await advanceSeq(sql, b.ownerKey, b.seq, 'body.seq');
    const effectiveEpoch = await openStake(sql, {
      stakeId: b.stakeId,
      kind: b.kind,
      ownerKey: b.ownerKey,
      nodeId: b.nodeId,
      payout: b.payout,
      amount,
      lockDays: b.lockDays,
      epoch,
      source: null,
    });
    ctx.metrics.accepted.inc({ type: 'stake' });
    return { stakeId: b.stakeId, effectiveEpoch };
  });
}

/** Starts unbonding part of a stake: out of it from the next epoch, in the wallet after the delay. */
export async function acceptUnbond(ctx: Context, msg: Unbond): Promise<{ unbondingId: string; releaseEpoch: number }> {
  const b = msg.body;
  sign(verifyBody(b, msg.signature, b.ownerKey), 'signature', 'the unbond signature');
  const epoch = checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  const amount = parseAmount(b.amount, 'body.amount');
  if (amount === 0n) throw badRequest('OUT_OF_RANGE', 'an unbonding must be positive', 'body.amount');
  return ctx.db.tx(async (sql) => {
    // (a bond followed from the chain has an id with ':' that no message can name: it is unbonded on chain)
    const st = (
      await sql.query<{ owner_key: string; amount: string }>('SELECT owner_key, amount::text AS amount FROM stakes WHERE id = $1 FOR UPDATE', [b.stakeId])
    )[0];
    if (!st) throw notFound('UNKNOWN_STAKE', `no stake ${JSON.stringify(b.stakeId)}`, 'body.stakeId');
    if (st.owner_key !== b.ownerKey) throw forbidden('NOT_STAKE_OWNER', 'only the key that staked can unbond', 'body.ownerKey');
    const left = await balanceOf(sql, `stake:${b.stakeId}`);
    if (amount > left) throw badRequest('UNBOND_EXCEEDS_STAKE', `the stake holds ${left}, cannot unbond ${amount}`, 'body.amount');
    await advanceSeq(sql, b.ownerKey, b.seq, 'body.seq');
    const id = `${b.stakeId}:${b.seq}`;
    const { releaseEpoch } = await startUnbonding(ctx, sql, { id, stakeId: b.stakeId, amount, epoch, timestamp: b.timestamp });
    ctx.metrics.accepted.inc({ type: 'unbond' });
    return { unbondingId: id, releaseEpoch };
  });
}

// ---- operator actions (embedded mode) --------------------------------------------------------

/** Mints tokens into a key's wallet (genesis allocation, test funds). Idempotent by `memo`. */
export async function grant(ctx: Context, g: Grant): Promise<{ posted: boolean }> {
  const amount = parseAmount(g.amount, 'amount');
  if (amount === 0n) throw badRequest('OUT_OF_RANGE', 'a grant must be positive', 'amount');
  const epoch = epochOf(ctx.settings, ctx.clock.now());
  const n = await ctx.db.tx((sql) =>
    post(sql, [{ id: `grant:${g.key}:${g.memo}`, epoch, from: 'mint', to: `wallet:${g.key}`, amount, memo: `grant ${g.memo}` }]),
  );
  return { posted: n === 1 };
}

export async function approveAttestor(ctx: Context, a: AttestorApproval): Promise<void> {
  await saveAttestor(ctx.db, a);
}

/** Approves an attestor's key for its roles, replacing an earlier approval of the same id. */
export async function saveAttestor(sql: Sql, a: AttestorApproval): Promise<void> {
  await sql.query('INSERT INTO attestors (id, key, roles) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET key = excluded.key, roles = excluded.roles', [
    a.attestor,
    a.key,
    JSON.stringify([...a.roles].sort()),
  ]);
}

export { InvariantError, RequestError };
