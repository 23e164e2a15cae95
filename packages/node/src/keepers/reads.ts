import { ADDRESS_PATTERN, NODE_STATUSES } from '@swarm/core';
import { type Context, epochOf, epochStart, paramsAt } from '../service/context.ts';
import { badRequest, notFound } from '../service/errors.ts';
import { readInputPieces } from './input-store.ts';
import { decodeCursor, type PageQuery, pageLimit, pageOf } from './page.ts';

/** Read models: plain queries over the store, shaped for the API and the dashboard. */

export async function status(ctx: Context) {
  const s = ctx.settings;
  const now = ctx.clock.now();
  const current = epochOf(s, now);
  const r = (
    await ctx.db.query<{ next_epoch: string; nodes: string; receipts: string }>(
      // the counts kept by the store's triggers (network_counts): a row or two, not a count of every node and receipt
      `SELECT (SELECT next_epoch FROM epoch_cursor WHERE id = 1)::text AS next_epoch,
              (SELECT SUM(nodes) FROM network_counts WHERE kind = 'nodes')::text AS nodes,
              (SELECT SUM(nodes) FROM network_counts WHERE kind = 'receipts')::text AS receipts`,
    )
  )[0];
  const next = Number(r?.next_epoch ?? 0);
  return {
    now,
    genesis: s.genesis,
    epochSeconds: s.epochSeconds,
    slotSeconds: s.slotSeconds,
    graceSeconds: s.graceSeconds,
    currentEpoch: current,
    currentEpochEndsAt: epochStart(s, current + 1),
    nextEpochToClose: next,
    nextCloseAt: epochStart(s, next + 1) + s.graceSeconds,
    lastClosedEpoch: next - 1,
    nodes: Number(r?.nodes ?? 0),
    receipts: Number(r?.receipts ?? 0),
    store: ctx.db.kind,
  };
}

export async function listEpochs(ctx: Context, limit: number, before?: number) {
  const rows = await ctx.db.query<{ epoch: string; summary: string; closed_at: string; duration_ms: number }>(
    `SELECT epoch::text AS epoch, summary, closed_at::text AS closed_at, duration_ms FROM epochs
      WHERE ($1::bigint IS NULL OR epochs.epoch < $1) ORDER BY epochs.epoch DESC LIMIT $2`,
    [before ?? null, pageLimit({ limit }) + 1],
  );
  const page = pageOf(rows, pageLimit({ limit }), (r) => [Number(r.epoch)]);
  return {
    epochs: page.rows.map((r) => ({ ...JSON.parse(r.summary), closedAt: Number(r.closed_at), durationMs: r.duration_ms })),
    // the next page is ?before=<the last epoch of this one>
    next: page.next === null ? null : Number(page.rows[page.rows.length - 1]?.epoch),
  };
}

/** `{ summary, closedAt, result }` of a closed epoch as JSON text, the stored result spliced in as stored (without it: `withResult` false). */
export async function getEpochJson(ctx: Context, n: number, withResult: boolean): Promise<string> {
  const r = (
    await ctx.db.query<{ result: string | null; summary: string; closed_at: string }>(
      `SELECT ${withResult ? 'result' : 'NULL AS result'}, summary, closed_at::text AS closed_at FROM epochs WHERE epoch = $1`,
      [n],
    )
  )[0];
  if (!r) throw notFound('UNKNOWN_EPOCH', `epoch ${n} is not closed`, 'n');
  return `{"summary":${r.summary},"closedAt":${Number(r.closed_at)}${r.result === null ? '' : `,"result":${r.result}`}}`;
}

/** The stored epoch input, in pieces to stream: canonical JSON whose SHA-256 is the summary's inputHash. */
export async function getEpochInput(ctx: Context, n: number): Promise<string[]> {
  return readInputPieces(ctx.db, n);
}

export async function listStatements(ctx: Context, n: number, limit: number, after?: string) {
  const rows = await ctx.db.query<{ node_id: string; statement: string }>(
    'SELECT node_id, statement FROM statements WHERE epoch = $1 AND ($2::text IS NULL OR node_id > $2) ORDER BY node_id LIMIT $3',
    [n, after ?? null, Math.min(limit, 500)],
  );
  return { statements: rows.map((r) => JSON.parse(r.statement)), next: rows.length === Math.min(limit, 500) ? rows[rows.length - 1]?.node_id : null };
}

export async function getStatement(ctx: Context, n: number, nodeId: string) {
  const r = (await ctx.db.query<{ statement: string }>('SELECT statement FROM statements WHERE epoch = $1 AND node_id = $2', [n, nodeId]))[0];
  if (!r) throw notFound('UNKNOWN_STATEMENT', `no statement for ${nodeId} in epoch ${n}`, 'nodeId');
  return JSON.parse(r.statement);
}

type NodeRow = {
  id: string;
  node_key: string;
  owner: string;
  region: string;
  sla_class: string;
  provider_class: string;
  hardware: string;
  status: string;
  registered_at: string;
  commitment_days: number;
  probation_stage: number;
  onboarded: boolean;
};
/**
 * The node columns, onboarded now as the next close will judge it: the latest validator check that
 * has not expired (made after `checkedAfter`, `audits.recheckDays` ago), or the network's default
 * without one (SPEC §3.1).
 */
const nodeColumns = (checkedAfter: number) => {
  if (!Number.isSafeInteger(checkedAfter)) throw new Error('checkedAfter must be a safe integer');
  return `id, node_key, owner, region, sla_class, provider_class, hardware, status, registered_at::text AS registered_at, commitment_days, probation_stage,
  COALESCE((SELECT c.passed FROM onboarding_checks c WHERE c.node_id = nodes.id AND c.at > ${checkedAfter} ORDER BY c.epoch DESC, c.at DESC, c.validator_key DESC LIMIT 1), nodes.onboarded) AS onboarded`;
};

/** Checks made before this time no longer count (SPEC §3.1's periodic re-checks): now less `audits.recheckDays` under the current parameters. */
export async function checkedAfter(ctx: Context): Promise<number> {
  const now = ctx.clock.now();
  const { params } = await paramsAt(ctx.db, Math.max(0, epochOf(ctx.settings, now)));
  return now - params.audits.recheckDays * 86_400;
}

function nodeView(r: NodeRow) {
  return {
    id: r.id,
    nodeKey: r.node_key,
    owner: r.owner,
    region: r.region,
    slaClass: r.sla_class,
    providerClass: r.provider_class,
    hardware: JSON.parse(r.hardware),
    status: r.status,
    onboarded: r.onboarded,
    registeredAt: Number(r.registered_at),
    commitmentDays: r.commitment_days,
    probationStage: r.probation_stage,
  };
}

export async function listNodes(ctx: Context, limit: number, after?: string, owner?: string) {
  const rows = await ctx.db.query<NodeRow>(
    `SELECT ${nodeColumns(await checkedAfter(ctx))} FROM nodes WHERE ($1::text IS NULL OR id > $1) AND ($3::text IS NULL OR owner = $3) ORDER BY id LIMIT $2`,
    [after ?? null, Math.min(limit, 500), owner?.toLowerCase() ?? null],
  );
  return { nodes: rows.map(nodeView), next: rows.length === Math.min(limit, 500) ? rows[rows.length - 1]?.id : null };
}

export async function getNode(ctx: Context, id: string) {
  const r = (await ctx.db.query<NodeRow>(`SELECT ${nodeColumns(await checkedAfter(ctx))} FROM nodes WHERE id = $1`, [id]))[0];
  if (!r) throw notFound('UNKNOWN_NODE', `no node ${JSON.stringify(id)}`, 'id');
  const history = await ctx.db.query<{ epoch: string; reward: string; statement: string }>(
    'SELECT epoch::text AS epoch, reward::text AS reward, statement FROM statements WHERE node_id = $1 ORDER BY statements.epoch DESC LIMIT 30',
    [id],
  );
  const bonds = await ctx.db.query<{ id: string; amount: string; effective_epoch: string; source: string | null }>(
    "SELECT id, amount::text AS amount, effective_epoch::text AS effective_epoch, source FROM stakes WHERE node_id = $1 AND kind = 'bond' ORDER BY id",
    [id],
  );
  const unbondings = await ctx.db.query<{ id: string; amount: string; release_epoch: string; released: boolean }>(
    `SELECT u.id, u.amount::text AS amount, u.release_epoch::text AS release_epoch, u.released FROM unbondings u JOIN stakes s ON s.id = u.stake_id
      WHERE s.node_id = $1 ORDER BY u.id`,
    [id],
  );
  return {
    ...nodeView(r),
    bonds: bonds.map((b) => ({ id: b.id, amount: b.amount, effectiveEpoch: Number(b.effective_epoch), source: b.source ?? 'wallet' })),
    unbondings: unbondings.map((u) => ({ id: u.id, amount: u.amount, releaseEpoch: Number(u.release_epoch), released: u.released })),
    recent: history.map((h) => ({ epoch: Number(h.epoch), reward: h.reward, statement: JSON.parse(h.statement) })),
  };
}

export async function getBalance(ctx: Context, account: string) {
  const r = (await ctx.db.query<{ balance: string }>('SELECT balance::text AS balance FROM accounts WHERE id = $1', [account]))[0];
  return { account, balance: r?.balance ?? '0' };
}

/** A payout address's claimable balance and what each epoch added to it. */
export async function getRewards(ctx: Context, address: string, q: PageQuery = {}) {
  if (!new RegExp(ADDRESS_PATTERN).test(address)) throw badRequest('INVALID_FORMAT', 'an address is 0x and 40 lower-case hex digits', 'address');
  const limit = pageLimit(q);
  const after = decodeCursor(q.after, 'ns');
  const account = `claimable:${address}`;
  const bal = await getBalance(ctx, account);
  const rows = await ctx.db.query<{ epoch: string; memo: string; amount: string }>(
    `SELECT epoch::text AS epoch, memo, SUM(amount)::text AS amount FROM postings
      WHERE to_account = $1 AND ($2::bigint IS NULL OR epoch < $2 OR (epoch = $2 AND memo > $3))
      GROUP BY postings.epoch, memo ORDER BY postings.epoch DESC, memo LIMIT $4`,
    [account, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  const page = pageOf(rows, limit, (r) => [Number(r.epoch), r.memo]);
  // what the address has claimed from RewardDistributor, read back from its Claimed events (chain/follower.ts)
  const claimed =
    (await ctx.db.query<{ claimed: string }>('SELECT claimed::text AS claimed FROM chain_claims WHERE account = $1', [address]))[0]?.claimed ?? '0';
  return {
    address,
    claimable: bal.balance,
    claimed,
    unclaimed: (BigInt(bal.balance) - BigInt(claimed)).toString(),
    credits: page.rows.map((r) => ({ epoch: Number(r.epoch), memo: r.memo, amount: r.amount })),
    next: page.next,
  };
}

export async function currentParams(ctx: Context) {
  const r = (
    await ctx.db.query<{ hash: string; params: string; effective_epoch: string }>(
      'SELECT hash, params, effective_epoch::text AS effective_epoch FROM params_versions ORDER BY params_versions.effective_epoch DESC, params_versions.created_at DESC LIMIT 1',
    )
  )[0];
  if (!r) throw notFound('NO_PARAMS', 'no parameter set');
  return { hash: r.hash, effectiveEpoch: Number(r.effective_epoch), params: JSON.parse(r.params) };
}

export async function paramsHistory(ctx: Context, q: PageQuery = {}) {
  const limit = pageLimit(q);
  const after = decodeCursor(q.after, 'nns');
  const rows = await ctx.db.query<{ hash: string; effective_epoch: string; created_at: string }>(
    `SELECT hash, effective_epoch::text AS effective_epoch, created_at::text AS created_at FROM params_versions
      WHERE $1::bigint IS NULL OR (effective_epoch, created_at, hash) > ($1::bigint, $2::bigint, $3::text)
      ORDER BY params_versions.effective_epoch, params_versions.created_at, hash LIMIT $4`,
    [after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, limit + 1],
  );
  const page = pageOf(rows, limit, (r) => [Number(r.effective_epoch), Number(r.created_at), r.hash]);
  return { versions: page.rows.map((r) => ({ hash: r.hash, effectiveEpoch: Number(r.effective_epoch), createdAt: Number(r.created_at) })), next: page.next };
}

/**
 * The network at a glance: GPUs by model, nodes by region (the counts the store's triggers keep as
 * nodes register, `network_counts`), the stake ratio of the last closed epoch (its summary).
 */
export async function network(ctx: Context) {
  const counts = await ctx.db.query<{ kind: string; key: string; nodes: string; gpus: string }>(
    `SELECT kind, key, SUM(nodes)::text AS nodes, SUM(gpus)::text AS gpus FROM network_counts WHERE kind IN ('model', 'region') GROUP BY kind, key`,
  );
  const models = counts.filter((c) => c.kind === 'model').sort((a, b) => Number(b.gpus) - Number(a.gpus) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const regions = counts.filter((c) => c.kind === 'region').sort((a, b) => Number(b.nodes) - Number(a.nodes) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const last = (await ctx.db.query<{ summary: string }>('SELECT summary FROM epochs ORDER BY epochs.epoch DESC LIMIT 1'))[0];
  return {
    gpus: models.reduce((a, m) => a + Number(m.gpus), 0),
    models: models.map((m) => ({ model: m.key, gpus: Number(m.gpus), nodes: Number(m.nodes) })),
    regions: regions.map((r) => ({ region: r.key, nodes: Number(r.nodes) })),
    stakeRatio: last ? (JSON.parse(last.summary) as { stakeRatio: string }).stakeRatio : null,
  };
}

/** What the providers table may sort by, and the column each sorts on (nulls — no statement in the epoch — last either way). */
const PROVIDER_SORTS = { id: 'n.id', reward: 's.reward', uptime: 's.uptime', sanctions: 'sanctions' } as const;
export type ProviderQuery = {
  epoch?: string | undefined;
  sort?: string | undefined;
  order?: string | undefined;
  status?: string | undefined;
  region?: string | undefined;
  owner?: string | undefined;
  model?: string | undefined;
  sanctioned?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
};

/**
 * The providers table (issue 22): every node with its earnings and uptime in a closed epoch (the
 * last by default) and its sanctions on record (warnings and slashes), sorted by any of them and
 * filtered by status, region, owner, GPU model or sanctions — on the server, a page at a time
 * (`limit` ≤ 500 from `offset` ≤ 100,000). By earnings or uptime a page walks the statements'
 * indexes (epoch, reward|uptime, node); by id, the nodes' key; by sanctions it counts every node's
 * (the bench's `read providers` rows time the first two at scale).
 */
export async function listProviders(ctx: Context, q: ProviderQuery) {
  const sort = q.sort ?? 'reward';
  if (!Object.hasOwn(PROVIDER_SORTS, sort)) throw badRequest('INVALID_FORMAT', `sort is one of ${Object.keys(PROVIDER_SORTS).join(', ')}`, 'query.sort');
  const order = q.order ?? (sort === 'id' ? 'asc' : 'desc');
  if (order !== 'asc' && order !== 'desc') throw badRequest('INVALID_FORMAT', 'order is asc or desc', 'query.order');
  if (q.status !== undefined && !(NODE_STATUSES as readonly string[]).includes(q.status))
    throw badRequest('INVALID_FORMAT', `status is one of ${NODE_STATUSES.join(', ')}`, 'query.status');
  if (q.sanctioned !== undefined && q.sanctioned !== 'true' && q.sanctioned !== 'false')
    throw badRequest('INVALID_FORMAT', 'sanctioned is true or false', 'query.sanctioned');
  if (q.epoch !== undefined && !/^\d{1,15}$/.test(q.epoch)) throw badRequest('INVALID_FORMAT', 'epoch is a closed epoch number', 'query.epoch');
  const offset = q.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > 100_000)
    throw badRequest('OUT_OF_RANGE', 'offset is 0 to 100,000 (filter to go further)', 'query.offset');
  const limit = Math.max(1, Math.min(q.limit ?? 50, 500));
  const last = (await ctx.db.query<{ epoch: string }>('SELECT MAX(epoch)::text AS epoch FROM epochs'))[0]?.epoch ?? null;
  const epoch = q.epoch ?? last;
  const dir = order === 'asc' ? 'ASC' : 'DESC';
  type Row = NodeRow & { reward: string | null; uptime: string | null; reasons: unknown; sanctions: number };
  const filters = `($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR region = $3) AND ($4::text IS NULL OR owner = $4)
                AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM json_array_elements(hardware::json->'gpus') g WHERE g->>'model' = $5 AND (g->>'count')::int > 0))
                AND ($6::boolean IS NULL OR EXISTS (SELECT 1 FROM slashes x WHERE x.node_id = nodes.id) = $6)`;
  const filtered = `(SELECT ${nodeColumns(await checkedAfter(ctx))} FROM nodes WHERE ${filters}) n`;
  const columns = `n.*, s.reward::text AS reward, s.uptime::text AS uptime, s.statement::json->'reasons' AS reasons,
            (SELECT COUNT(*)::int FROM slashes x WHERE x.node_id = n.id) AS sanctions`;
  const args = [
    epoch,
    q.status ?? null,
    q.region ?? null,
    q.owner?.toLowerCase() ?? null,
    q.model ?? null,
    q.sanctioned === undefined ? null : q.sanctioned === 'true',
  ];
  let rows: Row[];
  if (sort === 'reward' || sort === 'uptime') {
    // the statements' index (epoch, reward|uptime, node) in order, each joined to its node: the first
    // pages read a page of statements, not every node (a statement's reward and uptime are never
    // null, so the nulls' place is the index's); nodes without a statement in the epoch come after
    const nulls = dir === 'DESC' ? 'NULLS FIRST' : 'NULLS LAST';
    rows = await ctx.db.query<Row>(
      `SELECT ${columns} FROM statements s JOIN ${filtered} ON n.id = s.node_id
        WHERE s.epoch = $1::bigint ORDER BY s.${sort} ${dir} ${nulls}, s.node_id ${dir} LIMIT $7 OFFSET $8`,
      [...args, limit, offset],
    );
    if (rows.length < limit) {
      const withStatement =
        (
          await ctx.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM statements s JOIN ${filtered} ON n.id = s.node_id WHERE s.epoch = $1::bigint`, args)
        )[0]?.n ?? 0;
      const rest = await ctx.db.query<Row>(
        `SELECT ${columns} FROM ${filtered} LEFT JOIN statements s ON s.epoch = $1::bigint AND s.node_id = n.id
          WHERE s.node_id IS NULL ORDER BY n.id ${dir} LIMIT $7 OFFSET $8`,
        [...args, limit - rows.length, Math.max(0, offset - withStatement)],
      );
      rows = [...rows, ...rest];
    }
  } else {
    rows = await ctx.db.query<Row>(
      `SELECT ${columns} FROM ${filtered} LEFT JOIN statements s ON s.epoch = $1::bigint AND s.node_id = n.id
        ORDER BY ${PROVIDER_SORTS[sort as keyof typeof PROVIDER_SORTS]} ${dir} NULLS LAST, n.id ${dir} LIMIT $7 OFFSET $8`,
      [...args, limit, offset],
    );
  }
  return {
    epoch: epoch === null ? null : Number(epoch),
    sort,
    order,
    providers: rows.map((r) => ({
      ...nodeView(r),
      reward: r.reward,
      uptime: r.uptime === null ? null : formatWadText(r.uptime),
      reasons: (typeof r.reasons === 'string' ? JSON.parse(r.reasons) : r.reasons) ?? [],
      sanctions: r.sanctions,
    })),
    next: rows.length === limit && offset + limit <= 100_000 ? offset + limit : null,
  };
}

/** A stored fraction (numeric text such as `0.9693` or `1`) as the statement writes it. */
function formatWadText(x: string): string {
  return x.includes('.') ? x.replace(/0+$/, '').replace(/\.$/, '') : x;
}
