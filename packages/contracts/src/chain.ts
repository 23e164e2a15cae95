import {
  type Abi,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type Chain as ViemChain,
} from 'viem';
import { Anvil, type AnvilOptions } from './anvil.ts';

export type Artifact = { abi: unknown[]; bytecode: string };
export type CallResult = { ok: boolean; error?: string; args?: readonly unknown[]; value?: unknown };

const asAbi = (a: Artifact) => a.abi as Abi;

/**
 * A chain for tests, examples and the demo: anvil, with any address able to send (impersonated,
 * given gas money on first use) and a clock that moves only when told. Calls report a revert by
 * its custom error's name and arguments instead of throwing.
 */
export class Chain {
  readonly chain: ViemChain;
  readonly public: PublicClient;
  private readonly test;
  private readonly funded = new Set<string>();

  private constructor(
    readonly anvil: Anvil,
    chainId: number,
  ) {
    this.chain = defineChain({
      id: chainId,
      name: 'anvil',
      nativeCurrency: { name: 'ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [anvil.url] } },
    });
    this.public = createPublicClient({ chain: this.chain, transport: http(anvil.url), cacheTime: 0 }) as PublicClient;
    this.test = createTestClient({ chain: this.chain, mode: 'anvil', transport: http(anvil.url) });
  }

  get url(): string {
    return this.anvil.url;
  }

  static async create(opts: AnvilOptions = {}): Promise<Chain> {
    const chainId = opts.chainId ?? 31337;
    const anvil = await Anvil.start({ ...opts, chainId, args: ['--auto-impersonate', ...(opts.args ?? [])] });
    return new Chain(anvil, chainId);
  }

  async stop(): Promise<void> {
    await this.anvil.stop();
  }

  /** Gives `address` ETH for gas, once. */
  async fund(address: Hex): Promise<void> {
    const k = address.toLowerCase();
    if (this.funded.has(k)) return;
    await this.test.setBalance({ address, value: 10n ** 21n });
    this.funded.add(k);
  }

  private wallet(from: Hex) {
    return createWalletClient({ account: from, chain: this.chain, transport: http(this.anvil.url) });
  }

  async deploy(a: Artifact, args: unknown[], from: Hex): Promise<Hex> {
    await this.fund(from);
    const hash = await this.wallet(from).deployContract({ abi: asAbi(a), bytecode: a.bytecode as Hex, args, account: from, chain: this.chain });
    const r = await this.public.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (r.status !== 'success' || !r.contractAddress) throw new Error('deploy failed');
    return r.contractAddress;
  }

  /** Sends a transaction from `from`: its return value (simulated first), or the revert's custom error. */
  async send(a: Artifact, to: Hex, functionName: string, args: unknown[], from: Hex): Promise<CallResult> {
    await this.fund(from);
    let value: unknown;
    try {
      ({ result: value } = await this.public.simulateContract({ address: to, abi: asAbi(a), functionName, args, account: from }));
    } catch (e) {
      return reverted(e);
    }
    const hash = await this.wallet(from).writeContract({ address: to, abi: asAbi(a), functionName, args, account: from, chain: this.chain });
    const r = await this.public.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (r.status !== 'success') return { ok: false, error: 'reverted on chain' };
    return { ok: true, value };
  }

  async read(a: Artifact, to: Hex, functionName: string, args: unknown[] = []): Promise<unknown> {
    return this.public.readContract({ address: to, abi: asAbi(a), functionName, args });
  }

  /** The chain's time: the next block's timestamp moves `seconds` on (and a block is mined). */
  async warp(seconds: bigint | number): Promise<void> {
    await this.test.increaseTime({ seconds: Number(seconds) });
    await this.test.mine({ blocks: 1 });
  }

  /** The chain's time: the next block (mined now) at `timestamp` (unix seconds, later than the last block's). */
  async setTime(timestamp: number): Promise<void> {
    await this.test.setNextBlockTimestamp({ timestamp: BigInt(timestamp) });
    await this.test.mine({ blocks: 1 });
  }

  async mine(blocks = 1): Promise<void> {
    await this.test.mine({ blocks });
  }

  /** anvil's own RPC methods (`anvil_reorg`, `evm_snapshot`, …). */
  async rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    return (await this.test.request({ method: method as never, params: params as never })) as T;
  }
}

/** A contract's revert inside a viem error: its custom error's name and arguments (or its reason); `undefined` when the error is not a revert (an endpoint down, say). */
export function revertOf(e: unknown): { error: string; args?: readonly unknown[] } | undefined {
  if (!(e instanceof BaseError)) return undefined;
  const r = e.walk((x) => x instanceof ContractFunctionRevertedError);
  if (!(r instanceof ContractFunctionRevertedError)) return undefined;
  if (r.data?.errorName) return { error: r.data.errorName, args: r.data.args as readonly unknown[] };
  return { error: r.reason ?? r.shortMessage };
}

function reverted(e: unknown): CallResult {
  const r = revertOf(e);
  if (!r) throw e;
  return { ok: false, ...r };
}
