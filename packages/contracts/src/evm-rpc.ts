import { createServer, type Server } from 'node:http';
import { Common, Mainnet } from '@ethereumjs/common';
import { createTxFromRLP } from '@ethereumjs/tx';
import { bytesToHex, hexToBytes } from '@ethereumjs/util';
import { type Hex, keccak256 } from 'viem';
import type { Chain } from './evm-chain.ts';

/**
 * A JSON-RPC endpoint over the in-process EVM, on loopback: just the methods a viem wallet client
 * needs to send a contract transaction and wait for its receipt. Each transaction is its own block.
 */
export class EvmRpc {
  private server: Server | undefined;
  private block = 1n;
  private readonly nonces = new Map<string, bigint>();
  private readonly receipts = new Map<string, Record<string, unknown>>();
  readonly chainId = 1;
  private readonly common = new Common({ chain: Mainnet, hardfork: 'cancun' });

  constructor(readonly chain: Chain) {}

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', async () => {
        const msg = JSON.parse(body) as { id: number; method: string; params: unknown[] } | { id: number; method: string; params: unknown[] }[];
        const one = async (m: { id: number; method: string; params: unknown[] }) => {
          try {
            return { jsonrpc: '2.0', id: m.id, result: await this.handle(m.method, m.params ?? []) };
          } catch (e) {
            return { jsonrpc: '2.0', id: m.id, error: { code: -32000, message: (e as Error).message } };
          }
        };
        const out = Array.isArray(msg) ? await Promise.all(msg.map(one)) : await one(msg);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(out));
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    const a = this.server.address();
    return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  }

  async close(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }

  private hex(n: bigint): Hex {
    return `0x${n.toString(16)}`;
  }

  async handle(method: string, params: unknown[]): Promise<unknown> {
    switch (method) {
      case 'eth_chainId':
        return this.hex(BigInt(this.chainId));
      case 'eth_blockNumber':
        return this.hex(this.block);
      case 'eth_getBlockByNumber':
        return {
          number: this.hex(this.block),
          hash: keccak256(`0x${this.block.toString(16).padStart(64, '0')}`),
          timestamp: this.hex(this.chain.now),
          baseFeePerGas: '0x1',
          gasLimit: '0x1c9c380',
          transactions: [],
        };
      case 'eth_maxPriorityFeePerGas':
      case 'eth_gasPrice':
        return '0x1';
      case 'eth_estimateGas':
        return '0x4c4b40';
      case 'eth_getTransactionCount':
        return this.hex(this.nonces.get(String(params[0]).toLowerCase()) ?? 0n);
      case 'eth_call': {
        const c = params[0] as { from?: Hex; to: Hex; data: Hex };
        const r = await this.chain.evm.runCall(await this.callOpts(c));
        if (r.execResult.exceptionError) throw new Error('execution reverted');
        return bytesToHex(r.execResult.returnValue);
      }
      case 'eth_sendRawTransaction': {
        const raw = params[0] as Hex;
        const tx = createTxFromRLP(hexToBytes(raw), { common: this.common });
        const from = tx.getSenderAddress().toString().toLowerCase();
        const nonce = this.nonces.get(from) ?? 0n;
        if (tx.nonce !== nonce) throw new Error(`nonce ${tx.nonce}, expected ${nonce}`);
        this.nonces.set(from, nonce + 1n);
        const r = await this.chain.evm.runCall({
          ...(await this.callOpts({ from: from as Hex, to: tx.to?.toString() as Hex, data: bytesToHex(tx.data) as Hex })),
          gasLimit: tx.gasLimit,
        });
        this.block += 1n;
        const hash = keccak256(raw);
        this.receipts.set(hash, {
          transactionHash: hash,
          transactionIndex: '0x0',
          blockHash: keccak256(`0x${this.block.toString(16).padStart(64, '0')}`),
          blockNumber: this.hex(this.block),
          from,
          to: tx.to?.toString(),
          cumulativeGasUsed: this.hex(r.execResult.executionGasUsed),
          gasUsed: this.hex(r.execResult.executionGasUsed),
          effectiveGasPrice: '0x1',
          contractAddress: null,
          logs: [],
          logsBloom: `0x${'00'.repeat(256)}`,
          status: r.execResult.exceptionError ? '0x0' : '0x1',
          type: '0x2',
        });
        return hash;
      }
      case 'eth_getTransactionReceipt':
        return this.receipts.get(String(params[0])) ?? null;
      default:
        throw new Error(`method ${method} not supported by the test RPC`);
    }
  }

  private async callOpts(c: { from?: Hex; to: Hex; data: Hex }) {
    const { createAddressFromString } = await import('@ethereumjs/util');
    const { createBlock } = await import('@ethereumjs/block');
    return {
      caller: createAddressFromString(c.from ?? `0x${'00'.repeat(20)}`),
      to: createAddressFromString(c.to),
      data: hexToBytes(c.data ?? '0x'),
      gasLimit: 5_000_000n,
      block: createBlock({ header: { timestamp: this.chain.now, gasLimit: 30_000_000n } }),
    };
  }
}
