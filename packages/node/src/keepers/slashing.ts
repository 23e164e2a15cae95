import {
  type AnswerJudgement,
  type AuditAssignment,
  type AuditVerdict,
  allocateSlash,
  applyValidatorFaults,
  assignAudits,
  CLEAN_STANDING,
  CLEAN_VALIDATOR,
  computeCompensation,
  detectViolations,
  type EpochInput,
  FORFEITING_VIOLATIONS,
  formatWad,
  isCleanStanding,
  judgeAnswer,
  judgeValidators,
  type Params,
  type Penalty,
  probeViolations,
  processStandings,
  resolveAudit,
  type SlashSource,
  type Standing,
  type StandingOutcome,
  type ValidatorEpoch,
  type ValidatorStanding,
  type Violation,
  type ViolationKind,
  WAD,
} from '@swarm/core';
import { type Posting, post } from '../ledger/ledger.ts';
import { epochStart, type Settings } from '../service/context.ts';
import type { Sql } from '../store/db.ts';
import { ensureDrawn, insertAssignments, storeMessage, trapSecretFor } from './audits.ts';
import { probeRecords } from './probes.ts';
import { stakeInEffect } from './stake-sql.ts';

/**
 * The slashing keepers (SPEC §3.4, §6), run inside an epoch close. `judgeEpoch` gathers the
 * epoch's violations — what the input shows (core `detectViolations`), equivocations recorded at
 * ingest, and failed verifications confirmed by two validators' audits of the previous epoch —
 * moves every node along the penalty ladder (core `processStandings`), and marks nodes suspended,
 * jailed or excluded by it in the input, so the penalty bites this epoch. `writeJudgement` puts
 * each slash in escrow as ledger postings; `releaseEscrow` later splits it into compensation for
 * the affected consumers and a burn; `reverseSlash` is what a passed appeal does.
 */

export type SlashPlan = {
  id: string;
  nodeId: string;
  faultEpoch: number;
  penalty: Penalty;
  sources: { account: string; amount: bigint }[];
};
export type Judgement = { outcomes: StandingOutcome[]; slashes: SlashPlan[]; audits: { jobId: string; outcome: string }[] };

type Found = Violation & { faultEpoch: number };

/** Loads every node's standing (nodes never penalised have none and are clean). */
export async function loadStandings(sql: Sql): Promise<Map<string, Standing>> {
  const out = new Map<string, Standing>();
  for (const r of await sql.query<{ node_id: string; standing: string }>('SELECT node_id, standing FROM standings ORDER BY node_id')) {
    out.set(r.node_id, JSON.parse(r.standing) as Standing);
  }
  return out;
}

/**
 * What each node's bond can lose for a fault in its `faultEpoch`: each of its bonds in effect then
 * (what the ledger holds for it now), then each unbonding that started after the fault and is not
 * yet released — unbonding stake stays slashable for earlier faults (SPEC §5). One query for all
 * the nodes judged in a close.
 */
export async function slashableSources(sql: Sql, faults: ReadonlyMap<string, number>): Promise<Map<string, SlashSource[]>> {
  const out = new Map<string, SlashSource[]>();
  if (faults.size === 0) return out;
  const ids = [...faults.keys()];
  const rows = await sql.query<{ node_id: string; account: string; available: string }>(
    `WITH v AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS v(node_id, fault_epoch)),
          src AS (
            SELECT s.node_id, 0 AS k, 'stake:' || s.id AS account FROM stakes s JOIN v ON v.node_id = s.node_id
             WHERE s.kind = 'bond' AND s.effective_epoch <= v.fault_epoch
            UNION ALL
            SELECT s.node_id, 1, 'unbonding:' || u.id FROM unbondings u JOIN stakes s ON s.id = u.stake_id JOIN v ON v.node_id = s.node_id
             WHERE s.kind = 'bond' AND s.effective_epoch <= v.fault_epoch AND u.effective_epoch > v.fault_epoch AND NOT u.released)
     SELECT src.node_id, src.account, COALESCE(a.balance, 0)::text AS available FROM src LEFT JOIN accounts a ON a.id = src.account
      ORDER BY src.node_id, src.k, src.account`,
    [ids, ids.map((id) => faults.get(id) as number)],
  );
  for (const r of rows) out.set(r.node_id, [...(out.get(r.node_id) ?? []), { account: r.account, available: BigInt(r.available) }]);
  return out;
}

/** Validators in effect in epoch `n`: keys whose operator stake, less what unbonds by then, reaches the minimum. */
export async function validatorsAt(sql: Sql, n: number, params: Params): Promise<{ key: string; payout: string }[]> {
  const rows = await sql.query<{ owner_key: string; payout: string; amount: string }>(
    `SELECT st.owner_key, MIN(st.payout) AS payout,
            SUM${stakeInEffect('$1')}::text AS amount
       FROM stakes st WHERE st.kind = 'operator' AND st.effective_epoch <= $1 GROUP BY st.owner_key ORDER BY st.owner_key`,
    [n],
  );
  return rows.filter((r) => BigInt(r.amount) >= params.staking.operatorMinStake).map((r) => ({ key: r.owner_key, payout: r.payout }));
}

type JudgedRow = {
  epoch: string;
  receipt_epoch: string;
  job_id: string;
  node_id: string;
  owner_key: string;
  validator_key: string;
  round: number;
  trap: boolean;
  shown_result_hash: string;
  claimed: string;
  receipt: string;
  verdict: string | null;
  result_hash: string | null;
  commit_hash: string | null;
  reveal_hash: string | null;
  late: boolean | null;
  status: string | null;
};

/**
 * Judges the audit window that closes with epoch `n` (SPEC §3.4, §4.5, §6.1): the sample of epoch
 * `n − 1` (drawn now if the service missed its draw — then late, and no one is blamed for an
 * unanswered assignment), and the referrals and disputes assigned for this window. Each revealed
 * answer is judged against the hash its node claimed (core `judgeAnswer`), each receipt resolved
 * round by round (`resolveAudit`): a split is referred to three more validators for the next
 * window; a confirmed mismatch waits one window for its node's dispute and then stands as a
 * failed verification, unless the dispute's three contradict it — then it is void and the
 * validators who confirmed it commit validator violations. Validators are credited for answers
 * that agreed with a confirmed outcome, and lose the epoch's reward (and climb the validator
 * ladder) for a missed trap, an unanswered assignment or an unrevealed beacon secret.
 */
async function judgeAudits(sql: Sql, s: Settings, n: number, at: number, params: Params) {
  await ensureDrawn(sql, s, n - 1, at, true);
  const rows = await sql.query<JudgedRow>(
    `SELECT a.epoch::text AS epoch, a.receipt_epoch::text AS receipt_epoch, a.job_id, a.node_id, nd.owner_key, a.validator_key, a.round, a.trap,
            a.shown_result_hash, COALESCE(r.message::jsonb #>> '{body,resultHash}', '') AS claimed, r.message AS receipt,
            v.verdict, v.result_hash, v.commit_hash, v.reveal_hash, d.late, c.status
       FROM audit_assignments a JOIN receipts r ON r.job_id = a.job_id JOIN nodes nd ON nd.id = a.node_id
       LEFT JOIN audit_verdicts v ON v.job_id = a.job_id AND v.validator_key = a.validator_key
       LEFT JOIN audit_draws d ON d.epoch = a.receipt_epoch
       LEFT JOIN audit_confirmations c ON c.job_id = a.job_id
      WHERE a.job_id IN (SELECT job_id FROM audit_assignments WHERE epoch = $1)
      ORDER BY a.job_id COLLATE "C", a.round, a.validator_key COLLATE "C"`,
    [n - 1],
  );
  const byJob = new Map<string, JudgedRow[]>();
  for (const r of rows) byJob.set(r.job_id, [...(byJob.get(r.job_id) ?? []), r]);
  // the signed messages behind a validator's faults: its commitment and reveal on each assignment
  const proofs = new Map(rows.map((r) => [`${r.job_id} ${r.validator_key}`, [r.commit_hash, r.reveal_hash].filter((h): h is string => h !== null)]));
  const judged: Parameters<typeof judgeValidators>[1][number][] = [];
  const overturned = new Map<string, string[]>();
  const violations: (Found & { nodeId: string })[] = [];
  const audits: Judgement['audits'] = [];
  const referrals: { receiptEpoch: number; a: AuditAssignment }[] = [];
  const confirmations: unknown[][] = [];
  const decided: [string, string][] = [];
  // referrals: three more validators of those in effect in the next window, drawn with the sample's seed
  const seeds = new Map<number, string>();
  let next: string[] | undefined;
  const evidenceOf = async (r: JudgedRow, voters: readonly JudgedRow[]) => [
    `receipt:${await storeMessage(sql, r.receipt)}`,
    ...voters.flatMap((v) => [`audit-commit:${v.commit_hash}`, `audit-reveal:${v.reveal_hash}`]),
  ];
  for (const [jobId, all] of byJob) {
    const current = Math.max(...all.filter((r) => Number(r.epoch) === n - 1).map((r) => r.round));
    const first = all[0] as JudgedRow;
    const rounds: { row: JudgedRow; a: AuditAssignment; j: AnswerJudgement }[][] = [];
    for (const r of all.filter((x) => x.round <= current)) {
      const a: AuditAssignment = {
        jobId,
        nodeId: r.node_id,
        validator: r.validator_key,
        round: r.round,
        trap: r.trap,
        shownResultHash: r.shown_result_hash,
      };
      const answer = r.verdict === null ? null : { verdict: r.verdict as AuditVerdict, resultHash: r.result_hash as string };
      (rounds[r.round] ??= []).push({ row: r, a, j: judgeAnswer(a, r.claimed, answer) });
    }
    const live = rounds.filter((x) => x !== undefined);
    const outcome = resolveAudit(live.map((x) => x.map((y) => y.j.vote)));
    audits.push({ jobId, outcome });
    const now = live[live.length - 1] ?? [];
    // a late draw's unanswered first round is the service's fault, not the validators'
    for (const x of now) if (!(x.row.round === 0 && x.row.late && !x.j.answered)) judged.push({ assignment: x.a, judgement: x.j, outcome });
    const fault = (nodeId: string, evidence: string[]) =>
      violations.push({ nodeId, kind: 'failed-verification', at, faultEpoch: Number(first.receipt_epoch), evidence });
    if (first.status === 'disputed') {
      // those who confirmed the mismatch: its first round's, or its referral's, mismatch voters
      const confirmers = live
        .slice(0, -1)
        .flat()
        .filter((x) => x.j.vote === 'mismatch');
      if (outcome === 'match') {
        for (const x of confirmers) overturned.set(x.a.validator, [...(overturned.get(x.a.validator) ?? []), jobId]);
        decided.push([jobId, 'overturned']);
      } else {
        fault(
          first.node_id,
          await evidenceOf(
            first,
            [...confirmers, ...now.filter((x) => x.j.vote === 'mismatch')].map((x) => x.row),
          ),
        );
        decided.push([jobId, 'upheld']);
      }
      continue;
    }
    if (outcome === 'referred') {
      const receiptEpoch = Number(first.receipt_epoch);
      if (!seeds.has(receiptEpoch))
        seeds.set(receiptEpoch, (await sql.query<{ seed: string }>('SELECT seed FROM audit_draws WHERE epoch = $1', [receiptEpoch]))[0]?.seed ?? '');
      next ??= (await validatorsAt(sql, n + 1, params)).map((v) => v.key);
      const fresh = assignAudits({
        seed: seeds.get(receiptEpoch) as string,
        receipts: [{ jobId, nodeId: first.node_id, claimedResultHash: first.claimed, exclude: [first.owner_key, ...all.map((r) => r.validator_key)] }],
        validators: next,
        count: 3,
        round: current + 1,
        trapSecret: '',
        trapShare: 0n,
      });
      for (const a of fresh) referrals.push({ receiptEpoch: Number(first.receipt_epoch), a });
      continue;
    }
    // a referral decided: the first round's answers are judged against its outcome too
    for (const r of live.slice(0, -1)) for (const x of r) if (x.j.answered && !x.j.missedTrap) judged.push({ assignment: x.a, judgement: x.j, outcome });
    if (outcome === 'mismatch') {
      const voters = live
        .flat()
        .filter((x) => x.j.vote === 'mismatch')
        .map((x) => x.row);
      confirmations.push([jobId, first.node_id, Number(first.receipt_epoch), n, JSON.stringify(await evidenceOf(first, voters))]);
    }
  }
  // mismatches confirmed at the last close that their nodes did not dispute stand now
  for (const c of await sql.query<{ job_id: string; node_id: string; receipt_epoch: string; evidence: string }>(
    "SELECT job_id, node_id, receipt_epoch::text AS receipt_epoch, evidence FROM audit_confirmations WHERE status = 'pending' AND confirmed_epoch <= $1 ORDER BY job_id",
    [n - 1],
  )) {
    violations.push({ nodeId: c.node_id, kind: 'failed-verification', at, faultEpoch: Number(c.receipt_epoch), evidence: JSON.parse(c.evidence) });
    decided.push([c.job_id, 'upheld']);
  }
  if (decided.length > 0)
    await sql.query(
      'UPDATE audit_confirmations SET status = v.status FROM unnest($1::text[], $2::text[]) AS v(job_id, status) WHERE audit_confirmations.job_id = v.job_id',
      [decided.map((d) => d[0]), decided.map((d) => d[1])],
    );
  if (confirmations.length > 0)
    await sql.query(
      `INSERT INTO audit_confirmations (job_id, node_id, receipt_epoch, confirmed_epoch, evidence, status)
       SELECT v.job_id, v.node_id, v.receipt_epoch, v.confirmed_epoch, v.evidence, 'pending'
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[]) AS v(job_id, node_id, receipt_epoch, confirmed_epoch, evidence)`,
      Array.from({ length: 5 }, (_, k) => confirmations.map((c) => c[k])),
    );
  for (const [receiptEpoch, group] of groupBy(referrals, (r) => r.receiptEpoch))
    await insertAssignments(
      sql,
      n,
      receiptEpoch,
      group.map((r) => r.a),
    );
  if (audits.length > 0)
    await sql.query('INSERT INTO audit_outcomes (epoch, job_id, round, outcome) SELECT $1, * FROM unnest($2::text[], $3::int[], $4::text[])', [
      n,
      audits.map((a) => a.jobId),
      audits.map((a) => Math.max(...(byJob.get(a.jobId) ?? []).filter((r) => Number(r.epoch) === n - 1).map((r) => r.round))),
      audits.map((a) => a.outcome),
    ]);
  // the trap secret of the sample judged now is revealed; those of the next two epochs exist before they start
  await sql.query('UPDATE trap_secrets SET revealed = true WHERE epoch <= $1', [n - 1]);
  await trapSecretFor(sql, n + 1);
  await trapSecretFor(sql, n + 2);
  const unrevealed = new Set(
    (await sql.query<{ validator_key: string }>('SELECT validator_key FROM beacon_secrets WHERE epoch = $1 AND secret IS NULL', [n - 1])).map(
      (r) => r.validator_key,
    ),
  );
  const active = (await validatorsAt(sql, n, params)).map((v) => v.key);
  const validators = judgeValidators(active, judged, unrevealed);
  return { validators, overturned, violations, audits, proofs };
}

function groupBy<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const x of xs) out.set(key(x), [...(out.get(key(x)) ?? []), x]);
  return out;
}

/** Each validator's operator stakes (then its unbondings started after the fault epoch): what a validator slash takes, in order. */
async function operatorSources(sql: Sql, key: string, faultEpoch: number): Promise<SlashSource[]> {
  return (
    await sql.query<{ account: string; available: string }>(
      `SELECT src.account, COALESCE(a.balance, 0)::text AS available FROM (
         SELECT 0 AS k, 'stake:' || s.id AS account FROM stakes s WHERE s.kind = 'operator' AND s.owner_key = $1 AND s.effective_epoch <= $2
         UNION ALL
         SELECT 1, 'unbonding:' || u.id FROM unbondings u JOIN stakes s ON s.id = u.stake_id
          WHERE s.kind = 'operator' AND s.owner_key = $1 AND u.effective_epoch > $2 AND NOT u.released) src
       LEFT JOIN accounts a ON a.id = src.account ORDER BY src.k, src.account`,
      [key, faultEpoch],
    )
  ).map((r) => ({ account: r.account, available: BigInt(r.available) }));
}

/**
 * The validator ladder at the close of `n` (SPEC §6.1): each validator's faults of the window —
 * missed traps, unanswered assignments, contradicted verdicts, confirmations a dispute overturned —
 * move its standing; a violation slashes its operator stake into escrow like any slash.
 */
async function judgeValidatorFaults(
  sql: Sql,
  s: Settings,
  n: number,
  at: number,
  params: Params,
  epochs: readonly ValidatorEpoch[],
  overturned: ReadonlyMap<string, string[]>,
  proofs: ReadonlyMap<string, string[]>,
) {
  const plans: SlashPlan[] = [];
  const standings: [string, ValidatorStanding][] = [];
  for (const v of epochs) {
    const row = (await sql.query<{ standing: string }>('SELECT standing FROM validator_standings WHERE validator_key = $1', [v.validator]))[0];
    const before = row ? (JSON.parse(row.standing) as ValidatorStanding) : CLEAN_VALIDATOR;
    const sources = await operatorSources(sql, v.validator, n);
    const stake = sources.reduce((a, x) => a + x.available, 0n);
    const faults = { missedTraps: v.missedTraps, unanswered: v.unanswered, contradicted: v.contradicted, overturned: overturned.get(v.validator) ?? [] };
    const { standing, penalty } = applyValidatorFaults(before, stake, faults, at, params, s.daySeconds);
    if (JSON.stringify(standing) !== JSON.stringify(before) || row) standings.push([v.validator, standing]);
    if (!penalty) continue;
    plans.push({
      id: `${n}-${v.validator}-0`,
      nodeId: v.validator,
      faultEpoch: n,
      penalty: {
        kind: 'validator',
        at,
        action: penalty.removed ? 'exclude-permanently' : 'slash',
        share: penalty.share,
        amount: penalty.amount,
        // what proves it: the validator's signed commitment and reveal on each assignment named (none for an unanswered one)
        evidence: [
          ...penalty.evidence,
          ...[...v.missedTraps, ...v.contradicted, ...(overturned.get(v.validator) ?? [])].flatMap((j) =>
            (proofs.get(`${j} ${v.validator}`) ?? []).map((h, k) => `${k === 0 ? 'audit-commit' : 'audit-reveal'}:${h}`),
          ),
        ],
        note: penalty.note,
      },
      sources: allocateSlash(penalty.amount, sources),
    });
  }
  if (standings.length > 0)
    await sql.query(
      `INSERT INTO validator_standings (validator_key, standing) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (validator_key) DO UPDATE SET standing = excluded.standing`,
      [standings.map((x) => x[0]), standings.map((x) => JSON.stringify(x[1]))],
    );
  return plans;
}

/**
 * Everything the close of epoch `n` decides about penalties, before the rewards are computed:
 * the validators' audit credits go into `input.validators`, and nodes suspended, jailed or
 * excluded by this epoch's violations are marked so in `input` (they earn nothing for it).
 */
export async function judgeEpoch(sql: Sql, s: Settings, n: number, input: EpochInput, params: Params): Promise<Judgement> {
  const end = epochStart(s, n + 1);
  const audit = await judgeAudits(sql, s, n, end, params);
  const validators = await validatorsAt(sql, n, params);
  // the validator pool: answers that agreed with a confirmed outcome, nothing in an epoch with a missed
  // trap, an unanswered assignment or an unrevealed beacon secret, or with a validator violation (SPEC §4.5, §6.1)
  const validatorSlashes = await judgeValidatorFaults(sql, s, n, end, params, audit.validators, audit.overturned, audit.proofs);
  const violated = new Set(validatorSlashes.map((x) => x.nodeId));
  const credit = new Map(audit.validators.filter((v) => !v.forfeits && !violated.has(v.validator) && v.agreed > 0).map((v) => [v.validator, v.agreed]));
  input.validators = validators.filter((v) => credit.has(v.key)).map((v) => ({ id: v.key, payout: v.payout, agreedAudits: credit.get(v.key) as number }));

  const found = new Map<string, Found[]>();
  const add = (nodeId: string, v: Found) => found.set(nodeId, [...(found.get(nodeId) ?? []), v]);
  for (const [nodeId, vs] of detectViolations(input, params, end)) for (const v of vs) add(nodeId, { ...v, faultEpoch: n });
  for (const e of await sql.query<{ node_id: string; kind: string; at: string; hashes: string }>(
    'SELECT node_id, kind, at::text AS at, hashes FROM evidence WHERE epoch = $1 ORDER BY id',
    [n],
  )) {
    add(e.node_id, { kind: e.kind as ViolationKind, at: Number(e.at), faultEpoch: n, evidence: JSON.parse(e.hashes) as string[] });
  }
  for (const v of audit.violations) add(v.nodeId, v);
  // liveness probes: a slot claimed up and a probe in it unanswered (SPEC §3.4)
  for (const [nodeId, vs] of probeViolations(await probeRecords(sql, s, n, input, end + s.graceSeconds), end))
    for (const v of vs) add(nodeId, { ...v, faultEpoch: n });

  const standings = await loadStandings(sql);
  const steps = [];
  const sources = await slashableSources(sql, new Map([...found].map(([id, vs]) => [id, Math.min(...vs.map((v) => v.faultEpoch))])));
  for (const node of input.nodes) {
    const vs = found.get(node.id) ?? [];
    const standing = standings.get(node.id) ?? CLEAN_STANDING;
    if (vs.length === 0 && !standings.has(node.id)) continue;
    let slashable = 0n;
    for (const x of sources.get(node.id) ?? []) slashable += x.available;
    const uptime = node.expectedSlots === 0 ? null : (BigInt(node.upSlots) * WAD) / BigInt(node.expectedSlots);
    steps.push({ nodeId: node.id, standing, slashable, uptime, violations: vs });
  }
  const outcomes = processStandings(steps, end, params, s.daySeconds);
  const slashes: SlashPlan[] = [];
  const byNode = new Map(input.nodes.map((x, i) => [x.id, i]));
  for (const o of outcomes) {
    const i = byNode.get(o.nodeId) as number;
    const node = input.nodes[i];
    // suspension, jail and exclusion take effect at once: nothing is earned for this epoch
    if (node && o.penalties.length > 0 && o.standing.status !== 'active') input.nodes[i] = { ...node, status: o.standing.status };
    const remaining = (sources.get(o.nodeId) ?? []).map((x) => ({ ...x }));
    const faults = found.get(o.nodeId) ?? [];
    o.penalties.forEach((p, k) => {
      const taken = allocateSlash(p.amount, remaining);
      for (const t of taken) {
        const r = remaining.find((x) => x.account === t.account) as SlashSource;
        r.available -= t.amount;
      }
      const fault = faults.find((f) => f.kind === p.kind && f.at === p.at);
      slashes.push({ id: `${n}-${o.nodeId}-${k}`, nodeId: o.nodeId, faultEpoch: fault?.faultEpoch ?? n, penalty: p, sources: taken });
    });
  }
  return { outcomes, slashes: [...slashes, ...validatorSlashes], audits: audit.audits };
}

/** Writes a judgement: every slash into escrow (postings + its event), the bonds' slashed totals, and the new standings. */
export async function writeJudgement(
  sql: Sql,
  s: Settings,
  n: number,
  j: Judgement,
  params: Params,
  forfeited: ReadonlyMap<string, bigint> = new Map(),
): Promise<void> {
  const releaseEpoch = n + Math.ceil((params.slashing.escrowDays * s.daySeconds) / s.epochSeconds);
  const postings: Posting[] = [];
  const taken = new Map<string, bigint>();
  const rows: unknown[][] = [];
  const forfeitLeft = new Map(forfeited);
  for (const x of j.slashes) {
    // the node's forfeited unvested rewards go into escrow with the first slash that forfeited them (SPEC §6.1)
    const lost = FORFEITING_VIOLATIONS.includes(x.penalty.kind) && forfeitLeft.get(x.nodeId);
    if (lost) {
      forfeitLeft.delete(x.nodeId);
      x.sources = [...x.sources, { account: `unvested:${x.nodeId}`, amount: lost }];
      x.penalty = { ...x.penalty, amount: x.penalty.amount + lost, note: `${x.penalty.note}; ${lost} unvested reward forfeited` };
    }
    const p = x.penalty;
    for (const t of x.sources) {
      postings.push({
        id: `slash:${x.id}:${t.account}`,
        epoch: n,
        from: t.account,
        to: `escrow:${x.id}`,
        amount: t.amount,
        memo: `slash (${p.kind}) into escrow`,
      });
      taken.set(t.account, (taken.get(t.account) ?? 0n) + t.amount);
    }
    rows.push([
      x.id,
      x.nodeId,
      x.faultEpoch,
      p.at,
      p.kind,
      p.action,
      formatWad(p.share),
      p.amount.toString(),
      JSON.stringify(p.evidence),
      JSON.stringify(x.sources.map((t) => ({ account: t.account, amount: t.amount.toString() }))),
      p.note,
      p.amount > 0n ? releaseEpoch : n,
      p.amount > 0n ? 'escrowed' : 'warning',
    ]);
  }
  if (rows.length > 0) {
    const col = (k: number) => rows.map((r) => r[k]);
    await sql.query(
      `INSERT INTO slashes (id, node_id, epoch, fault_epoch, at, kind, action, share, amount, evidence, sources, note, release_epoch, status)
       SELECT v.id, v.node_id, $1, v.fault_epoch, v.at, v.kind, v.action, v.share, v.amount, v.evidence, v.sources, v.note, v.release_epoch, v.status
         FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::numeric[], $10::text[], $11::text[], $12::text[], $13::bigint[], $14::text[])
           AS v(id, node_id, fault_epoch, at, kind, action, share, amount, evidence, sources, note, release_epoch, status)`,
      [n, ...Array.from({ length: 13 }, (_, k) => col(k))],
    );
  }
  await post(sql, postings);
  await addSlashed(sql, taken);
  await saveStandings(
    sql,
    j.outcomes.map((o) => [o.nodeId, o.standing]),
  );
}

/** Upserts standings (deleting those that are clean again) and mirrors status and probation into `nodes`. */
async function saveStandings(sql: Sql, list: readonly [string, Standing][]): Promise<void> {
  if (list.length === 0) return;
  const keep = list.filter(([, st]) => !isCleanStanding(st));
  const clean = list.filter(([, st]) => isCleanStanding(st)).map(([id]) => id);
  if (keep.length > 0)
    await sql.query(
      `INSERT INTO standings (node_id, standing) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (node_id) DO UPDATE SET standing = excluded.standing`,
      [keep.map(([id]) => id), keep.map(([, st]) => JSON.stringify(st))],
    );
  if (clean.length > 0) await sql.query('DELETE FROM standings WHERE node_id = ANY($1::text[])', [clean]);
  await sql.query(
    `UPDATE nodes SET status = v.status, probation_stage = v.stage FROM unnest($1::text[], $2::text[], $3::int[]) AS v(id, status, stage) WHERE nodes.id = v.id`,
    [list.map(([id]) => id), list.map(([, st]) => st.status), list.map(([, st]) => st.probationStage)],
  );
}

/** Keeps `stakes.slashed` / `unbondings.slashed` in step with the ledger (negative amounts give back). */
export async function addSlashed(sql: Sql, amounts: ReadonlyMap<string, bigint>): Promise<void> {
  for (const [table, prefix] of [
    ['stakes', 'stake:'],
    ['unbondings', 'unbonding:'],
  ] as const) {
    const xs = [...amounts].filter(([a]) => a.startsWith(prefix));
    if (xs.length === 0) continue;
    await sql.query(`UPDATE ${table} t SET slashed = t.slashed + v.amount FROM unnest($1::text[], $2::numeric[]) AS v(id, amount) WHERE t.id = v.id`, [
      xs.map(([a]) => a.slice(prefix.length)),
      xs.map(([, x]) => x.toString()),
    ]);
  }
}

/**
 * Releases every escrowed slash whose appeal window has passed by the close of `n`: the
 * compensation share to the consumers of the node's receipts in the fault epoch, pro rata to
 * their GPU-seconds (the treasury when there were none), the rest burned.
 */
export async function releaseEscrow(sql: Sql, n: number, params: Params): Promise<{ released: bigint; compensated: bigint }> {
  const due = await sql.query<{ id: string; node_id: string; fault_epoch: string; amount: string }>(
    "SELECT id, node_id, fault_epoch::text AS fault_epoch, amount::text AS amount FROM slashes WHERE status = 'escrowed' AND release_epoch <= $1 ORDER BY id",
    [n],
  );
  const postings: Posting[] = [];
  let released = 0n;
  let compensated = 0n;
  for (const x of due) {
    released += BigInt(x.amount);
    const consumers = await sql.query<{ consumer_key: string; gpu_seconds: string }>(
      'SELECT consumer_key, SUM(gpu_seconds)::text AS gpu_seconds FROM receipts WHERE node_id = $1 AND epoch = $2 GROUP BY consumer_key ORDER BY consumer_key',
      [x.node_id, Number(x.fault_epoch)],
    );
    const c = computeCompensation(
      BigInt(x.amount),
      consumers.map((r) => ({ consumer: r.consumer_key, gpuSeconds: BigInt(r.gpu_seconds) })),
      params.slashing.compensationShare,
    );
    const escrow = `escrow:${x.id}`;
    for (const p of c.payouts) compensated += p.amount;
    for (const p of c.payouts)
      postings.push({
        id: `slash:${x.id}:compensation:${p.consumer}`,
        epoch: n,
        from: escrow,
        to: `wallet:${p.consumer}`,
        amount: p.amount,
        memo: 'slash compensation',
      });
    if (c.toTreasury > 0n)
      postings.push({
        id: `slash:${x.id}:treasury`,
        epoch: n,
        from: escrow,
        to: 'treasury',
        amount: c.toTreasury,
        memo: 'slash compensation, no affected consumer',
      });
    if (c.burned > 0n) postings.push({ id: `slash:${x.id}:burn`, epoch: n, from: escrow, to: 'burn', amount: c.burned, memo: 'slash, burned share' });
    await sql.query("UPDATE slashes SET status = 'released', resolved_epoch = $2, resolution = $3 WHERE id = $1", [
      x.id,
      n,
      JSON.stringify({
        compensation: c.payouts.map((p) => ({ consumer: p.consumer, amount: p.amount.toString() })),
        burned: c.burned.toString(),
        toTreasury: c.toTreasury.toString(),
      }),
    ]);
  }
  await post(sql, postings);
  return { released, compensated };
}

/**
 * A passed appeal (SPEC §6.2): while the slash is still in escrow, its tokens go back where they
 * came from (the owner's wallet if that unbonding has since been released), the violation leaves
 * the node's record, and a suspension, jail or exclusion it caused is lifted. Returns false when
 * the slash has already been released (the appeal came too late) or reversed.
 */
export async function reverseSlash(sql: Sql, n: number, slashId: string, proposalId: string): Promise<boolean> {
  const x = (
    await sql.query<{ node_id: string; kind: string; at: string; action: string; sources: string; status: string }>(
      'SELECT node_id, kind, at::text AS at, action, sources, status FROM slashes WHERE id = $1 FOR UPDATE',
      [slashId],
    )
  )[0];
  if (x?.status !== 'escrowed') return false;
  const postings: Posting[] = [];
  for (const t of JSON.parse(x.sources) as { account: string; amount: string }[]) {
    let to = t.account;
    if (to.startsWith('unbonding:')) {
      const u = (
        await sql.query<{ released: boolean; owner_key: string }>(
          'SELECT u.released, s.owner_key FROM unbondings u JOIN stakes s ON s.id = u.stake_id WHERE u.id = $1',
          [to.slice('unbonding:'.length)],
        )
      )[0];
      if (u?.released) to = `wallet:${u.owner_key}`;
    }
    // forfeited unvested rewards come back to the owner's wallet: its claims have moved on since
    if (to.startsWith('unvested:')) {
      const owner = (await sql.query<{ owner_key: string }>('SELECT owner_key FROM nodes WHERE id = $1', [x.node_id]))[0];
      to = `wallet:${owner?.owner_key}`;
    }
    postings.push({
      id: `slash:${slashId}:reversed:${t.account}`,
      epoch: n,
      from: `escrow:${slashId}`,
      to,
      amount: BigInt(t.amount),
      memo: `slash reversed by ${proposalId}`,
    });
    if (to === t.account) await addSlashed(sql, new Map([[t.account, -BigInt(t.amount)]]));
  }
  await post(sql, postings);
  await sql.query("UPDATE slashes SET status = 'reversed', resolved_epoch = $2, resolution = $3 WHERE id = $1", [
    slashId,
    n,
    JSON.stringify({ proposal: proposalId }),
  ]);
  const row = (await sql.query<{ standing: string }>('SELECT standing FROM standings WHERE node_id = $1', [x.node_id]))[0];
  const st = row ? (JSON.parse(row.standing) as Standing) : undefined;
  if (st) {
    const lifted = ['suspend', 'jail', 'exclude', 'exclude-permanently'].includes(x.action);
    const history = [...st.history];
    const k = history.findIndex((h) => h.kind === x.kind && h.at === Number(x.at));
    if (k >= 0) history.splice(k, 1);
    await saveStandings(sql, [
      [x.node_id, lifted ? { ...st, history, status: 'active', until: null, permanent: false, probationStage: 0 } : { ...st, history }],
    ]);
  }
  return true;
}
