import type { FastifyInstance, RouteOptions } from 'fastify';
import Type, { type TSchema } from 'typebox';

/**
 * The API's response schemas: shared components (`#/components/schemas/…` in the OpenAPI document)
 * and each operation's success body. They document; they do not serialize — the service sends
 * what the handler returns as JSON (`setSerializerCompiler` in `buildServer`), so a field the
 * schema does not name is never dropped. `api.test.ts` and the dashboard's browser test validate
 * real answers against them, so a schema that drifts from the code fails a test.
 */

const amount = (description = 'an amount in base units (18 decimals), as a decimal string') => Type.String({ pattern: '^-?[0-9]+$', description });
const decimal = (description: string) => Type.String({ pattern: '^-?[0-9]+(\\.[0-9]+)?$', description });
const address = Type.String({ pattern: '^0x[0-9a-f]{40}$', description: 'a payout address' });
const hash = Type.String({ pattern: '^0x[0-9a-f]{64}$' });
const cursor = Type.Union([Type.String(), Type.Null()], { description: 'the next page: pass it as ?after (null: the last page)' });
const open = <T extends Record<string, TSchema>>(props: T, description?: string) => Type.Object(props, { additionalProperties: true, description });
const exact = <T extends Record<string, TSchema>>(props: T, description?: string) => Type.Object(props, { additionalProperties: false, description });

const ErrorSchema = Type.Object(
  { code: Type.String({ description: 'a stable code, e.g. INVALID_SIGNATURE' }), message: Type.String(), field: Type.Optional(Type.String()) },
  { $id: 'Error', description: 'every refusal: the code, in words, and the field at fault; nothing was stored' },
);

const Hardware = open(
  {
    gpus: Type.Array(Type.Object({ model: Type.String(), count: Type.Integer({ minimum: 0 }) })),
    vcpus: Type.Integer(),
    ramGb: Type.Number(),
    nvmeTb: Type.Number(),
    bandwidthGbps: Type.Number(),
  },
  'declared hardware',
);

const Node = open(
  {
    id: Type.String(),
    nodeKey: Type.String(),
    owner: address,
    region: Type.String(),
    slaClass: Type.String(),
    providerClass: Type.String(),
    hardware: Hardware,
    status: Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('jailed'), Type.Literal('excluded')]),
    onboarded: Type.Boolean(),
    registeredAt: Type.Integer({ description: 'unix seconds' }),
    commitmentDays: Type.Integer(),
    probationStage: Type.Integer(),
  },
  'a registered node',
);
Object.assign(Node, { $id: 'Node' });

const w = (d: string) => decimal(`${d} (a fraction or factor, exact)`);
const Statement = open(
  {
    id: Type.String(),
    owner: address,
    reward: amount('what the node is paid from the compute pool: capacity + usage − referral'),
    capacityReward: amount(),
    usageReward: amount(),
    fee: amount('the protocol fee its billable receipts paid'),
    referral: amount(),
    eligible: Type.Boolean(),
    hardwareClass: Type.String(),
    gpus: Type.Integer(),
    countedGpus: Type.Integer(),
    computeUnits: w('compute units'),
    upSeconds: Type.Integer(),
    uptime: w('uptime'),
    utilisation: w('utilisation'),
    contribution: w('C'),
    quality: open({ uptime: w('U'), errors: w('E'), response: w('R'), rating: w('P'), total: w('Q') }),
    valuation: open({ scarcity: w('scarcity'), geo: w('geography'), total: w('V') }),
    commitment: w('L'),
    bonuses: open({ total: w('B') }),
    rawScore: w('C·Q·V·L·(1+B)'),
    probationShare: w('probation share'),
    score: w('S'),
    minBond: amount(),
    bond: amount(),
    bondWeight: amount(),
    bondReward: amount(),
    locked: amount(),
    vested: amount(),
    forfeited: amount(),
    unvested: amount(),
    reasons: Type.Array(Type.String({ description: 'a reason code (GET /v1/reasons)' })),
  },
  "a node's statement for an epoch (SPEC §4.6)",
);
Object.assign(Statement, { $id: 'Statement' });

const Pool = Type.Object({ allocated: amount(), paid: amount(), toTreasury: amount() });
const EpochSummary = open(
  {
    epoch: Type.Integer(),
    paramsHash: hash,
    inputHash: hash,
    epochPool: amount(),
    treasury: amount(),
    dynamicFactor: decimal('D'),
    networkUtilisation: decimal('delivered ÷ provisioned'),
    pools: Type.Record(Type.String(), Pool),
    nodes: Type.Integer(),
    earning: Type.Integer(),
    payees: Type.Integer(),
    fees: amount(),
    burned: amount(),
    reasonCounts: Type.Record(Type.String(), Type.Integer()),
    stakeRatio: decimal('staked ÷ supply'),
    supply: amount(),
    staked: amount(),
    slashes: Type.Integer(),
    warnings: Type.Integer(),
  },
  'a closed epoch in numbers',
);
Object.assign(EpochSummary, { $id: 'EpochSummary' });

const Slash = open({
  id: Type.String(),
  nodeId: Type.String(),
  epoch: Type.Integer(),
  faultEpoch: Type.Integer(),
  kind: Type.String(),
  action: Type.String(),
  amount: amount(),
  evidence: Type.Array(Type.String()),
  status: Type.String(),
  onChain: Type.Union([
    open(
      {
        status: Type.String({ description: 'pending, signed, sent, confirmed (its Slashed event followed) or failed' }),
        amount: amount('the part taken from bonds the StakingVault holds'),
        evidenceHash: hash,
        tx: Type.Union([hash, Type.Null()]),
      },
      'the slash on its way to the StakingVault',
    ),
    Type.Null(),
  ]),
});
Object.assign(Slash, { $id: 'Slash' });

const ref = (id: string) => Type.Unsafe({ $ref: `${id}#` });

/** The shared components, added to the server (`addSchema`) so routes and the document refer to them by name. */
export const COMPONENTS: TSchema[] = [ErrorSchema, Node, Statement, EpochSummary, Slash];

const Ack = open({}, 'what was accepted (the message stored, or already stored: a replay of the same signed message answers the same)');

/** Each documented operation's success body, by method and route URL. */
const SUCCESS: Record<string, TSchema> = {
  'GET /v1/status': open({
    now: Type.Integer(),
    genesis: Type.Integer(),
    epochSeconds: Type.Integer(),
    slotSeconds: Type.Integer(),
    currentEpoch: Type.Integer(),
    nextCloseAt: Type.Integer(),
    lastClosedEpoch: Type.Union([Type.Integer(), Type.Null()]),
    nodes: Type.Integer(),
    receipts: Type.Integer(),
    store: Type.String(),
  }),
  'GET /v1/network': open({
    gpus: Type.Integer(),
    models: Type.Array(Type.Object({ model: Type.String(), gpus: Type.Integer(), nodes: Type.Integer() })),
    regions: Type.Array(Type.Object({ region: Type.String(), nodes: Type.Integer() })),
    stakeRatio: Type.Union([decimal('staked ÷ supply at the last close'), Type.Null()]),
  }),
  'GET /v1/epochs': open({ epochs: Type.Array(ref('EpochSummary')), next: Type.Union([Type.Integer(), Type.Null()]) }),
  'GET /v1/epochs/:n': open({ summary: ref('EpochSummary'), closedAt: Type.Integer() }, 'the summary, and with ?result (the default) the whole result'),
  'GET /v1/epochs/:n/statements': open({ statements: Type.Array(ref('Statement')), next: cursor }),
  'GET /v1/epochs/:n/statements/:nodeId': ref('Statement'),
  'GET /v1/epochs/:n/statements/:nodeId/explained': open({
    epoch: Type.Integer(),
    nodeId: Type.String(),
    statement: ref('Statement'),
    explanation: open({
      capacity: open({
        pool: amount(),
        score: amount('S as a WAD'),
        scoreTotal: amount('Σ S as a WAD'),
        share: decimal('S ÷ Σ S'),
        floor: amount(),
        reward: amount(),
        remainderUnit: Type.Boolean(),
      }),
      usage: open({ pool: amount(), fee: amount(), feeTotal: amount(), floor: amount(), reward: amount(), remainderUnit: Type.Boolean() }),
      referral: amount(),
      reward: amount(),
      quality: Type.Array(open({ name: Type.String(), weight: Type.String(), value: Type.String(), observed: Type.String(), target: Type.String() })),
      reasons: Type.Array(
        open({ code: Type.String(), words: Type.String(), numbers: Type.Array(Type.Object({ label: Type.String(), value: Type.String() })) }),
      ),
    }),
  }),
  'GET /v1/epochs/:n/manifest': open(
    { body: open({ epoch: Type.Integer(), root: hash, payees: Type.Integer() }), signature: Type.String() },
    'the signed settlement manifest',
  ),
  'GET /v1/epochs/:n/proofs/:address': open({ epoch: Type.Integer(), root: hash, address, amount: amount('cumulative claimable'), proof: Type.Array(hash) }),
  'GET /v1/nodes': open({ nodes: Type.Array(ref('Node')), next: cursor }),
  'GET /v1/nodes/:id': open({
    id: Type.String(),
    owner: address,
    bonds: Type.Array(
      open({
        id: Type.String(),
        amount: amount(),
        effectiveEpoch: Type.Integer(),
        source: Type.String({ description: 'wallet, or chain:<vault> for a bond followed from StakingVault' }),
      }),
    ),
    unbondings: Type.Array(open({})),
    recent: Type.Array(open({ epoch: Type.Integer(), reward: amount(), statement: ref('Statement') })),
  }),
  'GET /v1/providers': open({
    epoch: Type.Union([Type.Integer(), Type.Null()]),
    sort: Type.String(),
    order: Type.String(),
    providers: Type.Array(
      open({
        id: Type.String(),
        owner: address,
        region: Type.String(),
        status: Type.String(),
        hardware: Hardware,
        reward: Type.Union([amount(), Type.Null()]),
        uptime: Type.Union([decimal('uptime'), Type.Null()]),
        reasons: Type.Array(Type.String()),
        sanctions: Type.Integer({ description: 'warnings and slashes on record' }),
      }),
    ),
    next: Type.Union([Type.Integer({ description: 'the next page: pass it as ?offset' }), Type.Null()]),
  }),
  'GET /v1/slashes': open({ slashes: Type.Array(ref('Slash')), next: cursor }),
  'GET /v1/rewards/:address': open({
    address,
    claimable: amount('cumulative: every credit to date'),
    claimed: amount('claimed from RewardDistributor, read back from its Claimed events (0 when the chain adapter does not follow it)'),
    unclaimed: amount('claimable − claimed'),
    credits: Type.Array(open({ epoch: Type.Integer(), memo: Type.String(), amount: amount() })),
    next: cursor,
  }),
  'GET /v1/params': open({ hash, effectiveEpoch: Type.Integer(), params: open({}) }),
  'GET /v1/params/history': open({ versions: Type.Array(open({ hash, effectiveEpoch: Type.Integer(), createdAt: Type.Integer() })), next: cursor }),
  'GET /v1/proposals': open({ proposals: Type.Array(open({ id: Type.String(), status: Type.String() })), next: cursor }),
  'GET /v1/reasons': Type.Record(Type.String(), Type.String(), { description: 'every reason code, in words' }),
  'GET /v1/economics/nodes/:id': open({
    epoch: Type.Integer(),
    epochSeconds: Type.Integer(),
    nodes: Type.Integer(),
    perEpoch: open({}),
    perDay: open({}),
    margin: Type.Union([decimal('net ÷ revenue'), Type.Null()]),
  }),
  'GET /v1/economics/owners/:address': open({ owner: address, epoch: Type.Integer(), nodes: Type.Integer(), perEpoch: open({}), perDay: open({}) }),
  'GET /v1/economics/nodes/:id/history': open({
    nodeId: Type.String(),
    epochSeconds: Type.Integer(),
    epochs: Type.Array(open({ epoch: Type.Integer(), nodes: Type.Integer(), perDay: open({}) })),
  }),
  'GET /v1/economics/owners/:address/history': open({
    owner: address,
    epochSeconds: Type.Integer(),
    epochs: Type.Array(open({ epoch: Type.Integer(), nodes: Type.Integer(), perDay: open({}) })),
  }),
  'POST /v1/epochs/:n/whatif': open({
    before: ref('Statement'),
    after: ref('Statement'),
    method: Type.Union([Type.Literal('incremental'), Type.Literal('recomputed')]),
  }),
  'GET /healthz': open({ ok: Type.Boolean() }),
  // the writes: what each one answers, exactly (closed objects: a field added without its documentation fails api.test)
  'POST /v1/nodes': exact({ nodeId: Type.String() }, 'the node, registered'),
  'POST /v1/heartbeats': exact({ accepted: Type.Integer({ description: 'heartbeats stored (a replay of one already stored counts 0)' }) }),
  'POST /v1/heartbeats/batch': exact({ accepted: Type.Integer({ description: 'heartbeats stored (replays of ones already stored count 0)' }) }),
  'POST /v1/receipts': exact({ jobId: Type.String(), billable: Type.Boolean({ description: 'whether it is paid for and counts for rewards (SPEC §3.3)' }) }),
  'POST /v1/refusals': exact({ jobId: Type.String() }),
  'POST /v1/attestations': exact({ epoch: Type.Integer({ description: 'the epoch the list counts for' }) }),
  'POST /v1/stakes': exact({ stakeId: Type.String(), effectiveEpoch: Type.Integer({ description: 'the stake counts from this epoch' }) }),
  'POST /v1/unbond': exact({ unbondingId: Type.String(), releaseEpoch: Type.Integer({ description: 'back in the wallet at the close of this epoch' }) }),
  'POST /v1/maintenance': exact({
    nodeId: Type.String(),
    from: Type.Integer({ description: 'unix seconds' }),
    to: Type.Integer({ description: 'unix seconds' }),
  }),
  'POST /v1/beacon/commits': exact({ epoch: Type.Integer(), commitment: Type.String() }),
  'POST /v1/beacon/reveals': exact({ epoch: Type.Integer() }),
  'POST /v1/audits/commits': exact({ jobId: Type.String() }),
  'POST /v1/audits/reveals': exact({ jobId: Type.String(), verdict: Type.String() }),
  'POST /v1/disputes': exact({ jobId: Type.String(), validators: Type.Array(Type.String(), { description: 'the three validators of the next round' }) }),
  'POST /v1/probes': exact({ probeId: Type.String(), answerBy: Type.Integer({ description: 'unix seconds' }) }),
  'POST /v1/probes/answers': exact({ probeId: Type.String() }),
  'POST /v1/proposals': exact({ proposalId: Type.String(), votingEndsAfterEpoch: Type.Integer() }),
  'POST /v1/votes': exact({ proposalId: Type.String(), option: Type.String() }),
  'POST /v1/operator/grants': exact({ posted: Type.Boolean({ description: 'false: a grant with this memo was already posted (nothing more was)' }) }),
  'POST /v1/operator/attestors': exact({ ok: Type.Literal(true) }),
  'POST /v1/epochs/close': exact({ closed: Type.Array(Type.Integer(), { description: 'the epochs this call closed' }) }),
};

/** The schema of a documented operation's success body (the tests validate answers with it). */
export function successSchema(method: string, url: string): TSchema | undefined {
  return SUCCESS[`${method} ${url}`];
}

const q = (description: string) => Type.Optional(Type.String({ description }));
const limit = q('rows per page (at most 500)');
const after = q("the cursor of the next page (the last page's `next`)");
/** The query parameters of the reads that take some and do not declare them themselves (each is read from the query as a string). */
const QUERIES: Record<string, Record<string, TSchema>> = {
  'GET /v1/epochs': { limit, before: q('epochs before this one (the last page’s `next`)') },
  'GET /v1/epochs/:n/statements': { limit, after: q('statements after this node id') },
  'GET /v1/nodes': { limit, after: q('nodes after this id'), owner: q('only the nodes of this payout address') },
  'GET /v1/slashes': { limit, after, node: q('only this node’s') },
  'GET /v1/rewards/:address': { limit, after },
  'GET /v1/params/history': { limit, after },
  'GET /v1/proposals': { limit, after },
  'GET /v1/audits': { limit, after, validator: q('only this validator’s assignments') },
  'GET /v1/onboarding': { node: q('only this node’s checks'), pendingAfter: q('the next page of nodes awaiting a check') },
  'GET /v1/probes': { node: q('only the probes of this node') },
};

const ERRORS = [400, 401, 403, 404, 409, 413, 429] as const;

/**
 * Gives every operation of the API (not the dashboard's files, `/metrics` or `/openapi.json`) a
 * documented response: its success body (`SUCCESS`, or for writes and the reads not described
 * there, an object that says what it is), and `Error` for each refusal.
 */
export function documentResponses(app: FastifyInstance): void {
  for (const c of COMPONENTS) app.addSchema(c);
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.schema?.hide || (!route.url.startsWith('/v1/') && route.url !== '/healthz')) return;
    const method = methods[0] as string;
    const success = SUCCESS[`${method} ${route.url}`] ?? (method === 'POST' ? Ack : open({}, 'see the summary'));
    const code = method === 'POST' && route.url !== '/v1/epochs/:n/whatif' ? '2xx' : '200';
    const query = QUERIES[`${method} ${route.url}`];
    route.schema = {
      ...route.schema,
      ...(query && !route.schema?.querystring ? { querystring: Type.Object(query) } : {}),
      response: { [code]: success, ...Object.fromEntries(ERRORS.map((s) => [s, ref('Error')])) },
    };
  });
}
