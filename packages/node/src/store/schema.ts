import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, index, integer, numeric, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * The store's tables (drizzle schema; the SQL migrations in `drizzle/` are generated from this file
 * with `npm run db:generate` and applied at start-up). Token amounts are `numeric(78,0)` — a
 * uint256 fits — read back as decimal strings and parsed to `bigint`; never a float.
 */
const amount = (name: string) => numeric(name, { precision: 78, scale: 0 });
const varbit = customType<{ data: string }>({ dataType: () => 'bit varying' });
const epochCol = (name: string) => bigint(name, { mode: 'number' });

/** Service settings fixed at first start: genesis, epoch and slot lengths. */
export const meta = pgTable('meta', { key: text('key').primaryKey(), value: text('value').notNull() });

/** Parameter versions: the set in force from `effectiveEpoch` on. */
export const paramsVersions = pgTable('params_versions', {
  hash: text('hash').primaryKey(),
  params: text('params').notNull(),
  effectiveEpoch: epochCol('effective_epoch').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
});

/** Replay protection: the last sequence number accepted from each signing key. */
export const keySeqs = pgTable('key_seqs', { key: text('key').primaryKey(), lastSeq: bigint('last_seq', { mode: 'number' }).notNull() });

export const nodes = pgTable(
  'nodes',
  {
    id: text('id').primaryKey(),
    nodeKey: text('node_key').notNull().unique(),
    ownerKey: text('owner_key').notNull(),
    owner: text('owner').notNull(),
    region: text('region').notNull(),
    slaClass: text('sla_class').notNull(),
    providerClass: text('provider_class').notNull(),
    hardware: text('hardware').notNull(),
    registeredAt: bigint('registered_at', { mode: 'number' }).notNull(),
    commitmentDays: integer('commitment_days').notNull(),
    commitmentForfeited: boolean('commitment_forfeited').notNull().default(false),
    /** The epoch from which the commitment is forfeited: a bond unbonded before the committed period ended. */
    commitmentForfeitedEpoch: epochCol('commitment_forfeited_epoch'),
    referrer: text('referrer'),
    status: text('status').notNull().default('active'),
    onboarded: boolean('onboarded').notNull().default(true),
    probationStage: integer('probation_stage').notNull().default(0),
    lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
    message: text('message').notNull(),
  },
  // an owner's nodes: its page, its economics
  (t) => [index('nodes_owner_key').on(t.ownerKey), index('nodes_owner').on(t.owner, t.id)],
);

/** One row per node and epoch: the bitmap of slots with a valid heartbeat, and running aggregates. */
export const nodeSlots = pgTable(
  'node_slots',
  {
    nodeId: text('node_id').notNull(),
    epoch: epochCol('epoch').notNull(),
    slots: varbit('slots').notNull(),
    heartbeats: integer('heartbeats').notNull(),
    powerSum: bigint('power_sum', { mode: 'number' }).notNull(),
    powerCount: integer('power_count').notNull(),
    maxGpuUtil: bigint('max_gpu_util', { mode: 'number' }).notNull(),
    /** Sum of the heartbeats' reported latency, ms (the mean is this over `heartbeats`). */
    latencySum: bigint('latency_sum', { mode: 'number' }).notNull().default(0),
    /** Sum of the heartbeats' reported packet loss, in billionths. */
    lossSum: bigint('loss_sum', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.epoch] })],
);

export const receipts = pgTable(
  'receipts',
  {
    jobId: text('job_id').primaryKey(),
    nodeId: text('node_id').notNull(),
    consumerKey: text('consumer_key').notNull(),
    epoch: epochCol('epoch').notNull(),
    ts: bigint('ts', { mode: 'number' }).notNull(),
    gpuSeconds: bigint('gpu_seconds', { mode: 'number' }).notNull(),
    price: amount('price').notNull(),
    success: boolean('success').notNull(),
    responseMs: integer('response_ms').notNull(),
    priority: text('priority').notNull(),
    rating: integer('rating').notNull(),
    billable: boolean('billable').notNull(),
    /** `inference`, `training` or `fine-tuning`: the response-time target applies to inference only (SPEC §4.4). */
    jobType: text('job_type').notNull().default('inference'),
    message: text('message').notNull(),
    /** SHA-256 of `message`, computed once at ingest: the input's receipts commitment and the audit draw read it (SPEC §3.4). */
    messageHash: text('message_hash').notNull().default(''),
  },
  (t) => [index('receipts_epoch_node').on(t.epoch, t.nodeId)],
);

/** Consumers' signed refusals (SPEC §12): a job offered to the node and refused or dropped; a receipt for the same job voids it. */
export const refusals = pgTable(
  'refusals',
  {
    jobId: text('job_id').primaryKey(),
    nodeId: text('node_id').notNull(),
    consumerKey: text('consumer_key').notNull(),
    epoch: epochCol('epoch').notNull(),
    price: amount('price').notNull(),
    message: text('message').notNull(),
  },
  (t) => [index('refusals_epoch').on(t.epoch)],
);

/** Consumers' funds promised to receipts not yet settled at an epoch close. */
export const consumers = pgTable('consumers', { key: text('key').primaryKey(), reserved: amount('reserved').notNull() });

export const attestors = pgTable('attestors', { id: text('id').primaryKey(), key: text('key').notNull(), roles: text('roles').notNull() });

export const attestations = pgTable(
  'attestations',
  {
    epoch: epochCol('epoch').notNull(),
    role: text('role').notNull(),
    attestor: text('attestor').notNull(),
    entries: text('entries').notNull(),
    message: text('message').notNull(),
  },
  (t) => [primaryKey({ columns: [t.epoch, t.role, t.attestor] })],
);

/** Stakes of every kind; a bond names its node. Effective from the epoch after the one it was made in. */
export const stakes = pgTable(
  'stakes',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    ownerKey: text('owner_key').notNull(),
    nodeId: text('node_id'),
    payout: text('payout').notNull(),
    amount: amount('amount').notNull(),
    lockDays: integer('lock_days').notNull(),
    effectiveEpoch: epochCol('effective_epoch').notNull(),
    /** A user or operator stake unbonded before its lock ended: from this epoch it earns with `L = 1`, and at its close the extra `L` added since the stake began is taken back (SPEC §4.4). */
    lockForfeitedEpoch: epochCol('lock_forfeited_epoch'),
    /** Taken by slashes from the part still bonded (the ledger's `stake:<id>` is the truth; this keeps the bond in effect computable per epoch). */
    slashed: amount('slashed')
      .notNull()
      .default(
        '0',
      ) /** Where the tokens came from when not the owner's wallet: `chain:<vault>` for a bond followed from StakingVault's events (its unbondings go back there). */,
    source: text('source'),
  },
  // a key's stakes (validators' operator stakes, a consumer's user stake) and a node's bonds (its page):
  // by key and by node, not a scan of every stake (a node's page took 0.5 s at 1M nodes)
  (t) => [index('stakes_owner_key').on(t.ownerKey, t.kind), index('stakes_node').on(t.nodeId)],
);

/** Amounts leaving a stake: out of it from `effectiveEpoch`, back in the wallet at `releaseEpoch`. */
export const unbondings = pgTable(
  'unbondings',
  {
    id: text('id').primaryKey(),
    stakeId: text('stake_id').notNull(),
    amount: amount('amount').notNull(),
    effectiveEpoch: epochCol('effective_epoch').notNull(),
    releaseEpoch: epochCol('release_epoch').notNull(),
    released: boolean('released').notNull().default(false),
    /** Taken by slashes for faults committed before the unbonding started. */
    slashed: amount('slashed').notNull().default('0'),
  },
  // the stake in effect reads a stake's unbondings (stake-sql.ts): by stake, not a scan per stake
  (t) => [index('unbondings_stake').on(t.stakeId)],
);

/** Balances, kept with every posting in the same transaction (the postings remain the truth). */
export const accounts = pgTable('accounts', { id: text('id').primaryKey(), balance: amount('balance').notNull() });

/** The ledger: append-only, balanced (each posting moves `amount` out of `from` into `to`), hash-chained. */
export const postings = pgTable(
  'postings',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull().unique(),
    epoch: epochCol('epoch').notNull(),
    from: text('from_account').notNull(),
    to: text('to_account').notNull(),
    amount: amount('amount').notNull(),
    memo: text('memo').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('postings_epoch').on(t.epoch),
    // an address's credits, newest first (the rewards page), and the burns up to an epoch (the supply)
    index('postings_to_account').on(t.to, t.epoch, t.memo),
    // the mint's postings alone (the supply at each close): a handful an epoch
    index('postings_minted').on(t.epoch).where(sql`from_account = 'mint'`),
  ],
);

export const ledgerHead = pgTable('ledger_head', {
  id: integer('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});

export const epochs = pgTable('epochs', {
  epoch: epochCol('epoch').primaryKey(),
  paramsHash: text('params_hash').notNull(),
  inputHash: text('input_hash').notNull(),
  input: text('input').notNull(),
  result: text('result').notNull(),
  summary: text('summary').notNull(),
  closedAt: bigint('closed_at', { mode: 'number' }).notNull(),
  durationMs: integer('duration_ms').notNull(),
});

export const statements = pgTable(
  'statements',
  {
    epoch: epochCol('epoch').notNull(),
    nodeId: text('node_id').notNull(),
    owner: text('owner').notNull(),
    reward: amount('reward').notNull(),
    /** The statement's uptime (a fraction, exact): the providers table sorts by it. Backfilled from the statement by migration 0025. */
    uptime: numeric('uptime'),
    statement: text('statement').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.epoch, t.nodeId] }),
    index('statements_node').on(t.nodeId),
    // the providers table sorted by earnings or uptime, a page at a time (GET /v1/providers)
    index('statements_epoch_reward').on(t.epoch, t.reward, t.nodeId),
    index('statements_epoch_uptime').on(t.epoch, t.uptime, t.nodeId),
  ],
);

export const epochCursor = pgTable('epoch_cursor', { id: integer('id').primaryKey(), nextEpoch: epochCol('next_epoch').notNull() });

/** Settlement per closed epoch: every payee's cumulative claimable total, the Merkle root, the signed manifest. */
export const epochTrees = pgTable('epoch_trees', {
  epoch: epochCol('epoch').primaryKey(),
  root: text('root').notNull(),
  claims: text('claims').notNull(),
  manifest: text('manifest').notNull(),
});

/** Governance proposals (SPEC §7): a parameter patch, its deposit, its voting window and outcome. */
export const proposals = pgTable('proposals', {
  id: text('id').primaryKey(),
  proposerKey: text('proposer_key').notNull(),
  kind: text('kind').notNull(),
  patch: text('patch').notNull(),
  description: text('description').notNull(),
  deposit: amount('deposit').notNull(),
  createdEpoch: epochCol('created_epoch').notNull(),
  votingEndsAfterEpoch: epochCol('voting_ends_after_epoch').notNull(),
  status: text('status').notNull(),
  tally: text('tally'),
  /** What a non-parameter proposal acts on: the slash a reversal (appeal) would undo. */
  target: text('target'),
  /** A non-parameter proposal's content (JSON): the expansion flag, or the attestor to approve. */
  payload: text('payload'),
  message: text('message').notNull(),
});

/**
 * A large epoch input's nodes, stored in parts (the canonical JSON of up to 10,000 nodes each,
 * without the brackets): the `epochs.input` row then holds the rest with `"nodes":[]`, and a read
 * splices the parts back in — a million nodes' JSON is longer than one string can be.
 */
export const epochInputParts = pgTable(
  'epoch_input_parts',
  {
    epoch: epochCol('epoch').notNull(),
    part: integer('part').notNull(),
    nodes: text('nodes').notNull(),
    /** The id of the part's first node (nodes are in id order): one node's input is read from its part alone. Null on parts stored before it. */
    firstNode: text('first_node'),
  },
  (t) => [primaryKey({ columns: [t.epoch, t.part] })],
);

/**
 * The service's own liveness (SPEC §3.2): one bit per heartbeat slot in which the service was up and
 * accepting heartbeats, set by a timer of its own; slots it missed are not the providers' fault.
 */
export const serviceSlots = pgTable('service_slots', { epoch: epochCol('epoch').primaryKey(), slots: varbit('slots').notNull() });

/** Each owner's usage per hardware class per closed epoch: the trailing window of the scarcity factor V (SPEC §4.4). */
export const ownerClassUsage = pgTable(
  'owner_class_usage',
  {
    epoch: epochCol('epoch').notNull(),
    owner: text('owner').notNull(),
    hardwareClass: text('hardware_class').notNull(),
    delivered: bigint('delivered', { mode: 'number' }).notNull(),
    provisioned: bigint('provisioned', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.epoch, t.owner, t.hardwareClass] })],
);

/**
 * Which owners each consumer key has paid in billable receipts of the closed epochs: the lowest and
 * highest owner address (a key whose two differ has paid more than one owner). Merged at each close,
 * so that telling a key independent of an owner (SPEC §4.4) reads one row per key of the epoch, not
 * every receipt ever stored.
 */
export const consumerOwners = pgTable('consumer_owners', {
  consumerKey: text('consumer_key').primaryKey(),
  lo: text('lo').notNull(),
  hi: text('hi').notNull(),
});

/**
 * Live counts for the network overview and the status (issue 21: reads in O(1) of the network's
 * size), kept by triggers on `nodes` and `receipts` (migration 0017) in the inserting transaction,
 * so every writer — ingest in any process, the seeder — keeps them: `('nodes', '')`,
 * `('region', <region>)`, `('model', <GPU model>)` with the GPUs of that model, and `('receipts', '')`.
 * Receipts count into one of 16 shards (the backend's pid) so concurrent ingest does not queue on
 * one row; a read sums the shards. Nodes and receipts are never deleted.
 */
export const networkCounts = pgTable(
  'network_counts',
  {
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    shard: integer('shard').notNull().default(0),
    nodes: bigint('nodes', { mode: 'number' }).notNull().default(0),
    gpus: bigint('gpus', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key, t.shard] })],
);

/** Network-wide states set by governance (SPEC §4.2 expansion phase), each from an epoch on. */
export const governanceFlags = pgTable(
  'governance_flags',
  {
    flag: text('flag').notNull(),
    effectiveEpoch: epochCol('effective_epoch').notNull(),
    value: boolean('value').notNull(),
    proposalId: text('proposal_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flag, t.effectiveEpoch] })],
);

/**
 * Validators' signed onboarding checks and hardware re-checks (SPEC §3.1): the latest check of a
 * node up to an epoch decides whether it is onboarded in that epoch.
 */
export const onboardingChecks = pgTable(
  'onboarding_checks',
  {
    nodeId: text('node_id').notNull(),
    validatorKey: text('validator_key').notNull(),
    epoch: epochCol('epoch').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
    passed: boolean('passed').notNull(),
    gates: text('gates').notNull(),
    message: text('message').notNull(),
    /** The host's identity the check found (SHA-256 of its TPM endorsement key); null on checks from before hosts were measured. */
    hostId: text('host_id'),
    /** What the check measured on the host, `{vcpus, ramGb, nvmeTb, bandwidthGbps, hostId}` (SPEC §3.1); null as above. */
    measured: text('measured'),
  },
  (t) => [
    primaryKey({ columns: [t.nodeId, t.at, t.validatorKey] }),
    index('onboarding_checks_node').on(t.nodeId, t.epoch),
    index('onboarding_checks_host').on(t.hostId),
  ],
);

/**
 * Maintenance windows a node announced (SPEC §3.2): signed by the node's key at least
 * `maintenanceNoticeHours` ahead, at most `maintenanceHoursPerWeek` in any 7 days; their slots are
 * excluded from the node's expected time.
 */
export const maintenanceWindows = pgTable(
  'maintenance_windows',
  {
    nodeId: text('node_id').notNull(),
    fromTs: bigint('from_ts', { mode: 'number' }).notNull(),
    toTs: bigint('to_ts', { mode: 'number' }).notNull(),
    announcedAt: bigint('announced_at', { mode: 'number' }).notNull(),
    message: text('message').notNull(),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.fromTs] }), index('maintenance_windows_to').on(t.toTs)],
);

export const votes = pgTable(
  'votes',
  {
    proposalId: text('proposal_id').notNull(),
    voterKey: text('voter_key').notNull(),
    option: text('option').notNull(),
    epoch: epochCol('epoch').notNull(),
    message: text('message').notNull(),
  },
  (t) => [primaryKey({ columns: [t.proposalId, t.voterKey] })],
);

/** Each node's place on the penalty ladder (SPEC §6): status, recent violations, probation. Only nodes ever penalised have a row. */
export const standings = pgTable('standings', { nodeId: text('node_id').primaryKey(), standing: text('standing').notNull() });

/** Signed evidence found at ingest (two conflicting messages for one slot or job), judged when its epoch closes. */
export const evidence = pgTable(
  'evidence',
  {
    id: text('id').primaryKey(),
    nodeId: text('node_id').notNull(),
    epoch: epochCol('epoch').notNull(),
    kind: text('kind').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
    hashes: text('hashes').notNull(),
    messages: text('messages').notNull(),
  },
  (t) => [index('evidence_epoch').on(t.epoch)],
);

/** Every slash (SPEC §6.1–6.2): node, violation, evidence, amount, the accounts it came from, and its escrow. */
export const slashes = pgTable(
  'slashes',
  {
    id: text('id').primaryKey(),
    nodeId: text('node_id').notNull(),
    epoch: epochCol('epoch').notNull(),
    faultEpoch: epochCol('fault_epoch').notNull(),
    /** When the violation was found (unix seconds): its place in the node's record. */
    at: bigint('at', { mode: 'number' }).notNull(),
    kind: text('kind').notNull(),
    action: text('action').notNull(),
    share: text('share').notNull(),
    amount: amount('amount').notNull(),
    evidence: text('evidence').notNull(),
    sources: text('sources').notNull(),
    note: text('note').notNull(),
    releaseEpoch: epochCol('release_epoch').notNull(),
    status: text('status').notNull(),
    resolvedEpoch: epochCol('resolved_epoch'),
    resolution: text('resolution'),
  },
  (t) => [index('slashes_node').on(t.nodeId)],
);

/**
 * Audit assignments (SPEC §3.4): the sample of an epoch's receipts (round 0: two validators each, a
 * share of them traps showing a wrong result hash), referrals of split rounds and the node's
 * disputes (later rounds: three more validators). `epoch`: the audit window is epoch + 1.
 */
export const auditAssignments = pgTable(
  'audit_assignments',
  {
    epoch: epochCol('epoch').notNull(),
    jobId: text('job_id').notNull(),
    nodeId: text('node_id').notNull(),
    validatorKey: text('validator_key').notNull(),
    /** The epoch of the receipt (its fault epoch if it fails). */
    receiptEpoch: epochCol('receipt_epoch').notNull().default(0),
    round: integer('round').notNull().default(0),
    trap: boolean('trap').notNull().default(false),
    shownResultHash: text('shown_result_hash').notNull().default(''),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.validatorKey] }),
    index('audit_assignments_validator').on(t.validatorKey, t.epoch),
    index('audit_assignments_epoch').on(t.epoch),
  ],
);

/** Validators' commitments to their verdicts, and the reveals that open them (hashes of the signed messages in `signed_messages`). */
export const auditVerdicts = pgTable(
  'audit_verdicts',
  {
    jobId: text('job_id').notNull(),
    validatorKey: text('validator_key').notNull(),
    epoch: epochCol('epoch').notNull(),
    commitment: text('commitment').notNull(),
    commitHash: text('commit_hash').notNull(),
    verdict: text('verdict'),
    resultHash: text('result_hash'),
    salt: text('salt'),
    revealHash: text('reveal_hash'),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.validatorKey] }), index('audit_verdicts_epoch').on(t.epoch)],
);

/** The beacon (SPEC §3.4): each validator's commitment to a secret for an epoch, and the secret once revealed. */
export const beaconSecrets = pgTable(
  'beacon_secrets',
  {
    epoch: epochCol('epoch').notNull(),
    validatorKey: text('validator_key').notNull(),
    commitment: text('commitment').notNull(),
    commitHash: text('commit_hash').notNull(),
    secret: text('secret'),
    revealHash: text('reveal_hash'),
  },
  (t) => [primaryKey({ columns: [t.epoch, t.validatorKey] })],
);

/** Each epoch's sample draw: the input hash, the beacon of the secrets revealed by then, the seed, and when it was drawn. */
export const auditDraws = pgTable('audit_draws', {
  epoch: epochCol('epoch').primaryKey(),
  inputHash: text('input_hash').notNull(),
  beacon: text('beacon').notNull(),
  seed: text('seed').notNull(),
  drawnAt: bigint('drawn_at', { mode: 'number' }).notNull(),
  /** Drawn after the dispute deadline of its window (the service was down): unanswered assignments are not the validators' fault. */
  late: boolean('late').notNull(),
  /** The receipts the sample was drawn from (job id, node id) and the nodes that had to be covered, as JSON: the published population. */
  receipts: text('receipts').notNull(),
  mustCover: text('must_cover').notNull(),
  validators: text('validators').notNull(),
});

/** The operator's trap secret for each epoch's sample: committed before the epoch, revealed after its audits are judged. */
export const trapSecrets = pgTable('trap_secrets', {
  epoch: epochCol('epoch').primaryKey(),
  commitment: text('commitment').notNull(),
  secret: text('secret').notNull(),
  revealed: boolean('revealed').notNull().default(false),
});

/**
 * Confirmed mismatches (SPEC §3.4): a failed verification stands at the close after the one that
 * confirmed it, unless its node disputed it in between; then the dispute's three decide.
 * `status`: pending, disputed, upheld (stood), overturned.
 */
export const auditConfirmations = pgTable('audit_confirmations', {
  jobId: text('job_id').primaryKey(),
  nodeId: text('node_id').notNull(),
  receiptEpoch: epochCol('receipt_epoch').notNull(),
  confirmedEpoch: epochCol('confirmed_epoch').notNull(),
  evidence: text('evidence').notNull(),
  status: text('status').notNull(),
  disputeHash: text('dispute_hash'),
});

/** Audit outcomes as judged at each close, for the record. */
export const auditOutcomes = pgTable(
  'audit_outcomes',
  { epoch: epochCol('epoch').notNull(), jobId: text('job_id').notNull(), round: integer('round').notNull(), outcome: text('outcome').notNull() },
  (t) => [primaryKey({ columns: [t.epoch, t.jobId] })],
);

/**
 * Liveness probes (SPEC §3.4): a validator's signed challenge to a node, the slot it was sent in,
 * and the node's signed answer if it came in time. At the close, a probe unanswered in a slot the
 * node claimed up is a performance violation.
 */
export const probes = pgTable(
  'probes',
  {
    probeId: text('probe_id').primaryKey(),
    nodeId: text('node_id').notNull(),
    validatorKey: text('validator_key').notNull(),
    epoch: epochCol('epoch').notNull(),
    slot: integer('slot').notNull(),
    sentAt: bigint('sent_at', { mode: 'number' }).notNull(),
    answerBy: bigint('answer_by', { mode: 'number' }).notNull(),
    challengeHash: text('challenge_hash').notNull(),
    answeredAt: bigint('answered_at', { mode: 'number' }),
    answerHash: text('answer_hash'),
  },
  (t) => [index('probes_epoch_node').on(t.epoch, t.nodeId), index('probes_pending').on(t.nodeId, t.answerBy)],
);

/** Each validator's standing on the validator ladder (SPEC §6.1). */
export const validatorStandings = pgTable('validator_standings', { validatorKey: text('validator_key').primaryKey(), standing: text('standing').notNull() });

/** Signed messages kept as evidence, by the hash every evidence list names (SPEC §6.1): served at /v1/messages/{hash}. */
export const signedMessages = pgTable('signed_messages', { hash: text('hash').primaryKey(), message: text('message').notNull() });

/**
 * Compute rewards locked to vest (SPEC §6.1): one tranche per node and epoch, vesting linearly over
 * `epochs` closes; `status` open, vested (all of it released) or forfeited (a failed verification
 * or an equivocation took what was left); `clawed` what a lock's clawback took. The ledger holds the unvested tokens in `unvested:<node>`.
 */
export const vestingTranches = pgTable(
  'vesting_tranches',
  {
    nodeId: text('node_id').notNull(),
    epoch: epochCol('epoch').notNull(),
    amount: amount('amount').notNull(),
    epochs: integer('epochs').notNull(),
    status: text('status').notNull(),
    /** Taken back by a lock left early where the bond did not hold the extra (SPEC §4.4): the tokens that would have vested last. */
    clawed: amount('clawed').notNull().default('0'),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.epoch] }), index('vesting_tranches_status').on(t.status)],
);

/**
 * The chain follower's place in each contract's log (SPEC §5: stake comes from the chain): the last
 * block whose events were applied, and that block's hash — a reorg deeper than the confirmations is
 * seen as a different hash there and stops the follower instead of counting anything twice.
 */
export const chainCursors = pgTable('chain_cursors', {
  contract: text('contract').primaryKey(),
  block: bigint('block', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});

/** Every contract event the follower took in, once (by transaction hash and log index), and what it did with it. */
export const chainEvents = pgTable(
  'chain_events',
  {
    id: text('id').primaryKey(),
    contract: text('contract').notNull(),
    block: bigint('block', { mode: 'number' }).notNull(),
    blockHash: text('block_hash').notNull(),
    name: text('name').notNull(),
    args: text('args').notNull(),
    /** applied (it moved stake), ignored (with `note`: why it could not count), recorded (nothing to apply) */
    status: text('status').notNull(),
    note: text('note').notNull(),
  },
  (t) => [index('chain_events_block').on(t.contract, t.block)],
);

/** Slashes the service decided on bonds held by StakingVault, on their way to the chain with their evidence hash. */
export const chainSlashes = pgTable('chain_slashes', {
  slashId: text('slash_id').primaryKey(),
  node: text('node').notNull(),
  amount: amount('amount').notNull(),
  evidenceHash: text('evidence_hash').notNull(),
  /** pending, signed (`raw` stored before it is broadcast: a retry resends the same transaction, never a second slash), sent, confirmed (its Slashed event followed, `block`), failed (`note`) */
  status: text('status').notNull(),
  tx: text('tx'),
  raw: text('raw'),
  block: bigint('block', { mode: 'number' }),
  note: text('note').notNull().default(''),
});

/** What each payout address has claimed from RewardDistributor, from its Claimed events. */
export const chainClaims = pgTable('chain_claims', {
  account: text('account').primaryKey(),
  claimed: amount('claimed').notNull(),
  block: bigint('block', { mode: 'number' }).notNull(),
});
