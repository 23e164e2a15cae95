import { probeResult, simulatedResultHash } from '@swarm/core';
import {
  type HeartbeatBody,
  type ReceiptBody,
  SwarmApiError,
  SwarmClient,
  signDispute,
  signHeartbeat,
  signProbeAnswer,
  signReceipt,
  signRegister,
} from '@swarm/sdk';
import { UsageError } from './io.ts';
import { readKeys } from './keys.ts';

export type AgentOptions = {
  server: string;
  nodeId: string;
  keys: string;
  ownerKeys: string;
  owner: string;
  gpu: string[];
  region: string;
  sla: string;
  providerClass: string;
  interval: string;
  once?: boolean;
};

/** `H100:8` → { model: 'H100', count: 8 }. */
function parseGpu(s: string): { model: string; count: number } {
  const [model, count = '1'] = s.split(':');
  if (!model || !/^\d+$/.test(count)) throw new UsageError(`--gpu takes MODEL[:COUNT], got ${s}`);
  return { model, count: Number(count) };
}

/**
 * `swarm agent`: a node agent. Registers the node if it is new, then every interval sends a signed
 * heartbeat, answers the liveness probes waiting for it and disputes any mismatch confirmed on its
 * receipts (it ran its jobs). Sequence numbers derive from the clock (ms), so they keep rising across restarts.
 */
export async function agent(o: AgentOptions): Promise<void> {
  const node = readKeys(o.keys);
  const owner = readKeys(o.ownerKeys);
  const client = new SwarmClient({ baseUrl: o.server });
  let last = 0;
  const seq = () => (last = Math.max(last + 1, Date.now()));
  const now = () => Math.floor(Date.now() / 1000);
  try {
    await client.register(
      signRegister(
        {
          type: 'register',
          nodeId: o.nodeId,
          nodeKey: node.publicKey,
          ownerKey: owner.publicKey,
          owner: o.owner,
          region: o.region,
          slaClass: o.sla as 'minimum',
          providerClass: o.providerClass as 'individual',
          hardware: { gpus: (o.gpu.length ? o.gpu : ['other:1']).map(parseGpu), vcpus: 8, ramGb: 32, nvmeTb: 1, bandwidthGbps: 1 },
          commitmentDays: 0,
          referrer: null,
          timestamp: now(),
          seq: seq(),
        },
        node.privateKey,
        owner.privateKey,
      ),
    );
    console.log(`registered ${o.nodeId}`);
  } catch (e) {
    if (!(e instanceof SwarmApiError && e.code === 'ALREADY_REGISTERED')) throw e;
    console.log(`${o.nodeId} is registered`);
  }
  const beat = async () => {
    const body: HeartbeatBody = {
      type: 'heartbeat',
      nodeId: o.nodeId,
      seq: seq(),
      timestamp: now(),
      metrics: { gpuUtilisation: '0', latencyMs: 0, packetLoss: '0', powerEfficiency: null, jobsRunning: 0 },
    };
    try {
      await client.heartbeat(signHeartbeat(body, node.privateKey));
      console.log(`${new Date().toISOString()} heartbeat accepted`);
    } catch (e) {
      console.error(`${new Date().toISOString()} heartbeat refused: ${(e as Error).message}`);
    }
    // liveness probes: the challenge's small job, run and signed (SPEC §3.4)
    try {
      for (const p of (await client.probes(o.nodeId)).probes)
        await client.answerProbe(
          signProbeAnswer({ type: 'probe-answer', probeId: p.probeId, nodeId: o.nodeId, result: probeResult(p.probeId), timestamp: now() }, node.privateKey),
        );
    } catch (e) {
      console.error(`${new Date().toISOString()} probe answer failed: ${(e as Error).message}`);
    }
    // a mismatch confirmed on one of its receipts: this node ran its jobs, so it disputes (SPEC §3.4)
    try {
      for (const c of (await client.disputable(o.nodeId)).confirmations) {
        if (c.status !== 'pending' || now() > c.disputeBy) continue;
        const d = await client.dispute(signDispute({ type: 'dispute', jobId: c.jobId, nodeId: o.nodeId, timestamp: now(), seq: seq() }, node.privateKey));
        console.log(`${new Date().toISOString()} disputed the mismatch confirmed on ${c.jobId}: re-executed by ${d.validators.length} more validators`);
      }
    } catch (e) {
      console.error(`${new Date().toISOString()} dispute check failed: ${(e as Error).message}`);
    }
  };
  await beat();
  if (o.once) return;
  setInterval(() => void beat(), Number(o.interval) * 1000);
  await new Promise(() => {});
}

export type JobOptions = {
  server: string;
  nodeId: string;
  keys: string;
  consumerKeys: string;
  jobId: string;
  model: string;
  gpuSeconds: string;
  price: string;
  rating: string;
  /** The hash of the job's result (default: the demo's stand-in for it, a function of the job). */
  result?: string;
  failed?: boolean;
  responseMs: string;
};

/** `swarm agent job`: report a finished job — the node signs the receipt, the consumer countersigns. */
export async function reportJob(o: JobOptions): Promise<void> {
  const node = readKeys(o.keys);
  const consumer = readKeys(o.consumerKeys);
  const body: ReceiptBody = {
    type: 'receipt',
    jobId: o.jobId,
    nodeId: o.nodeId,
    consumerKey: consumer.publicKey,
    timestamp: Math.floor(Date.now() / 1000),
    resultHash: o.result ?? simulatedResultHash(o.jobId, Number(o.gpuSeconds)),
    usage: [{ model: o.model, gpuSeconds: Number(o.gpuSeconds) }],
    price: o.price,
    success: !o.failed,
    responseMs: Number(o.responseMs),
    priority: 'standard',
  };
  const r = await new SwarmClient({ baseUrl: o.server }).receipt(signReceipt(body, node.privateKey, consumer.privateKey, Number(o.rating)));
  console.log(`receipt for ${r.jobId} accepted${r.billable ? '' : ' (below the minimum billable rate: it does not count towards rewards)'}`);
}
