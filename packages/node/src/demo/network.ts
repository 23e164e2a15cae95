import { createHash } from 'node:crypto';
import { backedProviderClass, defaultParams, GPU_BENCHMARK_TFLOPS, prng, probeResult, simulatedResultHash, TOKEN } from '@swarm/core';
import {
  type HeartbeatBody,
  type KeyPair,
  keysFromSeed,
  type ProposalBody,
  type ReceiptBody,
  SwarmApiError,
  type SwarmClient,
  signAttestation,
  signHeartbeat,
  signOnboarding,
  signProbeAnswer,
  signProposal,
  signReceipt,
  signRegister,
  signStake,
  signVote,
  ValidatorAgent,
} from '@swarm/sdk';

/**
 * A simulated network that drives the real service over HTTP with real signed messages: nodes of
 * mixed hardware and behaviour sending heartbeats, consumers sending countersigned receipts, a
 * few stakers and an attestor. Deterministic from its seed (keys included), except for the wall
 * clock it follows.
 */
export type Behaviour = 'reliable' | 'flaky' | 'unreliable' | 'intermittent' | 'unbonded';
export type SimNode = {
  id: string;
  keys: KeyPair;
  owner: KeyPair;
  ownerAddress: string;
  gpus: { model: string; count: number }[];
  behaviour: Behaviour;
  seq: number;
  registered: boolean;
};

export type NetworkOptions = { seed: number; nodes: number; consumers?: number; owners?: number };

const PROFILES: {
  w: number;
  cls: 'individual' | 'edge' | 'datacentre';
  sla: 'minimum' | 'recommended' | 'mission-critical';
  models: string[];
  gpus: [number, number];
}[] = [
  { w: 30, cls: 'individual', sla: 'minimum', models: ['RTX-4090', 'RTX-3090', 'T4', 'A10'], gpus: [1, 2] },
  { w: 25, cls: 'edge', sla: 'minimum', models: ['L40S', 'A100-40G', 'A10'], gpus: [4, 8] },
  { w: 25, cls: 'datacentre', sla: 'recommended', models: ['H100', 'A100-80G'], gpus: [8, 8] },
  { w: 8, cls: 'datacentre', sla: 'recommended', models: ['H200'], gpus: [8, 8] },
];
const REGIONS = ['eu-west', 'eu-north', 'us-east', 'us-west', 'ap-south', 'ap-east', 'sa-east', 'af-south'];

const seedKeys = (label: string) => keysFromSeed(createHash('sha256').update(`swarm-demo:${label}`).digest('hex'));
const address = (label: string) => `0x${createHash('sha256').update(`swarm-demo-address:${label}`).digest('hex').slice(0, 40)}`;

export class SimulatedNetwork {
  readonly nodes: SimNode[] = [];
  readonly consumers: KeyPair[];
  readonly owners: { keys: KeyPair; address: string; seq: number }[];
  readonly attestor = seedKeys('attestor');
  readonly stakers: { keys: KeyPair; address: string }[];
  private readonly r: () => number;
  private readonly profileOf = new Map<string, (typeof PROFILES)[number]>();
  private readonly regionOf = new Map<string, string>();
  private attestSeq = 0;
  private agent: ValidatorAgent | undefined;
  private auditSeq = 1_000;
  private readonly checked = new Set<string>();
  private usageEpoch = -1;
  private readonly used = new Map<string, number>();
  private readonly upSoFar = new Map<string, number>();
  private job = 0;
  heartbeats = 0;
  receipts = 0;
  audits = 0;
  probesAnswered = 0;
  rejected = 0;

  constructor(
    readonly client: SwarmClient,
    readonly o: NetworkOptions,
  ) {
    this.r = prng(o.seed);
    this.consumers = Array.from({ length: o.consumers ?? 4 }, (_, i) => seedKeys(`consumer-${i}`));
    this.owners = Array.from({ length: o.owners ?? Math.max(1, Math.ceil(o.nodes / 3)) }, (_, i) => ({
      keys: seedKeys(`owner-${i}`),
      address: address(`owner-${i}`),
      seq: 1,
    }));
    this.stakers = Array.from({ length: 3 }, (_, i) => ({ keys: seedKeys(`staker-${i}`), address: address(`staker-${i}`) }));
    const total = PROFILES.reduce((a, p) => a + p.w, 0);
    for (let i = 0; i < o.nodes; i++) {
      let x = this.r() * total;
      let prof = PROFILES[0] as (typeof PROFILES)[number];
      for (const p of PROFILES) {
        if (x < p.w) {
          prof = p;
          break;
        }
        x -= p.w;
      }
      const count = prof.gpus[0] + Math.floor(this.r() * (prof.gpus[1] - prof.gpus[0] + 1));
      const b = this.r();
      const behaviour: Behaviour = b < 0.7 ? 'reliable' : b < 0.85 ? 'flaky' : b < 0.93 ? 'unreliable' : b < 0.97 ? 'intermittent' : 'unbonded';
      const owner = this.owners[i % this.owners.length] as (typeof this.owners)[number];
      const id = `node-${String(i + 1).padStart(3, '0')}`;
      this.profileOf.set(id, prof);
      this.regionOf.set(id, REGIONS[Math.floor(this.r() * REGIONS.length)] as string);
      this.nodes.push({
        id,
        keys: seedKeys(`node-${i}`),
        owner: owner.keys,
        ownerAddress: owner.address,
        gpus: [{ model: prof.models[Math.floor(this.r() * prof.models.length)] as string, count }],
        behaviour,
        seq: 0,
        registered: false,
      });
    }
  }

  /** Funds, approvals, registrations, bonds and stakes: what a network has before its first epoch. */
  async bootstrap(now: number): Promise<void> {
    const c = this.client;
    for (const k of this.consumers) await c.grant({ key: k.publicKey, amount: (1_000_000n * TOKEN).toString(), memo: 'demo-consumer' });
    for (const o of this.owners) await c.grant({ key: o.keys.publicKey, amount: (200_000n * TOKEN).toString(), memo: 'demo-owner' });
    for (const s of this.stakers) await c.grant({ key: s.keys.publicKey, amount: (100_000n * TOKEN).toString(), memo: 'demo-staker' });
    await c.approveAttestor({ attestor: 'foundation', key: this.attestor.publicKey, roles: ['community', 'developer', 'liquidity', 'model'] });
    for (const n of this.nodes) {
      const prof = this.profileOf.get(n.id) as (typeof PROFILES)[number];
      const owner = this.owners.find((o) => o.keys.publicKey === n.owner.publicKey) as (typeof this.owners)[number];
      await c.register(
        signRegister(
          {
            type: 'register',
            nodeId: n.id,
            nodeKey: n.keys.publicKey,
            ownerKey: n.owner.publicKey,
            owner: n.ownerAddress,
            region: this.regionOf.get(n.id) as string,
            slaClass: prof.sla,
            // the class its owner's hosts back, all its nodes together (SPEC §3.1)
            providerClass: this.providerClassOf(n.owner.publicKey),
            hardware: this.hardwareOf(n),
            commitmentDays: [0, 30, 90, 180, 365][n.id.charCodeAt(n.id.length - 1) % 5] as number,
            referrer: null,
            timestamp: now,
            seq: owner.seq++,
          },
          n.keys.privateKey,
          n.owner.privateKey,
        ),
      );
      n.registered = true;
      if (n.behaviour !== 'unbonded') {
        const gpus = n.gpus.reduce((a, g) => a + g.count, 0);
        await c.stake(
          signStake(
            {
              type: 'stake',
              stakeId: `bond-${n.id}`,
              ownerKey: n.owner.publicKey,
              kind: 'bond',
              nodeId: n.id,
              payout: n.ownerAddress,
              amount: ((504n * TOKEN * BigInt(gpus) * 3n) / 2n).toString(),
              lockDays: 90,
              timestamp: now,
              seq: owner.seq++,
            },
            n.owner.privateKey,
          ),
        );
      }
    }
    for (const [i, s] of this.stakers.entries()) {
      await c.stake(
        signStake(
          {
            type: 'stake',
            stakeId: `stake-${i}`,
            ownerKey: s.keys.publicKey,
            kind: i === 0 ? 'operator' : 'user',
            nodeId: null,
            payout: s.address,
            amount: ((i === 0 ? 100_000n : 20_000n) * TOKEN).toString(),
            lockDays: i === 0 ? 730 : 90,
            timestamp: now,
            seq: 1,
          },
          s.keys.privateKey,
        ),
      );
    }
  }

  /**
   * A parameter proposal from staker 1 (its deposit comes from its wallet), with the impact the
   * caller simulated (SPEC §7: a proposal shows what it would change before anyone votes).
   */
  async propose(now: number, p: { id: string; patch: Record<string, unknown>; description: string; impact?: Record<string, unknown> }) {
    const s = this.stakers[1] as { keys: KeyPair };
    const body: ProposalBody = {
      type: 'proposal',
      kind: 'params',
      proposalId: p.id,
      proposerKey: s.keys.publicKey,
      patch: p.patch,
      description: p.description,
      timestamp: now,
      seq: ++this.auditSeq,
      ...(p.impact === undefined ? {} : { impact: p.impact }),
    };
    return this.client.propose(signProposal(body, s.keys.privateKey));
  }

  /** Every staker and every node owner votes on a proposal, each weighing its stake and bonds; returns the votes accepted. */
  async voteAll(now: number, proposalId: string, option: 'yes' | 'no' | 'abstain' | 'veto'): Promise<number> {
    const voters = [
      ...this.stakers.map((s) => ({ keys: s.keys, seq: () => ++this.auditSeq })),
      ...this.owners.map((o) => ({ keys: o.keys, seq: () => o.seq++ })),
    ];
    let accepted = 0;
    for (const v of voters) {
      try {
        await this.client.vote(signVote({ type: 'vote', proposalId, voterKey: v.keys.publicKey, option, timestamp: now, seq: v.seq() }, v.keys.privateKey));
        accepted++;
      } catch {
        this.rejected += 1;
      }
    }
    return accepted;
  }

  /** The provider class an owner's demo nodes back together: their GPUs and the RAM of their hosts. */
  private providerClassOf(ownerKey: string) {
    const mine = this.nodes.filter((x) => x.owner.publicKey === ownerKey).map((x) => this.hardwareOf(x));
    const owner = { gpus: mine.reduce((a, h) => a + h.gpus.reduce((b, g) => b + g.count, 0), 0), ramGb: mine.reduce((a, h) => a + h.ramGb, 0) };
    return backedProviderClass(owner, defaultParams().compute) ?? 'individual';
  }

  /** What a demo node has and declares: its GPUs, and a host sized to its profile. */
  private hardwareOf(n: (typeof this.nodes)[number]) {
    const individual = (this.profileOf.get(n.id) as (typeof PROFILES)[number]).cls === 'individual';
    return {
      gpus: n.gpus,
      vcpus: individual ? 16 : 128,
      ramGb: individual ? 64 : 1024,
      nvmeTb: individual ? 2 : 16,
      bandwidthGbps: individual ? 1 : 100,
    };
  }

  /** The validator's onboarding checks of every node not yet checked: what it measures on each. */
  async onboard(now: number): Promise<void> {
    const v = this.stakers[0] as { keys: KeyPair };
    for (const n of this.nodes) {
      if (this.checked.has(n.id)) continue;
      const hw = this.hardwareOf(n);
      const measured = {
        gpus: n.gpus.map((g) => {
          const [lo, hi] = GPU_BENCHMARK_TFLOPS[g.model] ?? [1, 1];
          return { ...g, tflops: String(Math.round((lo + hi) / 2)) };
        }),
        linkGbps: String(hw.bandwidthGbps),
        nvme: true,
        tpm: n.behaviour !== 'unbonded',
        // the host it runs on, as found: one host per demo node
        vcpus: hw.vcpus,
        ramGb: hw.ramGb,
        nvmeTb: hw.nvmeTb,
        hostId: createHash('sha256').update(`demo-host:${n.id}`).digest('hex'),
      };
      try {
        await this.client.onboard(
          signOnboarding(
            { type: 'onboarding', nodeId: n.id, validatorKey: v.keys.publicKey, measured, timestamp: now, seq: ++this.auditSeq },
            v.keys.privateKey,
          ),
        );
        this.checked.add(n.id);
      } catch (e) {
        // not a validator until its stake takes effect: try again next epoch
        if (!(e instanceof SwarmApiError && e.code === 'NOT_A_VALIDATOR')) this.rejected += 1;
        return;
      }
    }
  }

  /** Is node `n` up in slot `slot`? Behaviour decides, deterministically. */
  isUp(n: SimNode, slot: number): boolean {
    const h = (slot * 2654435761 + n.id.charCodeAt(n.id.length - 1) * 40503 + n.id.charCodeAt(n.id.length - 2) * 97) % 1000;
    switch (n.behaviour) {
      case 'reliable':
      case 'unbonded':
        return true;
      case 'flaky':
        return h >= 15; // ~98.5 % up
      case 'unreliable':
        return h >= 80; // ~92 % up
      case 'intermittent':
        return Math.floor(slot / 180) % 3 !== 1; // down one period in three
    }
  }

  /** One slot of traffic: a heartbeat batch from every node that is up, and some jobs. */
  /** The validator's agent: staker 0's operator key. */
  private validator(): ValidatorAgent {
    const v = this.stakers[0] as { keys: KeyPair };
    this.agent ??= new ValidatorAgent({ client: this.client, keys: v.keys, seq: () => ++this.auditSeq, probesPerStep: 4 });
    return this.agent;
  }

  async tick(now: number, slot: number, epoch: number, epochSlots: number): Promise<void> {
    const batch = this.nodes
      .filter((n) => this.isUp(n, slot))
      .map((n) => {
        n.seq += 1;
        const body: HeartbeatBody = {
          type: 'heartbeat',
          nodeId: n.id,
          seq: n.seq,
          timestamp: now,
          metrics: {
            gpuUtilisation: (0.2 + ((slot + n.seq) % 7) / 10).toFixed(2),
            latencyMs: 5 + (n.seq % 20),
            packetLoss: '0',
            powerEfficiency: n.behaviour === 'reliable' ? '0.88' : '0.8',
            jobsRunning: n.seq % 3,
          },
        };
        return signHeartbeat(body, n.keys.privateKey);
      });
    if (batch.length > 0) {
      try {
        this.heartbeats += (await this.client.heartbeats(batch)).accepted;
      } catch {
        this.rejected += batch.length;
      }
    }
    // liveness probes (SPEC §3.4): every node that is up answers the challenges waiting for it
    try {
      const pending = (await this.client.probes()).probes;
      const byId = new Map(this.nodes.map((n) => [n.id, n]));
      for (const p of pending) {
        const n = byId.get(p.nodeId);
        if (!n || !this.isUp(n, slot)) continue;
        await this.client.answerProbe(
          signProbeAnswer({ type: 'probe-answer', probeId: p.probeId, nodeId: n.id, result: probeResult(p.probeId), timestamp: now }, n.keys.privateKey),
        );
        this.probesAnswered += 1;
      }
    } catch {
      this.rejected += 1;
    }
    // jobs: each node that is up may finish one this slot; a node never delivers more GPU-seconds
    // than it had up (its provisioned capacity so far this epoch)
    if (epoch !== this.usageEpoch) {
      this.usageEpoch = epoch;
      this.used.clear();
      this.upSoFar.clear();
    }
    for (const n of this.nodes) {
      if (!this.isUp(n, slot)) continue;
      const gpus = n.gpus.reduce((a, g) => a + g.count, 0);
      this.upSoFar.set(n.id, (this.upSoFar.get(n.id) ?? 0) + gpus);
      if (this.r() >= 0.06) continue;
      const gpuSeconds = Math.max(1, Math.floor(gpus * (10 + this.r() * 20)));
      const used = this.used.get(n.id) ?? 0;
      if (used + gpuSeconds > (this.upSoFar.get(n.id) ?? 0)) continue;
      this.used.set(n.id, used + gpuSeconds);
      const consumer = this.consumers[Math.floor(this.r() * this.consumers.length)] as KeyPair;
      // $0.30 per GPU-hour at $0.10 per token: 3 tokens per GPU-hour
      const price = (3n * TOKEN * BigInt(gpuSeconds)) / 3600n;
      const body: ReceiptBody = {
        type: 'receipt',
        jobId: `job-${epoch}-${++this.job}`,
        nodeId: n.id,
        // every job of this network is genuine: its result is what a validator's re-execution finds
        resultHash: simulatedResultHash(`job-${epoch}-${this.job}`, gpuSeconds),
        consumerKey: consumer.publicKey,
        timestamp: now,
        usage: [{ model: n.gpus[0]?.model ?? 'other', gpuSeconds }],
        price: price.toString(),
        success: n.behaviour === 'unreliable' ? this.r() > 0.05 : this.r() > 0.005,
        responseMs: n.behaviour === 'reliable' ? 40 + Math.floor(this.r() * 60) : 80 + Math.floor(this.r() * 200),
        priority: this.r() < 0.2 ? 'high' : 'standard',
      };
      const rating = n.behaviour === 'reliable' ? 4 + Math.floor(this.r() * 2) : 2 + Math.floor(this.r() * 3);
      try {
        await this.client.receipt(signReceipt(body, n.keys.privateKey, consumer.privateKey, rating));
        this.receipts += 1;
      } catch {
        this.rejected += 1;
      }
    }
    // early in each epoch the validator checks the nodes awaiting onboarding (its stake counts from
    // epoch 1, so nodes earn from then): the unbonded ones have no TPM and stay out
    if (slot % epochSlots === Math.floor(epochSlots / 10)) await this.onboard(now);
    // the validator (staker 0's operator stake) does its duties (SPEC §3.4) four times an epoch: the
    // beacon commit and the last epoch's reveal early, the verdict commits after the draw (a quarter
    // in), the reveals after the commit deadline (three quarters in); it re-executes every job
    const k = slot % epochSlots;
    if ([Math.floor(epochSlots / 10), Math.floor((epochSlots * 2) / 5), Math.floor((epochSlots * 17) / 20)].includes(k)) {
      try {
        const step = await this.validator().step(now);
        this.audits += step.revealed.length;
        this.rejected += step.refused.length;
      } catch {
        this.rejected += 1;
      }
    }
    // the foundation attests contributions to the other roles once per epoch, midway
    if (slot % epochSlots === Math.floor(epochSlots / 2)) {
      for (const role of ['community', 'developer', 'liquidity', 'model'] as const) {
        const entries = Array.from({ length: 3 }, (_, i) => ({ payout: address(`${role}-${i}`), points: 10 + ((epoch + i * 7) % 40) }));
        try {
          await this.client.attest(
            signAttestation(
              { type: 'attestation', role, attestor: 'foundation', epoch, entries, timestamp: now, seq: ++this.attestSeq },
              this.attestor.privateKey,
            ),
          );
        } catch {
          this.rejected += 1;
        }
      }
    }
  }
}
