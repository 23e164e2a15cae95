import { type EpochInput, type ProbeRecord, probeAnswerSeconds, probeResult } from '@swarm/core';
import { type Probe, type ProbeAnswer, verifyBody } from '@swarm/sdk';
import { type Context, epochOf, epochStart, paramsAt, type Settings } from '../service/context.ts';
import { badRequest, conflict, forbidden, notFound, unauthorized } from '../service/errors.ts';
import type { Sql } from '../store/db.ts';
import { storeMessage } from './audits.ts';
import { advanceSeq, checkEpochOpen, checkTimestamp } from './checks.ts';
import { validatorsAt } from './slashing.ts';

/**
 * Liveness probes (SPEC §3.4): a heartbeat proves that a key is alive, not that a GPU serves. A
 * validator sends a node a signed challenge through the service, which stamps the slot it arrived
 * in; the node's agent answers with the probe's result, signed by the node's key, within
 * `probeAnswerSeconds`. At the close, a probe left unanswered in a slot the node claimed up (a
 * heartbeat counted for it) is a performance violation, with the challenge's hash as evidence.
 * Slots excluded as the network's fault (SPEC §3.2) prove nothing either way.
 */

export async function acceptProbe(ctx: Context, msg: Probe): Promise<{ probeId: string; answerBy: number }> {
  const b = msg.body;
  if (!verifyBody(b, msg.signature, b.validatorKey)) throw unauthorized('the probe signature does not verify', 'signature');
  checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  const now = ctx.clock.now();
  const epoch = epochOf(ctx.settings, now);
  if (epoch < 0) throw badRequest('BEFORE_GENESIS', 'nothing is probed before the first epoch', 'body.timestamp');
  return ctx.db.tx(async (sql) => {
    await checkEpochOpen(ctx, sql, epoch, 'body.timestamp');
    const { params } = await paramsAt(sql, epoch);
    if (!(await validatorsAt(sql, epoch, params)).some((v) => v.key === b.validatorKey))
      throw forbidden('NOT_A_VALIDATOR', 'this key holds no operator stake at the validator minimum', 'body.validatorKey');
    if ((await sql.query('SELECT 1 FROM nodes WHERE id = $1', [b.nodeId])).length === 0)
      throw notFound('UNKNOWN_NODE', `node ${b.nodeId} is not registered`, 'body.nodeId');
    // a validator's probes of one node in one epoch are bounded: probing is a check, not a siege
    const sent = Number(
      (
        await sql.query<{ n: string }>('SELECT count(*)::text AS n FROM probes WHERE epoch = $1 AND node_id = $2 AND validator_key = $3', [
          epoch,
          b.nodeId,
          b.validatorKey,
        ])
      )[0]?.n ?? 0,
    );
    if (sent >= params.audits.probesPerNodePerEpoch)
      throw conflict('PROBE_BUDGET', `a validator sends a node at most ${params.audits.probesPerNodePerEpoch} probes an epoch`, 'body.nodeId');
    await advanceSeq(sql, b.validatorKey, b.seq, 'body.seq');
    const hash = await storeMessage(sql, msg);
    const slot = Math.floor((now - epochStart(ctx.settings, epoch)) / ctx.settings.slotSeconds);
    const answerBy = now + probeAnswerSeconds(ctx.settings.slotSeconds);
    const r = await sql.query(
      `INSERT INTO probes (probe_id, node_id, validator_key, epoch, slot, sent_at, answer_by, challenge_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING RETURNING probe_id`,
      [b.probeId, b.nodeId, b.validatorKey, epoch, slot, now, answerBy, hash],
    );
    if (r.length === 0) throw conflict('DUPLICATE_PROBE', 'a probe with this id was already sent', 'body.probeId');
    ctx.metrics.accepted.inc({ type: 'probe' });
    return { probeId: b.probeId, answerBy };
  });
}

/** Probes still awaiting an answer (of one node, or of every node: a gateway answering for many). */
export async function listProbes(ctx: Context, nodeId: string | undefined) {
  const rows = await ctx.db.query<{ probe_id: string; node_id: string; validator_key: string; sent_at: string; answer_by: string }>(
    `SELECT probe_id, node_id, validator_key, sent_at::text AS sent_at, answer_by::text AS answer_by FROM probes
      WHERE answered_at IS NULL AND answer_by >= $1 AND ($2::text IS NULL OR node_id = $2) ORDER BY sent_at, probe_id LIMIT 5000`,
    [ctx.clock.now(), nodeId ?? null],
  );
  return {
    probes: rows.map((r) => ({
      probeId: r.probe_id,
      nodeId: r.node_id,
      validatorKey: r.validator_key,
      sentAt: Number(r.sent_at),
      answerBy: Number(r.answer_by),
    })),
  };
}

export async function acceptProbeAnswer(ctx: Context, msg: ProbeAnswer): Promise<{ probeId: string }> {
  const b = msg.body;
  const node = (await ctx.db.query<{ node_key: string }>('SELECT node_key FROM nodes WHERE id = $1', [b.nodeId]))[0];
  if (!node) throw notFound('UNKNOWN_NODE', `node ${b.nodeId} is not registered`, 'body.nodeId');
  if (!verifyBody(b, msg.signature, node.node_key)) throw unauthorized("the answer is not signed by the node's key", 'signature');
  checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  return ctx.db.tx(async (sql) => {
    const p = (
      await sql.query<{ node_id: string; answer_by: string; answered_at: string | null }>(
        'SELECT node_id, answer_by::text AS answer_by, answered_at::text AS answered_at FROM probes WHERE probe_id = $1 FOR UPDATE',
        [b.probeId],
      )
    )[0];
    if (!p || p.node_id !== b.nodeId) throw notFound('NO_SUCH_PROBE', `no probe ${b.probeId} was sent to node ${b.nodeId}`, 'body.probeId');
    if (p.answered_at !== null) throw conflict('DUPLICATE_ANSWER', 'this probe was already answered', 'body.probeId');
    if (ctx.clock.now() > Number(p.answer_by)) throw conflict('PROBE_EXPIRED', `this probe had to be answered by ${p.answer_by}`, 'body.probeId');
    if (b.result !== probeResult(b.probeId)) throw badRequest('WRONG_RESULT', "the result is not the probe's", 'body.result');
    const hash = await storeMessage(sql, msg);
    await sql.query('UPDATE probes SET answered_at = $2, answer_hash = $3 WHERE probe_id = $1', [b.probeId, ctx.clock.now(), hash]);
    ctx.metrics.accepted.inc({ type: 'probe-answer' });
    return { probeId: b.probeId };
  });
}

/**
 * Epoch `n`'s probes as core judges them (`probeViolations`): those whose answer time has passed by
 * the close, each with whether the node claimed its slot up — except probes in slots excluded as
 * the network's fault, or whose answer time ran into one.
 */
export async function probeRecords(sql: Sql, s: Settings, n: number, input: EpochInput, closeAt: number): Promise<ProbeRecord[]> {
  const rows = await sql.query<{
    probe_id: string;
    node_id: string;
    slot: number;
    answer_by: string;
    challenge_hash: string;
    answered: boolean;
    claimed: boolean;
  }>(
    `SELECT p.probe_id, p.node_id, p.slot, p.answer_by::text AS answer_by, p.challenge_hash, p.answered_at IS NOT NULL AS answered,
            COALESCE(p.slot < length(ns.slots) AND get_bit(ns.slots, p.slot) = 1, false) AS claimed
       FROM probes p LEFT JOIN node_slots ns ON ns.node_id = p.node_id AND ns.epoch = p.epoch
      WHERE p.epoch = $1 AND p.answer_by <= $2 ORDER BY p.probe_id`,
    [n, closeAt],
  );
  const start = epochStart(s, n);
  const excluded = (slot: number) => input.excludedSlots.some((x) => slot >= x.from && slot <= x.to);
  return rows
    .filter((r) => !excluded(r.slot) && !excluded(Math.floor((Number(r.answer_by) - start) / s.slotSeconds)))
    .map((r) => ({ nodeId: r.node_id, slot: r.slot, claimedUp: r.claimed, answered: r.answered, evidence: r.challenge_hash }));
}
