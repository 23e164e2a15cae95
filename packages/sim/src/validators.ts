import { createHash } from 'node:crypto';
import {
  type AnswerJudgement,
  type AuditAnswer,
  type AuditAssignment,
  assignAudits,
  computeAuditSeed,
  computeBeacon,
  judgeAnswer,
  judgeValidators,
  type Params,
  type ProbeRecord,
  prng,
  resolveAudit,
  simulatedResultHash,
  type ValidatorEpoch,
  type ValidatorFaults,
  verdictCommitment,
} from '@swarm/core';
import type { AuditStats } from './report.ts';
import type { Job, NodeActivity, Operator } from './world.ts';

/**
 * The validators of the simulated world, played through `core`'s audit rules (SPEC §3.4): each
 * epoch's sample is drawn from the input hash mixed with the beacon of the validators' revealed
 * secrets; every assignment is answered by commit and reveal, a share of them are traps; a split
 * first round is referred to three more validators; a confirmed mismatch stands one window later
 * unless its node disputes it, and then three more validators decide; every validator's epoch is
 * judged by `judgeValidators`. "Re-execution" is
 * `simulatedResultHash`: an honest node's receipt claims it, a faked job's cannot.
 */

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** What a receipt of the simulated world claims as its result, and what re-executing it gives. */
export function claimedResult(j: Pick<Job, 'jobId' | 'gpuSeconds' | 'kind'>): string {
  // a faked job never ran: its node has no result to claim, so it makes one up
  return j.kind === 'fake' ? sha(`sim-made-up-result:${j.jobId}`) : simulatedResultHash(j.jobId, j.gpuSeconds);
}

type OpenReceipt = {
  jobId: string;
  nodeId: string;
  fake: boolean;
  gpuSeconds: number;
  claimed: string;
  /** Each round's assignments and, once answered, their judgements. */
  rounds: { assignment: AuditAssignment; judgement: AnswerJudgement | null }[][];
  /** The node disputes the first round's confirmed mismatch (it knows the job was real). */
  dispute: boolean;
};

export type AuditEpoch = {
  /** Failed verifications that stand now (confirmed a window ago and not disputed, or upheld by the dispute), per node (job ids). */
  failed: Map<string, string[]>;
  /** Disputes won now: the confirmed mismatch was framing, and nothing is imposed on the node. */
  overturned: { nodeId: string; jobId: string }[];
  /** Every validator's judged epoch, and its faults for the ladder. */
  validators: ValidatorEpoch[];
  faults: Map<string, ValidatorFaults>;
  /** GPU-seconds each validator re-executed (its power cost). */
  reexecuted: Map<string, number>;
};

export class SimValidators {
  private open = new Map<string, OpenReceipt>();
  private removed = new Set<string>();
  /** Mismatches confirmed at the last close, not disputed: they stand at the next. */
  private confirmed: OpenReceipt[] = [];
  readonly stats: AuditStats = {
    assignments: 0,
    traps: 0,
    missedTraps: 0,
    unanswered: 0,
    referred: 0,
    disputesWon: 0,
    disputesLost: 0,
    failedVerifications: 0,
    probes: 0,
    probesFailed: 0,
    validatorViolations: 0,
    validatorsRemoved: 0,
  };
  private seedOfLastDraw = '';

  constructor(
    private readonly validators: readonly Operator[],
    private readonly ownerOf: (nodeId: string) => Operator,
    /** The node the framing validators report mismatches on. */
    private readonly victim: string | null,
    private readonly params: Params,
    private readonly worldSeed: number,
  ) {}

  /** The validators still validating (not removed by the ladder), in key order. */
  active(): string[] {
    return this.validators
      .map((v) => v.id)
      .filter((v) => !this.removed.has(v))
      .sort();
  }
  remove(v: string): void {
    this.removed.add(v);
    this.stats.validatorsRemoved += 1;
  }

  private archetype(v: string): string {
    return (this.validators.find((x) => x.id === v) as Operator).archetype;
  }

  /** Each validator's beacon secret for epoch `e` (committed during `e`, revealed after it closes). */
  private beaconSecret(v: string, e: number): string {
    return sha(`sim-beacon:${this.worldSeed}:${v}:${e}`);
  }
  /** The operator's trap secret for the sample of epoch `e`, committed before it. */
  private trapSecret(e: number): string {
    return sha(`sim-trap:${this.worldSeed}:${e}`);
  }

  /** Epoch `e` has closed with input hash `inputHash`: the beacon from every active validator's reveal, and the audit seed. */
  seed(e: number, inputHash: string): string {
    const beacon = computeBeacon(this.active().map((v) => ({ validator: v, secret: this.beaconSecret(v, e) })));
    this.seedOfLastDraw = computeAuditSeed(inputHash, beacon);
    return this.seedOfLastDraw;
  }

  /** The sample's first round: two validators each, a share of the assignments traps. */
  assign(e: number, seed: string, sample: readonly Job[]): void {
    const active = this.active();
    if (active.length < 2) return;
    const assignments = assignAudits({
      seed,
      receipts: sample.map((j) => ({ jobId: j.jobId, nodeId: j.nodeId, claimedResultHash: claimedResult(j) })),
      validators: active,
      count: 2,
      round: 0,
      trapSecret: this.trapSecret(e),
      trapShare: this.params.audits.trapShare,
    });
    const byJob = new Map(sample.map((j) => [j.jobId, j]));
    for (const a of assignments) {
      const j = byJob.get(a.jobId) as Job;
      const o = this.open.get(a.jobId) ?? {
        jobId: j.jobId,
        nodeId: j.nodeId,
        fake: j.kind === 'fake',
        gpuSeconds: j.gpuSeconds,
        claimed: claimedResult(j),
        rounds: [[]],
        dispute: false,
      };
      (o.rounds[0] as OpenReceipt['rounds'][number]).push({ assignment: a, judgement: null });
      this.open.set(a.jobId, o);
    }
  }

  /** What validator `v` commits and then reveals on assignment `a` (null: it reveals nothing that opens its commitment). */
  private answer(a: AuditAssignment, o: OpenReceipt, round: readonly { assignment: AuditAssignment }[], reexecuted: Map<string, number>): AuditAnswer | null {
    const v = a.validator;
    const kind = this.archetype(v);
    const salt = sha(`sim-salt:${this.worldSeed}:${a.jobId}:${v}:${a.round}`);
    const lazy = { verdict: 'match' as const, resultHash: a.shownResultHash, salt };
    const reexecute = (): AuditAnswer => {
      reexecuted.set(v, (reexecuted.get(v) ?? 0) + o.gpuSeconds);
      const result = simulatedResultHash(o.jobId, o.gpuSeconds);
      return { verdict: result === a.shownResultHash ? 'match' : 'mismatch', resultHash: result, salt };
    };
    if (kind === 'lazy-validator') return lazy;
    if (kind === 'copying-validator') {
      // it cannot see another's verdict before the deadline: it posts the other's commitment and,
      // after the reveals, replays the other's reveal — which does not open a commitment bound to
      // the other's key as its own
      const other = round.find((x) => x.assignment.validator !== v && this.archetype(x.assignment.validator) !== 'copying-validator');
      if (!other) return lazy;
      const theirs = this.answer(other.assignment, o, [], new Map());
      if (theirs === null) return null;
      const copied = verdictCommitment(a.jobId, other.assignment.validator, theirs);
      return verdictCommitment(a.jobId, v, theirs) === copied ? theirs : null;
    }
    if (kind === 'colluding-validator' && this.ownerOf(o.nodeId).archetype === 'protected-inflater') return lazy;
    if (kind === 'framing-validator' && o.nodeId === this.victim) {
      const invented = sha(`sim-framed:${a.jobId}`);
      return { verdict: invented === a.shownResultHash ? 'match' : 'mismatch', resultHash: invented, salt };
    }
    return reexecute();
  }

  /**
   * The audit window of the open rounds closes at `e`'s close: answer every open assignment, resolve
   * each receipt, refer splits and open the disputes of framed nodes (for the next window), and
   * judge the validators.
   */
  judge(e: number): AuditEpoch {
    const failed = new Map<string, string[]>();
    const overturnedJobs: AuditEpoch['overturned'] = [];
    const pendingFailures: OpenReceipt[] = [];
    const reexecuted = new Map<string, number>();
    const judged: Parameters<typeof judgeValidators>[1][number][] = [];
    const overturned = new Map<string, string[]>();
    const next: OpenReceipt[] = [];
    for (const o of [...this.open.values()].sort((a, b) => (a.jobId < b.jobId ? -1 : 1))) {
      const round = o.rounds[o.rounds.length - 1] as OpenReceipt['rounds'][number];
      for (const x of round) x.judgement = judgeAnswer(x.assignment, o.claimed, this.answer(x.assignment, o, round, reexecuted));
      const votes = o.rounds.map((r) => r.map((x) => (x.judgement as AnswerJudgement).vote));
      const outcome = resolveAudit(votes);
      for (const x of round) {
        const j = x.judgement as AnswerJudgement;
        judged.push({ assignment: x.assignment, judgement: j, outcome });
        this.stats.assignments += 1;
        if (x.assignment.trap) this.stats.traps += 1;
        if (j.missedTrap) this.stats.missedTraps += 1;
        if (!j.answered) this.stats.unanswered += 1;
      }
      if (outcome === 'referred') {
        this.stats.referred += 1;
        next.push(o);
        continue;
      }
      if (o.dispute) {
        // the dispute's three decide: if they contradict the first two, the failed verification is
        // void and the first two commit validator violations; otherwise it stands now
        if (outcome === 'match') {
          this.stats.disputesWon += 1;
          overturnedJobs.push({ nodeId: o.nodeId, jobId: o.jobId });
          for (const x of o.rounds.slice(0, -1).flat())
            if (x.judgement?.vote === 'mismatch') overturned.set(x.assignment.validator, [...(overturned.get(x.assignment.validator) ?? []), o.jobId]);
        } else {
          this.stats.disputesLost += 1;
          failed.set(o.nodeId, [...(failed.get(o.nodeId) ?? []), o.jobId]);
        }
        continue;
      }
      // a referral's earlier answers are judged against the final outcome now
      for (const r of o.rounds.slice(0, -1))
        for (const x of r) if (x.judgement?.answered && !x.judgement.missedTrap) judged.push({ assignment: x.assignment, judgement: x.judgement, outcome });
      if (outcome === 'mismatch') {
        // a confirmed mismatch waits out one window for the node's dispute: a node that ran the job
        // disputes it (three more validators re-execute); one that faked it lets it stand
        if (o.fake) pendingFailures.push(o);
        else next.push({ ...o, dispute: true });
      }
    }
    for (const o of this.confirmed) failed.set(o.nodeId, [...(failed.get(o.nodeId) ?? []), o.jobId]);
    this.confirmed = pendingFailures;
    for (const jobs of failed.values()) this.stats.failedVerifications += jobs.length;
    this.open.clear();
    // referrals and disputes: three more validators, drawn with the beacon, none of those before
    const active = this.active();
    for (const o of next) {
      const before = o.rounds.flat().map((x) => x.assignment.validator);
      const fresh = assignAudits({
        seed: this.seedOfLastDraw,
        receipts: [{ jobId: o.jobId, nodeId: o.nodeId, claimedResultHash: o.claimed, exclude: before }],
        validators: active,
        count: 3,
        round: o.rounds.length,
        trapSecret: this.trapSecret(e),
        trapShare: 0n,
      });
      if (fresh.length === 0) continue;
      this.open.set(o.jobId, { ...o, rounds: [...o.rounds, fresh.map((assignment) => ({ assignment, judgement: null }))] });
    }
    const validators = judgeValidators(active, judged, new Set());
    const faults = new Map(
      validators.map((v) => [
        v.validator,
        { missedTraps: v.missedTraps, unanswered: v.unanswered, contradicted: v.contradicted, overturned: overturned.get(v.validator) ?? [] },
      ]),
    );
    return { failed, overturned: overturnedJobs, validators, faults, reexecuted };
  }

  /**
   * Liveness probes of epoch `e` (SPEC §3.4): `probesPerNodePerEpoch` challenges to every node at
   * random slots, each from a random validator that does its work (lazy and copying validators send
   * none); a node answers in the slots its GPUs serve.
   */
  probe(e: number, activity: readonly NodeActivity[]): ProbeRecord[] {
    const r = prng(this.worldSeed * 7_919 + e);
    const out: ProbeRecord[] = [];
    const probers = this.active().filter((v) => !['lazy-validator', 'copying-validator'].includes(this.archetype(v)));
    for (const a of activity) {
      if (a.upSlots === 0) continue;
      if (probers.length === 0) continue;
      for (let k = 0; k < this.params.audits.probesPerNodePerEpoch; k++) {
        const v = probers[Math.floor(r() * probers.length)] as string;
        // slots are numbered so that the claimed-but-not-served ones come first
        const slot = Math.floor(r() * a.expectedSlots);
        const claimedUp = slot < a.upSlots;
        out.push({
          nodeId: a.nodeId,
          slot,
          claimedUp,
          answered: claimedUp && slot >= a.upSlots - a.servedSlots,
          evidence: sha(`sim-probe:${e}:${v}:${a.nodeId}:${k}`),
        });
      }
    }
    this.stats.probes += out.length;
    this.stats.probesFailed += out.filter((p) => p.claimedUp && !p.answered).length;
    return out;
  }
}
