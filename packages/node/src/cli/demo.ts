import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { formatTokens } from '@swarm/core';
import cliProgress from 'cli-progress';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { DemoChain } from '../demo/chain.ts';
import type { DriverCommand, DriverMessage, DriverOptions } from '../demo/driver.ts';
import { readEnv } from '../env.ts';
import type { CloseReturnType } from '../keepers/epoch-close.ts';
import type { Settings } from '../service/context.ts';
import { startService } from '../service/run.ts';
import { UsageError } from './io.ts';
import { portOption } from './start.ts';

export type DemoOptions = {
  nodes: string;
  epochSeconds: string;
  port?: string;
  dataDir: string;
  keep?: boolean;
  epochs?: string;
  seed: string;
  /** Anvil as the chain: the service posts every root, and a provider claims (demo/chain.ts). */
  chain?: boolean;
};

/**
 * `swarm demo` (what `npm start` runs): the real service on a fresh embedded store, with short
 * epochs, driven over HTTP by a simulated network of providers, consumers, stakers and an
 * attestor. Each epoch's summary is printed as it closes, with progress while it runs.
 */
export const DEMO_MARKER = '.swarm-demo';

/**
 * A demo starts from an empty store, so it deletes the last one — but only a directory that is
 * one: missing, empty, or holding the marker a demo leaves (or, for stores made before the marker,
 * PGlite's files at the default path). Anything else is refused: `--data-dir ~/work` must never
 * delete someone's work.
 */
export function wipeDemoStore(dir: string): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    const legacy = dir === '.swarm/demo' && entries.includes('PG_VERSION');
    if (entries.length > 0 && !entries.includes(DEMO_MARKER) && !legacy) {
      throw new UsageError(`${dir} is not a demo store (it has no ${DEMO_MARKER}); the demo deletes its store, so choose another --data-dir`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, DEMO_MARKER), 'a swarm demo store: `swarm demo` deletes this directory when it starts\n', { mode: 0o600 });
}

export async function demo(o: DemoOptions): Promise<void> {
  const nodes = Number(o.nodes);
  const epochSeconds = Number(o.epochSeconds);
  if (!Number.isSafeInteger(nodes) || nodes < 1 || nodes > 5000) throw new UsageError('--nodes takes 1 to 5000');
  if (!Number.isSafeInteger(epochSeconds) || epochSeconds < 60) throw new UsageError('--epoch-seconds takes 60 or more');
  if (!/^\d{1,9}$/.test(o.seed)) throw new UsageError('--seed takes a whole number');
  if (!o.keep) wipeDemoStore(o.dataDir);
  // the demo prints its own summary per epoch; the service's log lines only from warn unless asked
  const base = readEnv(process.env, { logLevel: 'warn' });
  let env = { ...base, databaseUrl: undefined, dataDir: o.dataDir, port: portOption(o.port) ?? base.port };
  let chain: DemoChain | undefined;
  if (o.chain) {
    // anvil, with the token and the distributor; the service posts each root to it with its own key
    const operatorEthKey = base.operatorEthKey ?? generatePrivateKey();
    chain = await DemoChain.start(privateKeyToAccount(operatorEthKey).address);
    env = { ...env, operatorEthKey, chainRpc: chain.url, distributor: chain.distributor, confirmations: 0, fromBlock: 0 };
  }
  let onChain = Promise.resolve();
  const now = Math.floor(Date.now() / 1000);
  const genesis = now + 5; // the network registers and bonds before the first epoch starts
  let bar: cliProgress.SingleBar | undefined;
  const closed: CloseReturnType[] = [];
  let driver: Worker | undefined;
  let stopWhenDone = () => {};
  const running = await startService({
    env,
    settings: demoSettings(genesis, epochSeconds),
    rateLimit: 10_000_000,
    onClosed: (r) => {
      closed.push(r);
      bar?.stop();
      bar = undefined;
      printEpoch(r);
      if (chain) {
        const c = chain;
        const { epoch: n, payees } = r.summary;
        const get = async (path: string) => (await fetch(`${running.url}${path}`)).json();
        onChain = onChain.then(async () => {
          for (const line of await c.settle(n, payees, get).catch((e: Error) => [`  on chain: ${e.message}`])) console.log(line);
        });
      }
      driver?.postMessage({ type: 'closed', count: closed.length } satisfies DriverCommand);
      stopWhenDone();
    },
  });
  console.log(`Swarm Rewards demo — dashboard at ${running.url}/ · API under /v1 (OpenAPI at /openapi.json, interactive at /docs, metrics at /metrics)`);
  console.log(`A simulated network of ${nodes} nodes (mixed GPUs, classes, regions, behaviour), 4 consumers, 3 stakers and an attestor;`);
  if (chain) console.log(`Chain: anvil at ${chain.url} · RewardDistributor ${chain.distributor} · token ${chain.token}`);
  console.log(
    `epochs of ${epochSeconds} s with 1-s heartbeat slots, a ${demoDaySeconds(epochSeconds)}-s "day" for suspensions and escrow; store: PGlite in ${o.dataDir}. Ctrl-C to stop.\n`,
  );
  const maxEpochs = o.epochs === undefined ? Number.POSITIVE_INFINITY : Number(o.epochs);
  // the simulated network runs on a thread of its own: the service's closes and audits never delay its heartbeats
  const options: DriverOptions = {
    url: running.url,
    operatorToken: running.operatorToken,
    seed: Number(o.seed),
    nodes,
    settings: running.ctx.settings,
    maxEpochs: Number.isFinite(maxEpochs) ? maxEpochs : Number.MAX_SAFE_INTEGER,
  };
  driver = new Worker(new URL('../demo/driver-worker.mjs', import.meta.url), { workerData: options });
  const interactive = process.stdout.isTTY === true;
  let stopping = false;
  let counts = { heartbeats: 0, receipts: 0 };
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    bar?.stop();
    driver?.postMessage({ type: 'stop' } satisfies DriverCommand);
    await onChain;
    await running.stop();
    await driver?.terminate();
    await chain?.stop();
    console.log(`\nstopped after ${closed.length} epochs · ${counts.heartbeats} heartbeats and ${counts.receipts} receipts accepted over HTTP`);
    process.exit(code);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  stopWhenDone = () => {
    if (closed.length >= maxEpochs) void stop();
  };
  // a driver that fails (its bootstrap refused, the service unreachable) stops the demo with an error:
  // a service left running without its network would look like a demo that works
  driver.on('error', (e) => {
    console.log(`the demo's driver failed: ${e.message}`);
    void stop(1);
  });
  driver.on('message', (m: DriverMessage) => {
    if (m.type === 'ready') console.log(`registered ${m.nodes} nodes and their bonds; epoch 0 starts ${new Date(genesis * 1000).toISOString()}\n`);
    else if (m.type === 'say') {
      bar?.stop();
      bar = undefined;
      console.log(m.line);
    } else if (m.type === 'slot') {
      counts = m;
      const total = running.ctx.settings.epochSeconds;
      if (interactive) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { format: ` epoch {epoch} [{bar}] {value}/{total} s · {hb} heartbeats · {rc} receipts`, hideCursor: true, clearOnComplete: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, m.into, { epoch: m.epoch, hb: m.heartbeats, rc: m.receipts });
        }
        bar.update(m.into, { epoch: m.epoch, hb: m.heartbeats, rc: m.receipts });
      } else if (m.into % 15 === 0) {
        console.log(`  epoch ${m.epoch}: ${m.into}/${total} s · ${m.heartbeats} heartbeats · ${m.receipts} receipts accepted`);
      }
    }
  });
  await new Promise<never>(() => {}); // until Ctrl-C, or the last epoch closes
}

/**
 * The demo's calendar: a "day" is a seventh of an epoch, so a week is one epoch — a 7-day
 * suspension lasts an epoch and the 14-day escrow two, and the ladder, escrow and compensation
 * play out within minutes. Production runs 86,400-second days.
 */
export function demoDaySeconds(epochSeconds: number): number {
  return Math.max(1, Math.floor(epochSeconds / 7));
}

/** The demo's service settings (its test runs the same): one-second slots, the fast calendar, validators onboarding nodes. */
export function demoSettings(genesis: number, epochSeconds: number): Settings {
  return { genesis, epochSeconds, slotSeconds: 1, graceSeconds: 2, windowSeconds: 120, daySeconds: demoDaySeconds(epochSeconds), onboarding: 'validators' };
}

function printEpoch(r: CloseReturnType): void {
  const s = r.summary;
  const pools = Object.entries(s.pools)
    .map(([k, v]) => `${k} ${formatTokens(BigInt(v.allocated))}`)
    .join(' · ');
  const reasons = Object.entries(s.reasonCounts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
  console.log(
    `epoch ${s.epoch} closed — pool ${formatTokens(BigInt(s.epochPool))} tokens (D ${s.dynamicFactor}, utilisation ${(Number(s.networkUtilisation) * 100).toFixed(1)} %)`,
  );
  console.log(`  ${pools}`);
  console.log(
    `  ${s.earning}/${s.nodes} nodes earned · ${s.payees} payees · fees ${formatTokens(BigInt(s.fees))} (${formatTokens(BigInt(s.burned))} burned) · to treasury ${formatTokens(BigInt(s.treasury))}`,
  );
  if (reasons) console.log(`  reasons: ${reasons}`);
  if (s.epoch === 0 && s.earning === 0)
    console.log('  (nothing earned yet: bonds and onboarding made during epoch 0 count from epoch 1, SPEC §5; its pools went to the treasury)');
  if (s.warnings + s.slashes > 0 || s.released !== '0') {
    console.log(
      `  penalties: ${s.warnings} warned · ${s.slashes} slashed (${formatTokens(BigInt(s.slashed))} into escrow) · released ${formatTokens(BigInt(s.released))}, of which ${formatTokens(BigInt(s.compensated))} compensated consumers`,
    );
  }
}
