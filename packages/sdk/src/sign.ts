import { signBody } from './keys.ts';
import type {
  Attestation,
  AttestationBody,
  AuditCommit,
  AuditCommitBody,
  AuditReveal,
  AuditRevealBody,
  BeaconCommit,
  BeaconCommitBody,
  BeaconReveal,
  BeaconRevealBody,
  CountersignBody,
  Dispute,
  DisputeBody,
  Heartbeat,
  HeartbeatBody,
  Maintenance,
  MaintenanceBody,
  Onboarding,
  OnboardingBody,
  Probe,
  ProbeAnswer,
  ProbeAnswerBody,
  ProbeBody,
  Proposal,
  ProposalBody,
  Receipt,
  ReceiptBody,
  Refusal,
  RefusalBody,
  Register,
  RegisterBody,
  Stake,
  StakeBody,
  Unbond,
  UnbondBody,
  Vote,
  VoteBody,
} from './messages.ts';

/** Builders that sign message bodies: what a node agent, a consumer or a staker calls. */
export function signRegister(body: RegisterBody, nodePrivateKey: string, ownerPrivateKey: string): Register {
  return { body, nodeSignature: signBody(body, nodePrivateKey), ownerSignature: signBody(body, ownerPrivateKey) };
}

export function signHeartbeat(body: HeartbeatBody, nodePrivateKey: string): Heartbeat {
  return { body, signature: signBody(body, nodePrivateKey) };
}

/** A node announces its maintenance (SPEC §3.2) with its own key. */
export function signMaintenance(body: MaintenanceBody, nodePrivateKey: string): Maintenance {
  return { body, signature: signBody(body, nodePrivateKey) };
}

/** The node signs the receipt; the consumer countersigns it with a rating. */
export function signReceipt(body: ReceiptBody, nodePrivateKey: string, consumerPrivateKey: string, rating: number): Receipt {
  const nodeSignature = signBody(body, nodePrivateKey);
  const counter: CountersignBody = { type: 'countersign', receipt: body, nodeSignature, rating };
  return { body, nodeSignature, rating, consumerSignature: signBody(counter, consumerPrivateKey) };
}

export function countersignBody(r: Pick<Receipt, 'body' | 'nodeSignature' | 'rating'>): CountersignBody {
  return { type: 'countersign', receipt: r.body, nodeSignature: r.nodeSignature, rating: r.rating };
}

export function signAttestation(body: AttestationBody, attestorPrivateKey: string): Attestation {
  return { body, signature: signBody(body, attestorPrivateKey) };
}

export function signStake(body: StakeBody, ownerPrivateKey: string): Stake {
  return { body, signature: signBody(body, ownerPrivateKey) };
}

export function signUnbond(body: UnbondBody, ownerPrivateKey: string): Unbond {
  return { body, signature: signBody(body, ownerPrivateKey) };
}

export function signProposal(body: ProposalBody, proposerPrivateKey: string): Proposal {
  return { body, signature: signBody(body, proposerPrivateKey) };
}

export function signAuditCommit(body: AuditCommitBody, validatorPrivateKey: string): AuditCommit {
  return { body, signature: signBody(body, validatorPrivateKey) };
}

export function signAuditReveal(body: AuditRevealBody, validatorPrivateKey: string): AuditReveal {
  return { body, signature: signBody(body, validatorPrivateKey) };
}

export function signBeaconCommit(body: BeaconCommitBody, validatorPrivateKey: string): BeaconCommit {
  return { body, signature: signBody(body, validatorPrivateKey) };
}

export function signBeaconReveal(body: BeaconRevealBody, validatorPrivateKey: string): BeaconReveal {
  return { body, signature: signBody(body, validatorPrivateKey) };
}

/** A validator's liveness probe of a node. */
export function signProbe(body: ProbeBody, validatorPrivateKey: string): Probe {
  return { body, signature: signBody(body, validatorPrivateKey) };
}

/** A node's answer to a liveness probe, signed by the node's key. */
export function signProbeAnswer(body: ProbeAnswerBody, nodePrivateKey: string): ProbeAnswer {
  return { body, signature: signBody(body, nodePrivateKey) };
}

/** A consumer's refusal: the job it offered the node was refused or dropped. */
export function signRefusal(body: RefusalBody, consumerPrivateKey: string): Refusal {
  return { body, signature: signBody(body, consumerPrivateKey) };
}

/** A node's dispute of a confirmed mismatch, signed by the node's key. */
export function signDispute(body: DisputeBody, nodePrivateKey: string): Dispute {
  return { body, signature: signBody(body, nodePrivateKey) };
}

export function signVote(body: VoteBody, voterPrivateKey: string): Vote {
  return { body, signature: signBody(body, voterPrivateKey) };
}

export function signOnboarding(body: OnboardingBody, validatorPrivateKey: string): Onboarding {
  return { body, signature: signBody(body, validatorPrivateKey) };
}
