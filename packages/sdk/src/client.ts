import type {
  ApiError,
  Attestation,
  AttestorApproval,
  AuditCommit,
  AuditReveal,
  BeaconCommit,
  BeaconReveal,
  Dispute,
  Grant,
  Heartbeat,
  Maintenance,
  Onboarding,
  Probe,
  ProbeAnswer,
  Proposal,
  Receipt,
  ReceiptBody,
  Refusal,
  Register,
  Stake,
  Unbond,
  Vote,
} from './messages.ts';

/** An audit assignment (SPEC §3.4): the job without the node's result hash, and the result hash to check — the node's, or on a trap a wrong one. */
export type Assignment = {
  /** The audit window is epoch + 1. */
  epoch: number;
  jobId: string;
  nodeId: string;
  round: number;
  job: Omit<ReceiptBody, 'resultHash'>;
  shownResultHash: string;
  /** Commits are accepted until `commitBy`, reveals from then until `revealBy` (unix seconds). */
  commitBy: number;
  revealBy: number;
  committed: boolean;
  revealed: boolean;
};

/** An API refusal, with the server's `{code, message, field}`. */
export class SwarmApiError extends Error {
  override name = 'SwarmApiError';
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: number, body: ApiError) {
    super(`${status} ${body.code}: ${body.message}`);
    this.status = status;
    this.code = body.code;
    this.field = body.field;
  }
}

export type ClientOptions = { baseUrl: string; operatorToken?: string; fetch?: typeof fetch };

/**
 * A typed client of the Swarm Rewards HTTP API (`/v1`). Writes take signed messages (see
 * `sign.ts`); reads return the API's JSON. Every refusal throws a `SwarmApiError`.
 *
 * @example
 * const client = new SwarmClient({ baseUrl: 'http://127.0.0.1:8640' })
 * await client.heartbeat(signHeartbeat(body, nodeKeys.privateKey))
 */
export class SwarmClient {
  private readonly base: string;
  private readonly token: string | undefined;
  private readonly f: typeof fetch;

  constructor(o: ClientOptions) {
    this.base = o.baseUrl.replace(/\/$/, '');
    this.token = o.operatorToken;
    this.f = o.fetch ?? fetch;
  }

  private async call<T>(method: string, path: string, body?: unknown, operator = false): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (operator && this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await this.f(`${this.base}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
    const text = await res.text();
    const json = text === '' ? undefined : JSON.parse(text);
    if (!res.ok) throw new SwarmApiError(res.status, json ?? { code: 'HTTP_ERROR', message: res.statusText });
    return json as T;
  }

  register(m: Register) {
    return this.call<{ nodeId: string }>('POST', '/v1/nodes', m);
  }
  heartbeat(m: Heartbeat) {
    return this.call<{ accepted: number }>('POST', '/v1/heartbeats', m);
  }
  heartbeats(ms: Heartbeat[]) {
    return this.call<{ accepted: number }>('POST', '/v1/heartbeats/batch', { heartbeats: ms });
  }
  receipt(m: Receipt) {
    return this.call<{ jobId: string; billable: boolean }>('POST', '/v1/receipts', m);
  }
  attest(m: Attestation) {
    return this.call<{ epoch: number }>('POST', '/v1/attestations', m);
  }
  stake(m: Stake) {
    return this.call<{ stakeId: string; effectiveEpoch: number }>('POST', '/v1/stakes', m);
  }
  unbond(m: Unbond) {
    return this.call<{ unbondingId: string; releaseEpoch: number }>('POST', '/v1/unbond', m);
  }
  propose(m: Proposal) {
    return this.call<{ proposalId: string; votingEndsAfterEpoch: number }>('POST', '/v1/proposals', m);
  }
  vote(m: Vote) {
    return this.call<{ proposalId: string; option: string }>('POST', '/v1/votes', m);
  }
  /** A validator's commitment to its beacon secret for an epoch (SPEC §3.4). */
  beaconCommit(m: BeaconCommit) {
    return this.call<{ epoch: number; commitment: string }>('POST', '/v1/beacon/commits', m);
  }
  /** A validator's beacon secret, revealed after the epoch closed. */
  beaconReveal(m: BeaconReveal) {
    return this.call<{ epoch: number }>('POST', '/v1/beacon/reveals', m);
  }
  /** A validator's commitment to its verdict on an assignment, before the commit deadline. */
  auditCommit(m: AuditCommit) {
    return this.call<{ jobId: string }>('POST', '/v1/audits/commits', m);
  }
  /** A validator's verdict, result hash and salt, after the commit deadline. */
  auditReveal(m: AuditReveal) {
    return this.call<{ jobId: string; verdict: string }>('POST', '/v1/audits/reveals', m);
  }
  /** Registered nodes by id, a page at a time (`after`: the last id of the previous page). */
  nodes(limit = 500, after?: string) {
    return this.call<{ nodes: { id: string; status: string }[]; next: string | null }>(
      'GET',
      `/v1/nodes?limit=${limit}${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`,
    );
  }
  /** A validator's liveness probe of a node (SPEC §3.4). */
  probe(m: Probe) {
    return this.call<{ probeId: string; answerBy: number }>('POST', '/v1/probes', m);
  }
  /** Probes awaiting an answer, of one node or of all. */
  probes(nodeId?: string) {
    return this.call<{ probes: { probeId: string; nodeId: string; validatorKey: string; sentAt: number; answerBy: number }[] }>(
      'GET',
      `/v1/probes${nodeId === undefined ? '' : `?node=${encodeURIComponent(nodeId)}`}`,
    );
  }
  /** A node's answer to a probe, signed by its key. */
  answerProbe(m: ProbeAnswer) {
    return this.call<{ probeId: string }>('POST', '/v1/probes/answers', m);
  }
  /** A consumer's signed refusal: the job it offered the node was refused or dropped. */
  refusal(m: Refusal) {
    return this.call<{ jobId: string }>('POST', '/v1/refusals', m);
  }
  /** A node's dispute of a confirmed mismatch on one of its receipts. */
  dispute(m: Dispute) {
    return this.call<{ jobId: string; validators: string[] }>('POST', '/v1/disputes', m);
  }
  /** The assignments of a validator whose audit window is open: the job to re-execute and the result hash to compare with. */
  audits(validatorKey: string) {
    return this.call<{ assignments: Assignment[]; beacon: { epoch: number; revealEpoch: number; revealBy: number } }>(
      'GET',
      `/v1/audits?validator=${validatorKey}&limit=500`,
    );
  }
  /** A node's confirmed mismatches open to dispute (SPEC §3.4). */
  disputable(nodeId: string) {
    return this.call<{ confirmations: { jobId: string; confirmedEpoch: number; disputeBy: number; status: string }[] }>(
      'GET',
      `/v1/nodes/${encodeURIComponent(nodeId)}/confirmations`,
    );
  }
  /** Everything needed to recompute the audits of an epoch's sample: beacon, seed, sample, assignments, traps, verdicts, outcomes. */
  auditRecord(epoch: number) {
    return this.call<Record<string, unknown>>('GET', `/v1/epochs/${epoch}/audits`);
  }
  /** A signed message the service holds as evidence, by the hash an evidence list names. */
  message(hash: string) {
    return this.call<unknown>('GET', `/v1/messages/${hash}`);
  }
  /** A node's signed maintenance announcement (SPEC §3.2). */
  announceMaintenance(m: Maintenance) {
    return this.call<{ nodeId: string; from: number; to: number }>('POST', '/v1/maintenance', m);
  }
  /** A node's announced maintenance windows, newest first. */
  maintenance(nodeId: string) {
    return this.call<{ windows: { from: number; to: number; announcedAt: number }[] }>('GET', `/v1/nodes/${encodeURIComponent(nodeId)}/maintenance`);
  }
  /** A validator's signed onboarding check of a node. */
  onboard(m: Onboarding) {
    return this.call<{ nodeId: string; passed: boolean; gates: Record<string, boolean>; reasons: string[]; epoch: number }>('POST', '/v1/onboarding', m);
  }
  /** Nodes awaiting onboarding (`pending`) and the latest check of each node checked. */
  onboarding(nodeId?: string) {
    return this.call<{ pending: string[]; checks: Record<string, unknown>[] }>(
      'GET',
      `/v1/onboarding${nodeId === undefined ? '' : `?node=${encodeURIComponent(nodeId)}`}`,
    );
  }
  slashes(nodeId?: string) {
    return this.call<{ slashes: Record<string, unknown>[] }>('GET', `/v1/slashes${nodeId === undefined ? '' : `?node=${encodeURIComponent(nodeId)}`}`);
  }
  proposals() {
    return this.call<{ proposals: Record<string, unknown>[] }>('GET', '/v1/proposals');
  }
  grant(g: Grant) {
    return this.call<{ posted: boolean }>('POST', '/v1/operator/grants', g, true);
  }
  approveAttestor(a: AttestorApproval) {
    return this.call<{ ok: true }>('POST', '/v1/operator/attestors', a, true);
  }
  closeEpochs() {
    return this.call<{ closed: number[] }>('POST', '/v1/epochs/close', {}, true);
  }
  status() {
    return this.call<Record<string, unknown>>('GET', '/v1/status');
  }
  epochs(limit = 50, before?: number) {
    return this.call<{ epochs: Record<string, unknown>[] }>('GET', `/v1/epochs?limit=${limit}${before === undefined ? '' : `&before=${before}`}`);
  }
  epoch(n: number) {
    return this.call<Record<string, unknown>>('GET', `/v1/epochs/${n}`);
  }
  epochInput(n: number) {
    return this.call<Record<string, unknown>>('GET', `/v1/epochs/${n}/input`);
  }
  /** A page of an epoch's statements in node-id order (`next`: the id to continue after, or null). */
  statements(n: number, limit = 100, after?: string) {
    return this.call<{ statements: Record<string, unknown>[]; next: string | null }>(
      'GET',
      `/v1/epochs/${n}/statements?limit=${limit}${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`,
    );
  }
  statement(n: number, nodeId: string) {
    return this.call<Record<string, unknown>>('GET', `/v1/epochs/${n}/statements/${encodeURIComponent(nodeId)}`);
  }
  node(id: string) {
    return this.call<Record<string, unknown>>('GET', `/v1/nodes/${encodeURIComponent(id)}`);
  }
  balance(account: string) {
    return this.call<{ account: string; balance: string }>('GET', `/v1/balances/${encodeURIComponent(account)}`);
  }
  rewards(address: string) {
    return this.call<Record<string, unknown>>('GET', `/v1/rewards/${address}`);
  }
  params() {
    return this.call<{ hash: string; effectiveEpoch: number; params: Record<string, unknown> }>('GET', '/v1/params');
  }
}
