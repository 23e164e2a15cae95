import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { InvariantError } from '@swarm/core';
import type { FastifyInstance } from 'fastify';
import { generatePrivateKey } from 'viem/accounts';
import { buildServer } from '../api/server.ts';
import { ChainFollower, ChainReorgError } from '../chain/follower.ts';
import { RootPublisher } from '../chain/publisher.ts';
import type { Env } from '../env.ts';
import { drawDue } from '../keepers/audits.ts';
import { type CloseHooks, type CloseReturnType, closeDueEpochs } from '../keepers/epoch-close.ts';
import { markServiceLive } from '../keepers/liveness.ts';
import { ensureSlotPartitions, slotPartitionEpochs } from '../keepers/partitions.ts';
import { type Db, openDb } from '../store/db.ts';
import { type Clock, systemClock } from './clock.ts';
import { type Context, epochOf, initContext, type Settings } from './context.ts';
import { createLogger, type Logger } from './log.ts';
import { VerifyPool } from './verify-pool.ts';

export type StartParameters = {
  env: Env;
  /** The service's logger; one at `env.logLevel` on standard error when omitted. */
  logger?: Logger;
  settings?: Partial<Settings>;
  params?: unknown;
  clock?: Clock;
  rateLimit?: number;
  /** Called after each epoch this process closes. */
  onClosed?: (r: CloseReturnType) => void;
  onError?: (e: unknown) => void;
  hooks?: CloseHooks;
  /** How often to look for an epoch whose time has come (ms). */
  tickMs?: number;
  /** How often to record the service as live (ms; a few times a heartbeat slot by default). */
  liveMs?: number;
};

export type Running = {
  ctx: Context;
  app: FastifyInstance;
  db: Db;
  url: string;
  operatorToken: string;
  /** Set when a close failed an invariant: closing has stopped until an operator acts (see `startService`). */
  halted: () => Error | undefined;
  stop: () => Promise<void>;
};

/**
 * Runs the service: opens the store, listens on host:port, and closes each epoch when its time
 * comes. Several processes may share one PostgreSQL server: ingest scales out, and the advisory
 * lock in `closeEpoch` lets exactly one of them close each epoch.
 */
export async function startService(p: StartParameters): Promise<Running> {
  const env = p.env;
  const log = p.logger ?? createLogger(env.logLevel);
  const db = await openDb({ url: env.databaseUrl, dataDir: env.databaseUrl ? undefined : env.dataDir });
  const operatorToken = env.operatorToken ?? loadOrCreateToken(env.dataDir);
  const operatorEthKey = env.operatorEthKey ?? loadOrCreateEthKey(env.dataDir);
  const ctx = await initContext({ db, clock: p.clock ?? systemClock, operatorToken, operatorEthKey, settings: p.settings, params: p.params });
  // the heartbeat bitmaps' partitions for this epoch's range and the next, before any heartbeat is
  // taken; never fatal: without them the bitmaps go to the default partition (pruned row by row),
  // and a range can race a heartbeat another process just wrote there
  const partitionsAhead = async () => {
    const now = epochOf(ctx.settings, ctx.clock.now());
    try {
      await db.tx((sql) => ensureSlotPartitions(sql, ctx.settings, now, now + slotPartitionEpochs(ctx.settings)));
    } catch (e) {
      log.warn({ err: e }, 'could not create the heartbeat partitions ahead; the bitmaps go to the default partition until the next close');
    }
  };
  await partitionsAhead();
  ctx.verifier = new VerifyPool(Math.max(1, Math.min(4, cpus().length - 1)));
  const verifier = ctx.verifier;
  ctx.metrics.verifyQueue = () => verifier.queued;
  // the last closed epoch from the store, so a restarted service reports it before its next close
  const cursor = (await db.query<{ next: string }>('SELECT next_epoch::text AS next FROM epoch_cursor'))[0];
  if (cursor) ctx.metrics.lastClosed.set(Number(cursor.next) - 1);
  const app = await buildServer(ctx, { rateLimit: p.rateLimit, logger: log, halted: () => halted });
  await app.listen({ host: env.host, port: env.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : env.port;
  // the chain adapter: off unless SWARM_CHAIN_RPC and a contract are set
  const publisher =
    env.chainRpc && env.distributor ? await RootPublisher.connect({ rpcUrl: env.chainRpc, distributor: env.distributor }, ctx.operatorAccount) : undefined;
  const follower = env.chainRpc
    ? new ChainFollower(ctx, {
        rpcUrl: env.chainRpc,
        vault: env.stakingVault,
        distributor: env.distributor,
        confirmations: env.confirmations,
        fromBlock: env.fromBlock,
      })
    : undefined;
  if (env.stakingVault) ctx.bondsOnChain = env.stakingVault;
  log.info(
    {
      url: `http://${env.host}:${port}`,
      store: db.kind,
      chain: env.chainRpc ? { distributor: env.distributor ?? null, stakingVault: env.stakingVault ?? null, confirmations: env.confirmations } : null,
      settings: ctx.settings,
    },
    'service started',
  );
  let busy = false;
  let stopped = false;
  let halted: Error | undefined;
  const tick = async () => {
    if (busy || stopped || halted) return;
    busy = true;
    try {
      const closed = await closeDueEpochs(ctx, p.hooks, (r) => {
        const s = r.summary;
        log.info(
          { epoch: s.epoch, pool: s.epochPool, nodes: s.nodes, earning: s.earning, payees: s.payees, fees: s.fees, inputHash: s.inputHash },
          'epoch closed',
        );
        p.onClosed?.(r);
      });
      // the next range of heartbeat partitions, outside the close's transaction (creating one locks the table)
      if (closed.length > 0) await partitionsAhead();
      // the audit sample of the last closed epoch, once its beacon secrets are in (SPEC §3.4)
      await drawDue(ctx);
    } catch (e) {
      if (e instanceof InvariantError) {
        // a broken invariant will not mend by retrying: stop closing, loudly, and say which account
        // (ingest goes on; nothing of the failed close was written — it was one transaction)
        halted = e;
        ctx.metrics.closeHalted.set(1);
        log.fatal({ err: e, account: (e as { account?: string }).account }, 'epoch close halted: an invariant failed; closing stops until the operator acts');
      } else {
        ctx.metrics.closeFailures.inc();
        log.error({ err: e }, 'epoch close failed; retrying at the next tick');
      }
      p.onError?.(e);
    } finally {
      busy = false;
    }
  };
  const tickMs = p.tickMs ?? Math.min(5000, Math.max(250, (ctx.settings.epochSeconds * 1000) / 20));
  const timer = setInterval(() => void tick(), tickMs);
  void tick();
  // the chain, on a timer of its own: an RPC endpoint down never delays or fails a close. Stake
  // events in, settled roots and decided slashes out; a reorg deeper than the confirmations stops
  // the following (loudly) — what was counted cannot be uncounted silently
  let chainBusy = false;
  let reorged: Error | undefined;
  const chainTick = async () => {
    if (chainBusy || stopped || (!publisher && !follower)) return;
    chainBusy = true;
    try {
      if (follower && !reorged) await follower.poll();
      if (publisher) await publisher.publishPending(db);
      if (follower && !reorged) await follower.relaySlashes(ctx.operatorAccount);
    } catch (e) {
      if (e instanceof ChainReorgError && e.deep) {
        reorged = e;
        log.fatal({ err: e }, 'chain follower stopped: a reorg deeper than its confirmations; the operator must act');
      } else {
        log.warn({ err: e }, 'chain adapter: retrying at the next tick');
      }
    } finally {
      chainBusy = false;
    }
  };
  const chainTimer = setInterval(() => void chainTick(), tickMs);
  void chainTick();
  // the service's own liveness, a few times a slot, on a timer of its own: a long close must not
  // look like an outage (SPEC §3.2); a failure to record is logged, never fatal
  let lastLive: number | undefined;
  const live = async () => {
    if (stopped) return;
    const now = ctx.clock.now();
    try {
      await markServiceLive(db, ctx.settings, Math.min(lastLive ?? now, now), now);
      lastLive = now;
    } catch (e) {
      log.warn({ err: e }, 'could not record the service as live');
    }
  };
  const liveTimer = setInterval(() => void live(), p.liveMs ?? Math.max(200, Math.min(5000, (ctx.settings.slotSeconds * 1000) / 4)));
  void live();
  return {
    ctx,
    app,
    db,
    url: `http://${env.host}:${port}`,
    operatorToken,
    halted: () => halted,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(liveTimer);
      clearInterval(chainTimer);
      while (busy || chainBusy) await new Promise((r) => setTimeout(r, 20));
      await app.close();
      await ctx.verifier?.close();
      await db.close();
      log.info('service stopped');
    },
  };
}

const inMemory = (dataDir: string) => dataDir.startsWith('memory://');

/** The operator token lives beside the data (mode 0600), created on first start; an in-memory store's lives as long as it. */
export function loadOrCreateToken(dataDir: string): string {
  if (inMemory(dataDir)) return randomBytes(24).toString('hex');
  const file = join(dataDir, 'operator-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** The operator's secp256k1 key (signs manifests) lives beside the data (mode 0600), created on first start; an in-memory store's lives as long as it. */
export function loadOrCreateEthKey(dataDir: string): `0x${string}` {
  if (inMemory(dataDir)) return generatePrivateKey();
  const file = join(dataDir, 'operator-eth-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim() as `0x${string}`;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = generatePrivateKey();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
