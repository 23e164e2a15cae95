import { randomBytes } from 'node:crypto';
import { DEFAULT_PARAMS_JSON, loadKeccak, type Params, paramsHash, parseParams, serializeParams, trapCommitment } from '@swarm/core';
import type { LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { GENESIS_HASH } from '../ledger/ledger.ts';
import type { Db, Sql } from '../store/db.ts';
import type { Clock } from './clock.ts';
import { Metrics } from './metrics.ts';
import type { VerifyPool } from './verify-pool.ts';

/** Settings fixed when the store is created (changing them later would re-cut history). */
export type Settings = {
  /** Start of epoch 0, unix seconds. */
  genesis: number;
  epochSeconds: number;
  slotSeconds: number;
  /** An epoch closes this long after it ends; messages for it are accepted until then. */
  graceSeconds: number;
  /** How far a message's timestamp may be from the server's clock. */
  windowSeconds: number;
  /**
   * Length of a "day" for the durations counted in days — suspension, jail, exclusion, the 30-day
   * window, escrow, unbonding, the audit week: 86,400 in production; a demo network with minute
   * epochs runs a faster calendar so its ladder and escrow play out while you watch.
   */
  daySeconds: number;
  /**
   * Who may earn (SPEC §3.1): `validators` — a node earns once a validator's signed onboarding
   * check has passed every gate (the default); `open` — every registered node counts as onboarded
   * until a failing check says otherwise (a private or test network without validators yet).
   */
  onboarding: 'validators' | 'open';
};

export type NodeInfo = { id: string; nodeKey: string; ownerKey: string; owner: string; registeredAt: number; gpus: number; models: Set<string> };

/** Everything a keeper needs: the store, the clock, the settings, caches and metrics. */
export type Context = {
  db: Db;
  clock: Clock;
  settings: Settings;
  metrics: Metrics;
  /** Node identities never change once registered, so every process may cache them. */
  nodes: Map<string, NodeInfo>;
  operatorToken: string;
  /** The operator's secp256k1 account: signs each epoch's settlement manifest. */
  operatorAccount: LocalAccount;
  /** Worker threads that verify large batches of signatures; inline verification when absent. */
  verifier?: VerifyPool;
  /** The StakingVault whose events bonds come from (chain/stake-follower.ts): the API then refuses bonds of its own. */
  bondsOnChain?: string;
};

export type InitParameters = {
  db: Db;
  clock: Clock;
  operatorToken: string;
  /** The operator's secp256k1 private key (0x + 64 hex). */
  operatorEthKey: `0x${string}`;
  settings?: Partial<Settings>;
  /** The genesis parameter set (wire form); the defaults when omitted. Ignored once the store exists. */
  params?: unknown;
};

const DEFAULTS = { epochSeconds: 86_400, slotSeconds: 60, graceSeconds: 60, windowSeconds: 300, daySeconds: 86_400, onboarding: 'validators' as const };

/**
 * Opens the service's state: on a new store, writes the settings, the genesis parameter set, the
 * ledger's head and the epoch cursor; on an existing one, reads them (and refuses settings that
 * contradict what the store was created with).
 */
export async function initContext(p: InitParameters): Promise<Context> {
  const settings = await p.db.tx(async (sql) => {
    await sql.query('SELECT pg_advisory_xact_lock(7)');
    const rows = await sql.query<{ key: string; value: string }>('SELECT key, value FROM meta');
    if (rows.length > 0) {
      // stores created before a setting existed keep the behaviour they had
      const stored = {
        daySeconds: DEFAULTS.daySeconds,
        onboarding: 'open',
        ...JSON.parse((rows.find((r) => r.key === 'settings') as { value: string }).value),
      } as Settings;
      for (const [k, v] of Object.entries(p.settings ?? {})) {
        if (v !== undefined && k !== 'graceSeconds' && k !== 'windowSeconds' && (stored as Record<string, unknown>)[k] !== v) {
          throw new Error(`the store was created with ${k} = ${(stored as Record<string, unknown>)[k]}, not ${v}; use a new data directory or database`);
        }
      }
      return { ...stored, graceSeconds: p.settings?.graceSeconds ?? stored.graceSeconds, windowSeconds: p.settings?.windowSeconds ?? stored.windowSeconds };
    }
    const epochSeconds = p.settings?.epochSeconds ?? DEFAULTS.epochSeconds;
    const s: Settings = {
      genesis: p.settings?.genesis ?? Math.floor(p.clock.now() / epochSeconds) * epochSeconds,
      epochSeconds,
      slotSeconds: p.settings?.slotSeconds ?? DEFAULTS.slotSeconds,
      graceSeconds: p.settings?.graceSeconds ?? DEFAULTS.graceSeconds,
      windowSeconds: p.settings?.windowSeconds ?? DEFAULTS.windowSeconds,
      daySeconds: p.settings?.daySeconds ?? DEFAULTS.daySeconds,
      onboarding: p.settings?.onboarding ?? DEFAULTS.onboarding,
    };
    if (s.onboarding !== 'validators' && s.onboarding !== 'open') throw new Error("onboarding is 'validators' or 'open'");
    if (!Number.isSafeInteger(s.daySeconds) || s.daySeconds < 1) throw new Error('daySeconds must be a positive integer');
    checkSettings(s);
    const params = parseParams(p.params ?? DEFAULT_PARAMS_JSON);
    await sql.query('INSERT INTO meta (key, value) VALUES ($1, $2)', ['settings', JSON.stringify(s)]);
    await sql.query('INSERT INTO params_versions (hash, params, effective_epoch, created_at) VALUES ($1, $2, 0, $3)', [
      paramsHash(params),
      JSON.stringify(serializeParams(params)),
      p.clock.now(),
    ]);
    await sql.query('INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, $1) ON CONFLICT (id) DO NOTHING', [GENESIS_HASH]);
    await sql.query('INSERT INTO epoch_cursor (id, next_epoch) VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
    // the operator's trap secrets for the first two epochs' samples, committed before they start (SPEC §3.4)
    for (const e of [0, 1]) {
      const secret = randomBytes(32).toString('hex');
      await sql.query('INSERT INTO trap_secrets (epoch, commitment, secret) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        e,
        trapCommitment(e, secret),
        secret,
      ]);
    }
    return s;
  });
  await loadKeccak();
  return {
    db: p.db,
    clock: p.clock,
    settings,
    metrics: new Metrics(),
    nodes: new Map(),
    operatorToken: p.operatorToken,
    operatorAccount: privateKeyToAccount(p.operatorEthKey),
  };
}

/**
 * The settings a store may be created with: epochs of 60 s (SPEC §2: "down to 60 s for demos and
 * tests") to a year, slots of 1 s to an hour that divide the epoch — the same ranges the epoch input
 * format accepts, so every epoch a store closes can be replayed, verified and what-if'd.
 */
export function checkSettings(s: Settings): void {
  const int = (v: number, min: number, max: number, name: string) => {
    if (!Number.isSafeInteger(v) || v < min || v > max) throw new InvalidSettingError(`${name} must be a whole number from ${min} to ${max}, got ${v}`);
  };
  int(s.epochSeconds, 60, 31_536_000, 'epochSeconds');
  int(s.slotSeconds, 1, 3600, 'slotSeconds');
  int(s.graceSeconds, 0, 86_400, 'graceSeconds');
  int(s.genesis, 0, 253_402_300_799, 'genesis');
  if (s.epochSeconds % s.slotSeconds !== 0) throw new InvalidSettingError('epochSeconds must be a multiple of slotSeconds');
}

/** A store setting out of range: a usage error at `swarm start`. */
export class InvalidSettingError extends Error {
  override name = 'InvalidSettingError';
}

export function epochOf(s: Settings, ts: number): number {
  return Math.floor((ts - s.genesis) / s.epochSeconds);
}

export function epochStart(s: Settings, epoch: number): number {
  return s.genesis + epoch * s.epochSeconds;
}

/** The parameter set in force in `epoch` (the latest version effective at or before it). */
export async function paramsAt(sql: Sql, epoch: number): Promise<{ params: Params; hash: string }> {
  const r = await sql.query<{ hash: string; params: string }>(
    'SELECT hash, params FROM params_versions WHERE effective_epoch <= $1 ORDER BY effective_epoch DESC, created_at DESC LIMIT 1',
    [epoch],
  );
  const row = r[0];
  if (!row) throw new Error('no parameter set in force');
  return { params: parseParams(JSON.parse(row.params)), hash: row.hash };
}

/** The next epoch to close. */
export async function nextEpoch(sql: Sql): Promise<number> {
  const r = await sql.query<{ next_epoch: string }>('SELECT next_epoch::text AS next_epoch FROM epoch_cursor WHERE id = 1');
  return Number(r[0]?.next_epoch ?? 0);
}
