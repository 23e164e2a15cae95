import { createHash } from 'node:crypto';
import { WAD } from './amount.ts';
import { InvalidArgumentError } from './errors.ts';

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
export type AuditOutcome = {
  /** `mismatch`: confirmed by a second validator — a failed verification; `match`: the work stands; `unconfirmed`: a lone mismatch, or no report. */
  outcome: 'match' | 'mismatch' | 'unconfirmed';
  /** Validators whose verdict agreed with the outcome: they are credited in the validator pool. */
  agreeing: string[];
};

/**
 * Judges one audited receipt from its validators' verdicts: two or more mismatches confirm a failed
 * verification; otherwise any match lets the work stand (a lone mismatch is not confirmed and
 * earns nothing). Validators are credited only when their verdict agreed with the outcome.
 *
 * @example computeAuditOutcome([{ validator: 'a', verdict: 'mismatch' }, { validator: 'b', verdict: 'mismatch' }]) // mismatch, both credited
 */
export function computeAuditOutcome(reports: readonly { validator: string; verdict: AuditVerdict }[]): AuditOutcome {
  const mismatches = reports.filter((r) => r.verdict === 'mismatch').map((r) => r.validator);
  const matches = reports.filter((r) => r.verdict === 'match').map((r) => r.validator);
  if (mismatches.length >= 2) return { outcome: 'mismatch', agreeing: mismatches.sort() };
  if (matches.length >= 1) return { outcome: 'match', agreeing: matches.sort() };
  return { outcome: 'unconfirmed', agreeing: [] };
}
