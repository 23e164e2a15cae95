import { type Chain, createPublicClient, createWalletClient, defineChain, type Hex, http, type LocalAccount } from 'viem';
import type { Db } from '../store/db.ts';

/** The slice of RewardDistributor's ABI the publisher needs. */
export const DISTRIBUTOR_ABI = [
  {
    type: 'function',
    name: 'postRoot',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'epoch', type: 'uint256' },
      { name: 'newRoot', type: 'bytes32' },
    ],
    outputs: [],
  },
  { type: 'function', name: 'latestEpoch', stateMutability: 'view', inputs: [], outputs: [{ type: 'uint256' }] },
  { type: 'function', name: 'hasRoot', stateMutability: 'view', inputs: [], outputs: [{ type: 'bool' }] },
] as const;

export type ChainConfig = { rpcUrl: string; distributor: Hex };

/**
 * The chain adapter (off unless configured): posts each settled epoch's root to the
 * RewardDistributor at `distributor`, through the JSON-RPC endpoint `rpcUrl`, signed by the
 * operator's key. It posts epochs in order and only once: what the contract already holds
 * (`latestEpoch`) is skipped, so a restart or a retry never posts twice.
 */
export class RootPublisher {
  private readonly wallet;
  private readonly reader;

  constructor(
    readonly config: ChainConfig,
    readonly account: LocalAccount,
    chainId: number,
  ) {
    const chain: Chain = defineChain({
      id: chainId,
      name: 'swarm',
      nativeCurrency: { name: 'ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [config.rpcUrl] } },
    });
    this.wallet = createWalletClient({ account, chain, transport: http(config.rpcUrl) });
    this.reader = createPublicClient({ chain, transport: http(config.rpcUrl) });
  }

  static async connect(config: ChainConfig, account: LocalAccount): Promise<RootPublisher> {
    const probe = createPublicClient({ transport: http(config.rpcUrl) });
    return new RootPublisher(config, account, await probe.getChainId());
  }

  /** Posts every settled epoch's root the contract does not hold yet. Returns the epochs posted. */
  async publishPending(db: Db): Promise<number[]> {
    const has = await this.reader.readContract({ address: this.config.distributor, abi: DISTRIBUTOR_ABI, functionName: 'hasRoot' });
    const latest = has ? Number(await this.reader.readContract({ address: this.config.distributor, abi: DISTRIBUTOR_ABI, functionName: 'latestEpoch' })) : -1;
    const rows = await db.query<{ epoch: string; root: string }>(
      "SELECT epoch::text AS epoch, root FROM epoch_trees WHERE epoch > $1 AND root <> '0x0000000000000000000000000000000000000000000000000000000000000000' ORDER BY epoch_trees.epoch",
      [latest],
    );
    const posted: number[] = [];
    for (const r of rows) {
      const hash = await this.wallet.writeContract({
        address: this.config.distributor,
        abi: DISTRIBUTOR_ABI,
        functionName: 'postRoot',
        args: [BigInt(r.epoch), r.root as Hex],
      });
      const receipt = await this.reader.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      if (receipt.status !== 'success') throw new Error(`postRoot(${r.epoch}) reverted`);
      posted.push(Number(r.epoch));
    }
    return posted;
  }
}
