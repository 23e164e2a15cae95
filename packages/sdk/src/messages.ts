import { ADDRESS_PATTERN, AMOUNT_PATTERN, ANOMALIES, ATTESTED_ROLES, KEY_PATTERN, PROVIDER_CLASSES, SLA_CLASSES } from '@swarm/core';
import Type, { type Static, type TSchema } from 'typebox';

/**
 * Every message a node agent, a consumer, a staker or an attestor sends, as JSON Schema (typebox,
 * the one schema system of core, sdk and node): the API validates bodies against these, and the
 * types below are what the client builds.
 *
 * A message is `{ body, signature(s) }`. The signature is Ed25519 over
 * `SIGNING_DOMAIN + canonicalJson(body)` (see `keys.ts`). Bodies carry their `type`, a `timestamp`
 * (unix seconds, checked against the server's clock) and, where a key sends a stream of
 * messages, a strictly increasing `seq`: a replayed or reordered message is refused.
 */

const hex32 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Ed25519 public key, 32 bytes of lower-case hex' });
const sig = Type.String({ pattern: '^[0-9a-f]{128}$', description: 'Ed25519 signature, 64 bytes of lower-case hex' });
const id = Type.String({ pattern: KEY_PATTERN, description: '1–64 of [A-Za-z0-9._-]' });
const address = Type.String({ pattern: ADDRESS_PATTERN, description: 'EVM payout address, lower-case hex' });
const amount = Type.String({ pattern: AMOUNT_PATTERN, description: 'token amount in base units (18 decimals), decimal string' });
const decimal = Type.String({ pattern: '^(0|[1-9][0-9]{0,8})(\\.[0-9]{1,18})?$', description: 'exact decimal' });
const timestamp = Type.Integer({ minimum: 0, maximum: 253_402_300_799, description: 'unix seconds' });
const seq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'strictly increasing per signing key' });
const count = (max: number) => Type.Integer({ minimum: 0, maximum: max });
const hash = (description: string) => Type.String({ pattern: '^[0-9a-f]{64}$', description });
const strict = { additionalProperties: false } as const;
const literal = <T extends string>(v: T) => Type.Literal(v);
/** One of a list of strings, typed as their union. */
const oneOf = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

export const Hardware = Type.Object(
  {
    gpus: Type.Array(Type.Object({ model: id, count: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, strict), { maxItems: 64 }),
    vcpus: count(1_000_000),
    ramGb: count(1_000_000_000),
    nvmeTb: count(1_000_000),
    bandwidthGbps: count(1_000_000),
  },
  strict,
);

export const RegisterBody = Type.Object(
  {
    type: literal('register'),
    nodeId: id,
    nodeKey: hex32,
    ownerKey: hex32,
    owner: address,
    region: id,
    slaClass: oneOf(SLA_CLASSES),
    providerClass: oneOf(PROVIDER_CLASSES),
    hardware: Hardware,
    commitmentDays: count(100_000),
    referrer: Type.Union([address, Type.Null()]),
    timestamp,
    seq,
  },
  strict,
);
/** Registration: signed by the node's key (proof it holds it) and by its owner's key (the owner's consent). */
export const Register = Type.Object({ body: RegisterBody, nodeSignature: sig, ownerSignature: sig }, strict);

export const Metrics = Type.Object(
  {
    gpuUtilisation: decimal,
    latencyMs: count(1_000_000),
    packetLoss: decimal,
    powerEfficiency: Type.Union([decimal, Type.Null()]),
    jobsRunning: count(1_000_000),
  },
  strict,
);
export const HeartbeatBody = Type.Object({ type: literal('heartbeat'), nodeId: id, seq, timestamp, metrics: Metrics }, strict);
export const Heartbeat = Type.Object({ body: HeartbeatBody, signature: sig }, strict);
export const HeartbeatBatch = Type.Object({ heartbeats: Type.Array(Heartbeat, { minItems: 1, maxItems: 5000 }) }, strict);

export const ReceiptBody = Type.Object(
  {
    type: literal('receipt'),
    jobId: id,
    nodeId: id,
    consumerKey: hex32,
    timestamp,
    usage: Type.Array(Type.Object({ model: id, gpuSeconds: count(1e12) }, strict), { minItems: 1, maxItems: 64 }),
    price: amount,
    success: Type.Boolean(),
    responseMs: count(100_000_000),
    priority: Type.Union([literal('standard'), literal('high')]),
    /** The hash of the job's output, as the node obtained it: what an audit's re-execution is compared with (SPEC §3.4). */
    resultHash: hash("sha256 of the job's result, hex"),
    /** What kind of job: the response-time target applies to inference only (SPEC §4.4); absent means inference. */
    jobType: Type.Optional(Type.Union([literal('inference'), literal('training'), literal('fine-tuning')])),
  },
  strict,
);
/** What the consumer signs: the node's receipt, the node's signature over it, and its rating. */
export const CountersignBody = Type.Object(
  { type: literal('countersign'), receipt: ReceiptBody, nodeSignature: sig, rating: Type.Integer({ minimum: 1, maximum: 5 }) },
  strict,
);
export const Receipt = Type.Object({ body: ReceiptBody, nodeSignature: sig, rating: Type.Integer({ minimum: 1, maximum: 5 }), consumerSignature: sig }, strict);

export const AttestationBody = Type.Object(
  {
    type: literal('attestation'),
    role: oneOf(ATTESTED_ROLES),
    attestor: id,
    epoch: count(1e12),
    entries: Type.Array(Type.Object({ payout: address, points: count(1e12) }, strict), { maxItems: 100_000 }),
    timestamp,
    seq,
  },
  strict,
);
export const Attestation = Type.Object({ body: AttestationBody, signature: sig }, strict);

export const StakeBody = Type.Object(
  {
    type: literal('stake'),
    stakeId: id,
    ownerKey: hex32,
    kind: Type.Union([literal('bond'), literal('user'), literal('operator')]),
    nodeId: Type.Union([id, Type.Null()]),
    payout: address,
    amount,
    lockDays: count(100_000),
    timestamp,
    seq,
  },
  strict,
);
export const Stake = Type.Object({ body: StakeBody, signature: sig }, strict);
export const UnbondBody = Type.Object({ type: literal('unbond'), stakeId: id, ownerKey: hex32, amount, timestamp, seq }, strict);
export const Unbond = Type.Object({ body: UnbondBody, signature: sig }, strict);

/** Approve (by the operator, or by a passed governance proposal) an attestor's key for some roles. */
export const AttestorApproval = Type.Object({ attestor: id, key: hex32, roles: Type.Array(oneOf(ATTESTED_ROLES), { minItems: 1, maxItems: 4 }) }, strict);

/** A governance proposal: a patch of the parameter set, signed by a staking key that pays the deposit. */
export const ProposalBody = Type.Object(
  {
    type: literal('proposal'),
    proposalId: id,
    proposerKey: hex32,
    kind: Type.Union([literal('params'), literal('slash-reversal'), literal('expansion-phase'), literal('attestor-approval')], {
      description:
        "'params': a patch of the parameter set; 'slash-reversal': an appeal that returns an escrowed slash (`slashId`) to the bond; 'expansion-phase': declare (`expansion: true`) or end the expansion phase (growth 1.25, SPEC §4.2); 'attestor-approval': approve an attestor's key for roles (`attestor`)",
    }),
    patch: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 32, description: 'the parameter patch; {} for the other kinds' }),
    slashId: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}-[A-Za-z0-9._-]{1,64}-[0-9]{1,3}$', description: 'the slash a reversal undoes' })),
    expansion: Type.Optional(Type.Boolean({ description: 'an expansion-phase proposal: true declares the phase, false ends it' })),
    attestor: Type.Optional(AttestorApproval),
    impact: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
        maxProperties: 16,
        description:
          "a parameter patch's simulated impact (`swarm gov propose --simulate`, @swarm/sim's computeImpact): its `current` and `proposed` parameter hashes must match",
      }),
    ),
    description: Type.String({ maxLength: 2000 }),
    timestamp,
    seq,
  },
  strict,
);
export const Proposal = Type.Object({ body: ProposalBody, signature: sig }, strict);
export const VoteBody = Type.Object(
  { type: literal('vote'), proposalId: id, voterKey: hex32, option: oneOf(['yes', 'no', 'abstain', 'veto'] as const), timestamp, seq },
  strict,
);
export const Vote = Type.Object({ body: VoteBody, signature: sig }, strict);

/**
 * The audit beacon (SPEC §3.4, RANDAO's rule): during epoch `epoch` a validator commits to a random
 * secret (`beaconCommitment(epoch, validatorKey, secret)` of @swarm/core); after the epoch closes it
 * reveals the secret. The sample of `epoch`'s receipts is drawn from its input hash and every
 * revealed secret; a validator that commits and does not reveal forfeits its validator reward.
 */
export const BeaconCommitBody = Type.Object(
  {
    type: literal('beacon-commit'),
    epoch: count(1e12),
    validatorKey: hex32,
    commitment: hash('beaconCommitment(epoch, validatorKey, secret)'),
    timestamp,
    seq,
  },
  strict,
);
export const BeaconCommit = Type.Object({ body: BeaconCommitBody, signature: sig }, strict);
export const BeaconRevealBody = Type.Object(
  { type: literal('beacon-reveal'), epoch: count(1e12), validatorKey: hex32, secret: hash('the committed secret: 32 random bytes'), timestamp, seq },
  strict,
);
export const BeaconReveal = Type.Object({ body: BeaconRevealBody, signature: sig }, strict);

/**
 * A validator's audit of a receipt assigned to it (SPEC §3.4), in two steps. Before the commit
 * deadline: `commitment = verdictCommitment(jobId, validatorKey, { verdict, resultHash, salt })`.
 * After it, before the window closes: the verdict, the result hash its re-execution obtained, and
 * the salt. "match" means its result equals the result hash it was shown.
 */
export const AuditCommitBody = Type.Object(
  { type: literal('audit-commit'), jobId: id, validatorKey: hex32, commitment: hash('verdictCommitment(jobId, validatorKey, answer)'), timestamp, seq },
  strict,
);
export const AuditCommit = Type.Object({ body: AuditCommitBody, signature: sig }, strict);
export const AuditRevealBody = Type.Object(
  {
    type: literal('audit-reveal'),
    jobId: id,
    validatorKey: hex32,
    verdict: oneOf(['match', 'mismatch'] as const),
    resultHash: hash('sha256 of the re-executed result, hex'),
    salt: hash('the random salt of the commitment'),
    timestamp,
    seq,
  },
  strict,
);
export const AuditReveal = Type.Object({ body: AuditRevealBody, signature: sig }, strict);

/**
 * A node's dispute of a confirmed mismatch on one of its receipts (SPEC §3.4), signed by the node's
 * key before the dispute deadline: three more validators, drawn with the beacon, re-execute it; if
 * they contradict the first two, nothing is imposed and the first two commit validator violations.
 */
/**
 * A liveness probe (SPEC §3.4): a validator's signed challenge to a node that claims to be up. The
 * node answers within `probeAnswerSeconds` with the probe's result, signed by its key; a node that
 * claimed the slot up and did not answer commits a performance violation.
 */
export const ProbeBody = Type.Object(
  { type: literal('probe'), probeId: hash('32 random bytes, the challenge'), nodeId: id, validatorKey: hex32, timestamp, seq },
  strict,
);
export const Probe = Type.Object({ body: ProbeBody, signature: sig }, strict);
export const ProbeAnswerBody = Type.Object(
  {
    type: literal('probe-answer'),
    probeId: hash('the challenge answered'),
    nodeId: id,
    result: hash("the probe's result (`probeResult(probeId)`)"),
    timestamp,
  },
  strict,
);
export const ProbeAnswer = Type.Object({ body: ProbeAnswerBody, signature: sig }, strict);

/**
 * A consumer's signed refusal (SPEC §12's job refuser): it offered the job to the node at `price`
 * and the node refused or dropped it. It counts as a failed job rated 1 (each key's refusals up to
 * what the key paid the network in the epoch); refusing more than `slashing.hoardingShare` of the
 * work offered is resource hoarding. A receipt for the same job voids it (the node did the job).
 */
export const RefusalBody = Type.Object({ type: literal('refusal'), jobId: id, nodeId: id, consumerKey: hex32, price: amount, timestamp, seq }, strict);
export const Refusal = Type.Object({ body: RefusalBody, signature: sig }, strict);

export const DisputeBody = Type.Object({ type: literal('dispute'), jobId: id, nodeId: id, timestamp, seq }, strict);
export const Dispute = Type.Object({ body: DisputeBody, signature: sig }, strict);

/**
 * A validator's onboarding check or hardware re-check of a node (SPEC §3.1): what it measured —
 * each GPU found with its benchmark (dense BF16 TFLOPS), the link, an NVMe SSD, a TPM 2.0. The
 * service decides the gates from these and the node's declaration; the latest check rules.
 */
export const OnboardingBody = Type.Object(
  {
    type: literal('onboarding'),
    nodeId: id,
    validatorKey: hex32,
    measured: Type.Object(
      {
        gpus: Type.Array(Type.Object({ model: id, count: Type.Integer({ minimum: 1, maximum: 1_000_000 }), tflops: decimal }, strict), { maxItems: 64 }),
        linkGbps: decimal,
        nvme: Type.Boolean(),
        tpm: Type.Boolean(),
        // counted hardware is measured hardware (SPEC §3.1): the host's CPUs, RAM and disk, and its identity
        vcpus: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'virtual CPU cores found on the host' }),
        ramGb: Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'RAM found on the host, GB' }),
        nvmeTb: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'NVMe capacity found on the host, whole TB' }),
        hostId: Type.String({ pattern: '^[0-9a-f]{64}$', description: "the host's identity: SHA-256 of its TPM endorsement key, lower-case hex" }),
      },
      strict,
    ),
    timestamp,
    seq,
  },
  strict,
);
export const Onboarding = Type.Object({ body: OnboardingBody, signature: sig }, strict);

/**
 * A node's announced maintenance (SPEC §3.2), signed by the node's key: `[from, to)` in unix
 * seconds, at least `maintenanceNoticeHours` ahead, at most `maintenanceHoursPerWeek` in any 7 days;
 * its slots are excluded from the node's expected time.
 */
export const MaintenanceBody = Type.Object({ type: literal('maintenance'), nodeId: id, from: timestamp, to: timestamp, timestamp, seq }, strict);
export const Maintenance = Type.Object({ body: MaintenanceBody, signature: sig }, strict);

/** Operator (embedded mode): credit tokens to a key's wallet — the genesis allocation and test funds. */
export const Grant = Type.Object({ key: hex32, amount, memo: Type.String({ maxLength: 200 }) }, strict);

export const ErrorBody = Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) });

export type RegisterBody = Static<typeof RegisterBody>;
export type Register = Static<typeof Register>;
export type Metrics = Static<typeof Metrics>;
export type HeartbeatBody = Static<typeof HeartbeatBody>;
export type Heartbeat = Static<typeof Heartbeat>;
export type HeartbeatBatch = Static<typeof HeartbeatBatch>;
export type ReceiptBody = Static<typeof ReceiptBody>;
export type CountersignBody = Static<typeof CountersignBody>;
export type Receipt = Static<typeof Receipt>;
export type AttestationBody = Static<typeof AttestationBody>;
export type Attestation = Static<typeof Attestation>;
export type StakeBody = Static<typeof StakeBody>;
export type Stake = Static<typeof Stake>;
export type UnbondBody = Static<typeof UnbondBody>;
export type Unbond = Static<typeof Unbond>;
export type Grant = Static<typeof Grant>;
export type ProposalBody = Static<typeof ProposalBody>;
export type Proposal = Static<typeof Proposal>;
export type VoteBody = Static<typeof VoteBody>;
export type Vote = Static<typeof Vote>;

export type AttestorApproval = Static<typeof AttestorApproval>;
export type OnboardingBody = Static<typeof OnboardingBody>;
export type BeaconCommitBody = Static<typeof BeaconCommitBody>;
export type BeaconCommit = Static<typeof BeaconCommit>;
export type BeaconRevealBody = Static<typeof BeaconRevealBody>;
export type BeaconReveal = Static<typeof BeaconReveal>;
export type AuditCommitBody = Static<typeof AuditCommitBody>;
export type AuditCommit = Static<typeof AuditCommit>;
export type AuditRevealBody = Static<typeof AuditRevealBody>;
export type AuditReveal = Static<typeof AuditReveal>;
export type DisputeBody = Static<typeof DisputeBody>;
export type RefusalBody = Static<typeof RefusalBody>;
export type Refusal = Static<typeof Refusal>;
export type ProbeBody = Static<typeof ProbeBody>;
export type Probe = Static<typeof Probe>;
export type ProbeAnswerBody = Static<typeof ProbeAnswerBody>;
export type ProbeAnswer = Static<typeof ProbeAnswer>;
export type Dispute = Static<typeof Dispute>;
export type MaintenanceBody = Static<typeof MaintenanceBody>;
export type Maintenance = Static<typeof Maintenance>;
export type Onboarding = Static<typeof Onboarding>;
export type ApiError = Static<typeof ErrorBody>;

export const ANOMALY_CODES = ANOMALIES;
export type { Static, TSchema };
