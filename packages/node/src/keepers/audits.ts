import { createHash, randomBytes } from 'node:crypto';
import {
  assignAudits,
  auditWindow,
  beaconCommitment,
  computeAuditSeed,
  computeBeacon,
  type Params,
  selectAuditSample,
  trapCommitment,
  verdictCommitment,
} from '@swarm/core';
import { type AuditCommit, type AuditReveal, type BeaconCommit, type BeaconReveal, type Dispute, verifyBody } from '@swarm/sdk';
import { type Context, epochOf, epochStart, nextEpoch, paramsAt, type Settings } from '../service/context.ts';
import { badRequest, conflict, forbidden, notFound, RequestError, unauthorized } from '../service/errors.ts';
import type { Sql } from '../store/db.ts';
import { advanceSeq, checkEpochOpen, checkTimestamp } from './checks.ts';
import { decodeCursor, type PageQuery, pageLimit, pageOf } from './page.ts';
import { validatorsAt } from './slashing.ts';

/**
 * Audit keepers (SPEC §3.4). The audits of epoch n's sample run in its window, epoch n + 1:
 * - during epoch n each validator commits to a beacon secret; in the first quarter of the window it
 *   reveals it; at the end of that quarter the sample is drawn from the input hash of n mixed with
 *   the revealed secrets, and each sampled receipt goes to two validators — a share of the
 *   assignments are traps, picked with the operator's trap secret committed before epoch n;
 * - until three quarters of the window validators commit to their verdicts; then they reveal them;
 * - the close of the window judges (slashing.ts): a split is referred to three more validators, a
 *   confirmed mismatch can be disputed by its node until the middle of the next window.
 * Every signed message a judgement rests on is kept in `signed_messages` under the SHA-256 of its
 * stored text, and served at /v1/messages/{hash}.
 */

/** The hash a stored signed message is known by: the SHA-256 of its text, as stored and served. */
export const messageHash = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Keeps a signed message as evidence; returns the SHA-256 of its text (what evidence lists name). */
export async function storeMessage(sql: Sql, message: unknown): Promise<string> {
  const text = typeof message === 'string' ? message : JSON.stringify(message);
  const hash = messageHash(text);
  await sql.query('INSERT INTO signed_messages (hash, message) VALUES ($1, $2) ON CONFLICT DO NOTHING', [hash, text]);
  return hash;
}

/** A signed message kept as evidence, exactly as it was received. */
export async function getMessage(ctx: Context, hash: string): Promise<unknown> {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw badRequest('INVALID_FORMAT', 'a message hash is 64 lower-case hex digits', 'params.hash');
  const r = (await ctx.db.query<{ message: string }>('SELECT message FROM signed_messages WHERE hash = $1', [hash]))[0];
  if (!r) throw notFound('NO_SUCH_MESSAGE', `no message with hash ${hash} is kept`, 'params.hash');
  return JSON.parse(r.message);
}

/** The calendar of the audit window that is epoch `w`. */
export function windowOf(s: Settings, w: number) {
  return auditWindow(epochStart(s, w), s.epochSeconds);
}

async function isValidator(sql: Sql, key: string, n: number): Promise<boolean> {
  const { params } = await paramsAt(sql, n);
  return (await validatorsAt(sql, n, params)).some((v) => v.key === key);
}

/**
 * The operator's trap secret for epoch `e`'s sample (created once, at random, and kept; its
 * commitment is public from then on, the secret once `e`'s audits are judged). The close of `n`
 * creates those of `n + 1` and `n + 2`, the store's creation those of 0 and 1: always before the epoch.
 */
export async function trapSecretFor(sql: Sql, e: number): Promise<string> {
  const have = (await sql.query<{ secret: string }>('SELECT secret FROM trap_secrets WHERE epoch = $1', [e]))[0];
  if (have) return have.secret;
  const secret = randomBytes(32).toString('hex');
  await sql.query('INSERT INTO trap_secrets (epoch, commitment, secret) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [e, trapCommitment(e, secret), secret]);
  return ((await sql.query<{ secret: string }>('SELECT secret FROM trap_secrets WHERE epoch = $1', [e]))[0] as { secret: string }).secret;
}

// --- the beacon ---------------------------------------------------------------------------

export async function acceptBeaconCommit(ctx: Context, msg: BeaconCommit): Promise<{ epoch: number; commitment: string }> {
  const b = msg.body;
  if (!verifyBody(b, msg.signature, b.validatorKey)) throw unauthorized('the beacon commitment signature does not verify', 'signature');
  checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  const now = epochOf(ctx.settings, ctx.clock.now());
  return ctx.db.tx(async (sql) => {
    // a secret for an epoch is committed during it (or ahead of it), never once it is over
    if (b.epoch > now + 1) throw badRequest('TOO_EARLY', `commit to epoch ${b.epoch}'s beacon secret during epoch ${b.epoch} or the one before`, 'body.epoch');
    await checkEpochOpen(ctx, sql, b.epoch, 'body.epoch');
    if (!(await isValidator(sql, b.validatorKey, b.epoch)))
      throw forbidden('NOT_A_VALIDATOR', `this key holds no operator stake at the validator minimum in epoch ${b.epoch}`, 'body.validatorKey');
    await advanceSeq(sql, b.validatorKey, b.seq, 'body.seq');
    const hash = await storeMessage(sql, msg);
    const r = await sql.query(
      'INSERT INTO beacon_secrets (epoch, validator_key, commitment, commit_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING epoch',
      [b.epoch, b.validatorKey, b.commitment, hash],
    );
    if (r.length === 0) throw conflict('DUPLICATE_COMMITMENT', `this validator has already committed to epoch ${b.epoch}'s beacon secret`, 'body.epoch');
    ctx.metrics.accepted.inc({ type: 'beacon-commit' });
    return { epoch: b.epoch, commitment: b.commitment };
  });
}

export async function acceptBeaconReveal(ctx: Context, msg: BeaconReveal): Promise<{ epoch: number }> {
  const b = msg.body;
  if (!verifyBody(b, msg.signature, b.validatorKey)) throw unauthorized('the beacon reveal signature does not verify', 'signature');
  checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  return ctx.db.tx(async (sql) => {
    const row = (
      await sql.query<{ commitment: string; secret: string | null }>('SELECT commitment, secret FROM beacon_secrets WHERE epoch = $1 AND validator_key = $2', [
        b.epoch,
        b.validatorKey,
      ])
    )[0];
    if (!row) throw conflict('NOT_COMMITTED', `this validator committed to no beacon secret for epoch ${b.epoch}`, 'body.epoch');
    if (b.epoch >= (await nextEpoch(sql))) throw conflict('TOO_EARLY', `epoch ${b.epoch}'s beacon secret is revealed after it closes`, 'body.epoch');
    const drawn = (await sql.query('SELECT 1 FROM audit_draws WHERE epoch = $1', [b.epoch])).length > 0;
    if (drawn || ctx.clock.now() > windowOf(ctx.settings, b.epoch + 1).beaconRevealBy)
      throw conflict('REVEAL_CLOSED', `epoch ${b.epoch}'s sample has been drawn: its beacon secrets are no longer accepted`, 'body.epoch');
    if (row.secret !== null) throw conflict('DUPLICATE_REVEAL', `this validator has already revealed epoch ${b.epoch}'s beacon secret`, 'body.epoch');
    if (beaconCommitment(b.epoch, b.validatorKey, b.secret) !== row.commitment)
      throw badRequest('REVEAL_MISMATCH', 'the secret does not open the commitment this validator made', 'body.secret');
    await advanceSeq(sql, b.validatorKey, b.seq, 'body.seq');
    const hash = await storeMessage(sql, msg);
    await sql.query('UPDATE beacon_secrets SET secret = $3, reveal_hash = $4 WHERE epoch = $1 AND validator_key = $2', [
      b.epoch,
      b.validatorKey,
      b.secret,
      hash,
    ]);
    ctx.metrics.accepted.inc({ type: 'beacon-reveal' });
    return { epoch: b.epoch };
  });
}

// --- the draw -----------------------------------------------------------------------------

/**
 * Draws closed epoch `n`'s audit sample once its beacon secrets are in (the end of the first
 * quarter of its window), or at once with `force` (the window's close, when the service was down
 * through it: the draw is then late and nobody is blamed for an assignment left unanswered). The
 * seed is the hash of `n`'s input hash and the beacon of every revealed secret; receipts of nodes
 * with no audit in the last week are covered; each drawn receipt goes to two validators in effect
 * in the window (never the node's own owner), a governed share of them traps. Idempotent.
 */
export async function ensureDrawn(sql: Sql, s: Settings, n: number, now: number, force = false): Promise<boolean> {
  if (n < 0) return false;
  const w = auditWindow(epochStart(s, n + 1), s.epochSeconds);
  if (!force && now < w.beaconRevealBy) return false;
  const closed = (await sql.query<{ input_hash: string }>('SELECT input_hash FROM epochs WHERE epoch = $1', [n]))[0];
  if (!closed) return false;
  await sql.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_DRAW_LOCK]);
  if ((await sql.query('SELECT 1 FROM audit_draws WHERE epoch = $1', [n])).length > 0) return false;
  const { params } = await paramsAt(sql, n + 1);
  const trap = (await sql.query<{ secret: string }>('SELECT secret FROM trap_secrets WHERE epoch = $1', [n]))[0];
  const reveals = await sql.query<{ validator_key: string; secret: string }>(
    'SELECT validator_key, secret FROM beacon_secrets WHERE epoch = $1 AND secret IS NOT NULL ORDER BY validator_key',
    [n],
  );
  const beacon = computeBeacon(reveals.map((r) => ({ validator: r.validator_key, secret: r.secret })));
  const seed = computeAuditSeed(closed.input_hash, beacon);
  const validators = (await validatorsAt(sql, n + 1, params)).map((v) => v.key);
  const receipts = await sql.query<{ job_id: string; node_id: string; owner_key: string; h: string }>(
    `SELECT r.job_id, r.node_id, n.owner_key, r.message_hash AS h
       FROM receipts r JOIN nodes n ON n.id = r.node_id WHERE r.epoch = $1 ORDER BY r.job_id COLLATE "C"`,
    [n],
  );
  const weekEpochs = Math.max(1, Math.ceil((7 * s.daySeconds) / s.epochSeconds));
  const recent = new Set(
    (
      await sql.query<{ node_id: string }>('SELECT DISTINCT node_id FROM audit_assignments WHERE receipt_epoch > $1 AND receipt_epoch < $2', [
        n - weekEpochs,
        n,
      ])
    ).map((r) => r.node_id),
  );
  const mustCover = [...new Set(params.audits.minPerNodePerWeek > 0 ? receipts.map((r) => r.node_id).filter((id) => !recent.has(id)) : [])].sort();
  // one validator can confirm work; a failure takes two (a lone mismatch is referred, and stays open until more join)
  const sample =
    validators.length === 0
      ? []
      : selectAuditSample({
          seed,
          receipts: receipts.map((r) => ({ jobId: r.job_id, nodeId: r.node_id })),
          rate: params.audits.rate,
          mustCover: new Set(mustCover),
        });
  const byJob = new Map(receipts.map((r) => [r.job_id, r]));
  // the result each drawn receipt claims (read only for the sample, not for every receipt)
  const claimed = new Map(
    (
      await sql.query<{ job_id: string; result_hash: string }>(
        "SELECT job_id, COALESCE(message::jsonb #>> '{body,resultHash}', '') AS result_hash FROM receipts WHERE job_id = ANY($1::text[])",
        [sample],
      )
    ).map((r) => [r.job_id, r.result_hash]),
  );
  const assignments = assignAudits({
    seed,
    receipts: sample.map((jobId) => {
      const r = byJob.get(jobId) as (typeof receipts)[number];
      return { jobId, nodeId: r.node_id, claimedResultHash: claimed.get(jobId) ?? '', exclude: [r.owner_key] };
    }),
    validators,
    count: 2,
    round: 0,
    // traps need a secret committed before the epoch: a store upgraded mid-epoch has none for it, and draws no traps
    trapSecret: trap?.secret ?? '',
    trapShare: trap ? params.audits.trapShare : 0n,
  });
  await insertAssignments(sql, n, n, assignments);
  await sql.query(
    `INSERT INTO audit_draws (epoch, input_hash, beacon, seed, drawn_at, late, receipts, must_cover, validators) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      n,
      closed.input_hash,
      beacon,
      seed,
      now,
      now > w.disputeBy,
      JSON.stringify(receipts.map((r) => [r.job_id, r.node_id, r.owner_key, r.h])),
      JSON.stringify(mustCover),
      JSON.stringify(validators),
    ],
  );
  return true;
}
const AUDIT_DRAW_LOCK = 0x5a_a0d1;

/** Stores assignments whose window is `epoch + 1`, for receipts of `receiptEpoch`. */
export async function insertAssignments(
  sql: Sql,
  epoch: number,
  receiptEpoch: number,
  as: readonly { jobId: string; nodeId: string; validator: string; round: number; trap: boolean; shownResultHash: string }[],
): Promise<void> {
  if (as.length === 0) return;
  await sql.query(
    `INSERT INTO audit_assignments (epoch, receipt_epoch, job_id, node_id, validator_key, round, trap, shown_result_hash)
     SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::bool[], $8::text[])`,
    [
      epoch,
      receiptEpoch,
      as.map((a) => a.jobId),
      as.map((a) => a.nodeId),
      as.map((a) => a.validator),
      as.map((a) => a.round),
      as.map((a) => a.trap),
      as.map((a) => a.shownResultHash),
    ],
  );
}

/** Draws the sample whose beacon phase has ended, if it is not drawn yet (called by the service's keeper tick and by reads). */
export async function drawDue(ctx: Context): Promise<boolean> {
  const n = (await nextEpoch(ctx.db)) - 1;
  if (n < 0) return false;
  return ctx.db.tx((sql) => ensureDrawn(sql, ctx.settings, n, ctx.clock.now()));
}

// --- verdicts -----------------------------------------------------------------------------

async function assignmentOf(sql: Sql, jobId: string, key: string) {
  return (await sql.query<{ epoch: string }>('SELECT epoch::text AS epoch FROM audit_assignments WHERE job_id = $1 AND validator_key = $2', [jobId, key]))[0];
}

/** The window an assignment of `epoch` is judged in must still be open (the close of epoch + 1 judges it). */
async function checkWindowOpen(ctx: Context, sql: Sql, epoch: number, field: string): Promise<void> {
  await checkEpochOpen(ctx, sql, epoch + 1, field).catch((e: unknown) => {
    if (!(e instanceof RequestError)) throw e;
    throw conflict('AUDIT_WINDOW_CLOSED', `the audits of this assignment were judged when epoch ${epoch + 1} closed`, field);
  });
}

export async function acceptAuditCommit(ctx: Context, msg: AuditCommit): Promise<{ jobId: string }> {
  const b = msg.body;
  if (!verifyBody(b, msg.signature, b.validatorKey)) throw unauthorized('the audit commitment signature does not verify', 'signature');
  checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  await drawDue(ctx);
  return ctx.db.tx(async (sql) => {
    const a = await assignmentOf(sql, b.jobId, b.validatorKey);
    if (!a) {
      if (!(await isValidator(sql, b.validatorKey, await nextEpoch(sql))))
        throw forbidden('NOT_A_VALIDATOR', 'this key holds no operator stake at the validator minimum', 'body.validatorKey');
      throw forbidden('NOT_ASSIGNED', `receipt ${b.jobId} is not assigned to this validator for audit`, 'body.jobId');
    }
    const epoch = Number(a.epoch);
    await checkWindowOpen(ctx, sql, epoch, 'body.jobId');
    const w = windowOf(ctx.settings, epoch + 1);
    if (ctx.clock.now() > w.commitBy)
      throw conflict('COMMIT_CLOSED', `commitments on this assignment were accepted until ${w.commitBy}; reveal now`, 'body.jobId');
    await advanceSeq(sql, b.validatorKey, b.seq, 'body.seq');
    const hash = await storeMessage(sql, msg);
    const r = await sql.query(
      'INSERT INTO audit_verdicts (job_id, validator_key, epoch, commitment, commit_hash) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING job_id',
      [b.jobId, b.validatorKey, epoch, b.commitment, hash],
    );
    if (r.length === 0) throw conflict('DUPLICATE_COMMITMENT', 'this validator has already committed to a verdict on this receipt', 'body.jobId');
    ctx.metrics.accepted.inc({ type: 'audit-commit' });
    return { jobId: b.jobId };
  });
}

export async function acceptAuditReveal(ctx: Context, msg: AuditReveal): Promise<{ jobId: string; verdict: string }> {
  const b = msg.body;
  if (!verifyBody(b, msg.signature, b.validatorKey)) throw unauthorized('the audit reveal signature does not verify', 'signature');
  checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  return ctx.db.tx(async (sql) => {
    const row = (
      await sql.query<{ epoch: string; commitment: string; verdict: string | null }>(
        'SELECT epoch::text AS epoch, commitment, verdict FROM audit_verdicts WHERE job_id = $1 AND validator_key = $2',
        [b.jobId, b.validatorKey],
      )
    )[0];
    if (!row) throw conflict('NOT_COMMITTED', 'this validator committed to no verdict on this receipt', 'body.jobId');
    const epoch = Number(row.epoch);
    await checkWindowOpen(ctx, sql, epoch, 'body.jobId');
    const w = windowOf(ctx.settings, epoch + 1);
    if (ctx.clock.now() <= w.commitBy)
      throw conflict('TOO_EARLY', `verdicts on this assignment are revealed after ${w.commitBy}, the commit deadline`, 'body.jobId');
    if (row.verdict !== null) throw conflict('DUPLICATE_REVEAL', 'this validator has already revealed its verdict on this receipt', 'body.jobId');
    if (verdictCommitment(b.jobId, b.validatorKey, { verdict: b.verdict, resultHash: b.resultHash, salt: b.salt }) !== row.commitment)
      throw badRequest('REVEAL_MISMATCH', 'the verdict, result hash and salt do not open the commitment this validator made', 'body');
    await advanceSeq(sql, b.validatorKey, b.seq, 'body.seq');
    const hash = await storeMessage(sql, msg);
    await sql.query('UPDATE audit_verdicts SET verdict = $3, result_hash = $4, salt = $5, reveal_hash = $6 WHERE job_id = $1 AND validator_key = $2', [
      b.jobId,
      b.validatorKey,
      b.verdict,
      b.resultHash,
      b.salt,
      hash,
    ]);
    ctx.metrics.accepted.inc({ type: 'audit-reveal' });
    return { jobId: b.jobId, verdict: b.verdict };
  });
}

// --- disputes -----------------------------------------------------------------------------

/**
 * A node disputes a mismatch confirmed on its receipt at the last close, before the middle of the
 * window after it: three more validators in effect — none of those who judged it, not its owner —
 * drawn with the beacon (the seed of the receipt's sample) re-execute it in this window.
 */
export async function acceptDispute(ctx: Context, msg: Dispute, params: Params | null = null): Promise<{ jobId: string; validators: string[] }> {
  const b = msg.body;
  const node = (await ctx.db.query<{ node_key: string; owner_key: string }>('SELECT node_key, owner_key FROM nodes WHERE id = $1', [b.nodeId]))[0];
  if (!node) throw notFound('UNKNOWN_NODE', `node ${b.nodeId} is not registered`, 'body.nodeId');
  if (!verifyBody(b, msg.signature, node.node_key)) throw unauthorized("the dispute is not signed by the node's key", 'signature');
  checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  return ctx.db.tx(async (sql) => {
    const c = (
      await sql.query<{ node_id: string; receipt_epoch: string; confirmed_epoch: string; status: string; claimed: string }>(
        `SELECT c.node_id, c.receipt_epoch::text AS receipt_epoch, c.confirmed_epoch::text AS confirmed_epoch, c.status,
                COALESCE(r.message::jsonb #>> '{body,resultHash}', '') AS claimed
           FROM audit_confirmations c JOIN receipts r ON r.job_id = c.job_id WHERE c.job_id = $1 FOR UPDATE OF c`,
        [b.jobId],
      )
    )[0];
    if (!c || c.node_id !== b.nodeId) throw notFound('NOTHING_TO_DISPUTE', `no mismatch is confirmed on receipt ${b.jobId} of node ${b.nodeId}`, 'body.jobId');
    if (c.status !== 'pending') throw conflict('ALREADY_DECIDED', `the mismatch on receipt ${b.jobId} is ${c.status}`, 'body.jobId');
    const window = Number(c.confirmed_epoch) + 1;
    const by = windowOf(ctx.settings, window).disputeBy;
    if (ctx.clock.now() > by)
      throw conflict('DISPUTE_CLOSED', `a mismatch confirmed at epoch ${c.confirmed_epoch}'s close is disputed until ${by}`, 'body.jobId');
    await advanceSeq(sql, node.node_key, b.seq, 'body.seq');
    const hash = await storeMessage(sql, msg);
    const before = await sql.query<{ validator_key: string; round: number }>('SELECT validator_key, round FROM audit_assignments WHERE job_id = $1', [b.jobId]);
    const draw = (await sql.query<{ seed: string }>('SELECT seed FROM audit_draws WHERE epoch = $1', [Number(c.receipt_epoch)]))[0];
    const p = params ?? (await paramsAt(sql, window)).params;
    const fresh = assignAudits({
      seed: draw?.seed ?? '',
      receipts: [{ jobId: b.jobId, nodeId: b.nodeId, claimedResultHash: c.claimed, exclude: [node.owner_key, ...before.map((x) => x.validator_key)] }],
      validators: (await validatorsAt(sql, window, p)).map((v) => v.key),
      count: 3,
      round: Math.max(0, ...before.map((x) => x.round)) + 1,
      trapSecret: '',
      trapShare: 0n,
    });
    await insertAssignments(sql, window - 1, Number(c.receipt_epoch), fresh);
    await sql.query("UPDATE audit_confirmations SET status = 'disputed', dispute_hash = $2 WHERE job_id = $1", [b.jobId, hash]);
    ctx.metrics.accepted.inc({ type: 'dispute' });
    return { jobId: b.jobId, validators: fresh.map((a) => a.validator) };
  });
}

/** A node's confirmed mismatches, newest first: open to dispute while `status` is pending and before `disputeBy`. */
export async function listConfirmations(ctx: Context, nodeId: string) {
  const rows = await ctx.db.query<{ job_id: string; confirmed_epoch: string; status: string; evidence: string }>(
    'SELECT job_id, confirmed_epoch::text AS confirmed_epoch, status, evidence FROM audit_confirmations WHERE node_id = $1 ORDER BY confirmed_epoch DESC, job_id',
    [nodeId],
  );
  return {
    confirmations: rows.map((r) => ({
      jobId: r.job_id,
      confirmedEpoch: Number(r.confirmed_epoch),
      disputeBy: windowOf(ctx.settings, Number(r.confirmed_epoch) + 1).disputeBy,
      status: r.status,
      evidence: JSON.parse(r.evidence) as string[],
    })),
  };
}

// --- reads --------------------------------------------------------------------------------

/**
 * A validator's open assignments (window not yet judged): the job as the node's receipt describes
 * it, without the node's result hash or signatures, and the result hash to check — the node's, or
 * on a trap a deliberately wrong one; the two look alike until the trap secret is revealed.
 */
export async function listAssignments(ctx: Context, validatorKey: string, q: PageQuery = {}) {
  if (!/^[0-9a-f]{64}$/.test(validatorKey)) throw badRequest('INVALID_FORMAT', 'validator is a 64-hex-digit key', 'query.validator');
  await drawDue(ctx);
  const limit = pageLimit(q);
  const after = decodeCursor(q.after, 'ns');
  const open = await nextEpoch(ctx.db);
  const rows = await ctx.db.query<{
    epoch: string;
    job_id: string;
    node_id: string;
    round: number;
    shown_result_hash: string;
    message: string;
    commitment: string | null;
    verdict: string | null;
  }>(
    `SELECT a.epoch::text AS epoch, a.job_id, a.node_id, a.round, a.shown_result_hash, r.message, v.commitment, v.verdict FROM audit_assignments a
       JOIN receipts r ON r.job_id = a.job_id
       LEFT JOIN audit_verdicts v ON v.job_id = a.job_id AND v.validator_key = a.validator_key
      WHERE a.validator_key = $1 AND a.epoch >= $2 AND ($3::bigint IS NULL OR a.epoch > $3 OR (a.epoch = $3 AND a.job_id > $4))
      ORDER BY a.epoch, a.job_id LIMIT $5`,
    [validatorKey, open - 1, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  const page = pageOf(rows, limit, (r) => [Number(r.epoch), r.job_id]);
  const current = epochOf(ctx.settings, ctx.clock.now());
  return {
    next: page.next,
    // the beacon's calendar: commit a secret for `epoch` now; reveal `revealEpoch`'s until `revealBy`
    beacon: { epoch: current, revealEpoch: open - 1, revealBy: windowOf(ctx.settings, open).beaconRevealBy },
    assignments: page.rows.map((r) => {
      const { resultHash: _hidden, ...job } = (JSON.parse(r.message) as { body: Record<string, unknown> }).body;
      const w = windowOf(ctx.settings, Number(r.epoch) + 1);
      return {
        epoch: Number(r.epoch),
        jobId: r.job_id,
        nodeId: r.node_id,
        round: r.round,
        job,
        shownResultHash: r.shown_result_hash,
        commitBy: w.commitBy,
        revealBy: w.revealBy + ctx.settings.graceSeconds,
        committed: r.commitment !== null,
        revealed: r.verdict !== null,
      };
    }),
  };
}

/**
 * Everything needed to recompute the audits of epoch `n`'s sample (SPEC §3.4): the input hash, the
 * beacon commitments and reveals, the seed, the receipts drawn from and the nodes that had to be
 * covered, the validators, the trap commitment (and the secret once revealed), every assignment of
 * the sample and of its referrals and disputes (traps marked once the secret is revealed), the
 * verdict commitments and reveals, and the outcomes judged.
 */
export async function auditRecord(ctx: Context, n: number) {
  const draw = (
    await ctx.db.query<{
      input_hash: string;
      beacon: string;
      seed: string;
      drawn_at: string;
      late: boolean;
      receipts: string;
      must_cover: string;
      validators: string;
    }>('SELECT input_hash, beacon, seed, drawn_at::text AS drawn_at, late, receipts, must_cover, validators FROM audit_draws WHERE epoch = $1', [n])
  )[0];
  const trap = (
    await ctx.db.query<{ commitment: string; secret: string; revealed: boolean }>('SELECT commitment, secret, revealed FROM trap_secrets WHERE epoch = $1', [n])
  )[0];
  const beacon = await ctx.db.query<{ validator_key: string; commitment: string; secret: string | null; commit_hash: string; reveal_hash: string | null }>(
    'SELECT validator_key, commitment, secret, commit_hash, reveal_hash FROM beacon_secrets WHERE epoch = $1 ORDER BY validator_key',
    [n],
  );
  const assignments = await ctx.db.query<{
    epoch: string;
    job_id: string;
    node_id: string;
    validator_key: string;
    round: number;
    trap: boolean;
    shown_result_hash: string;
    commitment: string | null;
    verdict: string | null;
    result_hash: string | null;
    salt: string | null;
    commit_hash: string | null;
    reveal_hash: string | null;
    claimed: string;
  }>(
    `SELECT a.epoch::text AS epoch, a.job_id, a.node_id, a.validator_key, a.round, a.trap, a.shown_result_hash,
            v.commitment, v.verdict, v.result_hash, v.salt, v.commit_hash, v.reveal_hash, COALESCE(r.message::jsonb #>> '{body,resultHash}', '') AS claimed
       FROM audit_assignments a JOIN receipts r ON r.job_id = a.job_id
       LEFT JOIN audit_verdicts v ON v.job_id = a.job_id AND v.validator_key = a.validator_key
      WHERE a.receipt_epoch = $1 ORDER BY a.round, a.job_id, a.validator_key`,
    [n],
  );
  const revealed = trap?.revealed ?? false;
  const open = await nextEpoch(ctx.db);
  const outcomes = await ctx.db.query<{ epoch: string; job_id: string; round: number; outcome: string }>(
    `SELECT o.epoch::text AS epoch, o.job_id, o.round, o.outcome FROM audit_outcomes o
      WHERE o.job_id IN (SELECT job_id FROM audit_assignments WHERE receipt_epoch = $1) ORDER BY o.epoch, o.job_id`,
    [n],
  );
  return {
    epoch: n,
    drawn: draw !== undefined,
    inputHash: draw?.input_hash ?? null,
    beacon: draw?.beacon ?? null,
    seed: draw?.seed ?? null,
    drawnAt: draw ? Number(draw.drawn_at) : null,
    late: draw?.late ?? false,
    receipts: draw
      ? (JSON.parse(draw.receipts) as [string, string, string, string][]).map(([jobId, nodeId, ownerKey, messageHash]) => ({
          jobId,
          nodeId,
          ownerKey,
          messageHash,
        }))
      : [],
    mustCover: draw ? (JSON.parse(draw.must_cover) as string[]) : [],
    validators: draw ? (JSON.parse(draw.validators) as string[]) : [],
    beaconSecrets: beacon.map((b) => ({
      validator: b.validator_key,
      commitment: b.commitment,
      secret: b.secret,
      commitHash: b.commit_hash,
      revealHash: b.reveal_hash,
    })),
    trap: trap ? { commitment: trap.commitment, secret: revealed ? trap.secret : null } : null,
    assignments: assignments.map((a) => ({
      window: Number(a.epoch) + 1,
      jobId: a.job_id,
      nodeId: a.node_id,
      validator: a.validator_key,
      round: a.round,
      trap: revealed || a.round > 0 ? a.trap : null,
      shownResultHash: a.shown_result_hash,
      // the node's claimed result, once nothing is left to hide: its round judged and the traps revealed
      claimedResultHash: revealed && Number(a.epoch) + 1 < open ? a.claimed : null,
      commitment: a.commitment,
      verdict: a.verdict,
      resultHash: a.result_hash,
      salt: a.salt,
      commitHash: a.commit_hash,
      revealHash: a.reveal_hash,
    })),
    outcomes: outcomes.map((o) => ({ judgedAt: Number(o.epoch), jobId: o.job_id, round: o.round, outcome: o.outcome })),
  };
}

/** Slashes and warnings, newest first, optionally of one node: each with its evidence, amount, sources and escrow status. */
export async function listSlashes(ctx: Context, nodeId: string | undefined, q: PageQuery = {}) {
  const limit = pageLimit(q);
  const after = decodeCursor(q.after, 'ns');
  const rows = await ctx.db.query<{
    id: string;
    node_id: string;
    epoch: string;
    fault_epoch: string;
    at: string;
    kind: string;
    action: string;
    share: string;
    amount: string;
    evidence: string;
    sources: string;
    note: string;
    release_epoch: string;
    status: string;
    resolved_epoch: string | null;
    resolution: string | null;
    chain_status: string | null;
    chain_amount: string | null;
    evidence_hash: string | null;
    tx: string | null;
    block: string | null;
    chain_note: string | null;
  }>(
    `SELECT s.id, s.node_id, s.epoch::text AS epoch, s.fault_epoch::text AS fault_epoch, s.at::text AS at, s.kind, s.action, s.share, s.amount::text AS amount,
            s.evidence, s.sources, s.note, s.release_epoch::text AS release_epoch, s.status, s.resolved_epoch::text AS resolved_epoch, s.resolution,
            c.status AS chain_status, c.amount::text AS chain_amount, c.evidence_hash, c.tx, c.block::text AS block, c.note AS chain_note
       FROM slashes s LEFT JOIN chain_slashes c ON c.slash_id = s.id
      WHERE ($1::text IS NULL OR s.node_id = $1) AND ($2::bigint IS NULL OR s.epoch < $2 OR (s.epoch = $2 AND s.id > $3))
      ORDER BY s.epoch DESC, s.id LIMIT $4`,
    [nodeId ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  const page = pageOf(rows, limit, (r) => [Number(r.epoch), r.id]);
  return {
    next: page.next,
    slashes: page.rows.map((r) => ({
      id: r.id,
      nodeId: r.node_id,
      epoch: Number(r.epoch),
      faultEpoch: Number(r.fault_epoch),
      at: Number(r.at),
      kind: r.kind,
      action: r.action,
      share: r.share,
      amount: r.amount,
      evidence: JSON.parse(r.evidence),
      sources: JSON.parse(r.sources),
      note: r.note,
      releaseEpoch: Number(r.release_epoch),
      status: r.status,
      resolvedEpoch: r.resolved_epoch === null ? null : Number(r.resolved_epoch),
      resolution: r.resolution === null ? null : JSON.parse(r.resolution),
      // a slash of a bond held by StakingVault: its way to the chain (chain/follower.ts `relaySlashes`)
      onChain:
        r.chain_status === null
          ? null
          : {
              status: r.chain_status,
              amount: r.chain_amount,
              evidenceHash: r.evidence_hash,
              tx: r.tx,
              block: r.block === null ? null : Number(r.block),
              note: r.chain_note,
            },
    })),
  };
}
