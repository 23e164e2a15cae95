import {
  computeFeeSplit,
  computeTotalsOf,
  computeUserDiscount,
  contentHash,
  type EpochResult,
  FORFEITING_VIOLATIONS,
  type NodeVesting,
  type Params,
  processEpoch,
  ROLES,
  type Role,
  serializeEpochInput,
  serializeNodeStatement,
  serializeResult,
} from '@swarm/core';
import { FEE_CLEARING, type Posting, post } from '../ledger/ledger.ts';
import { type Context, epochStart, paramsAt } from '../service/context.ts';
import { conflict } from '../service/errors.ts';
import type { Sql } from '../store/db.ts';
import { forfeitCommitmentExtras, forfeitStakeLockExtras } from './commitment.ts';
import { buildEpochInput, recordConsumerOwners } from './epoch-input.ts';
import { tallyProposals } from './governance.ts';
import { storeInputParts } from './input-store.ts';
import { settleEpoch } from './settlement.ts';
import { judgeEpoch, releaseEscrow, writeJudgement } from './slashing.ts';
import { stakeInEffect } from './stake-sql.ts';

const CLOSE_LOCK = 0x434c4f53; // 'CLOS'

export type CloseReturnType = { epoch: number; closed: boolean; summary: EpochSummary };
export type EpochSummary = {
  epoch: number;
  paramsHash: string;
  inputHash: string;
  epochPool: string;
  treasury: string;
  nextBaseEmission: string;
  dynamicFactor: string;
  /** The growth factor of the dynamic factor: 1.25 while governance declares an expansion phase, else 1. */
  growth: string;
  networkUtilisation: string;
  pools: Record<Role, { allocated: string; paid: string; toTreasury: string }>;
  nodes: number;
  earning: number;
  payees: number;
  fees: string;
  burned: string;
  /** Protocol fee forgone to consumers' user-stake discounts. */
  feeDiscounts: string;
  reasonCounts: Record<string, number>;
  /** Staked ÷ supply at the start of the epoch, and the two amounts (base units). */
  stakeRatio: string;
  supply: string;
  staked: string;
  /** Slashes and warnings this close imposed, the tokens put in escrow, and the audits it judged. */
  slashes: number;
  warnings: number;
  slashed: string;
  audits: number;
  /** Slashes that left escrow at this close, and the part of them paid to affected consumers. */
  released: string;
  compensated: string;
  /** Commitment extras taken back from bonds that left their lock early (SPEC §4.4), to the treasury. */
  forfeited: string;
  /** What every node's compute reward was taken against (core `computeTotalsOf`): a statement is explained from it. Absent from epochs closed before it. */
  compute?: { computePool: string; usagePool: string; feeTotal: string; scoreTotal: string };
  /** GPU-seconds delivered and provisioned per hardware class (the owners' usage summed): utilisation by class. Absent from epochs closed before it. */
  classes?: { hardwareClass: string; delivered: string; provisioned: string }[];
};

/** A hook the crash tests use to stop the process at a chosen point inside a close. */
export type CloseHooks = { at?: (point: 'input-built' | 'computed' | 'postings-written' | 'before-commit') => void | Promise<void> };

/**
 * Closes epoch `n`, exactly once (SPEC §2): in ONE transaction, under an advisory lock, it builds
 * the epoch input from the store, runs `processEpoch`, and writes the postings (mint into the role
 * pools, pools to claimable balances and the treasury, consumers' fees), the statements, the
 * result, the stored input and the advanced cursor. A repeated or concurrent call finds the
 * epoch closed and returns the stored summary; a crash before commit leaves nothing behind, and
 * the retry rebuilds the identical input and so the identical result.
 */
export async function closeEpoch(ctx: Context, n: number, hooks: CloseHooks = {}): Promise<CloseReturnType> {
  const end = epochStart(ctx.settings, n + 1);
  if (ctx.clock.now() < end + ctx.settings.graceSeconds) {
    throw conflict('EPOCH_NOT_ENDED', `epoch ${n} can close at ${end + ctx.settings.graceSeconds} (its end plus the grace), not before`, 'epoch');
  }
  const t0 = performance.now();
  const out = await ctx.db.tx(async (sql) => {
    await sql.query('SELECT pg_advisory_xact_lock($1)', [CLOSE_LOCK]);
    const next = Number(
      (await sql.query<{ next_epoch: string }>('SELECT next_epoch::text AS next_epoch FROM epoch_cursor WHERE id = 1 FOR UPDATE'))[0]?.next_epoch ?? 0,
    );
    if (n < next) return { epoch: n, closed: false, summary: await storedSummary(sql, n) };
    if (n > next) throw conflict('EPOCH_OUT_OF_ORDER', `epoch ${next} must close before epoch ${n}`, 'epoch');
    await closeSettings(ctx, sql);
    // the planner's statistics for the tables the close reads: PGlite runs no autovacuum, so without
    // this a store filled since its creation was planned as if empty (nested loops over every
    // receipt and node: seconds at 10k nodes). ANALYZE samples a bounded number of rows per table.
    await sql.query('ANALYZE nodes, node_slots, receipts, refusals, stakes, unbondings, vesting_tranches, consumer_owners');
    const { params, hash } = await paramsAt(sql, n);
    const input = await buildEpochInput(sql, ctx.settings, n, params);
    // penalties first: a node suspended, jailed or excluded by this epoch's violations earns nothing for it
    const judgement = await judgeEpoch(sql, ctx.settings, n, input, params);
    // a failed verification or an equivocation judged now forfeits everything unvested (SPEC §6.1)
    const forfeiting = new Set(judgement.slashes.filter((x) => FORFEITING_VIOLATIONS.includes(x.penalty.kind)).map((x) => x.nodeId));
    input.nodes = input.nodes.map((x) => (x.vesting && forfeiting.has(x.id) ? { ...x, vesting: { ...x.vesting, forfeit: true } } : x));
    const inputJson = serializeEpochInput(input);
    const inputHash = contentHash(inputJson);
    await hooks.at?.('input-built');
    const result = processEpoch(input, params, { checked: false });
    await hooks.at?.('computed');
    const fees = await feePostings(sql, n, params);
    // the paying consumers' reservations are released (their rows locked) before the first posting
    // takes the ledger head: every transaction that spends from a wallet takes the wallet's row first
    // and the head second (wallet.ts), so the close and a concurrent stake can never deadlock
    await sql.query(
      'UPDATE consumers SET reserved = consumers.reserved - v.amount FROM unnest($1::text[], $2::numeric[]) AS v(key, amount) WHERE consumers.key = v.key',
      [fees.consumers.map((c) => c[0]), fees.consumers.map((c) => c[1].toString())],
    );
    await post(sql, [...rewardPostings(result, n), ...fees.postings]);
    // slashes before releases: an unbonding due now is still slashable for an earlier fault; the
    // forfeited unvested rewards go into escrow with the slash that forfeited them
    await writeJudgement(sql, ctx.settings, n, judgement, params, forfeitedOf(result));
    await writeTranches(sql, n, result, params.vesting.epochs);
    const forfeited = (await forfeitCommitmentExtras(sql, n)) + (await forfeitStakeLockExtras(sql, n));
    await post(sql, await releasePostings(sql, n));
    await sql.query('UPDATE unbondings SET released = true WHERE release_epoch <= $1 AND NOT released', [n]);
    await hooks.at?.('postings-written');
    await writeStatements(sql, n, result);
    // the owners each consumer key paid this epoch: the independent keys of the epochs after it (SPEC §4.4)
    await recordConsumerOwners(sql);
    // this epoch's usage per owner and hardware class: the scarcity window of the epochs after it (SPEC §4.4)
    const usage = result.ownerClassUsage;
    await sql.query(
      `INSERT INTO owner_class_usage (epoch, owner, hardware_class, delivered, provisioned)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[])`,
      [n, usage.map((u) => u.owner), usage.map((u) => u.hardwareClass), usage.map((u) => u.delivered), usage.map((u) => u.provisioned)],
    );
    await settleEpoch(sql, ctx.operatorAccount, n, result, hash, inputHash);
    await tallyProposals(sql, n, params, input.supply.staked, ctx.clock.now());
    // after the tally, so an appeal passed in this close is applied before its slash could be released
    const escrow = await releaseEscrow(sql, n, params);
    const wire = serializeResult(result, { nodes: false });
    const emission = wire.emission as { dynamicFactor: string; networkUtilisation: string; growth: string };
    const summary: EpochSummary = {
      epoch: n,
      paramsHash: hash,
      inputHash,
      epochPool: result.emission.epochPool.toString(),
      treasury: result.treasury.toString(),
      nextBaseEmission: result.emission.nextBaseEmission.toString(),
      dynamicFactor: emission.dynamicFactor,
      growth: emission.growth,
      networkUtilisation: emission.networkUtilisation,
      pools: Object.fromEntries(
        ROLES.map((r) => [
          r,
          { allocated: result.pools[r].allocated.toString(), paid: result.pools[r].paid.toString(), toTreasury: result.pools[r].toTreasury.toString() },
        ]),
      ) as EpochSummary['pools'],
      nodes: result.nodeIds.length,
      earning: result.nodeRewards.filter((x) => x > 0n).length,
      payees: result.payouts.length,
      fees: fees.total.toString(),
      burned: fees.burned.toString(),
      feeDiscounts: fees.discounts.toString(),
      reasonCounts: result.reasonCounts,
      stakeRatio: wire.stakeRatio as string,
      supply: input.supply.total.toString(),
      staked: input.supply.staked.toString(),
      slashes: judgement.slashes.filter((x) => x.penalty.amount > 0n).length,
      warnings: judgement.slashes.filter((x) => x.penalty.amount === 0n).length,
      slashed: judgement.slashes.reduce((a, x) => a + x.penalty.amount, 0n).toString(),
      audits: judgement.audits.length,
      released: escrow.released.toString(),
      compensated: escrow.compensated.toString(),
      forfeited: forfeited.toString(),
      compute: Object.fromEntries(Object.entries(computeTotalsOf(result)).map(([k, v]) => [k, v.toString()])) as NonNullable<EpochSummary['compute']>,
      classes: usageByClass(usage),
    };
    await sql.query(
      'INSERT INTO epochs (epoch, params_hash, input_hash, input, result, summary, closed_at, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        n,
        hash,
        inputHash,
        await storeInputParts(sql, n, inputJson),
        JSON.stringify(wire),
        JSON.stringify(summary),
        ctx.clock.now(),
        Math.round(performance.now() - t0),
      ],
    );
    await sql.query('UPDATE epoch_cursor SET next_epoch = $1 WHERE id = 1', [n + 1]);
    await hooks.at?.('before-commit');
    return { epoch: n, closed: true, summary };
  });
  if (out.closed) {
    ctx.metrics.closeDuration.observe((performance.now() - t0) / 1000);
    ctx.metrics.lastClosed.set(n);
  }
  return out;
}

/**
 * The close's own transaction settings (`SET LOCAL`: gone at its commit or rollback). It sorts and
 * sums every receipt of the epoch (millions at 100k nodes): with PostgreSQL's default 4 MB of
 * `work_mem` those sorts spill to disk, so each may hold `CLOSE_WORK_MEM` (a few sorts and hashes
 * at a time: see docs/deployment.md). A PostgreSQL server also compiles the largest queries with
 * JIT, ~0.7 s each at 20k nodes, more than it saves on them: off (PGlite has none).
 */
async function closeSettings(ctx: Context, sql: Sql): Promise<void> {
  await sql.query(`SET LOCAL work_mem = '${CLOSE_WORK_MEM[ctx.db.kind]}'`);
  if (ctx.db.kind === 'postgres') await sql.query('SET LOCAL jit = off');
}

/**
 * What one sort or hash of the close may hold in memory before spilling to disk. PGlite's memory is
 * the service process's own and never shrinks: less there (the 20k close 32.7 → 29.4 s with 64 MB,
 * peak RSS 869 → 961 MiB).
 */
export const CLOSE_WORK_MEM = { postgres: '256MB', pglite: '64MB' } as const;

/** Closes every epoch whose time has come, in order. Returns those this call closed. */
export async function closeDueEpochs(ctx: Context, hooks: CloseHooks = {}, onClosed?: (r: CloseReturnType) => void): Promise<number[]> {
  const closed: number[] = [];
  for (;;) {
    const next = Number(
      (await ctx.db.query<{ next_epoch: string }>('SELECT next_epoch::text AS next_epoch FROM epoch_cursor WHERE id = 1'))[0]?.next_epoch ?? 0,
    );
    if (ctx.clock.now() < epochStart(ctx.settings, next + 1) + ctx.settings.graceSeconds) return closed;
    const r = await closeEpoch(ctx, next, hooks);
    if (r.closed) {
      closed.push(next);
      onClosed?.(r);
    }
  }
}

async function storedSummary(sql: Sql, n: number): Promise<EpochSummary> {
  const r = (await sql.query<{ summary: string }>('SELECT summary FROM epochs WHERE epoch = $1', [n]))[0];
  return JSON.parse((r as { summary: string }).summary) as EpochSummary;
}

/** Mint into each role pool, then from the pools to every payee's claimable balance and the treasury. */
export function rewardPostings(r: EpochResult, n: number): Posting[] {
  const out: Posting[] = [];
  const perRole = new Map<Role, Map<string, bigint>>(ROLES.map((role) => [role, new Map()]));
  const add = (role: Role, address: string, x: bigint) => {
    if (x === 0n) return;
    const m = perRole.get(role) as Map<string, bigint>;
    m.set(address, (m.get(address) ?? 0n) + x);
  };
  const vesting: Posting[] = [];
  for (let i = 0; i < r.nodeIds.length; i++) {
    const v = r.vesting.nodes[i] as NodeVesting;
    const id = r.nodeIds[i] as string;
    const owner = r.nodeOwner(i);
    // what vested from earlier locks becomes claimable (SPEC §6.1)
    if (v.vested > 0n)
      vesting.push({ id: `epoch:${n}:vested:${id}`, epoch: n, from: `unvested:${id}`, to: `claimable:${owner}`, amount: v.vested, memo: `epoch ${n} vested` });
    if (r.nodeRewards[i] === 0n && r.bondRewards[i] === 0n) continue;
    const reward = r.nodeRewards[i] as bigint;
    const bond = r.bondRewards[i] as bigint;
    add('compute', owner, reward - v.locked);
    add('stakers', owner, bond);
    if (v.locked > 0n)
      vesting.push({
        id: `epoch:${n}:locked:${id}`,
        epoch: n,
        from: 'pool:compute',
        to: `unvested:${id}`,
        amount: v.locked,
        memo: `epoch ${n} compute reward, locked to vest`,
      });
  }
  for (const s of r.stakes) add('stakers', s.payout, s.reward);
  for (const v of r.validators) add('validators', v.payout, v.reward);
  for (const a of r.attested) add(a.role, a.payout, a.reward);
  for (const x of r.referrals) add('community', x.referrer, x.paid);
  for (const role of ROLES) {
    const p = r.pools[role];
    if (p.allocated === 0n) continue;
    out.push({ id: `epoch:${n}:mint:${role}`, epoch: n, from: 'mint', to: `pool:${role}`, amount: p.allocated, memo: `epoch ${n} emission, ${role} pool` });
    for (const [address, amount] of [...(perRole.get(role) as Map<string, bigint>)].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      out.push({ id: `epoch:${n}:${role}:${address}`, epoch: n, from: `pool:${role}`, to: `claimable:${address}`, amount, memo: `epoch ${n} ${role} reward` });
    }
    // a loop, not push(...spread): a million locks do not fit in one call's arguments
    if (role === 'compute') for (const x of vesting) if (x.from === 'pool:compute') out.push(x);
    if (p.toTreasury > 0n)
      out.push({
        id: `epoch:${n}:${role}:treasury`,
        epoch: n,
        from: `pool:${role}`,
        to: 'treasury',
        amount: p.toTreasury,
        memo: `epoch ${n} ${role} pool had no eligible participant`,
      });
  }
  // a pool with nothing allocated locks nothing; releases come from the nodes' own unvested accounts
  for (const x of vesting) if (x.from !== 'pool:compute') out.push(x);
  return out;
}

/** Each node's rewards forfeited in this epoch. */
function forfeitedOf(r: EpochResult): Map<string, bigint> {
  const out = new Map<string, bigint>();
  r.vesting.nodes.forEach((v, i) => {
    if (v.forfeited > 0n) out.set(r.nodeIds[i] as string, v.forfeited);
  });
  return out;
}

/**
 * The tranches after epoch n: this epoch's locks added (unless forfeited at once), a forfeiting
 * node's open tranches marked forfeited, and tranches vested in full marked vested.
 */
async function writeTranches(sql: Sql, n: number, r: EpochResult, epochs: number): Promise<void> {
  const forfeited = [...forfeitedOf(r).keys()];
  if (forfeited.length > 0)
    await sql.query("UPDATE vesting_tranches SET status = 'forfeited' WHERE status = 'open' AND node_id = ANY($1::text[])", [forfeited]);
  const ids: string[] = [];
  const amounts: string[] = [];
  r.vesting.nodes.forEach((v, i) => {
    if (v.locked > 0n && v.forfeited === 0n) {
      ids.push(r.nodeIds[i] as string);
      amounts.push(v.locked.toString());
    }
  });
  if (ids.length > 0)
    await sql.query(
      "INSERT INTO vesting_tranches (node_id, epoch, amount, epochs, status) SELECT v.id, $1, v.amount, $4, 'open' FROM unnest($2::text[], $3::numeric[]) AS v(id, amount)",
      [n, ids, amounts, epochs],
    );
  await sql.query("UPDATE vesting_tranches SET status = 'vested' WHERE status = 'open' AND $1 - epoch >= epochs", [n]);
}

/**
 * Consumers pay for their epoch-n receipts: the provider's owner gets the price less the protocol
 * fee (in `fees:<address>`, apart from the claimable rewards the Merkle tree covers), through the
 * fee clearing account (empty again once the epoch's postings are in); the fee, less the discount
 * the consumer's user stake in effect in `n` earns (SPEC §5), is half burned, half to the treasury.
 */
async function feePostings(sql: Sql, n: number, params: Params) {
  const rows = await sql.query<{ consumer_key: string; owner: string; price: string }>(
    // every receipt, billable or not, summed per pair by the input's `summariseReceipts`
    'SELECT consumer_key, owner, SUM(price)::text AS price FROM epoch_receipt_pairs GROUP BY consumer_key, owner ORDER BY consumer_key, owner',
  );
  // each paying consumer's user stake in effect in n (one query, over the consumers only)
  const staked = new Map(
    (
      await sql.query<{ owner_key: string; staked: string }>(
        `SELECT st.owner_key, SUM${stakeInEffect('$1')}::text AS staked
           FROM stakes st WHERE st.kind = 'user' AND st.effective_epoch <= $1 AND st.owner_key IN (SELECT consumer_key FROM epoch_receipt_pairs)
          GROUP BY st.owner_key`,
        [n],
      )
    ).map((r) => [r.owner_key, BigInt(r.staked)]),
  );
  const perConsumer = new Map<string, bigint>();
  // each pair's price is split per consumer and owner (each share floored, as the input's `fee`
  // counts it), then posted in sums: per consumer its provider share into the epoch's fee clearing
  // account, its burned and its treasury share; per owner what the clearing account owes it. A
  // posting per consumer and per owner, not per pair (which grows toward one per receipt).
  const byConsumer = new Map<string, { provider: bigint; burned: bigint; treasury: bigint }>();
  const byOwner = new Map<string, bigint>();
  let total = 0n;
  let burned = 0n;
  let discounts = 0n;
  for (const r of rows) {
    const price = BigInt(r.price);
    const f = computeFeeSplit(price, params, computeUserDiscount(staked.get(r.consumer_key) ?? 0n, params));
    const c = byConsumer.get(r.consumer_key) ?? { provider: 0n, burned: 0n, treasury: 0n };
    byConsumer.set(r.consumer_key, { provider: c.provider + f.provider, burned: c.burned + f.burned, treasury: c.treasury + f.treasury });
    byOwner.set(r.owner, (byOwner.get(r.owner) ?? 0n) + f.provider);
    perConsumer.set(r.consumer_key, (perConsumer.get(r.consumer_key) ?? 0n) + price);
    total += price;
    burned += f.burned;
    discounts += f.discount;
  }
  const postings: Posting[] = [];
  for (const [consumer, c] of byConsumer) {
    const id = `epoch:${n}:fees:${consumer}`;
    const wallet = `wallet:${consumer}`;
    if (c.provider > 0n) postings.push({ id: `${id}:provider`, epoch: n, from: wallet, to: FEE_CLEARING, amount: c.provider, memo: `epoch ${n} compute fees` });
    if (c.burned > 0n) postings.push({ id: `${id}:burn`, epoch: n, from: wallet, to: 'burn', amount: c.burned, memo: `epoch ${n} protocol fee, burned share` });
    if (c.treasury > 0n)
      postings.push({ id: `${id}:treasury`, epoch: n, from: wallet, to: 'treasury', amount: c.treasury, memo: `epoch ${n} protocol fee, treasury share` });
  }
  for (const [owner, amount] of byOwner)
    if (amount > 0n)
      postings.push({ id: `epoch:${n}:fees-to:${owner}`, epoch: n, from: FEE_CLEARING, to: `fees:${owner}`, amount, memo: `epoch ${n} compute fees` });
  return { postings, consumers: [...perConsumer].sort((a, b) => (a[0] < b[0] ? -1 : 1)), total, burned, discounts };
}

/** Unbondings whose delay has passed return to their owner's wallet, or to the vault a chain bond came from. */
async function releasePostings(sql: Sql, n: number): Promise<Posting[]> {
  const rows = await sql.query<{ id: string; owner_key: string; source: string | null; amount: string }>(
    `SELECT u.id, s.owner_key, s.source, (u.amount - u.slashed)::text AS amount FROM unbondings u JOIN stakes s ON s.id = u.stake_id
      WHERE u.release_epoch <= $1 AND NOT u.released AND u.amount > u.slashed ORDER BY u.id`,
    [n],
  );
  return rows.map((r) => ({
    id: `release:${r.id}`,
    epoch: n,
    from: `unbonding:${r.id}`,
    // back where the stake came from: the owner's wallet, or the vault that holds it on chain (the owner withdraws there)
    to: r.source ?? `wallet:${r.owner_key}`,
    amount: BigInt(r.amount),
    memo: 'unbonding released',
  }));
}

/**
 * Every node's statement, in bulk: each chunk travels as one JSON text that PostgreSQL splits
 * (`json` keeps each element's text verbatim, so the stored statement is exactly what was written).
 */
async function writeStatements(sql: Sql, n: number, r: EpochResult): Promise<void> {
  const CHUNK = 5000;
  for (let from = 0; from < r.nodeIds.length; from += CHUNK) {
    const parts: string[] = [];
    for (let i = from; i < Math.min(r.nodeIds.length, from + CHUNK); i++) parts.push(JSON.stringify(serializeNodeStatement(r.statement(i))));
    await sql.query(
      `INSERT INTO statements (epoch, node_id, owner, reward, uptime, statement)
       SELECT $1, x->>'id', x->>'owner', (x->>'reward')::numeric, (x->>'uptime')::numeric, x::text FROM json_array_elements($2::json) AS x`,
      [n, `[${parts.join(',')}]`],
    );
  }
}

/** The owners' usage of an epoch summed per hardware class, in class order. */
function usageByClass(
  usage: readonly { hardwareClass: string; delivered: number | bigint; provisioned: number | bigint }[],
): NonNullable<EpochSummary['classes']> {
  const by = new Map<string, { delivered: bigint; provisioned: bigint }>();
  for (const u of usage) {
    const x = by.get(u.hardwareClass) ?? { delivered: 0n, provisioned: 0n };
    by.set(u.hardwareClass, { delivered: x.delivered + BigInt(u.delivered), provisioned: x.provisioned + BigInt(u.provisioned) });
  }
  return [...by]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([hardwareClass, x]) => ({ hardwareClass, delivered: x.delivered.toString(), provisioned: x.provisioned.toString() }));
}
