/** Every environment variable the service reads, in one place (DESIGN §3.8). */
export type Env = {
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  operatorToken: string | undefined;
  operatorEthKey: `0x${string}` | undefined;
  logLevel: string;
  /** The chain adapter, off unless both are set: a JSON-RPC endpoint and the RewardDistributor address. */
  chainRpc: string | undefined;
  distributor: `0x${string}` | undefined;
};

export function readEnv(e: NodeJS.ProcessEnv = process.env): Env {
  return {
    databaseUrl: e.DATABASE_URL || undefined,
    dataDir: e.SWARM_DATA_DIR || '.swarm/data',
    host: e.SWARM_HOST || '127.0.0.1',
    port: e.SWARM_PORT ? Number(e.SWARM_PORT) : 8640,
    operatorToken: e.SWARM_OPERATOR_TOKEN || undefined,
    operatorEthKey: /^0x[0-9a-fA-F]{64}$/.test(e.SWARM_OPERATOR_ETH_KEY ?? '') ? (e.SWARM_OPERATOR_ETH_KEY as `0x${string}`) : undefined,
    logLevel: e.SWARM_LOG_LEVEL || 'warn',
    chainRpc: e.SWARM_CHAIN_RPC || undefined,
    distributor: /^0x[0-9a-fA-F]{40}$/.test(e.SWARM_DISTRIBUTOR ?? '') ? (e.SWARM_DISTRIBUTOR as `0x${string}`) : undefined,
  };
}
