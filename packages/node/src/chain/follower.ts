import { RewardDistributor, revertOf, StakingVault } from '@swarm/contracts';
import { canonicalJson } from '@swarm/core';
import {
  type Abi,
  type Chain,
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  defineChain,
  encodeFunctionData,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  type PublicClient,
  toBytes,
} from 'viem';
import { openStake, startUnbonding } from '../keepers/stakes.ts';
import { balanceOf } from '../ledger/ledger.ts';
import { type Context, epochOf } from '../service/context.ts';
import type { Sql } from '../store/db.ts';

/**
 * Stakes from the chain (SPEC §5): follows `StakingVault`'s Bonded, UnbondRequested, Withdrawn and
 * Slashed events, and `RewardDistributor`'s Claimed events, into the service — bonds and
 * unbondings through the very code path of the embedded stake API (keepers/stakes.ts).
 *
 * - **Confirmed blocks only**: a block is read once `confirmations` blocks are on top of it, so a
 *   reorg of the last blocks never reaches the store. Each event is taken once, by transaction hash
 *   and log index (`chain_events`), so a transaction re-mined in another block after a reorg is not
 *   counted twice either.
 * - **Reorg-safe by block hash**: the cursor keeps the last applied block's hash; when the chain no
 *   longer has that block (a reorg deeper than the confirmations), the follower stops with a
 *   `ChainReorgError` and applies nothing: what it counted cannot be uncounted silently.
 * - **Resumable**: the events of a range and the cursor move in one transaction; a restart (or a
 *   crash) resumes after the last applied block.
 *
 * A node's bond on chain is `bytes32` = its Ed25519 node key. A bond counts only when made from the
 * node's registered payout address, and from the epoch after its block, like an API bond. The
 * vault's unbonding delay sets when an unbonding is released (back to `chain:<vault>`).
 */

export type FollowerConfig = {
  rpcUrl: string;
  vault?: Hex;
  distributor?: Hex;
  /** Blocks on top of a block before its events count (default 12). */
  confirmations?: number;
  /** The first block to read (the contracts' deployment); default 0. */
  fromBlock?: number;
  /** At most this many blocks per query and transaction (default 2,000). */
  batchBlocks?: number;
};

/** The chain no longer holds a block the follower applied: a reorg deeper than its confirmations. */
export class ChainReorgError extends Error {
  override name = 'ChainReorgError';
  /** A block already applied is gone (stop: the operator must act), not just a block that moved while it was read (retry). */
  constructor(
    message: string,
    readonly deep: boolean,
  ) {
    super(message);
  }
}

type Log = { blockNumber: bigint; blockHash: Hex; transactionHash: Hex; logIndex: number; data: Hex; topics: [Hex, ...Hex[]] };

/** The evidence hash a slash carries on chain: keccak256 of the slash's id, node, kind and evidence list, canonical JSON. */
export function slashEvidenceHash(s: { id: string; nodeId: string; kind: string; evidence: unknown }): Hex {
  return keccak256(toBytes(canonicalJson({ slash: s.id, node: s.nodeId, kind: s.kind, evidence: s.evidence })));
}

export class ChainFollower {
  readonly client: PublicClient;
  private readonly confirmations: number;
  private readonly batch: number;

  constructor(
    readonly ctx: Context,
    readonly config: FollowerConfig,
  ) {
    // cacheTime 0: viem otherwise answers getBlockNumber from a 4-second cache
    this.client = createPublicClient({ transport: http(config.rpcUrl), cacheTime: 0 }) as PublicClient;
    this.confirmations = config.confirmations ?? 12;
    this.batch = config.batchBlocks ?? 2000;
  }

  private get source(): string {
    return `chain:${(this.config.vault as string).toLowerCase()}`;
  }

  /** Applies every confirmed event not yet applied. Returns how many events were taken in. */
  async poll(): Promise<number> {
    await this.retryUnregistered();
    const head = Number(await this.client.getBlockNumber());
    const safe = head - this.confirmations;
    let n = 0;
    for (const [key, address, abi] of [
      ['vault', this.config.vault, StakingVault.abi],
      ['distributor', this.config.distributor, RewardDistributor.abi],
    ] as const) {
      if (!address) continue;
      n += await this.follow(`${key}:${address.toLowerCase()}`, address, abi as Abi, safe);
    }
    return n;
  }

  private async follow(key: string, address: Hex, abi: Abi, safe: number): Promise<number> {
    let taken = 0;
    for (;;) {
      const cursor = (
        await this.ctx.db.query<{ block: string; hash: string }>('SELECT block::text AS block, hash FROM chain_cursors WHERE contract = $1', [key])
      )[0];
      const last = cursor ? Number(cursor.block) : (this.config.fromBlock ?? 0) - 1;
      if (cursor) {
        const b = await this.client.getBlock({ blockNumber: BigInt(last) }).catch(() => undefined);
        if (b?.hash !== cursor.hash) {
          throw new ChainReorgError(
            `block ${last} of ${key} was ${cursor.hash}, the chain now has ${b?.hash ?? 'no such block'}: a reorg deeper than ${this.confirmations} confirmations; the follower stops (nothing of the new branch applied)`,
            true,
          );
        }
      }
      const from = last + 1;
      const to = Math.min(safe, from + this.batch - 1);
      if (from > to) return taken;
      const logs = (await this.client.getLogs({ address, fromBlock: BigInt(from), toBlock: BigInt(to) })) as unknown as Log[];
      // every block the range's events are in, and its last one (the cursor), read once: their hashes
      // must be the logs' (else the chain moved under us: retried on the next poll)
      const blocks = new Map<number, { hash: Hex; timestamp: number }>();
      for (const nb of new Set([...logs.map((l) => Number(l.blockNumber)), to])) {
        const b = await this.client.getBlock({ blockNumber: BigInt(nb) });
        blocks.set(nb, { hash: b.hash as Hex, timestamp: Number(b.timestamp) });
      }
      for (const l of logs) {
        if (blocks.get(Number(l.blockNumber))?.hash !== l.blockHash)
          throw new ChainReorgError(`block ${l.blockNumber} changed while it was read; retrying`, false);
      }
      logs.sort((a, b) => Number(a.blockNumber - b.blockNumber) || a.logIndex - b.logIndex);
      await this.ctx.db.tx(async (sql) => {
        for (const l of logs) {
          const ev = decodeEventLog({ abi, data: l.data, topics: l.topics }) as unknown as { eventName: string; args: Record<string, unknown> };
          const id = `${l.transactionHash}:${l.logIndex}`;
          const fresh = await sql.query(
            `INSERT INTO chain_events (id, contract, block, block_hash, name, args, status, note) VALUES ($1, $2, $3, $4, $5, $6, 'pending', '')
             ON CONFLICT DO NOTHING RETURNING id`,
            [id, key, Number(l.blockNumber), l.blockHash, ev.eventName, canonicalJson(plain(ev.args))],
          );
          if (fresh.length === 0) continue; // taken before (the same transaction, re-mined after a reorg)
          const at = blocks.get(Number(l.blockNumber))?.timestamp as number;
          const [status, note] = await this.apply(sql, ev.eventName, ev.args, id, at, Number(l.blockNumber));
          await sql.query('UPDATE chain_events SET status = $2, note = $3 WHERE id = $1', [id, status, note]);
          taken += 1;
        }
        await sql.query(
          `INSERT INTO chain_cursors (contract, block, hash) VALUES ($1, $2, $3)
           ON CONFLICT (contract) DO UPDATE SET block = excluded.block, hash = excluded.hash`,
          [key, to, blocks.get(to)?.hash],
        );
      });
    }
  }

  /**
   * A bond (and its unbondings) made on chain before the node registered was recorded as ignored;
   * once the node is registered they are applied, in their order on chain, counting from the epoch
   * after now — a provider who bonded first is not left without its bond.
   */
  private async retryUnregistered(): Promise<void> {
    if (!this.config.vault) return;
    const key = `vault:${this.config.vault.toLowerCase()}`;
    await this.ctx.db.tx(async (sql) => {
      const waiting = await sql.query<{ id: string; name: string; args: string; block: string }>(
        `SELECT e.id, e.name, e.args, e.block::text AS block FROM chain_events e
          WHERE e.contract = $1 AND e.status = 'ignored' AND e.note LIKE 'no registered node%'
            AND EXISTS (SELECT 1 FROM nodes n WHERE n.node_key = substr(e.args::jsonb->>'node', 3))
          ORDER BY e.block, e.id FOR UPDATE`,
        [key],
      );
      const now = this.ctx.clock.now();
      for (const e of waiting) {
        const [status, note] = await this.apply(sql, e.name, JSON.parse(e.args) as Record<string, unknown>, e.id, now, Number(e.block));
        await sql.query('UPDATE chain_events SET status = $2, note = $3 WHERE id = $1', [e.id, status, `${note} (made before the node registered)`]);
      }
    });
  }

  /** What one event does to the store: `[status, note]`. */
  private async apply(sql: Sql, name: string, a: Record<string, unknown>, id: string, at: number, block: number): Promise<[string, string]> {
    const epoch = epochOf(this.ctx.settings, at);
    switch (name) {
      case 'Bonded': {
        const node = await nodeByKey(sql, a.node as Hex);
        if (!node) return ['ignored', `no registered node has the key ${a.node}`];
        const bonder = String(a.owner).toLowerCase();
        if (bonder !== node.owner.toLowerCase()) return ['ignored', `bonded by ${bonder}, not the node's payout address ${node.owner}`];
        const effective = await openStake(sql, {
          // not an id the API can name (it allows no ':'), so an API stake can never take it first
          stakeId: `chain:${block}:${id.split(':')[1]}`,
          kind: 'bond',
          ownerKey: node.owner_key,
          nodeId: node.id,
          payout: node.owner,
          amount: BigInt(a.amount as bigint | string),
          lockDays: 0,
          epoch,
          source: this.source,
        });
        return ['applied', `bond of ${a.amount} for ${node.id}, counted from epoch ${effective}`];
      }
      case 'UnbondRequested': {
        const node = await nodeByKey(sql, a.node as Hex);
        if (!node) return ['ignored', `no registered node has the key ${a.node}`];
        // out of the node's chain bonds, newest first (the vault keeps one bond per node)
        const stakes = await sql.query<{ id: string }>(
          'SELECT id FROM stakes WHERE node_id = $1 AND source = $2 ORDER BY effective_epoch DESC, id DESC FOR UPDATE',
          [node.id, this.source],
        );
        let left = BigInt(a.amount as bigint | string);
        const parts: string[] = [];
        // released at the last close before the vault releases it: the service never slashes what the vault no longer can
        const releaseEpoch = epochOf(this.ctx.settings, Number(a.releaseAt)) - 1;
        for (const s of stakes) {
          if (left === 0n) break;
          const held = await balanceOf(sql, `stake:${s.id}`);
          const take = held < left ? held : left;
          if (take === 0n) continue;
          await startUnbonding(this.ctx, sql, { id: `${s.id}:unbond:${a.id}`, stakeId: s.id, amount: take, epoch, timestamp: at, releaseEpoch });
          parts.push(`${take} from ${s.id}`);
          left -= take;
        }
        if (parts.length === 0) return ['ignored', `node ${node.id} has no bond from this vault to unbond`];
        return [
          'applied',
          `unbonding ${parts.join(', ')}${left > 0n ? ` (${left} more than the service holds: slashed here first)` : ''}; released at the close of epoch ${releaseEpoch}`,
        ];
      }
      case 'Slashed': {
        const r = await sql.query<{ slash_id: string }>(
          "UPDATE chain_slashes SET status = 'confirmed', block = $2 WHERE evidence_hash = $1 RETURNING slash_id",
          [String(a.evidence).toLowerCase(), block],
        );
        return r.length > 0 ? ['applied', `slash ${r[0]?.slash_id} is on chain`] : ['recorded', 'a slash this service did not decide'];
      }
      case 'Claimed': {
        await sql.query(
          `INSERT INTO chain_claims (account, claimed, block) VALUES ($1, $2, $3)
           ON CONFLICT (account) DO UPDATE SET claimed = GREATEST(chain_claims.claimed, excluded.claimed), block = excluded.block`,
          [String(a.account).toLowerCase(), (a.cumulative as bigint).toString(), block],
        );
        return ['applied', `${a.account} has claimed ${a.cumulative} in all`];
      }
      default:
        return ['recorded', ''];
    }
  }

  /**
   * The slashes the service decided on bonds it follows from the vault, sent to it: each with the
   * part taken from chain bonds and unbondings, every token to the compensation pool (the chain's
   * escrow: the ledger's 14-day escrow, appeal, compensation and burn decide what becomes of it),
   * and its evidence hash. Each transaction is signed and stored before it is broadcast, so a retry
   * after a crash resends the same transaction (one nonce: never a second slash).
   */
  async relaySlashes(account: LocalAccount): Promise<{ sent: string[]; failed: string[] }> {
    const vault = this.config.vault;
    if (!vault) return { sent: [], failed: [] };
    await this.queueSlashes();
    const chain: Chain = defineChain({
      id: await this.client.getChainId(),
      name: 'swarm',
      nativeCurrency: { name: 'ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [this.config.rpcUrl] } },
    });
    const wallet = createWalletClient({ account, chain, transport: http(this.config.rpcUrl) });
    const sent: string[] = [];
    const failed: string[] = [];
    const pending = await this.ctx.db.query<{
      slash_id: string;
      node: string;
      amount: string;
      evidence_hash: string;
      status: string;
      raw: string | null;
      tx: string | null;
    }>(
      "SELECT slash_id, node, amount::text AS amount, evidence_hash, status, raw, tx FROM chain_slashes WHERE status IN ('pending', 'signed') ORDER BY slash_id",
    );
    for (const p of pending) {
      let raw = p.raw as Hex | null;
      let tx = p.tx as Hex | null;
      if (p.status === 'pending') {
        const args = [p.node as Hex, BigInt(p.amount), 10_000n, p.evidence_hash as Hex] as const;
        try {
          await this.client.simulateContract({ address: vault, abi: StakingVault.abi as Abi, functionName: 'slash', args, account });
        } catch (e) {
          // a revert (the bond withdrawn before the slash, say) fails the slash for good; anything
          // else (the endpoint down) is retried at the next tick
          const why = revertOf(e);
          if (!why) throw e;
          await this.ctx.db.query("UPDATE chain_slashes SET status = 'failed', note = $2 WHERE slash_id = $1", [p.slash_id, why.error]);
          failed.push(p.slash_id);
          continue;
        }
        const request = await wallet.prepareTransactionRequest({
          to: vault,
          data: encodeFunctionData({ abi: StakingVault.abi as Abi, functionName: 'slash', args }),
          chain,
          account,
        });
        raw = await wallet.signTransaction(request as never);
        tx = keccak256(raw);
        await this.ctx.db.query("UPDATE chain_slashes SET status = 'signed', raw = $2, tx = $3 WHERE slash_id = $1", [p.slash_id, raw, tx]);
      }
      // already mined (sent before a crash)? the raw request: viem's getTransactionReceipt retries a missing one for seconds
      const known = await this.client.request({ method: 'eth_getTransactionReceipt', params: [tx as Hex] });
      if (!known) await this.client.sendRawTransaction({ serializedTransaction: raw as Hex });
      const receipt = await this.client.waitForTransactionReceipt({ hash: tx as Hex, pollingInterval: 100 });
      if (receipt.status === 'success') {
        await this.ctx.db.query("UPDATE chain_slashes SET status = 'sent' WHERE slash_id = $1 AND status = 'signed'", [p.slash_id]);
        sent.push(p.slash_id);
      } else {
        await this.ctx.db.query("UPDATE chain_slashes SET status = 'failed', note = 'reverted on chain' WHERE slash_id = $1", [p.slash_id]);
        failed.push(p.slash_id);
      }
    }
    return { sent, failed };
  }

  /** Queues every slash that took from a bond or unbonding this vault holds (once per slash). */
  private async queueSlashes(): Promise<void> {
    await this.ctx.db.tx(async (sql) => {
      const rows = await sql.query<{ id: string; node_id: string; kind: string; evidence: string; sources: string; node_key: string }>(
        `SELECT sl.id, sl.node_id, sl.kind, sl.evidence, sl.sources, n.node_key FROM slashes sl JOIN nodes n ON n.id = sl.node_id
          WHERE sl.amount > 0 AND NOT EXISTS (SELECT 1 FROM chain_slashes c WHERE c.slash_id = sl.id)
            AND EXISTS (SELECT 1 FROM stakes s WHERE s.node_id = sl.node_id AND s.source = $1)`,
        [this.source],
      );
      for (const r of rows) {
        const chainStakes = new Set(
          (await sql.query<{ id: string }>('SELECT id FROM stakes WHERE node_id = $1 AND source = $2', [r.node_id, this.source])).map((s) => s.id),
        );
        const chainUnbondings = new Set(
          (
            await sql.query<{ id: string }>('SELECT u.id FROM unbondings u JOIN stakes s ON s.id = u.stake_id WHERE s.node_id = $1 AND s.source = $2', [
              r.node_id,
              this.source,
            ])
          ).map((u) => u.id),
        );
        let amount = 0n;
        for (const src of JSON.parse(r.sources) as { account: string; amount: string }[]) {
          const [kind, ...rest] = src.account.split(':');
          const id = rest.join(':');
          if ((kind === 'stake' && chainStakes.has(id)) || (kind === 'unbonding' && chainUnbondings.has(id))) amount += BigInt(src.amount);
        }
        if (amount === 0n) continue;
        const evidence = slashEvidenceHash({ id: r.id, nodeId: r.node_id, kind: r.kind, evidence: JSON.parse(r.evidence) });
        await sql.query("INSERT INTO chain_slashes (slash_id, node, amount, evidence_hash, status) VALUES ($1, $2, $3, $4, 'pending') ON CONFLICT DO NOTHING", [
          r.id,
          `0x${r.node_key}`,
          amount.toString(),
          evidence,
        ]);
      }
    });
  }
}

async function nodeByKey(sql: Sql, key: Hex) {
  return (
    await sql.query<{ id: string; owner: string; owner_key: string }>('SELECT id, owner, owner_key FROM nodes WHERE node_key = $1', [
      key.slice(2).toLowerCase(),
    ])
  )[0];
}

/** Event arguments as JSON can hold them (bigints as decimal strings). */
function plain(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
}
