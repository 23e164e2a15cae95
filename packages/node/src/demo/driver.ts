import { Worker } from 'node:worker_threads';
import { SwarmClient } from '@swarm/sdk';
import type { computeImpact, Impact } from '@swarm/sim';
import { impactInputs } from '../cli/gov.ts';
import { epochOf, epochStart, type Settings } from '../service/context.ts';
import { SimulatedNetwork } from './network.ts';

/** What the demo's driver tells the process that runs the service. */
export type DriverMessage =
  | { type: 'ready'; nodes: number }
  | { type: 'slot'; epoch: number; into: number; heartbeats: number; receipts: number }
  | { type: 'say'; line: string }
  | { type: 'done'; heartbeats: number; receipts: number };

/** What the process that runs the service tells the driver: epochs closed so far, or stop. */
export type DriverCommand = { type: 'closed'; count: number } | { type: 'stop' };

export type DriverOptions = {
  url: string;
  operatorToken: string;
  seed: number;
  nodes: number;
  settings: Pick<Settings, 'genesis' | 'epochSeconds' | 'slotSeconds'>;
  maxEpochs: number;
};

/**
 * The demo's simulated network driving the service over HTTP, one slot at a time, on a thread of
 * its own (`driver-worker.mjs`): the service's event loop — a close, a burst of audits — never
 * delays a heartbeat, so a slot is missed only by a node built to miss it. Each slot's traffic
 * is sent when the slot starts; a slot the driver itself falls behind on is skipped for every node
 * alike and reported.
 */
export async function driveDemo(o: DriverOptions, post: (m: DriverMessage) => void, commands: { closed: number; stopping: boolean }): Promise<void> {
  const client = new SwarmClient({ baseUrl: o.url, operatorToken: o.operatorToken });
  const net = new SimulatedNetwork(client, { seed: o.seed, nodes: o.nodes });
  await net.bootstrap(Math.floor(Date.now() / 1000));
  post({ type: 'ready', nodes: o.nodes });
  const governance = demoGovernance(client, net);
  const s = o.settings;
  let last = -1;
  while (!commands.stopping) {
    const t = Math.floor(Date.now() / 1000);
    if (t >= s.genesis && t !== last) {
      const epoch = epochOf(s as Settings, t);
      if (epoch < o.maxEpochs) {
        if (last >= 0 && t > last + 1)
          post({ type: 'say', line: `  (the demo's driver fell ${t - last - 1} s behind: those slots were missed by every node alike)` });
        last = t;
        await net.tick(t, t - s.genesis, epoch, s.epochSeconds);
        // not awaited: its requests interleave with the next slots' traffic instead of holding them up
        void governance(t, commands.closed, (line) => post({ type: 'say', line })).catch((e) =>
          post({ type: 'say', line: `governance: ${(e as Error).message}` }),
        );
        post({ type: 'slot', epoch, into: t - epochStart(s as Settings, epoch) + 1, heartbeats: net.heartbeats, receipts: net.receipts });
      }
    }
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
  }
  post({ type: 'done', heartbeats: net.heartbeats, receipts: net.receipts });
}

/** `computeImpact` on a worker thread of its own (`impact-worker.mjs`): the simulator runs for seconds, and the driver's slots must not wait for it. */
function impactOffThread(x: Parameters<typeof computeImpact>[0]): Promise<Impact> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./impact-worker.mjs', import.meta.url), { workerData: x });
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
