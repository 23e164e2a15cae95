import { Chain, RewardDistributor, TestToken } from '@swarm/contracts';
import { formatTokens } from '@swarm/core';
import type { Hex } from 'viem';

type Tree = { values: { value: [Hex, string] }[] };
type Proof = { amount: string; proof: Hex[] };

/**
 * The demo's chain (`swarm demo --chain`): anvil, a test token and a RewardDistributor whose
 * operator is the service's key. The service posts each settled root itself (its chain adapter,
 * `SWARM_CHAIN_RPC` + `SWARM_DISTRIBUTOR`); after each close the demo plays the treasury and a
 * provider: it funds the distributor with what the new root adds, and claims the largest payee's
 * cumulative total with the service's proof (anyone may submit a claim; the tokens go to the payee).
 */
export class DemoChain {
  private funded = 0n;
  private readonly treasury = `0x${'7e'.repeat(20)}` as Hex;

  private constructor(
    readonly chain: Chain,
    readonly token: Hex,
    readonly distributor: Hex,
  ) {}

  get url(): string {
    return this.chain.url;
  }

  static async start(operator: Hex): Promise<DemoChain> {
    const chain = await Chain.create();
    try {
      const deployer = `0x${'de'.repeat(20)}` as Hex;
      const token = await chain.deploy(TestToken, [], deployer);
      const distributor = await chain.deploy(RewardDistributor, [token, operator], deployer);
      await chain.fund(operator); // gas for the roots it posts
      return new DemoChain(chain, token, distributor);
    } catch (e) {
      await chain.stop();
      throw e;
    }
  }

  /**
   * After epoch `n` closed with `payees` in its tree: waits (up to `timeoutMs`) for its root on chain,
   * funds what it adds, and has the largest payee claim. `get` reads the service's API. Returns the
   * lines to print.
   */
  async settle(n: number, payees: number, get: (path: string) => Promise<unknown>, timeoutMs = 30_000): Promise<string[]> {
    if (payees === 0) return [`  on chain: nobody has anything to claim as of epoch ${n} — no root to post`];
    const tree = (await get(`/v1/epochs/${n}/tree`)) as Tree;
    const until = Date.now() + timeoutMs;
    for (;;) {
      const has = (await this.chain.read(RewardDistributor, this.distributor, 'hasRoot')) as boolean;
      if (has && ((await this.chain.read(RewardDistributor, this.distributor, 'latestEpoch')) as bigint) >= BigInt(n)) break;
      if (Date.now() > until) return [`  on chain: the root of epoch ${n} was not posted within ${timeoutMs / 1000} s (see the service's log)`];
      await new Promise((r) => setTimeout(r, 200));
    }
    const owed = tree.values.reduce((a, v) => a + BigInt(v.value[1]), 0n);
    const add = owed - this.funded;
    if (add > 0n) {
      await this.chain.send(TestToken, this.token, 'mint', [this.distributor, add], this.treasury);
      this.funded = owed;
    }
    const [payee, total] = tree.values.map((v) => v.value).sort((a, b) => (BigInt(b[1]) > BigInt(a[1]) ? 1 : BigInt(b[1]) < BigInt(a[1]) ? -1 : 0))[0] as [
      Hex,
      string,
    ];
    const proof = (await get(`/v1/epochs/${n}/proofs/${payee}`)) as Proof;
    const r = await this.chain.send(RewardDistributor, this.distributor, 'claim', [payee, BigInt(proof.amount), proof.proof], this.treasury);
    const claim = r.ok
      ? `${payee} claimed ${formatTokens(r.value as bigint)} tokens (its cumulative ${formatTokens(BigInt(total))})`
      : `${payee}'s claim refused: ${r.error}`;
    return [`  on chain: root of epoch ${n} posted to ${this.distributor}; funded ${formatTokens(add > 0n ? add : 0n)} tokens; ${claim}`];
  }

  async stop(): Promise<void> {
    await this.chain.stop();
  }
}
