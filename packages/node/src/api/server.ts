import { timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BaseError, InvariantError, REASONS } from '@swarm/core';
import {
  Attestation,
  AttestorApproval,
  AuditCommit,
  AuditReveal,
  BeaconCommit,
  BeaconReveal,
  Dispute,
  ErrorBody,
  findBadText,
  Grant,
  Heartbeat,
  HeartbeatBatch,
  Maintenance,
  Onboarding,
  Probe,
  ProbeAnswer,
  Proposal,
  Receipt,
  Refusal,
  Register,
  Stake,
  Unbond,
  Vote,
} from '@swarm/sdk';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import Type from 'typebox';
import {
  acceptAuditCommit,
  acceptAuditReveal,
  acceptBeaconCommit,
  acceptBeaconReveal,
  acceptDispute,
  auditRecord,
  getMessage,
  listAssignments,
  listConfirmations,
  listSlashes,
} from '../keepers/audits.ts';
import { economicsHistory, nodeEconomics, ownerEconomics } from '../keepers/economics.ts';
import { closeDueEpochs } from '../keepers/epoch-close.ts';
import { explainNode } from '../keepers/explain.ts';
import { castVote, listProposals, submitProposal } from '../keepers/governance.ts';
import {
  acceptAttestation,
  acceptHeartbeats,
  acceptReceipt,
  acceptRefusal,
  acceptStake,
  acceptUnbond,
  approveAttestor,
  grant,
  registerNode,
} from '../keepers/ingest.ts';
import { acceptMaintenance, listMaintenance } from '../keepers/maintenance.ts';
import { acceptOnboarding, listOnboarding } from '../keepers/onboarding.ts';
import type { PageQuery } from '../keepers/page.ts';
import { acceptProbe, acceptProbeAnswer, listProbes } from '../keepers/probes.ts';
import * as reads from '../keepers/reads.ts';
import { getManifest, getProof, getTreeDump } from '../keepers/settlement.ts';
import { whatIfEpoch } from '../keepers/whatif.ts';
import { checkLedger } from '../ledger/ledger.ts';
import type { Context } from '../service/context.ts';
import { RequestError } from '../service/errors.ts';
import { type Logger, silentLogger } from '../service/log.ts';
import { registerDashboard } from './dashboard.ts';
import { documentResponses } from './responses.ts';

export type ServerOptions = {
  /** Requests per minute per client address (default 60,000: a gateway batches for many nodes). */
  rateLimit?: number;
  /** Largest request body, bytes (default 4 MiB, room for a batch of 5,000 heartbeats). */
  bodyLimit?: number;
  /** The service's logger (pino); silent when omitted. Requests are logged at debug. */
  logger?: Logger;
  /** Requests a minute of the expensive routes per key (default `EXPENSIVE_PER_MINUTE`). */
  expensivePerMinute?: typeof EXPENSIVE_PER_MINUTE;
  /** Whether epoch closing has halted on a failed invariant (then /healthz answers 503 and says why). */
  halted?: () => Error | undefined;
};

const errors = {
  200: Type.Unknown(),
  201: Type.Unknown(),
  400: ErrorBody,
  401: ErrorBody,
  402: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  429: ErrorBody,
};
const SMALL_BODY = 64 * 1024;

/**
 * Requests a minute for the writes and reads whose validation is expensive — a proposal validates
 * a whole patched parameter set; a what-if recomputes a whole epoch — per signing key (proposals)
 * or per client address (what-if, which is unsigned), on top of the per-address limit of all routes.
 */
export const EXPENSIVE_PER_MINUTE = { proposals: 10, whatIf: 30 };

/** A route's own limit, keyed after the body is parsed (`preHandler`), so a key can be read from it. */
function perKey(max: number, keyGenerator: (req: FastifyRequest) => string) {
  return {
    max,
    timeWindow: '1 minute',
    hook: 'preHandler' as const,
    keyGenerator,
    errorResponseBuilder: (_req: FastifyRequest, c: { max: number }) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `more than ${c.max} of these requests a minute from this key; they are expensive to validate`,
    }),
  };
}
const WhatIfBody = Type.Object(
  { nodeId: Type.String({ maxLength: 64 }), set: Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 100 }), { maxProperties: 16 }) },
  { additionalProperties: false },
);

/**
 * The HTTP API (SPEC §10): thin routes — validate against the message schema, call one keeper,
 * return. Every refusal is `{code, message, field}` with a 4xx status, and stores nothing.
 */
export async function buildServer(ctx: Context, o: ServerOptions = {}): Promise<FastifyInstance> {
  const log = o.logger ?? silentLogger;
  const expensive = o.expensivePerMinute ?? EXPENSIVE_PER_MINUTE;
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // one line per request at debug (below); fastify's own two lines per request at info would drown the close lines
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: o.bodyLimit ?? 4 * 1024 * 1024,
    // never coerce or strip: a signed body is verified exactly as it was sent
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false, useDefaults: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Swarm Rewards API', version: '1', description: 'Signed ingest of contributions, epoch results, statements and balances.' },
      components: { securitySchemes: { operator: { type: 'http', scheme: 'bearer' } } },
    },
    // shared schemas by their own names under #/components/schemas (Error, Statement, Node, …)
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  // response schemas document every operation (responses.ts); the answer is sent as the handler
  // returned it — a schema never drops or reshapes a field
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  documentResponses(app);
  // the interactive API page: every operation with its parameters and schemas, tried from the browser
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true, tryItOutEnabled: true } });
  await app.register(rateLimit, {
    max: o.rateLimit ?? 60_000,
    timeWindow: '1 minute',
    errorResponseBuilder: (_req, c) => ({ statusCode: 429, code: 'RATE_LIMITED', message: `more than ${c.max} requests per minute from this address` }),
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    const { status, body } = toErrorResponse(err);
    ctx.metrics.rejections.inc({ code: body.code });
    if (status >= 500) req.log.error({ err, method: req.method, url: req.routeOptions.url }, 'request failed');
    void reply.status(status).send(body);
  });
  // the text rule (sdk text.ts), for every string a request carries — body, path and query — before
  // anything else reads them: nothing that could not be stored or hashed as sent gets further
  app.addHook('preValidation', async (req) => {
    const bad = findBadText(req.body, '') ?? findBadText(req.params, 'params') ?? findBadText(req.query, 'query');
    if (bad) throw new RequestError(400, 'INVALID_TEXT', `${bad.field || 'body'} ${bad.problem}`, bad.field || undefined);
  });
  app.setNotFoundHandler((req, reply) => {
    ctx.metrics.rejections.inc({ code: 'NOT_FOUND' });
    void reply.status(404).send({ code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` });
  });
  app.addHook('onResponse', async (req, reply) => {
    ctx.metrics.requests.inc({ route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
    req.log.debug({ method: req.method, route: req.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  const operator = async (req: FastifyRequest) => {
    const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    const want = Buffer.from(ctx.operatorToken);
    if (given.length !== want.length || !timingSafeEqual(given, want))
      throw new RequestError(401, 'OPERATOR_ONLY', 'this action needs the operator token (Authorization: Bearer …)');
  };

  // ---- writes ----
  app.post(
    '/v1/nodes',
    { bodyLimit: SMALL_BODY, schema: { tags: ['ingest'], summary: 'Register a node', body: Register, response: errors } },
    async (req, reply) => reply.status(201).send(await registerNode(ctx, req.body)),
  );
  app.post(
    '/v1/heartbeats',
    { bodyLimit: SMALL_BODY, schema: { tags: ['ingest'], summary: 'One signed heartbeat', body: Heartbeat, response: errors } },
    async (req) => acceptHeartbeats(ctx, [req.body], ''),
  );
  app.post(
    '/v1/heartbeats/batch',
    { schema: { tags: ['ingest'], summary: 'Signed heartbeats, accepted all or none', body: HeartbeatBatch, response: errors } },
    async (req) => acceptHeartbeats(ctx, req.body.heartbeats),
  );
  app.post(
    '/v1/receipts',
    { bodyLimit: SMALL_BODY, schema: { tags: ['ingest'], summary: 'A usage receipt, countersigned by the consumer', body: Receipt, response: errors } },
    async (req, reply) => reply.status(201).send(await acceptReceipt(ctx, req.body)),
  );
  app.post(
    '/v1/attestations',
    { schema: { tags: ['ingest'], summary: 'An attestation list from an approved attestor', body: Attestation, response: errors } },
    async (req, reply) => reply.status(201).send(await acceptAttestation(ctx, req.body)),
  );
  app.post(
    '/v1/stakes',
    { bodyLimit: SMALL_BODY, schema: { tags: ['staking'], summary: 'Stake or bond (embedded mode)', body: Stake, response: errors } },
    async (req, reply) => reply.status(201).send(await acceptStake(ctx, req.body)),
  );
  app.post(
    '/v1/maintenance',
    {
      bodyLimit: SMALL_BODY,
      schema: {
        tags: ['ingest'],
        summary: 'A node announces maintenance, signed by its key: ≥ 24 h ahead, ≤ 2 h in any 7 days; excluded from its expected time (SPEC §3.2)',
        body: Maintenance,
        response: errors,
      },
    },
    async (req, reply) => reply.status(201).send(await acceptMaintenance(ctx, req.body)),
  );
  app.post(
    '/v1/unbond',
    { bodyLimit: SMALL_BODY, schema: { tags: ['staking'], summary: 'Start unbonding (embedded mode)', body: Unbond, response: errors } },
    async (req, reply) => reply.status(201).send(await acceptUnbond(ctx, req.body)),
  );
  app.post(
    '/v1/operator/grants',
    {
      bodyLimit: SMALL_BODY,
      preHandler: operator,
      schema: {
        tags: ['operator'],
        summary: 'Credit a wallet from the treasury (embedded mode; operator)',
        security: [{ operator: [] }],
        body: Grant,
        response: errors,
      },
    },
    async (req) => grant(ctx, req.body),
  );
  app.post(
    '/v1/operator/attestors',
    {
      bodyLimit: SMALL_BODY,
      preHandler: operator,
      schema: {
        tags: ['operator'],
        summary: 'Approve an attestor for attested roles (embedded mode; operator)',
        security: [{ operator: [] }],
        body: AttestorApproval,
        response: errors,
      },
    },
    async (req) => {
      await approveAttestor(ctx, req.body);
      return { ok: true };
    },
  );
  app.post(
    '/v1/proposals',
    {
      bodyLimit: SMALL_BODY,
      config: { rateLimit: perKey(expensive.proposals, (req) => `proposer:${(req.body as Proposal | undefined)?.body?.proposerKey ?? req.ip}`) },
      schema: { tags: ['governance'], summary: 'Propose a parameter patch (signed by a staking key; pays the deposit)', body: Proposal, response: errors },
    },
    async (req, reply) => reply.status(201).send(await submitProposal(ctx, req.body)),
  );
  app.post(
    '/v1/votes',
    {
      bodyLimit: SMALL_BODY,
      schema: { tags: ['governance'], summary: 'Vote yes, no, abstain or veto (stake-weighted at the tally)', body: Vote, response: errors },
    },
    async (req, reply) => reply.status(201).send(await castVote(ctx, req.body)),
  );
  app.post(
    '/v1/beacon/commits',
    {
      bodyLimit: SMALL_BODY,
      schema: { tags: ['audits'], summary: 'A validator’s commitment to its beacon secret for an epoch (SPEC §3.4)', body: BeaconCommit, response: errors },
    },
    async (req, reply) => reply.status(201).send(await acceptBeaconCommit(ctx, req.body)),
  );
  app.post(
    '/v1/beacon/reveals',
    {
      bodyLimit: SMALL_BODY,
      schema: { tags: ['audits'], summary: 'A validator’s beacon secret, revealed after its epoch closed', body: BeaconReveal, response: errors },
    },
    async (req, reply) => reply.status(201).send(await acceptBeaconReveal(ctx, req.body)),
  );
  app.post(
    '/v1/audits/commits',
    {
      bodyLimit: SMALL_BODY,
      schema: {
        tags: ['audits'],
        summary: 'A validator’s commitment to its verdict on an assignment, before the commit deadline',
        body: AuditCommit,
        response: errors,
      },
    },
    async (req, reply) => reply.status(201).send(await acceptAuditCommit(ctx, req.body)),
  );
  app.post(
    '/v1/audits/reveals',
    {
      bodyLimit: SMALL_BODY,
      schema: { tags: ['audits'], summary: 'A validator’s verdict, result hash and salt, after the commit deadline', body: AuditReveal, response: errors },
    },
    async (req, reply) => reply.status(201).send(await acceptAuditReveal(ctx, req.body)),
  );
  app.post(
    '/v1/disputes',
    {
      bodyLimit: SMALL_BODY,
      schema: {
        tags: ['audits'],
        summary: 'A node’s dispute of a mismatch confirmed on its receipt (three more validators re-execute)',
        body: Dispute,
        response: errors,
      },
    },
    async (req, reply) => reply.status(201).send(await acceptDispute(ctx, req.body)),
  );
  app.post(
    '/v1/refusals',
    {
      bodyLimit: SMALL_BODY,
      schema: {
        tags: ['ingest'],
        summary: 'A consumer’s signed refusal: the job it offered the node was refused or dropped (a failed job, rated 1; SPEC §12)',
        body: Refusal,
        response: errors,
      },
    },
    async (req, reply) => reply.status(201).send(await acceptRefusal(ctx, req.body)),
  );
  app.post(
    '/v1/probes',
    {
      bodyLimit: SMALL_BODY,
      schema: { tags: ['audits'], summary: 'A validator’s signed liveness probe of a node that claims to be up (SPEC §3.4)', body: Probe, response: errors },
    },
    async (req, reply) => reply.status(201).send(await acceptProbe(ctx, req.body)),
  );
  app.get('/v1/probes', { schema: { tags: ['audits'], summary: 'Probes awaiting an answer (?node=ID for one node)' } }, async (req) =>
    listProbes(ctx, stringQuery(req.query, 'node')),
  );
  app.post(
    '/v1/probes/answers',
    {
      bodyLimit: SMALL_BODY,
      schema: { tags: ['audits'], summary: 'A node’s signed answer to a liveness probe, before its deadline', body: ProbeAnswer, response: errors },
    },
    async (req, reply) => reply.status(201).send(await acceptProbeAnswer(ctx, req.body)),
  );
  app.get(
    '/v1/audits',
    { schema: { tags: ['audits'], summary: 'A validator’s assignments (?validator=KEY) whose audit window is open: the job and the result hash to check' } },
    async (req) => listAssignments(ctx, stringQuery(req.query, 'validator') ?? '', page(req.query)),
  );
  app.get(
    '/v1/nodes/:id/confirmations',
    { schema: { tags: ['audits'], summary: 'Mismatches confirmed on a node’s receipts, and whether they can still be disputed' } },
    async (req) => listConfirmations(ctx, (req.params as { id: string }).id),
  );
  app.get(
    '/v1/epochs/:n/audits',
    {
      schema: {
        tags: ['audits'],
        summary: 'Everything needed to recompute the audits of an epoch’s sample: beacon, seed, sample, assignments, traps, verdicts, outcomes',
      },
    },
    async (req) => auditRecord(ctx, pathNumber(req.params, 'n')),
  );
  app.get(
    '/v1/messages/:hash',
    { schema: { tags: ['audits'], summary: 'A signed message kept as evidence, by the SHA-256 of its text (as evidence lists name it)' } },
    async (req) => getMessage(ctx, (req.params as { hash: string }).hash),
  );
  app.post(
    '/v1/onboarding',
    {
      bodyLimit: SMALL_BODY,
      schema: {
        tags: ['audits'],
        summary: 'A validator’s signed onboarding check or hardware re-check of a node (the latest check rules)',
        body: Onboarding,
        response: errors,
      },
    },
    async (req, reply) => reply.status(201).send(await acceptOnboarding(ctx, req.body)),
  );
  app.get(
    '/v1/onboarding',
    { schema: { tags: ['audits'], summary: 'Nodes awaiting a passing onboarding check, and the checks (?node=ID for one node)' } },
    async (req) => listOnboarding(ctx, stringQuery(req.query, 'node'), { ...page(req.query), pendingAfter: stringQuery(req.query, 'pendingAfter') }),
  );
  app.get(
    '/v1/slashes',
    { schema: { tags: ['audits'], summary: 'Slashes and warnings with their evidence and escrow (?node=ID for one node)' } },
    async (req) => listSlashes(ctx, stringQuery(req.query, 'node'), page(req.query)),
  );
  app.get('/v1/proposals', { schema: { tags: ['governance'], summary: 'Proposals with their patch, votes and tally' } }, async (req) =>
    listProposals(ctx, page(req.query)),
  );
  app.get(
    '/v1/operator/check',
    { preHandler: operator, schema: { tags: ['operator'], summary: 'The ledger invariants', security: [{ operator: [] }] } },
    async () => {
      const r = await checkLedger(ctx.db);
      return { ...r, minted: r.minted.toString(), burned: r.burned.toString(), supply: r.supply.toString() };
    },
  );
  app.post(
    '/v1/epochs/close',
    {
      bodyLimit: SMALL_BODY,
      preHandler: operator,
      schema: { tags: ['operator'], summary: 'Close every epoch whose time has come', security: [{ operator: [] }] },
    },
    async () => ({
      closed: await closeDueEpochs(ctx),
    }),
  );

  // ---- reads ----
  // path and query values arrive as strings; they are parsed strictly by numberQuery/pathNumber
  app.get(
    '/v1/status',
    { schema: { tags: ['reads'], summary: 'The clock, the epochs open and closed, the next close, counts of nodes and receipts' } },
    async () => reads.status(ctx),
  );
  app.get('/v1/epochs', { schema: { tags: ['reads'], summary: 'Closed epochs, newest first, with their summaries (?limit, ?before)' } }, async (req) =>
    reads.listEpochs(ctx, numberQuery(req.query, 'limit') ?? 50, numberQuery(req.query, 'before')),
  );
  app.get(
    '/v1/epochs/:n',
    {
      schema: {
        tags: ['reads'],
        summary: "A closed epoch's summary and, unless result=false, its whole result (every payout: megabytes at scale)",
        querystring: Type.Object({ result: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) }),
      },
    },
    async (req, reply) => {
      const withResult = stringQuery(req.query, 'result') !== 'false';
      // the stored result text is sent as it is, not parsed and written again
      return reply.type('application/json').send(await reads.getEpochJson(ctx, pathNumber(req.params, 'n'), withResult));
    },
  );
  app.get('/v1/epochs/:n/input', { schema: { tags: ['reads'], summary: 'The epoch input, for replay' } }, async (req, reply) =>
    // streamed: a million nodes' input is longer than one string can be
    reply.type('application/json').send(Readable.from(await reads.getEpochInput(ctx, pathNumber(req.params, 'n')))),
  );
  app.get('/v1/epochs/:n/manifest', { schema: { tags: ['settlement'], summary: 'The signed settlement manifest' } }, async (req) =>
    getManifest(ctx.db, pathNumber(req.params, 'n')),
  );
  app.get('/v1/epochs/:n/proofs/:address', { schema: { tags: ['settlement'], summary: "An address's cumulative claim and its Merkle proof" } }, async (req) =>
    getProof(ctx.db, pathNumber(req.params, 'n'), addressParam(req.params)),
  );
  app.get('/v1/epochs/:n/tree', { schema: { tags: ['settlement'], summary: 'The claim tree in OpenZeppelin’s dump format' } }, async (req) =>
    getTreeDump(ctx.db, pathNumber(req.params, 'n')),
  );
  app.get(
    '/v1/epochs/:n/statements',
    { schema: { tags: ['reads'], summary: "An epoch's node statements by node id, a page at a time (?limit, ?after)" } },
    async (req) => reads.listStatements(ctx, pathNumber(req.params, 'n'), numberQuery(req.query, 'limit') ?? 100, stringQuery(req.query, 'after')),
  );
  app.get(
    '/v1/epochs/:n/statements/:nodeId',
    { schema: { tags: ['reads'], summary: "One node's statement in an epoch: every factor, its inputs and reason codes" } },
    async (req) => reads.getStatement(ctx, pathNumber(req.params, 'n'), (req.params as { nodeId: string }).nodeId),
  );
  app.get(
    '/v1/epochs/:n/statements/:nodeId/explained',
    {
      schema: {
        tags: ['reads'],
        summary:
          "One node's statement from inputs to tokens: each quality factor with its target, the pool, the network's total score, the share, and every reason code with the numbers that triggered it",
      },
    },
    async (req) => explainNode(ctx, pathNumber(req.params, 'n'), (req.params as { nodeId: string }).nodeId),
  );
  app.get('/v1/nodes', { schema: { tags: ['reads'], summary: 'Nodes by id, optionally of one payout address (?owner=0x…)' } }, async (req) =>
    reads.listNodes(ctx, numberQuery(req.query, 'limit') ?? 100, stringQuery(req.query, 'after'), stringQuery(req.query, 'owner')),
  );
  const providersQuery = Type.Object({
    epoch: Type.Optional(Type.String({ description: 'the closed epoch whose earnings and uptime are shown (default: the last)' })),
    sort: Type.Optional(Type.String({ enum: ['reward', 'uptime', 'sanctions', 'id'], description: 'what to sort by (default reward)' })),
    order: Type.Optional(Type.String({ enum: ['asc', 'desc'], description: 'default: desc, asc for id' })),
    status: Type.Optional(Type.String({ description: 'active, suspended, jailed or excluded' })),
    region: Type.Optional(Type.String()),
    owner: Type.Optional(Type.String({ description: 'a payout address' })),
    model: Type.Optional(Type.String({ description: 'a GPU model the node has' })),
    sanctioned: Type.Optional(Type.String({ enum: ['true', 'false'], description: 'only nodes with (true) or without (false) a warning or slash on record' })),
    limit: Type.Optional(Type.String({ description: 'rows per page, at most 500 (default 50)' })),
    offset: Type.Optional(Type.String({ description: 'rows to skip, at most 100,000' })),
  });
  app.get(
    '/v1/providers',
    {
      schema: {
        tags: ['reads'],
        summary: 'The providers table: nodes with their earnings, uptime and sanctions, sorted and filtered on the server, a page at a time',
        querystring: providersQuery,
      },
    },
    async (req) => {
      const get = (k: string) => stringQuery(req.query, k);
      return reads.listProviders(ctx, {
        epoch: get('epoch'),
        sort: get('sort'),
        order: get('order'),
        status: get('status'),
        region: get('region'),
        owner: get('owner'),
        model: get('model'),
        sanctioned: get('sanctioned'),
        limit: numberQuery(req.query, 'limit'),
        offset: numberQuery(req.query, 'offset'),
      });
    },
  );
  app.get('/v1/network', { schema: { tags: ['reads'], summary: 'GPUs by model, nodes by region, stake ratio' } }, async () => reads.network(ctx));
  app.get('/v1/reasons', { schema: { tags: ['reads'], summary: 'Every reason code, in words' } }, async () => REASONS);
  app.post(
    '/v1/epochs/:n/whatif',
    {
      bodyLimit: SMALL_BODY,
      config: { rateLimit: perKey(expensive.whatIf, (req) => `whatif:${req.ip}`) },
      schema: { tags: ['reads'], summary: "A closed epoch recomputed with one node's inputs changed", body: WhatIfBody, response: errors },
    },
    async (req) => whatIfEpoch(ctx, pathNumber(req.params, 'n'), req.body.nodeId, req.body.set),
  );
  app.get('/v1/nodes/:id', { schema: { tags: ['reads'], summary: 'A node: its registration, status, bonds and recent statements' } }, async (req) =>
    reads.getNode(ctx, (req.params as { id: string }).id),
  );
  app.get('/v1/nodes/:id/maintenance', { schema: { tags: ['reads'], summary: "A node's announced maintenance windows, newest first" } }, async (req) =>
    listMaintenance(ctx, (req.params as { id: string }).id),
  );
  app.get('/v1/balances/:account', { schema: { tags: ['reads'], summary: "A ledger account's balance" } }, async (req) =>
    reads.getBalance(ctx, (req.params as { account: string }).account),
  );
  app.get(
    '/v1/rewards/:address',
    { schema: { tags: ['reads'], summary: "A payout address's claimable balance and what each epoch credited (?limit, ?after)" } },
    async (req) => reads.getRewards(ctx, (req.params as { address: string }).address, page(req.query)),
  );
  const economicsQuery = Type.Object({
    epoch: Type.Optional(Type.String({ description: 'a closed epoch (default: the last)' })),
    tokenPrice: Type.Optional(Type.String({ description: "dollars per token (default: the parameters' reference price)" })),
    usageRate: Type.Optional(Type.String({ description: "dollars a delivered GPU-hour earns from its user (default: the parameters' $0.30)" })),
    powerRate: Type.Optional(Type.String({ description: 'dollars of power a GPU-hour up costs (default $0.05, SPEC §9)' })),
    hardwareCost: Type.Optional(Type.String({ description: 'dollars the hardware cost, for the annual ROI' })),
  });
  const economicsHistoryQuery = Type.Object({
    ...economicsQuery.properties,
    epochs: Type.Optional(Type.String({ description: 'how many of the last closed epochs (default 30, at most 1,000)' })),
  });
  app.get(
    '/v1/economics/nodes/:id/history',
    {
      schema: {
        tags: ['reads'],
        summary: "A node's economics over the last closed epochs, oldest first, each under its own parameters (SPEC §9)",
        querystring: economicsHistoryQuery,
      },
    },
    async (req) =>
      economicsHistory(ctx, { nodeId: (req.params as { id: string }).id }, { ...economicsQueryOf(req.query), epochs: stringQuery(req.query, 'epochs') }),
  );
  app.get(
    '/v1/economics/owners/:address/history',
    {
      schema: {
        tags: ['reads'],
        summary: "An owner's economics over the last closed epochs, all its nodes summed per epoch (SPEC §9)",
        querystring: economicsHistoryQuery,
      },
    },
    async (req) =>
      economicsHistory(
        ctx,
        { owner: (req.params as { address: string }).address },
        { ...economicsQueryOf(req.query), epochs: stringQuery(req.query, 'epochs') },
      ),
  );
  const economicsQueryOf = (q: unknown) => {
    const get = (k: string) => stringQuery(q, k);
    return { epoch: get('epoch'), tokenPrice: get('tokenPrice'), usageRate: get('usageRate'), powerRate: get('powerRate'), hardwareCost: get('hardwareCost') };
  };
  app.get(
    '/v1/economics/nodes/:id',
    {
      schema: {
        tags: ['reads'],
        summary: "A node's economics in a closed epoch: revenue, rewards, power, margin, per day, annual ROI (SPEC §9)",
        querystring: economicsQuery,
      },
    },
    async (req) => nodeEconomics(ctx, (req.params as { id: string }).id, economicsQueryOf(req.query)),
  );
  app.get(
    '/v1/economics/owners/:address',
    { schema: { tags: ['reads'], summary: "An owner's economics in a closed epoch, all its nodes summed (SPEC §9)", querystring: economicsQuery } },
    async (req) => ownerEconomics(ctx, (req.params as { address: string }).address, economicsQueryOf(req.query)),
  );
  app.get('/v1/params', { schema: { tags: ['reads'], summary: 'The parameter set in force and its hash' } }, async () => reads.currentParams(ctx));
  app.get('/v1/params/history', { schema: { tags: ['reads'], summary: 'Every parameter set and the epoch it took effect (?limit, ?after)' } }, async (req) =>
    reads.paramsHistory(ctx, page(req.query)),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerDashboard(app);
  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    await ctx.db.query('SELECT 1');
    const halted = o.halted?.();
    if (halted) return reply.status(503).send({ ok: false, code: 'CLOSE_HALTED', message: `epoch closing has halted: ${halted.message}` });
    return { ok: true };
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply: FastifyReply) =>
    reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()),
  );
  return app;
}

/** `?limit=&after=` of a list (see keepers/page.ts). */
function page(q: unknown): PageQuery {
  return { limit: numberQuery(q, 'limit'), after: stringQuery(q, 'after') };
}

function numberQuery(q: unknown, key: string): number | undefined {
  const v = (q as Record<string, unknown> | undefined)?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new RequestError(400, 'SCHEMA_VIOLATION', `${key} must be a non-negative integer`, `query.${key}`);
  return n;
}

function addressParam(p: unknown): string {
  const a = String((p as Record<string, unknown>).address ?? '');
  if (!/^0x[0-9a-fA-F]{40}$/.test(a)) throw new RequestError(400, 'INVALID_FORMAT', 'an address is 0x and 40 hex digits', 'params.address');
  return a.toLowerCase();
}

function stringQuery(q: unknown, key: string): string | undefined {
  const v = (q as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? v : undefined;
}

function pathNumber(p: unknown, key: string): number {
  const n = Number((p as Record<string, unknown>)[key]);
  if (!Number.isSafeInteger(n) || n < 0) throw new RequestError(400, 'SCHEMA_VIOLATION', `${key} must be a non-negative integer`, `params.${key}`);
  return n;
}

type ErrorResponse = { status: number; body: { code: string; message: string; field?: string } };

/** Error messages say what is wrong in a line: at most this many characters, never an echo of a huge input. */
export const MAX_ERROR_MESSAGE = 200;

/** The one place errors become responses. */
export function toErrorResponse(err: unknown): ErrorResponse {
  const r = errorResponse(err);
  const chars = [...r.body.message];
  if (chars.length > MAX_ERROR_MESSAGE) r.body.message = `${chars.slice(0, MAX_ERROR_MESSAGE - 1).join('')}…`;
  return r;
}

function errorResponse(err: unknown): ErrorResponse {
  if (err instanceof RequestError) return { status: err.status, body: err.toJSON() };
  if (err instanceof InvariantError) return { status: 500, body: { code: err.code, message: 'internal invariant violated; nothing was stored' } };
  if (err instanceof BaseError) return { status: 400, body: err.toJSON() };
  const e = err as {
    statusCode?: number;
    code?: string;
    message?: string;
    validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
    validationContext?: string;
  };
  if (e.validation && e.validation.length > 0) {
    const v = e.validation[0] as { instancePath?: string; message?: string; params?: Record<string, unknown> };
    const extra = v.params?.additionalProperty ?? v.params?.missingProperty;
    const path = [(e.validationContext ?? 'body') === 'body' ? '' : e.validationContext, ...(v.instancePath ?? '').split('/').filter(Boolean), extra]
      .filter((x) => x !== undefined && x !== '')
      .join('.')
      .replace(/\.(\d+)(?=\.|$)/g, '[$1]');
    const code = v.params?.additionalProperty ? 'UNKNOWN_FIELD' : v.params?.missingProperty ? 'MISSING_FIELD' : 'SCHEMA_VIOLATION';
    return { status: 400, body: { code, message: `${path || 'body'} ${v.message ?? 'is invalid'}`, field: path || undefined } as ErrorResponse['body'] };
  }
  if (e.statusCode === 429) return { status: 429, body: { code: 'RATE_LIMITED', message: e.message ?? 'rate limited' } };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, body: { code: 'BODY_TOO_LARGE', message: 'the request body is larger than allowed' } };
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send application/json' } };
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError || e.statusCode === 400) {
    return { status: 400, body: { code: 'MALFORMED_JSON', message: `the body is not valid JSON: ${e.message ?? ''}`.trim() } };
  }
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500)
    return { status: e.statusCode, body: { code: e.code ?? 'BAD_REQUEST', message: e.message ?? 'bad request' } };
  return { status: 500, body: { code: 'INTERNAL', message: 'internal error; nothing was stored' } };
}
