import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The platform binary `@foundry-rs/anvil` installs (its own `bin.mjs` wrapper would sit between us and the signal). */
export function anvilBinary(): string {
  if (process.env.ANVIL_BIN) return process.env.ANVIL_BIN;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platform = process.platform === 'win32' ? 'win32' : process.platform;
  try {
    return join(dirname(require.resolve(`@foundry-rs/anvil-${platform}-${arch}/package.json`)), 'bin', platform === 'win32' ? 'anvil.exe' : 'anvil');
  } catch {
    return 'anvil'; // on PATH
  }
}

export type AnvilOptions = {
  /** Seconds between blocks; unset: a block per transaction (automine). */
  blockTime?: number;
  chainId?: number;
  /** A fixed port (to restart on the same URL); unset: a free one. */
  port?: number;
  /** A file the chain is loaded from, if it exists, and saved to when stopped: a restart keeps it. */
  statePath?: string;
  /** Extra command-line arguments. */
  args?: string[];
};

/**
 * A local chain: Foundry's anvil in a child process of its own, on loopback and a free port.
 * `stop()` ends it; so does the end of this process.
 */
export class Anvil {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(opts: AnvilOptions = {}): Promise<Anvil> {
    const args = ['--host', '127.0.0.1', '--port', String(opts.port ?? 0), '--chain-id', String(opts.chainId ?? 31337), ...(opts.args ?? [])];
    if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime));
    if (opts.statePath !== undefined) args.push('--state', opts.statePath);
    const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`anvil did not start in 30 s: ${out.slice(-500)}`)), 30_000);
      const fail = (e: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(e);
      };
      child.once('error', (e) => fail(new Error(`could not run anvil (${anvilBinary()}): ${e.message}`)));
      child.once('exit', (code) => fail(new Error(`anvil exited (${code}) before listening: ${out.slice(-500)}`)));
      const read = (d: Buffer) => {
        out += d.toString();
        const m = /Listening on (\S+:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.stdout?.off('data', read);
          child.stdout?.resume(); // keep draining: a full pipe would block anvil
          resolve(`http://${m[1]}`);
        }
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', (d: Buffer) => {
        out += d.toString();
      });
    });
    const stop = () => child.kill('SIGKILL');
    process.once('exit', stop);
    child.once('exit', () => process.off('exit', stop));
    return new Anvil(url, child);
  }

  /** Ends the chain (saving it first when started with `statePath`). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((r) => {
      this.child.once('exit', () => r());
      this.child.kill('SIGTERM');
    });
  }
}
