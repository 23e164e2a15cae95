import { evaluateOnboarding, type MeasuredHardware, type NodeInput, parseWad, WAD } from '@swarm/core';
import { type Onboarding, verifyBody } from '@swarm/sdk';
import { type Context, paramsAt } from '../service/context.ts';
import { badRequest, conflict, forbidden, notFound, unauthorized } from '../service/errors.ts';
import { advanceSeq, checkEpochOpen, checkTimestamp, requireEpoch } from './checks.ts';
import { decodeCursor, MAX_PAGE, type PageQuery, pageLimit, pageOf } from './page.ts';
import { checkedAfter } from './reads.ts';
import { validatorsAt } from './slashing.ts';

/**
 * Onboarding keepers (SPEC §3.1): a validator measures a node and signs what it found; the gates
 * are decided by `evaluateOnboarding` from those measurements and the node's declaration. The
 * check counts from the epoch it is made in, and the latest check of a node rules — so a
 * hardware re-check that fails takes the node out of the reward until a later one passes.
 */
export async function acceptOnboarding(ctx: Context, msg: Onboarding) {
  const b = msg.body;
  if (!verifyBody(b, msg.signature, b.validatorKey)) throw unauthorized('the onboarding check signature does not verify', 'signature');
  const epoch = checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  requireEpoch(epoch, 'body.timestamp');
  return ctx.db.tx(async (sql) => {
    await checkEpochOpen(ctx, sql, epoch, 'body.timestamp');
    const node = (
      await sql.query<{ owner_key: string; hardware: string; registered_at: string }>(
        'SELECT owner_key, hardware, registered_at::text AS registered_at FROM nodes WHERE id = $1',
        [b.nodeId],
      )
    )[0];
    if (!node) throw notFound('UNKNOWN_NODE', `no node ${JSON.stringify(b.nodeId)} is registered`, 'body.nodeId');
    if (b.timestamp < Number(node.registered_at)) throw badRequest('BEFORE_REGISTRATION', 'the check is older than the node’s registration', 'body.timestamp');
    const { params } = await paramsAt(sql, epoch);
    if (!(await validatorsAt(sql, epoch, params)).some((v) => v.key === b.validatorKey))
      throw forbidden('NOT_A_VALIDATOR', 'this key holds no operator stake at the validator minimum in effect', 'body.validatorKey');
    if (node.owner_key === b.validatorKey) throw forbidden('OWN_NODE', 'a validator cannot check a node it owns', 'body.nodeId');
    const outcome = evaluateOnboarding(JSON.parse(node.hardware) as NodeInput['hardware'], b.measured);
    await advanceSeq(sql, b.validatorKey, b.seq, 'body.seq');
    // what the epoch input counts (SPEC §3.1): the host's CPUs, RAM, NVMe and whole Gbps, and its identity
    const m = b.measured;
    const host: MeasuredHardware = {
      vcpus: m.vcpus,
      ramGb: m.ramGb,
      nvmeTb: m.nvmeTb,
      bandwidthGbps: Number(parseWad(m.linkGbps, 'body.measured.linkGbps') / WAD),
      hostId: m.hostId,
    };
    const r = await sql.query(
      `INSERT INTO onboarding_checks (node_id, validator_key, epoch, at, passed, gates, message, host_id, measured) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT DO NOTHING RETURNING node_id`,
      [
        b.nodeId,
        b.validatorKey,
        epoch,
        b.timestamp,
        outcome.passed,
        JSON.stringify({ gates: outcome.gates, reasons: outcome.reasons }),
        JSON.stringify(msg),
        m.hostId,
        JSON.stringify(host),
      ],
    );
    if (r.length === 0) throw conflict('DUPLICATE_CHECK', 'this validator already checked this node at this time', 'body.timestamp');
    ctx.metrics.accepted.inc({ type: 'onboarding' });
    return { nodeId: b.nodeId, epoch, ...outcome };
  });
}

/**
 * Onboarding state: the checks of one node (newest first), or — without a node — the nodes still
 * waiting for a passing check (by id, at most 1,000) with the latest 200 checks.
 */
export async function listOnboarding(ctx: Context, nodeId: string | undefined, q: PageQuery & { pendingAfter?: string | undefined } = {}) {
  const limit = pageLimit(q);
  const after = decodeCursor(q.after, 'nss');
  const checks = await ctx.db.query<{ node_id: string; validator_key: string; epoch: string; at: string; passed: boolean; gates: string }>(
    `SELECT node_id, validator_key, epoch::text AS epoch, at::text AS at, passed, gates FROM onboarding_checks
      WHERE ($1::text IS NULL OR node_id = $1) AND ($2::bigint IS NULL OR at < $2 OR (at = $2 AND (node_id, validator_key) > ($3::text, $4::text)))
      ORDER BY at DESC, node_id, validator_key LIMIT $5`,
    [nodeId ?? null, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, limit + 1],
  );
  const page = pageOf(checks, limit, (c) => [Number(c.at), c.node_id, c.validator_key]);
  // nodes awaiting a passing check that has not expired: their own page, by id (?pendingAfter=, pendingNext)
  const pendingAfter = decodeCursor(q.pendingAfter, 's');
  const pending = await ctx.db.query<{ id: string }>(
    `SELECT n.id FROM nodes n
       LEFT JOIN (SELECT DISTINCT ON (node_id) node_id, passed FROM onboarding_checks WHERE at > $4 ORDER BY node_id, epoch DESC, at DESC, validator_key DESC) oc
         ON oc.node_id = n.id
      WHERE NOT COALESCE(oc.passed, n.onboarded) AND ($1::text IS NULL OR n.id = $1) AND ($2::text IS NULL OR n.id > $2) ORDER BY n.id LIMIT $3`,
    [nodeId ?? null, pendingAfter?.[0] ?? null, MAX_PAGE + 1, await checkedAfter(ctx)],
  );
  const pendingPage = pageOf(pending, MAX_PAGE, (p) => [p.id]);
  return {
    pending: pendingPage.rows.map((p) => p.id),
    pendingNext: pendingPage.next,
    next: page.next,
    checks: page.rows.map((c) => ({
      nodeId: c.node_id,
      validator: c.validator_key,
      epoch: Number(c.epoch),
      at: Number(c.at),
      passed: c.passed,
      ...(JSON.parse(c.gates) as { gates: Record<string, boolean>; reasons: string[] }),
    })),
  };
}
