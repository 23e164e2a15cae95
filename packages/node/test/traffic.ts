import { TOKEN } from '@swarm/core';
import { type KeyPair, signAttestation, signStake } from '@swarm/sdk';
import type { FastifyInstance } from 'fastify';
import type { ManualClock } from '../src/service/clock.ts';
import { addr, GENESIS, heartbeat, keys, OPERATOR, receipt, registration } from './helpers.ts';

/**
 * A recorded day of traffic for one epoch of TEST_SETTINGS (an hour, minute slots): twelve nodes
 * of mixed hardware and behaviour, two consumers, bonds, stakes and an attestation. Deterministic:
 * the same calls in the same order at the same (manual) clock readings, whatever the store.
 */
export async function playTraffic(app: FastifyInstance, clock: ManualClock, epoch = 0): Promise<void> {
  const auth = { authorization: `Bearer ${OPERATOR}` };
  const ok = async (url: string, payload: unknown, headers: Record<string, string> = {}) => {
    const r = await app.inject({ method: 'POST', url, payload: payload as object, headers });
    if (r.statusCode >= 300) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
  };
  const start = GENESIS + epoch * 3600;
  clock.set(start + 5);
  const models = ['H100', 'RTX-4090', 'A10', 'T4', 'L40S', 'RTX-3090'];
  const nodes: { id: string; node: KeyPair; owner: KeyPair; address: string; uptime: number }[] = [];
  const consumers = [keys('consumer-a'), keys('consumer-b')];
  if (epoch === 0) {
    for (const c of consumers) await ok('/v1/operator/grants', { key: c.publicKey, amount: (1_000n * TOKEN).toString(), memo: 'genesis' }, auth);
    const attestor = keys('foundation');
    await ok('/v1/operator/attestors', { attestor: 'foundation', key: attestor.publicKey, roles: ['community', 'developer', 'liquidity', 'model'] }, auth);
  }
  for (let i = 0; i < 12; i++) {
    const id = `node-${String(i).padStart(2, '0')}`;
    const owner = keys(`owner-${i % 5}`);
    const address = addr(0xb00 + (i % 5));
    const gpus = [{ model: models[i % models.length] as string, count: 1 + (i % 3) }];
    const r = registration(id, { now: clock.now(), gpus, owner, ownerAddress: address, seq: 1000 + i * 2 });
    if (epoch === 0) {
      await ok('/v1/nodes', r.msg);
      if (i < 5) await ok('/v1/operator/grants', { key: owner.publicKey, amount: (20_000n * TOKEN).toString(), memo: `owner-${i}` }, auth);
      if (i % 6 !== 5) {
        const amount = 504n * TOKEN * BigInt(gpus[0]?.count ?? 1);
        await ok(
          '/v1/stakes',
          signStake(
            {
              type: 'stake',
              stakeId: `bond-${id}`,
              ownerKey: owner.publicKey,
              kind: 'bond',
              nodeId: id,
              payout: address,
              amount: amount.toString(),
              lockDays: 90,
              timestamp: clock.now(),
              seq: 1000 + i * 2 + 1,
            },
            owner.privateKey,
          ),
        );
      }
    }
    nodes.push({ id, node: r.node, owner, address, uptime: i % 4 === 3 ? 0.93 : i % 4 === 2 ? 0.985 : 1 });
  }
  if (epoch === 0) {
    const staker = keys('staker');
    await ok('/v1/operator/grants', { key: staker.publicKey, amount: (5_000n * TOKEN).toString(), memo: 'staker' }, auth);
    await ok(
      '/v1/stakes',
      signStake(
        {
          type: 'stake',
          stakeId: 'user-1',
          ownerKey: staker.publicKey,
          kind: 'user',
          nodeId: null,
          payout: addr(0xc01),
          amount: (3_000n * TOKEN).toString(),
          lockDays: 365,
          timestamp: clock.now(),
          seq: 1,
        },
        staker.privateKey,
      ),
    );
  }
  // an hour of heartbeats, batched per minute, with receipts along the way
  const seqBase = epoch * 100;
  for (let m = 0; m < 60; m++) {
    clock.set(start + m * 60 + 20);
    const batch = nodes
      .filter((n, k) => (m * 7 + k * 13) % 100 < n.uptime * 100)
      .map((n) => heartbeat(n.id, n.node, seqBase + m + 1, clock.now(), (0.3 + ((m + n.id.length) % 7) / 10).toFixed(2)));
    if (batch.length > 0) await ok('/v1/heartbeats/batch', { heartbeats: batch });
    if (m % 10 === 5) {
      for (let k = 0; k < nodes.length; k += 2) {
        const n = nodes[k] as (typeof nodes)[number];
        const c = consumers[k % 2] as KeyPair;
        await ok(
          '/v1/receipts',
          receipt(
            n.id,
            n.node,
            c,
            `job-${epoch}-${m}-${k}`,
            clock.now(),
            {
              usage: [{ model: models[k % models.length] as string, gpuSeconds: 600 + k * 30 }],
              success: (m + k) % 9 !== 0,
              responseMs: 60 + k * 9,
              priority: k % 4 === 0 ? 'high' : 'standard',
            },
            1 + ((m + k) % 5),
          ),
        );
      }
    }
  }
  await ok(
    '/v1/attestations',
    signAttestation(
      {
        type: 'attestation',
        role: 'community',
        attestor: 'foundation',
        epoch,
        entries: [
          { payout: addr(0xd01), points: 5 },
          { payout: addr(0xd02), points: 3 },
        ],
        timestamp: clock.now(),
        seq: epoch + 1,
      },
      keys('foundation').privateKey,
    ),
  );
}

/** Two epochs of recorded traffic, each closed: what settlement, contract and replay tests build on. */
export async function twoClosedEpochs(t: { app: FastifyInstance; clock: ManualClock; ctx: import('../src/service/context.ts').Context }): Promise<void> {
  const { closeDueEpochs } = await import('../src/keepers/epoch-close.ts');
  await playTraffic(t.app, t.clock, 0);
  t.clock.set(GENESIS + 3600 + 30);
  await closeDueEpochs(t.ctx);
  await playTraffic(t.app, t.clock, 1);
  t.clock.set(GENESIS + 2 * 3600 + 30);
  await closeDueEpochs(t.ctx);
}
