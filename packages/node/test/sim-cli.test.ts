import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PARAMS_JSON, parseParams, patchParams } from '@swarm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sim } from '../src/cli/sim.ts';

/** `swarm sim` says which rule of SPEC §12 a parameter set breaks, and exits non-zero. */
describe('swarm sim', () => {
  const out = mkdtempSync(join(tmpdir(), 'swarm-sim-'));
  afterEach(() => {
    process.exitCode = 0;
  });

  it('passes under the defaults; without liveness probes the heartbeat forger wins, and the run says "rule violated" and fails', async () => {
    await sim('small', parseParams(DEFAULT_PARAMS_JSON), { out, quiet: true });
    expect(process.exitCode ?? 0).toBe(0);
    const noProbes = parseParams(patchParams(DEFAULT_PARAMS_JSON, { audits: { probesPerNodePerEpoch: 0 } }));
    const r = await sim('small', noProbes, { out, quiet: true });
    expect(r.twins.find((t) => t.cheater === 'heartbeat-forger')?.holds).toBe(false);
    expect(process.exitCode).toBe(1);
    rmSync(out, { recursive: true, force: true });
  }, 60_000);
});
