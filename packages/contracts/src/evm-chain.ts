import { createBlock } from '@ethereumjs/block';
import { createEVM, type EVM } from '@ethereumjs/evm';
import { bytesToHex, createAddressFromString, hexToBytes } from '@ethereumjs/util';
import { type Abi, decodeErrorResult, decodeFunctionResult, encodeDeployData, encodeFunctionData, type Hex } from 'viem';

export type Artifact = { abi: unknown[]; bytecode: string };
export type CallResult = { ok: boolean; error?: string; args?: readonly unknown[]; value?: unknown };

/** An in-process EVM (ethereumjs) with a clock we set: enough to deploy, call and read. */
export class Chain {
  now = 1_800_000_000n;
  private constructor(readonly evm: EVM) {}

  static async create(): Promise<Chain> {
    return new Chain(await createEVM());
  }

  private block() {
    return createBlock({ header: { timestamp: this.now, gasLimit: 30_000_000n } });
  }

  async deploy(a: Artifact, args: unknown[], from: Hex): Promise<Hex> {
    const r = await this.evm.runCall({
      caller: createAddressFromString(from),
      data: hexToBytes(encodeDeployData({ abi: a.abi as Abi, bytecode: a.bytecode as Hex, args })),
      gasLimit: 15_000_000n,
      block: this.block(),
    });
    if (r.execResult.exceptionError || !r.createdAddress) throw new Error(`deploy failed: ${r.execResult.exceptionError?.error}`);
    return r.createdAddress.toString() as Hex;
  }

  async send(a: Artifact, to: Hex, functionName: string, args: unknown[], from: Hex): Promise<CallResult> {
    const r = await this.evm.runCall({
      caller: createAddressFromString(from),
      to: createAddressFromString(to),
      data: hexToBytes(encodeFunctionData({ abi: a.abi as Abi, functionName, args })),
      gasLimit: 5_000_000n,
      block: this.block(),
    });
    const ret = bytesToHex(r.execResult.returnValue) as Hex;
    if (r.execResult.exceptionError) {
      try {
        const e = decodeErrorResult({ abi: a.abi as Abi, data: ret });
        return { ok: false, error: e.errorName, args: e.args as readonly unknown[] };
      } catch {
        return { ok: false, error: r.execResult.exceptionError.error };
      }
    }
    let value: unknown;
    try {
      value = decodeFunctionResult({ abi: a.abi as Abi, functionName, data: ret });
    } catch {
      value = undefined;
    }
    return { ok: true, value };
  }

  async read(a: Artifact, to: Hex, functionName: string, args: unknown[] = []): Promise<unknown> {
    const r = await this.send(a, to, functionName, args, `0x${'00'.repeat(19)}01`);
    if (!r.ok) throw new Error(`${functionName} reverted: ${r.error}`);
    return r.value;
  }
}
