import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { formatTokens } from '@swarm/core';
import { SwarmClient } from '@swarm/sdk';
import type { computeImpact, Impact } from '@swarm/sim';
import cliProgress from 'cli-progress';
import { SimulatedNetwork } from '../demo/network.ts';
import { readEnv } from '../env.ts';
import type { CloseReturnType } from '../keepers/epoch-close.ts';
import { epochOf, epochStart, type Settings } from '../service/context.ts';
import { startService } from '../service/run.ts';
import { impactInputs } from './gov.ts';
import { UsageError } from './io.ts';
import { portOption } from './start.ts';

export type DemoOptions = { nodes: string; epochSeconds: string; port?: string; dataDir: string; keep?: boolean; epochs?: string; seed: string };

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
  if (!o.keep) wipeDemoStore(o.dataDir);
  // the demo prints its own summary per epoch; the service's log lines only from warn unless asked
  const base = readEnv(process.env, { logLevel: 'warn' });
  const env = { ...base, databaseUrl: undefined, dataDir: o.dataDir, port: portOption(o.port) ?? base.port };
  const now = Math.floor(Date.now() / 1000);
  const genesis = now + 5; // the network registers and bonds before the first epoch starts
  let bar: cliProgress.SingleBar | undefined;
  const closed: CloseReturnType[] = [];
  const running = await startService({
    env,
    settings: demoSettings(genesis, epochSeconds),
    rateLimit: 10_000_000,
    onClosed: (r) => {
      closed.push(r);
      bar?.stop();
      bar = undefined;
      printEpoch(r);
    },
  });
  const client = new SwarmClient({ baseUrl: running.url, operatorToken: running.operatorToken });
  console.log(`Swarm Rewards demo — dashboard at ${running.url}/ · API under /v1 (OpenAPI at /openapi.json, metrics at /metrics)`);
  console.log(`A simulated network of ${nodes} nodes (mixed GPUs, classes, regions, behaviour), 4 consumers, 3 stakers and an attestor;`);
  console.log(
    `epochs of ${epochSeconds} s with 1-s heartbeat slots, a ${demoDaySeconds(epochSeconds)}-s "day" for suspensions and escrow; store: PGlite in ${o.dataDir}. Ctrl-C to stop.\n`,
  );
  const net = new SimulatedNetwork(client, { seed: Number(o.seed), nodes });
  await net.bootstrap(Math.floor(Date.now() / 1000));
  console.log(`registered ${nodes} nodes and their bonds; epoch 0 starts ${new Date(genesis * 1000).toISOString()}\n`);
  const maxEpochs = o.epochs === undefined ? Number.POSITIVE_INFINITY : Number(o.epochs);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    bar?.stop();
    await running.stop();
    console.log(`\nstopped after ${closed.length} epochs · ${net.heartbeats} heartbeats and ${net.receipts} receipts accepted over HTTP`);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const interactive = process.stdout.isTTY === true;
  const governance = demoGovernance(client, net);
  for (;;) {
    const t = Math.floor(Date.now() / 1000);
    if (t >= genesis) {
      const s = running.ctx.settings;
      const epoch = epochOf(s, t);
      if (epoch >= maxEpochs) {
        // wait for the last epoch to close, then stop
        if (closed.length >= maxEpochs) return stop();
      } else {
        const slot = t - genesis;
        await net.tick(t, slot, epoch, s.epochSeconds);
        // not awaited: its requests interleave with the next slots' traffic instead of holding them up
        void governance(t, closed.length, (line) => {
          bar?.stop();
          bar = undefined;
          console.log(line);
        }).catch((e) => console.log(`governance: ${(e as Error).message}`));
        const into = t - epochStart(s, epoch) + 1;
        if (interactive) {
          if (!bar) {
            bar = new cliProgress.SingleBar(
              { format: ` epoch {epoch} [{bar}] {value}/{total} s · {hb} heartbeats · {rc} receipts`, hideCursor: true, clearOnComplete: true },
              cliProgress.Presets.shades_classic,
            );
            bar.start(s.epochSeconds, into, { epoch, hb: net.heartbeats, rc: net.receipts });
          }
          bar.update(into, { epoch, hb: net.heartbeats, rc: net.receipts });
        } else if (into % 15 === 0) {
          console.log(`  epoch ${epoch}: ${into}/${s.epochSeconds} s · ${net.heartbeats} heartbeats · ${net.receipts} receipts accepted`);
        }
      }
    }
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
  }
}

/** `computeImpact` on a worker thread (`demo/impact-worker.mjs`): the simulator runs for seconds, and the demo's network and service share this thread. */
function impactOffThread(x: Parameters<typeof computeImpact>[0]): Promise<Impact> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('../demo/impact-worker.mjs', import.meta.url), { workerData: x });
    w.once('message', (m: Impact) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`the impact worker stopped (exit ${code}) without an answer`)));
  });
}

/** The demo's proposal (SPEC §7): a bigger compute share, opened once two epochs are closed to replay. */
export const DEMO_PROPOSAL = {
  id: 'demo-raise-compute',
  patch: { roles: { weights: { compute: '65' } } },
  description: 'Raise the compute pool weight from 60 to 65: more of each epoch to providers',
};

/**
 * Governance in the demo: once two epochs are closed, a staker proposes `DEMO_PROPOSAL` with its
 * impact simulated on them, every staker and owner votes yes, and the outcome is reported when the
 * voting period's close tallies it. Call it every slot with the number of epochs closed so far.
 */
export function demoGovernance(client: SwarmClient, net: SimulatedNetwork) {
  let stage: 'waiting' | 'voting' | 'done' = 'waiting';
  let busy = false; // one step at a time: the demo calls it every slot without waiting for it
  const step = async (now: number, closedEpochs: number, say: (line: string) => void): Promise<void> => {
    if (stage === 'waiting' && closedEpochs >= 2) {
      stage = 'voting';
      const impact = await impactOffThread(await impactInputs(client, DEMO_PROPOSAL.patch, 2));
      const r = await net.propose(now, { ...DEMO_PROPOSAL, impact: impact as unknown as Record<string, unknown> });
      const votes = await net.voteAll(now, r.proposalId, 'yes');
      const bp = impact.replay.computeChangeBp;
      say(
        `governance: a staker proposes "${DEMO_PROPOSAL.description}" — replayed on epochs ${impact.replay.epochs.join(', ')}: compute rewards ${bp >= 0 ? '+' : ''}${(bp / 100).toFixed(2)} %; ${votes} stakers and owners vote yes; the vote closes with epoch ${r.votingEndsAfterEpoch}`,
      );
    } else if (stage === 'voting') {
      const p = (await client.proposals()).proposals.find((x) => x.id === DEMO_PROPOSAL.id) as { status: string } | undefined;
      if (p !== undefined && p.status !== 'voting') {
        stage = 'done';
        say(
          `governance: proposal ${DEMO_PROPOSAL.id} ${p.status}${p.status === 'passed' ? ': the new weights apply from the next epoch (see /v1/params/history)' : ''}`,
        );
      }
    }
  };
  return async (now: number, closedEpochs: number, say: (line: string) => void): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      await step(now, closedEpochs, say);
    } finally {
      busy = false;
    }
  };
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
