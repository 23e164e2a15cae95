import { type Audit, verifyBody } from '@swarm/sdk';
import { type Context, nextEpoch, paramsAt } from '../service/context.ts';
import { badRequest, conflict, forbidden, RequestError, unauthorized } from '../service/errors.ts';
import type { Sql } from '../store/db.ts';
import { advanceSeq, checkEpochOpen, checkTimestamp } from './checks.ts';
import { decodeCursor, type PageQuery, pageLimit, pageOf } from './page.ts';
import { validatorsAt } from './slashing.ts';

/**
 * Audit keepers (SPEC §3.4): validators read the receipts assigned to them and post signed
 * verdicts while the audit window is open (the epoch after the audited one, until it closes).
 */

async function isValidator(sql: Sql, key: string, n: number): Promise<boolean> {
  const { params } = await paramsAt(sql, n);
  return (await validatorsAt(sql, n, params)).some((v) => v.key === key);
}

export async function acceptAudit(ctx: Context, msg: Audit): Promise<{ jobId: string; verdict: string }> {
  const b = msg.body;
  if (!verifyBody(b, msg.signature, b.validatorKey)) throw unauthorized('the audit signature does not verify', 'signature');
  checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  return ctx.db.tx(async (sql) => {
    const open = await nextEpoch(sql);
    const a = (
      await sql.query<{ epoch: string }>('SELECT epoch::text AS epoch FROM audit_assignments WHERE job_id = $1 AND validator_key = $2', [
        b.jobId,
        b.validatorKey,
      ])
    )[0];
    if (!a) {
      if (!(await isValidator(sql, b.validatorKey, open)))
        throw forbidden('NOT_A_VALIDATOR', 'this key holds no operator stake at the validator minimum', 'body.validatorKey');
      throw forbidden('NOT_ASSIGNED', `receipt ${b.jobId} is not assigned to this validator for audit`, 'body.jobId');
    }
    // the verdicts on epoch e's sample are judged when epoch e + 1 closes
    await checkEpochOpen(ctx, sql, Number(a.epoch) + 1, 'body.jobId').catch((e: unknown) => {
      if (!(e instanceof RequestError)) throw e;
      throw conflict('AUDIT_WINDOW_CLOSED', `the audits of epoch ${a.epoch} were judged when epoch ${Number(a.epoch) + 1} closed`, 'body.jobId');
    });
    await advanceSeq(sql, b.validatorKey, b.seq, 'body.seq');
    const r = await sql.query(
      `INSERT INTO audit_reports (job_id, validator_key, epoch, verdict, result_hash, message) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING RETURNING job_id`,
      [b.jobId, b.validatorKey, Number(a.epoch), b.verdict, b.resultHash, JSON.stringify(msg)],
    );
    if (r.length === 0) throw conflict('DUPLICATE_AUDIT', 'this validator has already reported on this receipt', 'body.jobId');
    ctx.metrics.accepted.inc({ type: 'audit' });
    return { jobId: b.jobId, verdict: b.verdict };
  });
}

/** A validator's open assignments (audit window not yet closed), with the signed receipt to re-execute. */
export async function listAssignments(ctx: Context, validatorKey: string, q: PageQuery = {}) {
  if (!/^[0-9a-f]{64}$/.test(validatorKey)) throw badRequest('INVALID_FORMAT', 'validator is a 64-hex-digit key', 'query.validator');
  const limit = pageLimit(q);
  const after = decodeCursor(q.after, 'ns');
  const open = await nextEpoch(ctx.db);
  const rows = await ctx.db.query<{ epoch: string; job_id: string; node_id: string; message: string; verdict: string | null }>(
    `SELECT a.epoch::text AS epoch, a.job_id, a.node_id, r.message, ar.verdict FROM audit_assignments a
       JOIN receipts r ON r.job_id = a.job_id
       LEFT JOIN audit_reports ar ON ar.job_id = a.job_id AND ar.validator_key = a.validator_key
      WHERE a.validator_key = $1 AND a.epoch >= $2 AND ($3::bigint IS NULL OR a.epoch > $3 OR (a.epoch = $3 AND a.job_id > $4))
      ORDER BY a.epoch, a.job_id LIMIT $5`,
    [validatorKey, open - 1, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  const page = pageOf(rows, limit, (r) => [Number(r.epoch), r.job_id]);
  return {
    next: page.next,
    assignments: page.rows.map((r) => ({ epoch: Number(r.epoch), jobId: r.job_id, nodeId: r.node_id, receipt: JSON.parse(r.message), reported: r.verdict })),
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
  }>(
    `SELECT id, node_id, epoch::text AS epoch, fault_epoch::text AS fault_epoch, at::text AS at, kind, action, share, amount::text AS amount, evidence, sources,
            note, release_epoch::text AS release_epoch, status, resolved_epoch::text AS resolved_epoch, resolution
       FROM slashes
      WHERE ($1::text IS NULL OR node_id = $1) AND ($2::bigint IS NULL OR epoch < $2 OR (epoch = $2 AND id > $3))
      ORDER BY epoch DESC, id LIMIT $4`,
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
    })),
  };
}
