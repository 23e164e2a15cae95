import { createHash } from 'node:crypto';
import { WAD } from './amount.ts';
import { InvalidArgumentError } from './errors.ts';
import type { Violation } from './violations.ts';

/**
 * Audits (SPEC §3.4) as pure functions. After epoch `n` closes, a sample of its receipts is chosen
 * for re-execution from a seed nobody could know while the receipts were made — the hash of the
 * closed epoch's input, which commits to every receipt — so a provider cannot tell which jobs
 * will be checked. Each sampled receipt goes to two validators, also chosen from the seed; their
 * signed verdicts are judged when epoch `n+1` closes.
 */

const TWO64 = 1n << 64n;

/** A receipt's place in the draw: the first 8 bytes of sha256(seed ‖ ':' ‖ jobId), as an integer below 2^64. */
export function computeAuditScore(seed: string, jobId: string): bigint {
  return createHash('sha256').update(`${seed}:${jobId}`).digest().readBigUInt64BE(0);
}

export type AuditSampleParameters = {
  /** The hash of the closed epoch's input. */
  seed: string;
  receipts: readonly { jobId: string; nodeId: string }[];
  /** Share of receipts drawn (WAD), `params.audits.rate`. */
  rate: bigint;
  /** Nodes that must have at least one receipt drawn (those not audited in the last week). */
  mustCover: ReadonlySet<string>;
};

/**
 * The receipts drawn for audit: each with probability `rate` (its score below `rate · 2^64`),
 * plus, for every node in `mustCover` left without one, its lowest-scoring receipt. Returns job
 * ids in ascending order; the same arguments always give the same sample.
 *
 * @example selectAuditSample({ seed: inputHash, receipts, rate: params.audits.rate, mustCover: new Set() })
 */
export function selectAuditSample(p: AuditSampleParameters): string[] {
  if (p.rate < 0n || p.rate > WAD) throw new InvalidArgumentError('rate', 'must be within 0 and 1');
  const threshold = (p.rate * TWO64) / WAD;
  const chosen = new Set<string>();
  const covered = new Set<string>();
  const lowest = new Map<string, { jobId: string; score: bigint }>();
  for (const r of p.receipts) {
    const score = computeAuditScore(p.seed, r.jobId);
    if (score < threshold) {
      chosen.add(r.jobId);
      covered.add(r.nodeId);
    }
    const low = lowest.get(r.nodeId);
    if (!low || score < low.score || (score === low.score && r.jobId < low.jobId)) lowest.set(r.nodeId, { jobId: r.jobId, score });
  }
  for (const node of p.mustCover) {
    const low = lowest.get(node);
    if (low && !covered.has(node)) chosen.add(low.jobId);
  }
  return [...chosen].sort();
}

/**
 * The validators a sampled receipt goes to: `count` of them, ordered by sha256(seed ‖ jobId ‖ key)
 * — spread evenly and unpredictably, and never the node's own operator (`exclude`).
 */
export function assignAuditors(seed: string, jobId: string, validators: readonly string[], count: number, exclude: ReadonlySet<string> = new Set()): string[] {
  return validators
    .filter((v) => !exclude.has(v))
    .map((v) => ({ v, s: createHash('sha256').update(`${seed}:${jobId}:${v}`).digest('hex') }))
    .sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : a.v < b.v ? -1 : 1))
    .slice(0, count)
    .map((x) => x.v);
}

export type AuditVerdict = 'match' | 'mismatch';

// ---------------------------------------------------------------------------------------------
// The beacon (SPEC §3.4, RANDAO's rule): nobody, neither a node grinding its receipts nor the
// operator, can know or steer the sample while the receipts are being made.

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const HEX32 = /^[0-9a-f]{64}$/;

/**
 * What a validator commits to in epoch `n` (before it closes): the hash of its beacon secret, bound
 * to the epoch and its key so that nobody can replay another's commitment or an old one.
 */
export function beaconCommitment(epoch: number, validator: string, secret: string): string {
  if (!HEX32.test(secret)) throw new InvalidArgumentError('secret', 'a beacon secret is 32 random bytes, 64 lower-case hex digits');
  return sha256(`swarm-beacon:${epoch}:${validator}:${secret}`);
}

/**
 * The beacon of an epoch: the hash of every revealed secret, in validator order. One honest
 * validator's secret makes it unpredictable; a validator that withholds its reveal forfeits its
 * validator reward for the epoch (§4.5), so biasing it costs money.
 */
export function computeBeacon(reveals: readonly { validator: string; secret: string }[]): string {
  const sorted = [...reveals].sort((a, b) => (a.validator < b.validator ? -1 : a.validator > b.validator ? 1 : 0));
  return sha256(`swarm-beacon:${sorted.map((r) => `${r.validator}:${r.secret}`).join(',')}`);
}

/** The audit seed of a closed epoch: its input hash (which commits to every receipt) mixed with its beacon. */
export function computeAuditSeed(inputHash: string, beacon: string): string {
  return sha256(`swarm-audit-seed:${inputHash}:${beacon}`);
}

// ---------------------------------------------------------------------------------------------
// Commit–reveal verdicts (SPEC §3.4): nobody can copy a verdict it has not seen, and nobody sees
// one before the commit deadline.

export type AuditAnswer = { verdict: AuditVerdict; resultHash: string; salt: string };

/**
 * A validator's commitment to its answer on one assignment: bound to the job and the validator's
 * key, so a copier cannot post another's commitment as its own and reveal what the other reveals.
 */
export function verdictCommitment(jobId: string, validator: string, a: AuditAnswer): string {
  return sha256(`swarm-verdict:${jobId}:${validator}:${a.verdict}:${a.resultHash}:${a.salt}`);
}

// ---------------------------------------------------------------------------------------------
// Trap audits (SPEC §3.4, Truebit's forced errors): a validator that does not re-execute cannot
// tell a trap from a real assignment, and answering "match" to everything is caught.

/** The operator's commitment, before epoch `n` starts, to the secret that picks `n`'s traps. */
export function trapCommitment(epoch: number, secret: string): string {
  if (!HEX32.test(secret)) throw new InvalidArgumentError('secret', 'a trap secret is 32 random bytes, 64 lower-case hex digits');
  return sha256(`swarm-trap:${epoch}:${secret}`);
}

/** Whether the assignment of `jobId` to `validator` is a trap: its score under the trap secret below `share · 2^64`. */
export function isTrap(trapSecret: string, jobId: string, validator: string, share: bigint): boolean {
  return createHash('sha256').update(`swarm-trap-pick:${trapSecret}:${jobId}:${validator}`).digest().readBigUInt64BE(0) < (share * TWO64) / WAD;
}

/** The deliberately wrong result hash a trap shows: derived from the secret, so anyone can check it afterwards. */
export function trapResultHash(trapSecret: string, jobId: string, validator: string): string {
  return sha256(`swarm-trap-result:${trapSecret}:${jobId}:${validator}`);
}

/**
 * The stand-in for re-execution in the demo and the simulator: the result of a job is a
 * deterministic function of what it ran. An honest node puts it in its receipt; a node that
 * reports work it did not do cannot know it. (A real network re-runs the job.)
 */
export function simulatedResultHash(jobId: string, gpuSeconds: number): string {
  return sha256(`swarm-job-result:${jobId}:${gpuSeconds}`);
}

export type AuditAssignment = {
  jobId: string;
  nodeId: string;
  validator: string;
  /** 0: the sample's first two validators; 1: a referral or dispute's three more. */
  round: number;
  trap: boolean;
  /** The result hash the validator is shown: the node's own, or on a trap a wrong one. */
  shownResultHash: string;
};

export type AssignParameters = {
  seed: string;
  /** The receipts drawn (or referred, or disputed), each with the result hash its node claimed and its owner's validator key, if any. */
  receipts: readonly { jobId: string; nodeId: string; claimedResultHash: string; exclude?: readonly string[] }[];
  validators: readonly string[];
  /** 2 for the sample, 3 for a referral or dispute (SPEC §3.4). */
  count: number;
  round: number;
  trapSecret: string;
  trapShare: bigint;
};

/**
 * Who audits what: each receipt to `count` validators ordered by the seed (never one in its
 * `exclude` list: its own operator, or those who judged it before), and for each assignment
 * whether it is a trap. Anyone holding the seed, the trap secret and the validator set can
 * recompute it.
 */
export function assignAudits(p: AssignParameters): AuditAssignment[] {
  const out: AuditAssignment[] = [];
  for (const r of p.receipts) {
    for (const v of assignAuditors(p.seed, r.jobId, p.validators, p.count, new Set(r.exclude ?? []))) {
      const trap = isTrap(p.trapSecret, r.jobId, v, p.trapShare);
      out.push({
        jobId: r.jobId,
        nodeId: r.nodeId,
        validator: v,
        round: p.round,
        trap,
        shownResultHash: trap ? trapResultHash(p.trapSecret, r.jobId, v) : r.claimedResultHash,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Judging (SPEC §3.4, §4.5, §6.1).

/** A validator's revealed answer's vote on the node's work: whether the result it obtained is the one the node claimed. */
export type Vote = 'match' | 'mismatch';

export type AnswerJudgement = {
  /** No valid reveal: unrevealed, not matching its commitment, or never committed. */
  answered: boolean;
  /** "match" on a trap: the validator did not re-execute. */
  missedTrap: boolean;
  /** The verdict does not follow from the result hash it revealed and the hash it was shown. */
  inconsistent: boolean;
  /** Its vote on the node's work, when the answer counts. */
  vote: Vote | null;
};

/**
 * What one revealed answer says. A validator is shown a result hash and re-executes: "match" means
 * its result equals the shown one. Its vote on the node compares its result with the hash the node
 * claimed — on a trap the shown hash is wrong, so an honest validator answers "mismatch" and still
 * confirms an honest node's work.
 */
export function judgeAnswer(
  a: Pick<AuditAssignment, 'trap' | 'shownResultHash'>,
  claimedResultHash: string,
  answer: Omit<AuditAnswer, 'salt'> | null,
): AnswerJudgement {
  if (answer === null) return { answered: false, missedTrap: false, inconsistent: false, vote: null };
  const missedTrap = a.trap && answer.verdict === 'match';
  const inconsistent = answer.verdict !== (answer.resultHash === a.shownResultHash ? 'match' : 'mismatch');
  const vote = missedTrap || inconsistent ? null : answer.resultHash === claimedResultHash ? 'match' : 'mismatch';
  return { answered: true, missedTrap, inconsistent, vote };
}

export type AuditOutcome = 'match' | 'mismatch' | 'referred' | 'unconfirmed';

/**
 * A receipt's outcome from its votes, round by round (null: no valid answer):
 * - the first round (two validators): two mismatches confirm a failed verification, matches alone
 *   confirm the work, no vote at all leaves it `unconfirmed` (it stands), and anything else — a
 *   split, a lone mismatch — is `referred` to three more validators;
 * - a later round (a referral, or the node's dispute of a confirmed mismatch): the majority of the
 *   votes cast decides; a tie is `unconfirmed` and the work stands.
 * Only a confirmed outcome (`match` or `mismatch`) credits the validators that agreed with it and
 * counts against those that contradicted it.
 *
 * @example resolveAudit([['mismatch', 'mismatch']]) // 'mismatch'
 */
export function resolveAudit(rounds: readonly (readonly (Vote | null)[])[]): AuditOutcome {
  const last = rounds[rounds.length - 1] ?? [];
  const mismatches = last.filter((v) => v === 'mismatch').length;
  const matches = last.filter((v) => v === 'match').length;
  if (rounds.length <= 1) {
    if (mismatches >= 2 && matches === 0) return 'mismatch';
    if (mismatches === 0) return matches > 0 ? 'match' : 'unconfirmed';
    return 'referred';
  }
  return mismatches > matches ? 'mismatch' : matches > mismatches ? 'match' : 'unconfirmed';
}

export type ValidatorEpoch = {
  validator: string;
  /** Answers that agreed with the outcome (a trap answered right included): its weight in the validator pool. */
  agreed: number;
  missedTraps: string[];
  unanswered: string[];
  /** Answers whose vote contradicted the confirmed outcome (earn nothing; twice in the window is a violation). */
  contradicted: string[];
  /** It committed a beacon secret and did not reveal it. */
  unrevealedBeacon: boolean;
  /** Its validator reward for the epoch is forfeited (a missed trap, an unanswered assignment, an unrevealed beacon secret). */
  forfeits: boolean;
};

/**
 * Every validator's epoch from the audits judged in it (SPEC §4.5): credit for each answer that
 * agreed with its receipt's outcome; nothing at all for an epoch with a missed trap, an unanswered
 * assignment or an unrevealed beacon secret. `judged` lists, per assignment, its judgement and the
 * outcome of its receipt (a `referred` receipt's answers are judged again when the referral
 * decides; missed traps and unanswered assignments count at once).
 */
export function judgeValidators(
  validators: readonly string[],
  judged: readonly { assignment: AuditAssignment; judgement: AnswerJudgement; outcome: AuditOutcome }[],
  unrevealedBeacon: ReadonlySet<string>,
): ValidatorEpoch[] {
  const by = new Map<string, ValidatorEpoch>(
    validators.map((v) => [
      v,
      { validator: v, agreed: 0, missedTraps: [], unanswered: [], contradicted: [], unrevealedBeacon: unrevealedBeacon.has(v), forfeits: false },
    ]),
  );
  for (const { assignment: a, judgement: j, outcome } of judged) {
    const e = by.get(a.validator);
    if (!e) continue;
    if (!j.answered) e.unanswered.push(a.jobId);
    else if (j.missedTrap) e.missedTraps.push(a.jobId);
    else if (outcome === 'referred' || outcome === 'unconfirmed' || j.vote === null) continue;
    else if (j.vote === outcome) e.agreed += 1;
    else e.contradicted.push(a.jobId);
  }
  return [...by.values()]
    .map((e) => ({ ...e, forfeits: e.unrevealedBeacon || e.missedTraps.length > 0 || e.unanswered.length > 0 }))
    .sort((a, b) => (a.validator < b.validator ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------
// Liveness probes (SPEC §3.4): a heartbeat proves that a key is alive, not that a GPU serves.

export type ProbeRecord = {
  nodeId: string;
  /** The slot (index in the epoch) the probe was sent in. */
  slot: number;
  /** The node claimed the slot up (a heartbeat counted for it). */
  claimedUp: boolean;
  /** The node answered the validator's signed challenge in time, correctly signed. */
  answered: boolean;
  /** The hash of the signed challenge (and of the answer, when there was one): the evidence. */
  evidence: string;
};

/**
 * The performance violations liveness probes prove: a node that claimed a slot up and failed a
 * probe in it, one violation per node and epoch with every such probe as evidence. A probe in a
 * slot the node did not claim proves nothing more than its missing heartbeat already does.
 */
export function probeViolations(probes: readonly ProbeRecord[], at: number): Map<string, Violation[]> {
  const failed = new Map<string, string[]>();
  for (const p of probes) if (p.claimedUp && !p.answered) failed.set(p.nodeId, [...(failed.get(p.nodeId) ?? []), `probe:${p.evidence}`]);
  return new Map([...failed].map(([id, evidence]) => [id, [{ kind: 'performance' as const, at, evidence: [...evidence.sort(), 'failed-liveness-probe'] }]]));
}

// ---------------------------------------------------------------------------------------------
// The audit window's calendar (SPEC §3.4): the audits of epoch n's sample run during epoch n + 1.

export type AuditWindow = {
  /** Beacon secrets for the sample's epoch are revealed until then; the sample is drawn at it. */
  beaconRevealBy: number;
  /** A node may dispute a mismatch confirmed at the last close until then. */
  disputeBy: number;
  /** Verdict commitments are accepted until then, reveals from then on. */
  commitBy: number;
  /** The window closes with its epoch: reveals until then. */
  revealBy: number;
};

/** The phases of the audit window that is epoch `[start, start + seconds)`: a quarter for the beacon, half for commitments, the last quarter for reveals. */
export function auditWindow(start: number, seconds: number): AuditWindow {
  return {
    beaconRevealBy: start + Math.floor(seconds / 4),
    disputeBy: start + Math.floor(seconds / 2),
    commitBy: start + Math.floor((seconds * 3) / 4),
    revealBy: start + seconds,
  };
}

/**
 * The commitment of an epoch's input to every receipt (SPEC §3.4), in two levels so that a store can
 * compute it without holding an epoch's receipts in one string: per node, the hash of the sorted
 * lines `jobId:hash of the signed receipt`; then the hash of the sorted lines `nodeId:that hash`.
 * Lines sort by their bytes (ids are ASCII, `[A-Za-z0-9._-]`). The audit sample is drawn from
 * these receipts; anyone holding the list can check it against the input and redraw the sample.
 */
export function computeReceiptsHash(receipts: readonly { jobId: string; nodeId: string; messageHash: string }[]): string {
  const byNode = new Map<string, string[]>();
  for (const r of receipts) {
    const lines = byNode.get(r.nodeId);
    const line = `${r.jobId}:${r.messageHash}`;
    if (lines === undefined) byNode.set(r.nodeId, [line]);
    else lines.push(line);
  }
  const nodes = [...byNode].map(([node, lines]) => `${node}:${sha256(lines.sort().join('\n'))}`).sort();
  return sha256(`swarm-receipts:${nodes.join('\n')}`);
}

/**
 * What a liveness probe asks of the node: a small job only a serving GPU answers in time. The demo
 * and the simulator stand in for it with this function of the probe's id (SPEC §3.4).
 */
export function probeResult(probeId: string): string {
  return simulatedResultHash(`probe:${probeId}`, 1);
}

/** How long a node has to answer a liveness probe: two slots, and never less than ten seconds. */
export function probeAnswerSeconds(slotSeconds: number): number {
  return Math.max(2 * slotSeconds, 10);
}
