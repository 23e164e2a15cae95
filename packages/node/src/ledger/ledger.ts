import { createHash } from 'node:crypto';
import { canonicalJson, InvariantError, unvestedAfter } from '@swarm/core';
import { textProblem } from '@swarm/sdk';
import { openTranches } from '../keepers/vesting.ts';
import type { Sql } from '../store/db.ts';

/**
 * The double-entry ledger (SPEC §8, TigerBeetle's model). A posting moves `amount` (> 0) out of
 * `from` into `to`, so every posting balances by construction and all balances sum to zero. It is
 * append-only and idempotent by `id`: posting an id again is a no-op. Each posting's hash covers
 * the previous one's, so rewriting history is evident (`checkLedger`).
 *
 * Accounts: `mint` (minted supply: negative), `chain:<vault>` (tokens a contract holds on chain
 * for bonds the service follows from its events: negative by what it holds, like `mint` it is where
 * they come from; SPEC §5), `burn`, `treasury`,
 * `pool:<role>`, `claimable:<address>` (rewards to claim on chain), `wallet:<key>` (tokens a key
 * holds in embedded mode; consumers pay from theirs), `stake:<id>` (bonds and stakes),
 * `unbonding:<id>`, `fees:<address>` (an owner's compute fees), `clearing:fees` (consumers' compute
 * fees on their way to the owners, within one close: empty between epochs).
 */
export type Posting = { id: string; epoch: number; from: string; to: string; amount: bigint; memo: string };

/** Consumers' compute fees pass through it within a close (epoch-close.ts `feePostings`). */
export const FEE_CLEARING = 'clearing:fees';

export const GENESIS_HASH = `0x${'0'.repeat(64)}`;

/** The accounts tokens come from into the ledger: `mint`, and `chain:<contract>` for what a contract holds on chain. */
export function mayGoNegative(account: string): boolean {
  return account === 'mint' || account.startsWith('chain:');
}

/** The hash of a posting, chained to the previous one. */
export function postingHash(prevHash: string, seq: number, p: Posting): string {
  const body = canonicalJson({ seq, id: p.id, epoch: p.epoch, from: p.from, to: p.to, amount: p.amount.toString(), memo: p.memo });
  return `0x${createHash('sha256').update(prevHash).update('\n').update(body).digest('hex')}`;
}

export class InsufficientBalanceError extends InvariantError {
  readonly account: string;
  constructor(account: string, balance: bigint, needed: bigint) {
    super(`account ${account} would go negative`, `balance ${balance}, posting ${needed}`);
    this.account = account;
  }
}

/**
 * Appends postings inside the caller's transaction. Postings whose id already exists are skipped
 * (so a retried operation never pays twice); the rest are chained and applied in order, and no
 * account but `mint` and `chain:*` may go below zero. Returns how many were new.
 */
export async function post(sql: Sql, postings: readonly Posting[]): Promise<number> {
  if (postings.length === 0) return 0;
  for (const p of postings) {
    if (p.amount <= 0n) throw new InvariantError(`posting ${p.id} has a non-positive amount`);
    if (p.from === p.to) throw new InvariantError(`posting ${p.id} moves an account to itself`);
    // the hash covers the memo as a JavaScript string; the store keeps UTF-8: they agree only for
    // text the boundary's rule admits (sdk text.ts) — anything else would break the chain for good
    if (textProblem(p.memo) !== undefined) throw new InvariantError(`posting ${p.id}: its memo ${textProblem(p.memo)}`);
  }
  const head = (await sql.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM ledger_head WHERE id = 1 FOR UPDATE'))[0];
  let seq = head ? Number(head.seq) : 0;
  let hash = head ? head.hash : GENESIS_HASH;
  const ids = postings.map((p) => p.id);
  const existing = new Set(
    ids.length <= 1000
      ? (await sql.query<{ id: string }>('SELECT id FROM postings WHERE id = ANY($1::text[])', [ids])).map((r) => r.id)
      : (await sql.query<{ id: string }>('SELECT p.id FROM postings p JOIN unnest($1::text[]) AS u(id) ON u.id = p.id', [ids])).map((r) => r.id),
  );
  const fresh: Posting[] = [];
  const seen = new Set<string>();
  for (const p of postings) {
    if (existing.has(p.id) || seen.has(p.id)) continue;
    seen.add(p.id);
    fresh.push(p);
  }
  if (fresh.length === 0) return 0;
  const touched = [...new Set(fresh.flatMap((p) => [p.from, p.to]))].sort();
  const balances = new Map<string, bigint>();
  for (const r of await sql.query<{ id: string; balance: string }>(
    'SELECT id, balance::text AS balance FROM accounts WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [touched],
  )) {
    balances.set(r.id, BigInt(r.balance));
  }
  const cols = {
    seq: [] as number[],
    id: [] as string[],
    epoch: [] as number[],
    from: [] as string[],
    to: [] as string[],
    amount: [] as string[],
    memo: [] as string[],
    prev: [] as string[],
    hash: [] as string[],
  };
  for (const p of fresh) {
    const fromBal = (balances.get(p.from) ?? 0n) - p.amount;
    if (fromBal < 0n && !mayGoNegative(p.from)) throw new InsufficientBalanceError(p.from, fromBal + p.amount, p.amount);
    balances.set(p.from, fromBal);
    balances.set(p.to, (balances.get(p.to) ?? 0n) + p.amount);
    seq += 1;
    const h = postingHash(hash, seq, p);
    cols.seq.push(seq);
    cols.id.push(p.id);
    cols.epoch.push(p.epoch);
    cols.from.push(p.from);
    cols.to.push(p.to);
    cols.amount.push(p.amount.toString());
    cols.memo.push(p.memo);
    cols.prev.push(hash);
    cols.hash.push(h);
    hash = h;
  }
  await sql.query(
    `INSERT INTO postings (seq, id, epoch, from_account, to_account, amount, memo, prev_hash, hash)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::numeric[], $7::text[], $8::text[], $9::text[])`,
    [cols.seq, cols.id, cols.epoch, cols.from, cols.to, cols.amount, cols.memo, cols.prev, cols.hash],
  );
  const accIds = [...balances.keys()];
  await sql.query(
    `INSERT INTO accounts (id, balance) SELECT * FROM unnest($1::text[], $2::numeric[])
     ON CONFLICT (id) DO UPDATE SET balance = excluded.balance`,
    [accIds, accIds.map((a) => (balances.get(a) as bigint).toString())],
  );
  await sql.query('INSERT INTO ledger_head (id, seq, hash) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash', [
    seq,
    hash,
  ]);
  return fresh.length;
}

/** The balance of one account (0 if it never moved). */
export async function balanceOf(sql: Sql, account: string): Promise<bigint> {
  const r = await sql.query<{ balance: string }>('SELECT balance::text AS balance FROM accounts WHERE id = $1', [account]);
  return r[0] ? BigInt(r[0].balance) : 0n;
}

export type LedgerReport = {
  postings: number;
  accounts: number;
  minted: bigint;
  burned: bigint;
  supply: bigint;
  violations: string[];
};

/**
 * The ledger's invariants (SPEC §8), checked from the postings themselves: the hash chain is
 * unbroken; the balances recomputed from postings equal the stored ones and sum to zero; no
 * account but `mint` and `chain:*` is negative; supply = minted − burned; the role pools and the fee clearing
 * account are empty between epochs; consumers' reservations are covered by their wallets; claimable balances equal the
 * cumulative claims of the latest settled Merkle tree (claimable = Merkle totals − claimed); each
 * escrow holds exactly its slash while it is escrowed and nothing after (escrow = slashes not yet
 * released); each stake and unbonding holds what its rows say.
 */
export async function checkLedger(sql: Sql): Promise<LedgerReport> {
  const violations: string[] = [];
  const rows = await sql.query<{
    seq: string;
    id: string;
    epoch: string;
    from_account: string;
    to_account: string;
    amount: string;
    memo: string;
    prev_hash: string;
    hash: string;
  }>(
    'SELECT seq::text AS seq, id, epoch::text AS epoch, from_account, to_account, amount::text AS amount, memo, prev_hash, hash FROM postings ORDER BY postings.seq',
  );
  let prev = GENESIS_HASH;
  const computed = new Map<string, bigint>();
  let expectSeq = 1;
  for (const r of rows) {
    const p: Posting = { id: r.id, epoch: Number(r.epoch), from: r.from_account, to: r.to_account, amount: BigInt(r.amount), memo: r.memo };
    if (Number(r.seq) !== expectSeq) violations.push(`posting ${r.id}: sequence ${r.seq}, expected ${expectSeq}`);
    expectSeq = Number(r.seq) + 1;
    if (r.prev_hash !== prev) violations.push(`posting ${r.id}: chain broken (prev_hash does not match)`);
    const h = postingHash(r.prev_hash, Number(r.seq), p);
    if (h !== r.hash) violations.push(`posting ${r.id}: hash does not match its contents`);
    prev = r.hash;
    if (p.amount <= 0n) violations.push(`posting ${r.id}: non-positive amount`);
    computed.set(p.from, (computed.get(p.from) ?? 0n) - p.amount);
    computed.set(p.to, (computed.get(p.to) ?? 0n) + p.amount);
  }
  const head = (await sql.query<{ hash: string }>('SELECT hash FROM ledger_head WHERE id = 1'))[0];
  if ((head?.hash ?? GENESIS_HASH) !== prev) violations.push('ledger head does not match the last posting');
  const stored = await sql.query<{ id: string; balance: string }>('SELECT id, balance::text AS balance FROM accounts ORDER BY id');
  let sum = 0n;
  for (const a of stored) {
    const b = BigInt(a.balance);
    sum += b;
    if ((computed.get(a.id) ?? 0n) !== b) violations.push(`account ${a.id}: stored balance ${b} ≠ ${computed.get(a.id) ?? 0n} from postings`);
    if (b < 0n && !mayGoNegative(a.id)) violations.push(`account ${a.id} is negative (${b})`);
    if ((a.id.startsWith('pool:') || a.id === FEE_CLEARING) && b !== 0n) violations.push(`${a.id} holds ${b} between epochs`);
  }
  for (const [id, b] of computed) if (b !== 0n && !stored.some((a) => a.id === id)) violations.push(`account ${id} missing from balances`);
  if (sum !== 0n) violations.push(`balances sum to ${sum}, not 0`);
  const minted = -(computed.get('mint') ?? 0n);
  const burned = computed.get('burn') ?? 0n;
  let held = 0n;
  for (const [id, b] of computed) if (id !== 'mint' && id !== 'burn') held += b;
  if (held !== minted - burned) violations.push(`supply ${held} ≠ minted ${minted} − burned ${burned}`);
  for (const c of await sql.query<{ key: string; reserved: string; balance: string | null }>(
    "SELECT c.key, c.reserved::text AS reserved, a.balance::text AS balance FROM consumers c LEFT JOIN accounts a ON a.id = 'wallet:' || c.key",
  )) {
    if (BigInt(c.reserved) > BigInt(c.balance ?? '0')) violations.push(`consumer ${c.key} has ${c.reserved} reserved but only ${c.balance ?? 0} in its wallet`);
  }
  // escrow = slashes not yet released: each escrowed slash's account holds exactly its amount, every other escrow is empty
  const escrowed = new Map(
    (await sql.query<{ id: string; amount: string }>("SELECT id, amount::text AS amount FROM slashes WHERE status = 'escrowed'")).map((r) => [
      `escrow:${r.id}`,
      BigInt(r.amount),
    ]),
  );
  for (const [id, b] of computed) {
    if (!id.startsWith('escrow:')) continue;
    const want = escrowed.get(id) ?? 0n;
    if (b !== want) violations.push(`${id} holds ${b}; its slash ${want === 0n ? 'is no longer in escrow' : `put ${want} in escrow`}`);
  }
  for (const [id, want] of escrowed) if (!computed.has(id)) violations.push(`${id} should hold ${want} but was never credited`);
  // bonds: each stake and unbonding holds what its rows say (amount − slashed − what left it)
  for (const r of await sql.query<{ id: string; held: string }>(
    `SELECT 'stake:' || s.id AS id, (s.amount - s.slashed - COALESCE((SELECT SUM(u.amount) FROM unbondings u WHERE u.stake_id = s.id), 0))::text AS held FROM stakes s
     UNION ALL
     SELECT 'unbonding:' || u.id, CASE WHEN u.released THEN '0' ELSE (u.amount - u.slashed)::text END FROM unbondings u`,
  )) {
    const b = computed.get(r.id) ?? 0n;
    if (b !== BigInt(r.held)) violations.push(`${r.id} holds ${b} but its rows say ${r.held}`);
  }
  // unvested: each node's account holds what its open tranches have not yet vested (SPEC §6.1)
  const closed = Number((await sql.query<{ n: string }>('SELECT next_epoch::text AS n FROM epoch_cursor WHERE id = 1'))[0]?.n ?? 0) - 1;
  const unvested = new Map<string, bigint>();
  for (const t of await openTranches(sql)) {
    const id = `unvested:${t.nodeId}`;
    unvested.set(id, (unvested.get(id) ?? 0n) + unvestedAfter(t, closed));
  }
  for (const [id, b] of computed)
    if (id.startsWith('unvested:') && b !== (unvested.get(id) ?? 0n)) violations.push(`${id} holds ${b} but its tranches say ${unvested.get(id) ?? 0n}`);
  for (const [id, want] of unvested) if (want !== 0n && !computed.has(id)) violations.push(`${id} should hold ${want} but was never credited`);
  // claimable = Merkle totals − claimed: nothing is claimed on chain in embedded mode, so every
  // claimable balance equals its cumulative claim in the latest settled tree
  const tree = (
    await sql.query<{ epoch: string; claims: string }>('SELECT epoch::text AS epoch, claims FROM epoch_trees ORDER BY epoch_trees.epoch DESC LIMIT 1')
  )[0];
  if (tree) {
    const claims = new Map((JSON.parse(tree.claims) as [string, string][]).map(([a, x]) => [`claimable:${a}`, BigInt(x)]));
    for (const [id, b] of computed) {
      if (!id.startsWith('claimable:')) continue;
      const c = claims.get(id) ?? 0n;
      if (c !== b) violations.push(`${id} holds ${b} but the epoch ${tree.epoch} tree lets it claim ${c}`);
    }
    for (const [id, c] of claims) if (!computed.has(id)) violations.push(`the epoch ${tree.epoch} tree lets ${id} claim ${c}, which the ledger never credited`);
  }
  return { postings: rows.length, accounts: stored.length, minted, burned, supply: minted - burned, violations };
}
