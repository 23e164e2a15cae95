import { signOnboarding } from '@swarm/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLedger } from '../src/ledger/ledger.ts';
import { keys, STORES } from './helpers.ts';
import { dailyNetwork } from './network.ts';

type Net = Awaited<ReturnType<typeof dailyNetwork>>;
type Measured = Parameters<typeof signOnboarding>[0]['measured'];
const HEALTHY: Measured = { gpus: [{ model: 'RTX-4090', count: 1, tflops: '160' }], linkGbps: '10', nvme: true, tpm: true };

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
});
