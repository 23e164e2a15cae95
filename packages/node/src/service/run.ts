import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { generatePrivateKey } from 'viem/accounts';
import { buildServer } from '../api/server.ts';
import { RootPublisher } from '../chain/publisher.ts';
import type { Env } from '../env.ts';
import { type CloseHooks, type CloseReturnType, closeDueEpochs } from '../keepers/epoch-close.ts';
import { type Db, openDb } from '../store/db.ts';
import { type Clock, systemClock } from './clock.ts';
import { type Context, initContext, type Settings } from './context.ts';
import { VerifyPool } from './verify-pool.ts';

export type StartParameters = {
  env: Env;
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
};

export type Running = { ctx: Context; app: FastifyInstance; db: Db; url: string; operatorToken: string; stop: () => Promise<void> };

/**
 * Runs the service: opens the store, listens on host:port, and closes each epoch when its time
 * comes. Several processes may share one PostgreSQL server: ingest scales out, and the advisory
 * lock in `closeEpoch` lets exactly one of them close each epoch.
 */
export async function startService(p: StartParameters): Promise<Running> {
  const env = p.env;
  const db = await openDb({ url: env.databaseUrl, dataDir: env.databaseUrl ? undefined : env.dataDir });
  const operatorToken = env.operatorToken ?? loadOrCreateToken(env.dataDir);
  const operatorEthKey = env.operatorEthKey ?? loadOrCreateEthKey(env.dataDir);
  const ctx = await initContext({ db, clock: p.clock ?? systemClock, operatorToken, operatorEthKey, settings: p.settings, params: p.params });
  ctx.verifier = new VerifyPool(Math.max(1, Math.min(4, cpus().length - 1)));
  const app = await buildServer(ctx, { rateLimit: p.rateLimit });
  await app.listen({ host: env.host, port: env.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : env.port;
  // the chain adapter: off unless SWARM_CHAIN_RPC and SWARM_DISTRIBUTOR are set
  const publisher =
    env.chainRpc && env.distributor ? await RootPublisher.connect({ rpcUrl: env.chainRpc, distributor: env.distributor }, ctx.operatorAccount) : undefined;
  let busy = false;
  let stopped = false;
  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      await closeDueEpochs(ctx, p.hooks, p.onClosed);
      if (publisher) await publisher.publishPending(db);
    } catch (e) {
      p.onError?.(e);
    } finally {
      busy = false;
    }
  };
  const tickMs = p.tickMs ?? Math.min(5000, Math.max(250, (ctx.settings.epochSeconds * 1000) / 20));
  const timer = setInterval(() => void tick(), tickMs);
  void tick();
  return {
    ctx,
    app,
    db,
    url: `http://${env.host}:${port}`,
    operatorToken,
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (busy) await new Promise((r) => setTimeout(r, 20));
      await app.close();
      await ctx.verifier?.close();
      await db.close();
    },
  };
}

/** The operator token lives beside the data (mode 0600), created on first start. */
export function loadOrCreateToken(dataDir: string): string {
  const file = join(dataDir, 'operator-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** The operator's secp256k1 key (signs manifests) lives beside the data (mode 0600), created on first start. */
export function loadOrCreateEthKey(dataDir: string): `0x${string}` {
  const file = join(dataDir, 'operator-eth-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim() as `0x${string}`;
  mkdirSync(dataDir, { recursive: true });
  const key = generatePrivateKey();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
