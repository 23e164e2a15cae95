import {
  type AnswerJudgement,
  type AuditAssignment,
  type AuditOutcome,
  type AuditVerdict,
  assignAudits,
  beaconCommitment,
  computeAuditSeed,
  computeBeacon,
  computeReceiptsHash,
  judgeAnswer,
  judgeValidators,
  resolveAudit,
  selectAuditSample,
  trapCommitment,
  verdictCommitment,
} from './audits.ts';
import type { ValidatorInput } from './epoch-input.ts';
import type { Params } from './params.ts';

/**
 * Anyone's check of the audits (SPEC §3.4): from what the service publishes about an epoch's sample
 * (GET /v1/epochs/{n}/audits), recompute the beacon, the seed, the sample, who audits what, which
 * assignments were traps, that every reveal opens its commitment, every outcome, and the credits
 * the validator pool paid. Pure: `swarm verify --audits` feeds it files.
 */
export type AuditRecord = {
  epoch: number;
  drawn: boolean;
  inputHash: string | null;
  beacon: string | null;
  seed: string | null;
  late: boolean;
  receipts: { jobId: string; nodeId: string; ownerKey: string; messageHash: string }[];
  mustCover: string[];
  validators: string[];
  beaconSecrets: { validator: string; commitment: string; secret: string | null }[];
  trap: { commitment: string; secret: string | null } | null;
  assignments: {
    window: number;
    jobId: string;
    nodeId: string;
    validator: string;
    round: number;
    trap: boolean | null;
    shownResultHash: string;
    claimedResultHash: string | null;
    commitment: string | null;
    verdict: AuditVerdict | null;
    resultHash: string | null;
    salt: string | null;
  }[];
  outcomes: { judgedAt: number; jobId: string; round: number; outcome: AuditOutcome }[];
};

const key = (jobId: string, validator: string) => `${jobId} ${validator}`;

/**
 * Checks one epoch's sample: the beacon from its revealed secrets (each opening its commitment), the
 * seed from the input hash and the beacon, the sample from the seed, the first round's assignments
 * and traps from the seed, the validators and the revealed trap secret (which must open the
 * commitment published before the epoch), and every revealed verdict against its commitment. With
 * `sampleInput` (the epoch's input: its content hash and its `receipts` commitment) it also checks
 * that the receipts drawn from are those the input committed to. Returns the first difference.
 */
export function checkAuditRecord(r: AuditRecord, params: Params, sampleInput?: { hash: string; receipts?: string | undefined }): string | null {
  if (!r.drawn || r.seed === null || r.inputHash === null) return `epoch ${r.epoch}: its sample has not been drawn`;
  if (sampleInput) {
    if (sampleInput.hash !== r.inputHash) return `inputHash: the given input hashes to ${sampleInput.hash}, the sample was drawn from ${r.inputHash}`;
    const got = computeReceiptsHash(r.receipts);
    if (sampleInput.receipts !== undefined && got !== sampleInput.receipts)
      return `receipts: the published receipts hash to ${got}, the input committed to ${sampleInput.receipts}`;
  }
  for (const b of r.beaconSecrets)
    if (b.secret !== null && beaconCommitment(r.epoch, b.validator, b.secret) !== b.commitment)
      return `beacon: ${b.validator}'s revealed secret does not open its commitment`;
  const beacon = computeBeacon(r.beaconSecrets.filter((b) => b.secret !== null).map((b) => ({ validator: b.validator, secret: b.secret as string })));
  if (beacon !== r.beacon) return `beacon: recomputed ${beacon}, published ${r.beacon}`;
  const seed = computeAuditSeed(r.inputHash, beacon);
  if (seed !== r.seed) return `seed: recomputed ${seed}, published ${r.seed}`;
  const first = r.assignments.filter((a) => a.round === 0);
  const sample = r.validators.length === 0 ? [] : selectAuditSample({ seed, receipts: r.receipts, rate: params.audits.rate, mustCover: new Set(r.mustCover) });
  const drawn = [...new Set(first.map((a) => a.jobId))].sort();
  if (JSON.stringify(sample) !== JSON.stringify(drawn)) return `sample: recomputed [${sample.join(', ')}], assigned [${drawn.join(', ')}]`;
  for (const a of r.assignments)
    if (
      a.verdict !== null &&
      verdictCommitment(a.jobId, a.validator, { verdict: a.verdict, resultHash: a.resultHash ?? '', salt: a.salt ?? '' }) !== a.commitment
    )
      return `verdict: ${a.validator}'s reveal on ${a.jobId} does not open its commitment`;
  if (r.trap === null || r.trap.secret === null) return null; // the traps are checked once the secret is revealed
  if (trapCommitment(r.epoch, r.trap.secret) !== r.trap.commitment)
    return `trap: the revealed secret does not open the commitment published before epoch ${r.epoch}`;
  const byJob = new Map(r.receipts.map((x) => [x.jobId, x]));
  const claimed = new Map(first.map((a) => [a.jobId, a.claimedResultHash]));
  const want = assignAudits({
    seed,
    receipts: sample.map((jobId) => {
      const x = byJob.get(jobId) as AuditRecord['receipts'][number];
      return { jobId, nodeId: x.nodeId, claimedResultHash: claimed.get(jobId) ?? '', exclude: [x.ownerKey] };
    }),
    validators: r.validators,
    count: 2,
    round: 0,
    trapSecret: r.trap.secret,
    trapShare: params.audits.trapShare,
  });
  const got = new Map(first.map((a) => [key(a.jobId, a.validator), a]));
  if (want.length !== first.length) return `assignments: recomputed ${want.length} in the first round, published ${first.length}`;
  for (const w of want) {
    const g = got.get(key(w.jobId, w.validator));
    if (!g) return `assignments: ${w.jobId} goes to ${w.validator}, which the published record does not show`;
    if (g.trap !== w.trap) return `trap: ${w.jobId} for ${w.validator} is ${w.trap ? '' : 'not '}a trap by the revealed secret`;
    if (w.trap && g.shownResultHash !== w.shownResultHash) return `trap: ${w.jobId} for ${w.validator} showed another hash than the secret makes`;
  }
  return null;
}

/**
 * Recomputes the validator pool's credits for the window that is epoch `window` (SPEC §4.5): every
 * assignment judged in it, from the records of the samples it touched (its own sample is epoch
 * `window − 1`'s; referrals and disputes of earlier samples too), each answer judged against the
 * node's claimed result, each receipt resolved round by round — checked against the published
 * outcomes — and each validator credited for answers that agreed with a confirmed outcome, nothing
 * for an epoch with a missed trap, an unanswered assignment or an unrevealed beacon secret. Returns
 * the first difference from `paid` (the window's `input.validators`), or null.
 */
export function checkValidatorCredits(window: number, records: readonly AuditRecord[], paid: readonly ValidatorInput[]): string | null {
  const judged: { assignment: AuditAssignment; judgement: AnswerJudgement; outcome: AuditOutcome }[] = [];
  // validators whose confirmation a dispute overturned here: a validator violation, so no reward this epoch
  const overturned = new Set<string>();
  for (const r of records) {
    const jobs = [...new Set(r.assignments.filter((a) => a.window === window).map((a) => a.jobId))];
    for (const jobId of jobs) {
      const rows = r.assignments.filter((a) => a.jobId === jobId && a.window <= window);
      const current = Math.max(...rows.filter((a) => a.window === window).map((a) => a.round));
      const rounds: { a: AuditAssignment; j: AnswerJudgement; late: boolean }[][] = [];
      for (const x of rows.filter((y) => y.round <= current)) {
        if (x.claimedResultHash === null || x.trap === null) return `window ${window}: the record of epoch ${r.epoch} does not show ${jobId} judged yet`;
        const a = { jobId, nodeId: x.nodeId, validator: x.validator, round: x.round, trap: x.trap, shownResultHash: x.shownResultHash };
        const answer = x.verdict === null ? null : { verdict: x.verdict, resultHash: x.resultHash ?? '' };
        (rounds[x.round] ??= []).push({ a, j: judgeAnswer(a, x.claimedResultHash, answer), late: r.late && x.round === 0 });
      }
      const live = rounds.filter((x) => x !== undefined);
      const outcome = resolveAudit(live.map((x) => x.map((y) => y.j.vote)));
      const published = r.outcomes.find((o) => o.jobId === jobId && o.judgedAt === window);
      if (published?.outcome !== outcome) return `outcome: ${jobId} resolves to ${outcome} at epoch ${window}, published ${published?.outcome ?? 'nothing'}`;
      for (const x of live[live.length - 1] ?? []) if (!(x.late && !x.j.answered)) judged.push({ assignment: x.a, judgement: x.j, outcome });
      // a referral decided: the earlier rounds are judged against it too (a dispute's are not: it follows a confirmed mismatch)
      const disputed = r.outcomes.some((o) => o.jobId === jobId && o.judgedAt < window && o.outcome === 'mismatch');
      if (disputed && outcome === 'match') for (const x of live.slice(0, -1).flat()) if (x.j.vote === 'mismatch') overturned.add(x.a.validator);
      if (!disputed && outcome !== 'referred')
        for (const x of live.slice(0, -1).flat()) if (x.j.answered && !x.j.missedTrap) judged.push({ assignment: x.a, judgement: x.j, outcome });
    }
  }
  const sample = records.find((r) => r.epoch === window - 1);
  const unrevealed = new Set((sample?.beaconSecrets ?? []).filter((b) => b.secret === null).map((b) => b.validator));
  const everyone = [...new Set([...judged.map((x) => x.assignment.validator), ...paid.map((v) => v.id)])];
  const credits = new Map(
    judgeValidators(everyone, judged, unrevealed)
      .filter((v) => !v.forfeits && v.agreed > 0)
      .map((v) => [v.validator, v.agreed]),
  );
  for (const v of paid)
    if (credits.get(v.id) !== v.agreedAudits) return `credits: ${v.id} was paid for ${v.agreedAudits} audits, recomputed ${credits.get(v.id) ?? 0}`;
  for (const [id, n] of credits) if (!paid.some((v) => v.id === id)) return `credits: ${id} earned ${n} audits but is not in the pool`;
  return null;
}
