import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../src/store/db.ts';

const bin = new URL('../bin/swarm.js', import.meta.url).pathname;
export const PROCESS_TOKEN = 'process-test-operator-token';

export type Proc = { child: ChildProcess; url: string; port: number; exited: Promise<{ code: number | null; signal: string | null }>; output: () => string };

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `swarm-${label}-`));
}

let template: Promise<string> | undefined;

/**
 * A new data directory holding an empty PGlite store, migrated: a copy of one made once per test
 * worker. A process given an empty directory runs PGlite's initdb and every migration first (~4 s
 * of CPU of its ~9 s cold start); crash.test.ts starts eight processes at once on two cores.
 */
export async function storeDir(label: string): Promise<string> {
  template ??= (async () => {
    const dir = tempDir('template');
    await (await openDb({ dataDir: dir })).close();
    return dir;
  })();
  const dir = tempDir(label);
  cpSync(await template, dir, { recursive: true });
  return dir;
}

/** The process tests' epoch, s: the shortest the service takes. */
export const PROCESS_EPOCH_SECONDS = 60;

/** `swarm start` options of the process tests: one-minute epochs of one-second slots from `genesis`, open onboarding. */
export function minuteEpochArgs(dataDir: string, genesis: number): string[] {
  const epoch = String(PROCESS_EPOCH_SECONDS);
  return ['--data-dir', dataDir, '--epoch-seconds', epoch, '--slot-seconds', '1', '--grace-seconds', '2', '--genesis', String(genesis), '--onboarding', 'open'];
}

/**
 * Starts `swarm start` as a real process on port 0 (the system picks a free one: ports are shared
 * between concurrent test files) and learns its address from the service's "service started" log
 * line — never by guessing a port and trusting whatever answers there.
 */
export async function startProcess(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  const child = spawn(process.execPath, [bin, 'start', '--port', '0', '--quiet', ...args], {
    env: { ...process.env, SWARM_OPERATOR_TOKEN: PROCESS_TOKEN, SWARM_OPERATOR_ETH_KEY: `0x${'33'.repeat(32)}`, SWARM_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let url: string | undefined;
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => {
    out += d;
    url ??= /"msg":"service started"/.test(out) ? /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1] : undefined;
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // generous: on a loaded 2-core machine a cold start (tsx, PGlite, migrations) has taken over a minute
  const deadline = Date.now() + 150_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`swarm start exited early:\n${out}`);
    if (url !== undefined) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {}
    }
    if (Date.now() > deadline) throw new Error(`swarm start did not answer within 150 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, port: Number(new URL(url).port), exited, output: () => out };
}

export async function stopProcess(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await Promise.race([p.exited, new Promise((r) => setTimeout(r, 5000))]);
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}

export async function waitFor<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
