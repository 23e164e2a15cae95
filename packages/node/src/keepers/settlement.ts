import { type Claim, ClaimTree, cumulativeClaims, type EpochResult, type Manifest, type ManifestBody, manifestMessage, manifestTotals } from '@swarm/core';
import type { LocalAccount } from 'viem';
import { notFound } from '../service/errors.ts';
import type { Db, Sql } from '../store/db.ts';

/** The root of an epoch in which nobody has anything to claim yet. */
export const EMPTY_ROOT = `0x${'0'.repeat(64)}`;

/**
 * Settles a closed epoch inside its close transaction: every payout address's cumulative claimable
 * total (the previous epoch's plus this epoch's payouts), the Merkle tree over them, and the
 * manifest signed by the operator (EIP-191; deterministic, so a retried close signs the same bytes).
 */
export async function settleEpoch(sql: Sql, account: LocalAccount, n: number, result: EpochResult, paramsHash: string, inputHash: string): Promise<Manifest> {
  const prev = (
    await sql.query<{ root: string; claims: string }>('SELECT root, claims FROM epoch_trees WHERE epoch < $1 ORDER BY epoch_trees.epoch DESC LIMIT 1', [n])
  )[0];
  const claims = cumulativeClaims(prev ? parseClaims(prev.claims) : [], result.claims);
  const root = claims.length === 0 ? EMPTY_ROOT : ClaimTree.build(claims).root;
  const body: ManifestBody = {
    version: 1,
    epoch: n,
    paramsHash,
    inputHash,
    previousRoot: prev ? prev.root : null,
    root,
    payees: result.payouts.length,
    totals: manifestTotals(result),
    operator: account.address.toLowerCase(),
  };
  const manifest: Manifest = { body, signature: await account.signMessage({ message: manifestMessage(body) }) };
  await sql.query('INSERT INTO epoch_trees (epoch, root, claims, manifest) VALUES ($1, $2, $3, $4)', [
    n,
    root,
    serializeClaims(claims),
    JSON.stringify(manifest),
  ]);
  return manifest;
}

export function serializeClaims(claims: readonly Claim[]): string {
  return JSON.stringify(claims.map((c) => [c.address, c.amount.toString()]));
}

export function parseClaims(text: string): Claim[] {
  return (JSON.parse(text) as [string, string][]).map(([address, amount]) => ({ address, amount: BigInt(amount) }));
}

// Proofs are produced on demand from the stored claims; the last few trees stay in memory.
const trees = new Map<string, { tree: ClaimTree; index: Map<string, number> }>();

async function loadTree(db: Db, n: number) {
  const key = `${n}`;
  const hit = trees.get(key);
  if (hit) return hit;
  const row = (await db.query<{ claims: string }>('SELECT claims FROM epoch_trees WHERE epoch = $1', [n]))[0];
  if (!row) throw notFound('UNKNOWN_EPOCH', `epoch ${n} is not settled`, 'n');
  const claims = parseClaims(row.claims);
  if (claims.length === 0) throw notFound('EMPTY_TREE', `nobody has anything to claim as of epoch ${n}`, 'n');
  const entry = { tree: ClaimTree.build(claims), index: new Map(claims.map((c, i) => [c.address, i])) };
  if (trees.size >= 3) trees.delete(trees.keys().next().value as string);
  trees.set(key, entry);
  return entry;
}

export async function getManifest(db: Db, n: number): Promise<Manifest> {
  const row = (await db.query<{ manifest: string }>('SELECT manifest FROM epoch_trees WHERE epoch = $1', [n]))[0];
  if (!row) throw notFound('UNKNOWN_EPOCH', `epoch ${n} is not settled`, 'n');
  return JSON.parse(row.manifest) as Manifest;
}

export async function getProof(db: Db, n: number, address: string) {
  const { tree, index } = await loadTree(db, n);
  const k = index.get(address.toLowerCase());
  if (k === undefined) throw notFound('NO_CLAIM', `${address} has nothing to claim as of epoch ${n}`, 'address');
  const c = tree.claims[k] as Claim;
  return { epoch: n, root: tree.root, address: c.address, amount: c.amount.toString(), proof: tree.proof(k) };
}

export async function getTreeDump(db: Db, n: number) {
  return (await loadTree(db, n)).tree.dump();
}
