import { randomBytes } from 'node:crypto';
import { type AuditAnswer, beaconCommitment, simulatedResultHash, verdictCommitment } from '@swarm/core';
import type { Assignment, SwarmClient } from './client.ts';
import { SwarmApiError } from './client.ts';
import type { KeyPair } from './keys.ts';
import { signAuditCommit, signAuditReveal, signBeaconCommit, signBeaconReveal, signProbe } from './sign.ts';

/**
 * A validator's duties (SPEC §3.4), one step at a time: commit to a beacon secret for the current
 * epoch and reveal the last one's before its deadline; re-execute each assignment and commit to the
 * verdict before the commit deadline; reveal it after. `step` does whatever is due at `now` and can
 * be called as often as one likes (a loop, a timer, a demo's tick). Secrets and salts live in the
 * agent's memory: a validator restarted mid-window cannot reveal what it committed to before.
 */
export type ValidatorOptions = {
  client: SwarmClient;
  keys: KeyPair;
  /** Re-executes the job of an assignment: the hash of its result, or null to leave it unanswered. Default: `reexecuteSimulated`. */
  reexecute?: (a: Assignment) => string | null;
  /** What to answer on an assignment given the re-executed result (default: the honest answer). */
  answer?: (a: Assignment, result: string) => Pick<AuditAnswer, 'verdict' | 'resultHash'>;
  /** The next sequence number of the validator's key (strictly increasing). */
  seq: () => number;
  /** Random 32-byte hex (tests inject a deterministic one). */
  random?: () => string;
  /** Liveness probes to send each step, each to a node drawn at random among the active ones (default 0). */
  probesPerStep?: number;
};

/** The demo's and the simulator's re-execution (SPEC §3.4's stand-in): the job's result is a function of the job. */
export function reexecuteSimulated(a: Assignment): string {
  return simulatedResultHash(
    a.jobId,
    a.job.usage.reduce((x, u) => x + u.gpuSeconds, 0),
  );
}

export type ValidatorStep = {
  beaconCommitted: number[];
  beaconRevealed: number[];
  committed: string[];
  revealed: string[];
  /** Nodes probed. */
  probed: string[];
  refused: string[];
};

export class ValidatorAgent {
  private readonly secrets = new Map<number, string>();
  private readonly answers = new Map<string, AuditAnswer>();
  private readonly revealedBeacon = new Set<number>();

  constructor(private readonly o: ValidatorOptions) {}

  private random(): string {
    return this.o.random?.() ?? randomBytes(32).toString('hex');
  }

  async step(now: number): Promise<ValidatorStep> {
    const out: ValidatorStep = { beaconCommitted: [], beaconRevealed: [], committed: [], revealed: [], probed: [], refused: [] };
    const { publicKey: key, privateKey } = this.o.keys;
    const { assignments, beacon } = await this.o.client.audits(key);
    const refuse = (what: string) => (e: unknown) => {
      if (!(e instanceof SwarmApiError)) throw e;
      out.refused.push(`${what}: ${e.code}`);
    };
    if (!this.secrets.has(beacon.epoch)) {
      const secret = this.random();
      this.secrets.set(beacon.epoch, secret);
      await this.o.client
        .beaconCommit(
          signBeaconCommit(
            {
              type: 'beacon-commit',
              epoch: beacon.epoch,
              validatorKey: key,
              commitment: beaconCommitment(beacon.epoch, key, secret),
              timestamp: now,
              seq: this.o.seq(),
            },
            privateKey,
          ),
        )
        .then(() => out.beaconCommitted.push(beacon.epoch), refuse(`beacon commit ${beacon.epoch}`));
    }
    const old = this.secrets.get(beacon.revealEpoch);
    if (old !== undefined && !this.revealedBeacon.has(beacon.revealEpoch) && now <= beacon.revealBy) {
      this.revealedBeacon.add(beacon.revealEpoch);
      await this.o.client
        .beaconReveal(
          signBeaconReveal({ type: 'beacon-reveal', epoch: beacon.revealEpoch, validatorKey: key, secret: old, timestamp: now, seq: this.o.seq() }, privateKey),
        )
        .then(() => out.beaconRevealed.push(beacon.revealEpoch), refuse(`beacon reveal ${beacon.revealEpoch}`));
    }
    for (const e of this.secrets.keys()) if (e < beacon.revealEpoch) this.secrets.delete(e);
    for (const a of assignments) {
      if (!a.committed && now <= a.commitBy) {
        const result = (this.o.reexecute ?? reexecuteSimulated)(a);
        if (result === null) continue;
        const honest = { verdict: result === a.shownResultHash ? ('match' as const) : ('mismatch' as const), resultHash: result };
        const answer = { ...(this.o.answer?.(a, result) ?? honest), salt: this.random() };
        this.answers.set(a.jobId, answer);
        await this.o.client
          .auditCommit(
            signAuditCommit(
              {
                type: 'audit-commit',
                jobId: a.jobId,
                validatorKey: key,
                commitment: verdictCommitment(a.jobId, key, answer),
                timestamp: now,
                seq: this.o.seq(),
              },
              privateKey,
            ),
          )
          .then(() => out.committed.push(a.jobId), refuse(`commit ${a.jobId}`));
      } else if (a.committed && !a.revealed && now > a.commitBy) {
        const answer = this.answers.get(a.jobId);
        if (!answer) continue;
        await this.o.client
          .auditReveal(signAuditReveal({ type: 'audit-reveal', jobId: a.jobId, validatorKey: key, ...answer, timestamp: now, seq: this.o.seq() }, privateKey))
          .then(
            () => {
              out.revealed.push(a.jobId);
              this.answers.delete(a.jobId);
            },
            refuse(`reveal ${a.jobId}`),
          );
      }
    }
    if ((this.o.probesPerStep ?? 0) > 0) await this.probe(now, out, refuse);
    return out;
  }

  /** Liveness probes (SPEC §3.4): random active nodes, each a fresh random challenge; the service relays it and times the answer. */
  private async probe(now: number, out: ValidatorStep, refuse: (what: string) => (e: unknown) => void): Promise<void> {
    const active: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.o.client.nodes(500, after);
      for (const n of page.nodes) if (n.status === 'active') active.push(n.id);
      after = page.next ?? undefined;
    } while (after !== undefined);
    for (let k = 0; k < (this.o.probesPerStep ?? 0) && active.length > 0; k++) {
      const nodeId = active[Number.parseInt(this.random().slice(0, 8), 16) % active.length] as string;
      await this.o.client
        .probe(
          signProbe(
            { type: 'probe', probeId: this.random(), nodeId, validatorKey: this.o.keys.publicKey, timestamp: now, seq: this.o.seq() },
            this.o.keys.privateKey,
          ),
        )
        .then(() => out.probed.push(nodeId), refuse(`probe ${nodeId}`));
    }
  }
}
