import { textProblem } from '@swarm/sdk';

/** Every environment variable the service reads, in one place (DESIGN §3.8). */
export type Env = {
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  operatorToken: string | undefined;
  operatorEthKey: `0x${string}` | undefined;
  logLevel: LogLevel;
  /**
   * The chain adapter, off unless a JSON-RPC endpoint and a contract are set: with the
   * RewardDistributor, each settled root is posted and claims are read back; with the StakingVault,
   * bonds come from its events (and the service's slashes go to it).
   */
  chainRpc: string | undefined;
  distributor: `0x${string}` | undefined;
  stakingVault: `0x${string}` | undefined;
  /** Blocks on top of a block before the follower counts its events (default 12). */
  confirmations: number;
  /** The first block the follower reads (the contracts' deployment; default 0). */
  fromBlock: number;
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A variable set to something the service cannot use: said at start, never silently ignored. */
export class EnvError extends Error {
  override name = 'EnvError';
}

/**
 * Reads and validates the environment. An unset (or empty) variable takes its default; a set one
 * that is malformed is an `EnvError` naming it and what was expected — a typo in a signing key or
 * a contract address must stop the start, not quietly make a new key or turn the chain adapter off.
 */
export function readEnv(e: NodeJS.ProcessEnv = process.env, defaults: { logLevel?: LogLevel } = {}): Env {
  const get = (name: string) => (e[name] === undefined || e[name] === '' ? undefined : (e[name] as string));
  const must = (name: string, ok: (v: string) => boolean, expected: string): string | undefined => {
    const v = get(name);
    if (v !== undefined && !ok(v)) throw new EnvError(`${name} must be ${expected}, got ${clip(v)}`);
    return v;
  };
  const port = must('SWARM_PORT', (v) => /^\d{1,5}$/.test(v) && Number(v) <= 65_535, 'a port number 0–65535');
  const url = must('DATABASE_URL', (v) => /^postgres(ql)?:\/\//.test(v), 'a postgres:// or postgresql:// URL');
  const rpc = must('SWARM_CHAIN_RPC', (v) => /^https?:\/\/\S+$/.test(v), 'an http:// or https:// JSON-RPC URL');
  const distributor = must('SWARM_DISTRIBUTOR', (v) => /^0x[0-9a-fA-F]{40}$/.test(v), 'an address: 0x and 40 hex digits');
  const vault = must('SWARM_STAKING_VAULT', (v) => /^0x[0-9a-fA-F]{40}$/.test(v), 'an address: 0x and 40 hex digits');
  if ((rpc !== undefined) !== (distributor !== undefined || vault !== undefined)) {
    throw new EnvError(
      'SWARM_CHAIN_RPC turns the chain adapter on with SWARM_DISTRIBUTOR and/or SWARM_STAKING_VAULT: set the endpoint and at least one contract, or none of them',
    );
  }
  const confirmations = must('SWARM_CHAIN_CONFIRMATIONS', (v) => /^\d{1,4}$/.test(v), 'a number of blocks 0–9999');
  const fromBlock = must('SWARM_CHAIN_FROM_BLOCK', (v) => /^\d{1,15}$/.test(v), 'a block number');
  const token = must('SWARM_OPERATOR_TOKEN', (v) => /^[\x21-\x7e]{16,256}$/.test(v), '16–256 printable ASCII characters without spaces');
  return {
    databaseUrl: url,
    dataDir: must('SWARM_DATA_DIR', (v) => textProblem(v) === undefined, 'a directory path without control characters') ?? '.swarm/data',
    host: must('SWARM_HOST', (v) => /^[A-Za-z0-9.:[\]-]{1,253}$/.test(v), 'a host name or IP address') ?? '127.0.0.1',
    port: port === undefined ? 8640 : Number(port),
    operatorToken: token,
    operatorEthKey: must('SWARM_OPERATOR_ETH_KEY', (v) => /^0x[0-9a-fA-F]{64}$/.test(v), 'a secp256k1 private key: 0x and 64 hex digits') as
      | `0x${string}`
      | undefined,
    logLevel: (must('SWARM_LOG_LEVEL', (v) => (LOG_LEVELS as readonly string[]).includes(v), `one of ${LOG_LEVELS.join(', ')}`) ??
      defaults.logLevel ??
      'info') as LogLevel,
    chainRpc: rpc,
    distributor: distributor as `0x${string}` | undefined,
    stakingVault: vault as `0x${string}` | undefined,
    confirmations: confirmations === undefined ? 12 : Number(confirmations),
    fromBlock: fromBlock === undefined ? 0 : Number(fromBlock),
  };
}

/** A value as it may appear in a message: never a secret in full, never a megabyte. */
function clip(v: string): string {
  return v.length <= 12 ? JSON.stringify(v) : `${JSON.stringify(v.slice(0, 8))}… (${v.length} characters)`;
}
