import { signOnboarding } from '@swarm/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDueEpochs } from '../src/keepers/epoch-close.ts';
import { checkLedger } from '../src/ledger/ledger.ts';
import { keys, STORES } from './helpers.ts';
import { dailyNetwork } from './network.ts';

type Net = Awaited<ReturnType<typeof dailyNetwork>>;
type Measured = Parameters<typeof signOnboarding>[0]['measured'];
const HOST = { vcpus: 16, ramGb: 64, nvmeTb: 2 };
const HEALTHY: Measured = { gpus: [{ model: 'RTX-4090', count: 1, tflops: '160' }], linkGbps: '10', nvme: true, tpm: true, ...HOST, hostId: 'a1'.repeat(32) };

/**
 * Onboarding gates (SPEC §3.1) through the service on a network that requires them: a node earns
 * nothing until a validator's signed check passes every gate; a failing re-check takes it out again.
 */
describe.each(STORES)('onboarding on %s', (kind) => {
  let net: Net;
  afterEach(async () => net?.t.close());
  let seq = 5_000;
  const check = (v: ReturnType<typeof keys>, nodeId: string, measured: Measured = HEALTHY, at = net.t.clock.now()) =>
    signOnboarding({ type: 'onboarding', nodeId, validatorKey: v.publicKey, measured, timestamp: at, seq: ++seq }, v.privateKey);
  const reward = async (e: number, id: string) => {
    const s = await net.statement(e, id);
    return { reward: BigInt(s.reward as string), notOnboarded: (s.reasons as string[]).includes('NOT_ONBOARDED') };
  };

  it('a node earns from the epoch a validator’s check passes every gate, and stops when a re-check fails', async () => {
    net = await dailyNetwork(kind, { onboarding: 'validators' });
    for (const id of ['good', 'no-tpm', 'unchecked', 'mine']) await net.join(id, 10n * net.minBond);
    const v = await net.validator('val-a');
    const own = await net.validator('owner-mine'); // the owner of node 'mine' is also a validator
    await net.epoch(0, {}, async () => {
      // the validator's stake takes effect in epoch 1: not yet a validator
      const early = await net.post('/v1/onboarding', check(v, 'good'));
      expect([early.statusCode, early.json().code]).toEqual([403, 'NOT_A_VALIDATOR']);
    });
    for (const id of ['good', 'no-tpm', 'unchecked', 'mine']) expect(await reward(0, id), id).toEqual({ reward: 0n, notOnboarded: true });

    await net.epoch(1, {}, async () => {
      const ok = await net.ok('/v1/onboarding', check(v, 'good'));
      expect(ok).toMatchObject({ nodeId: 'good', epoch: 1, passed: true, gates: { hardware: true, link: true, nvme: true, tpm: true }, reasons: [] });
      const failed = await net.ok('/v1/onboarding', check(v, 'no-tpm', { ...HEALTHY, tpm: false }));
      expect(failed).toMatchObject({ passed: false, reasons: ['tpm: no TPM 2.0 found'] });
      // refused, with nothing stored
      const refusals: [string, unknown, number, string][] = [
        ['its own node', check(own, 'mine'), 403, 'OWN_NODE'],
        ['an unknown node', check(v, 'nope'), 404, 'UNKNOWN_NODE'],
        ['a non-validator', check(keys('stranger'), 'unchecked'), 403, 'NOT_A_VALIDATOR'],
        ['a forged signature', { ...check(v, 'unchecked'), signature: check(keys('stranger'), 'unchecked').signature }, 401, 'BAD_SIGNATURE'],
      ];
      for (const [what, msg, status, code] of refusals) {
        const r = await net.post('/v1/onboarding', msg);
        expect([r.statusCode, r.json().code], what).toEqual([status, code]);
      }
      const replayed = check(v, 'unchecked');
      await net.ok('/v1/onboarding', replayed);
      const again = await net.post('/v1/onboarding', replayed);
      expect([again.statusCode, again.json().code]).toEqual([409, 'REPLAYED']);
      // a later check (a second on) of the same node rules: a card benchmarking far below its model
      const slow = await net.ok(
        '/v1/onboarding',
        check(v, 'unchecked', { ...HEALTHY, gpus: [{ model: 'RTX-4090', count: 1, tflops: '40' }] }, net.t.clock.now() + 1),
      );
      expect(slow.reasons).toEqual(['hardware: RTX-4090 benchmarks 40 TFLOPS, expected 130–185']);
    });
    expect((await reward(1, 'good')).reward).toBeGreaterThan(0n);
    expect(await reward(1, 'no-tpm')).toEqual({ reward: 0n, notOnboarded: true });
    expect(await reward(1, 'unchecked')).toEqual({ reward: 0n, notOnboarded: true });
    expect((await net.node('good')).onboarded).toBe(true);

    // epoch 2: the TPM is fitted and re-checked; 'good' fails a hardware re-check (a card swapped for a slower one)
    await net.epoch(2, {}, async () => {
      await net.ok('/v1/onboarding', check(v, 'no-tpm'));
      const swapped = await net.ok('/v1/onboarding', check(v, 'good', { ...HEALTHY, gpus: [{ model: 'RTX-3090', count: 1, tflops: '70' }] }));
      expect(swapped.reasons).toEqual(['hardware: 1 × RTX-3090 found, 0 declared', 'hardware: 0 × RTX-4090 found, 1 declared']);
    });
    expect((await reward(2, 'no-tpm')).reward).toBeGreaterThan(0n);
    expect(await reward(2, 'good')).toEqual({ reward: 0n, notOnboarded: true });
    const state = await net.get('/v1/onboarding');
    expect(state.pending).toEqual(['good', 'mine', 'unchecked']);
    expect(((await net.get('/v1/onboarding?node=good')).checks as { passed: boolean; epoch: number }[]).map((c) => [c.epoch, c.passed])).toEqual([
      [2, false],
      [1, true],
    ]);
    // the epoch inputs record it, so a replay of the epoch gives the same result
    const input = await net.get('/v1/epochs/1/input');
    expect(Object.fromEntries((input.nodes as { id: string; onboarded: boolean }[]).map((n) => [n.id, n.onboarded]))).toEqual({
      good: true,
      mine: false,
      'no-tpm': false,
      unchecked: false,
    });
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 120_000);

  it('counts measured hardware: nodes on one host share its CPUs and NVMe, an over-declaration fails, a check expires (SPEC §3.1)', async () => {
    net = await dailyNetwork(kind, { onboarding: 'validators' });
    for (const id of ['host-a', 'host-b', 'solo', 'over']) await net.join(id, 10n * net.minBond);
    const v = await net.validator('val-h');
    const shared = 'c3'.repeat(32);
    await net.epoch(0);
    await net.epoch(1, {}, async () => {
      await net.ok('/v1/onboarding', check(v, 'host-a', { ...HEALTHY, hostId: shared }));
      await net.ok('/v1/onboarding', check(v, 'host-b', { ...HEALTHY, hostId: shared }));
      await net.ok('/v1/onboarding', check(v, 'solo'));
      // declared 16 vCPUs and 64 GB on a host of 8 and 32: the hardware gate fails
      const over = await net.ok('/v1/onboarding', check(v, 'over', { ...HEALTHY, vcpus: 8, ramGb: 32, hostId: 'd4'.repeat(32) }));
      expect(over).toMatchObject({ passed: false, reasons: ['hardware: 8 vCPUs found, 16 declared', 'hardware: 32 GB of RAM found, 64 declared'] });
    });
    const input = await net.get('/v1/epochs/1/input');
    const byId = Object.fromEntries(
      (input.nodes as { id: string; registeredAt: number; measured?: unknown; hostFirstSeen?: number; onboarded: boolean }[]).map((n) => [n.id, n]),
    );
    expect(byId['host-a']?.measured).toEqual({ ...HOST, bandwidthGbps: 10, hostId: shared });
    // the shared host was first registered with the earlier of its two nodes
    expect(byId['host-b']?.hostFirstSeen).toBe(Math.min(byId['host-a']?.registeredAt as number, byId['host-b']?.registeredAt as number));
    expect(byId.over?.onboarded).toBe(false);
    // 1 RTX-4090 (3 CU) + 16 vCPUs × 0.05 + 2 TB × 0.02 alone; on a shared host 8 vCPUs and 1 TB each
    const cu = async (id: string) => (await net.statement(1, id)).computeUnits;
    expect(await cu('solo')).toBe('3.84');
    expect([await cu('host-a'), await cu('host-b')]).toEqual(['3.42', '3.42']);
    expect(await reward(1, 'over')).toEqual({ reward: 0n, notOnboarded: true });
    // a check counts for audits.recheckDays (30): made late in epoch 1, it no longer counts in epoch 32
    net.t.clock.set(net.start(33) + 31);
    await closeDueEpochs(net.t.ctx);
    const late = (e: number) =>
      net.get(`/v1/epochs/${e}/input`).then((i) => (i.nodes as { id: string; onboarded: boolean; measured?: unknown }[]).find((n) => n.id === 'solo'));
    expect(await late(31)).toMatchObject({ onboarded: true, measured: { hostId: 'a1'.repeat(32) } });
    expect((await late(32))?.onboarded).toBe(false);
    expect((await late(32))?.measured).toBeUndefined();
    // and the reads say so too: the node is not onboarded now, and it waits for a re-check
    expect((await net.get('/v1/nodes/solo')).onboarded).toBe(false);
    expect((await net.get('/v1/onboarding?node=solo')).pending).toEqual(['solo']);
  }, 180_000);
});
