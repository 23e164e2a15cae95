import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeMinBond, defaultParams, TOKEN } from '@swarm/core';
import { signStake } from '@swarm/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { readEnv } from '../src/env.ts';
import { ManualClock } from '../src/service/clock.ts';
import { type Running, startService } from '../src/service/run.ts';
import { freshSchemaUrl, GENESIS, heartbeat, OPERATOR, registration, STORES, TEST_SETTINGS } from './helpers.ts';

/**
 * SPEC §3.2: "An operator's outage, a restart, or a burst of load on the service therefore never
 * warns, slashes or excludes a provider." The real service (its own liveness timer, a store on
 * disk) runs an hour-long epoch of 60 one-minute slots with an honest node heartbeating every
 * slot it can; the service is stopped for ten minutes (17 % of the epoch, far above 2 %) and
 * restarted on the same store. The control run keeps the service up and has the node miss the
 * same ten minutes: there the fault is the node's, and it is warned.
 */
const auth = { authorization: `Bearer ${OPERATOR}` };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function run(kind: 'pglite' | 'postgres', serviceStops: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'swarm-outage-'));
  dirs.push(dir);
  const databaseUrl = kind === 'postgres' ? await freshSchemaUrl() : undefined;
  const clock = new ManualClock(GENESIS + 5);
  const start = () =>
    startService({
      env: { ...readEnv({}), databaseUrl, dataDir: dir, port: 0, operatorToken: OPERATOR, logLevel: 'silent' },
      settings: TEST_SETTINGS,
      clock,
      tickMs: 20,
      liveMs: 10,
    });
  let running: Running = await start();
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    running.app.inject({ method: 'POST', url, payload: payload as object, headers });
  /** Moves the clock into minute k since genesis and waits until the service has recorded itself live in it. */
  const enterSlot = async (k: number) => {
    clock.set(GENESIS + k * 60 + 5);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await running.db.query<{ up: number }>('SELECT get_bit(slots, $1)::int AS up FROM service_slots WHERE epoch = $2', [
        k % 60,
        Math.floor(k / 60),
      ]);
      if (r[0]?.up === 1 || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 5));
    }
  };
  const reg = registration('steady', { now: clock.now() });
  expect((await post('/v1/nodes', reg.msg)).statusCode).toBe(201);
  const bond = computeMinBond({ hardware: reg.body.hardware }, defaultParams()) * 2n;
  await post('/v1/operator/grants', { key: reg.owner.publicKey, amount: (bond + TOKEN).toString(), memo: 'bond' }, auth);
  const stake = signStake(
    {
      type: 'stake',
      stakeId: 'bond-steady',
      ownerKey: reg.owner.publicKey,
      kind: 'bond',
      nodeId: 'steady',
      payout: reg.body.owner,
      amount: bond.toString(),
      lockDays: 0,
      timestamp: clock.now(),
      seq: 2,
    },
    reg.owner.privateKey,
  );
  expect((await post('/v1/stakes', stake)).statusCode).toBe(201);
  // the bond counts from the next epoch: epoch 0 is the set-up (the node up throughout), epoch 1 the one under test
  let seq = 0;
  for (let k = 1; k < 120; k++) {
    const down = k >= 80 && k < 90;
    if (serviceStops && k === 80) await running.stop();
    if (down && serviceStops) {
      clock.set(GENESIS + k * 60 + 5); // the service is down: the node's heartbeats find nobody
      continue;
    }
    if (serviceStops && k === 90) {
      clock.set(GENESIS + k * 60 + 5);
      running = await start(); // the same store, back at minute 30
    }
    await enterSlot(k);
    if (down) continue; // the control: the service is up, the node is the one that is silent
    expect((await post('/v1/heartbeats', heartbeat('steady', reg.node, ++seq, clock.now()))).statusCode).toBe(200);
  }
  clock.set(GENESIS + 2 * 3600 + 40);
  const deadline = Date.now() + 30_000;
  let statement: { statusCode: number; json: () => any } = { statusCode: 404, json: () => null };
  while (Date.now() < deadline) {
    statement = await running.app.inject({ method: 'GET', url: '/v1/epochs/1/statements/steady' });
    if (statement.statusCode === 200) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  expect(statement.statusCode).toBe(200);
  const input = (await running.app.inject({ method: 'GET', url: '/v1/epochs/1/input' })).json();
  const explained = (await running.app.inject({ method: 'GET', url: '/v1/epochs/1/statements/steady/explained' })).json();
  const slashes = await running.db.query<{ kind: string; action: string }>("SELECT kind, action FROM slashes WHERE node_id = 'steady'");
  const status = (await running.db.query<{ status: string }>("SELECT status FROM nodes WHERE id = 'steady'"))[0]?.status;
  await running.stop();
  return { statement: statement.json(), input, explained, slashes, status };
}

/** The explained statement's tokens from the pool and the share: ⌊pool × S / Σ S⌋ (+ the largest remainder's unit), then capacity + usage − referral. */
function multipliesBack(explained: any, statement: any): void {
  const x = explained.explanation;
  expect(explained.statement).toEqual(statement);
  const total = BigInt(x.capacity.scoreTotal);
  const floor = total === 0n ? 0n : (BigInt(x.capacity.pool) * BigInt(x.capacity.score)) / total;
  expect(BigInt(statement.capacityReward)).toBe(floor + (x.capacity.remainderUnit ? 1n : 0n));
  expect(BigInt(x.capacity.reward) + BigInt(x.usage.reward) - BigInt(x.referral)).toBe(BigInt(statement.reward));
}

describe.each(STORES)('our outage is not the providers’ fault, on %s (SPEC §3.2)', (kind) => {
  it('a service stopped for 10 of 60 minutes and restarted: the minutes are excluded, the node is neither warned, slashed nor excluded', async () => {
    const { statement, input, explained, slashes, status } = await run(kind, true);
    // the service was down in slots 20–29; the slot it stopped in and the one it came back in are excluded with them
    expect(input.excludedSlots).toEqual([{ from: 19, to: 30, cause: 'service-down' }]);
    const node = input.nodes.find((n: { id: string }) => n.id === 'steady');
    expect([node.expectedSlots, node.upSlots]).toEqual([48, 48]);
    expect(statement.quality.uptime).toBe('1');
    expect(statement.reasons).not.toContain('UPTIME_BELOW_TARGET');
    expect(BigInt(statement.reward)).toBeGreaterThan(0n);
    multipliesBack(explained, statement);
    expect(slashes).toEqual([]);
    expect(status).toBe('active');
  }, 120_000);

  it('the control: the service up, the node silent for the same 10 minutes — its own fault, warned', async () => {
    const { statement, input, explained, slashes } = await run(kind, false);
    expect(input.excludedSlots).toEqual([]);
    expect(statement.reasons).toContain('UPTIME_BELOW_TARGET');
    // the statement explained through the API: the numbers behind the reason, and the tokens from the pool and the share
    const node = input.nodes.find((n: { id: string }) => n.id === 'steady');
    const x = explained.explanation;
    const uptime = x.reasons.find((r: { code: string }) => r.code === 'UPTIME_BELOW_TARGET');
    expect(uptime.numbers).toContainEqual({ label: 'slots up / expected', value: `${node.upSlots} / ${node.expectedSlots}` });
    expect(uptime.numbers.map((n: { label: string }) => n.label)).toContain(`SLA ${node.slaClass} target`);
    multipliesBack(explained, statement); // (below the no-reward floor here: its score is 0, and so are its shares)
    expect(slashes.map((s) => s.action)).toEqual(['warning']);
  }, 120_000);
});
