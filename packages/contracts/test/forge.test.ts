import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import RewardDistributor from '../artifacts/RewardDistributor.json' with { type: 'json' };
import StakingVault from '../artifacts/StakingVault.json' with { type: 'json' };

const dir = new URL('../', import.meta.url).pathname;
type Result = { status: string; reason: string | null; kind: Record<string, unknown> };

/** The Solidity tests (test-sol/, forge through bin/solc) run as part of `npm test`. */
describe('forge test (unit, fuzz and invariant tests of the contracts)', () => {
  it('passes every test, fuzz and invariant campaign', async () => {
    const { stdout } = await promisify(execFile)('npx', ['forge', 'test', '--offline', '--json'], {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((e: { stdout?: string; stderr?: string }) => {
      // forge exits non-zero when a test fails: its JSON still says which
      if (!e.stdout) throw new Error(`forge did not run: ${e.stderr}`);
      return { stdout: e.stdout };
    });
    const suites = JSON.parse(stdout) as Record<string, { test_results: Record<string, Result> }>;
    const all = Object.entries(suites).flatMap(([suite, s]) => Object.entries(s.test_results).map(([name, r]) => ({ suite, name, ...r })));
    const failed = all.filter((t) => t.status !== 'Success').map((t) => `${t.suite} ${t.name}: ${t.reason}`);
    expect(failed).toEqual([]);
    const kinds = (k: string) => all.filter((t) => k in t.kind).length;
    expect(kinds('Unit')).toBeGreaterThanOrEqual(30);
    expect(kinds('Fuzz')).toBeGreaterThanOrEqual(6);
    expect(kinds('Invariant')).toBeGreaterThanOrEqual(4);
  }, 300_000);

  it('exercises every error and event of both contracts', () => {
    const sources = readdirSync(`${dir}test-sol`)
      .map((f) => readFileSync(`${dir}test-sol/${f}`, 'utf8'))
      .join('\n');
    for (const [contract, artifact] of [
      ['RewardDistributor', RewardDistributor],
      ['StakingVault', StakingVault],
    ] as const) {
      for (const item of artifact.abi as { type: string; name?: string }[]) {
        if (item.type === 'error') expect(sources, `${contract}: ${item.name} never expected`).toContain(`${item.name}.selector`);
        if (item.type === 'event') expect(sources, `${contract}'s ${item.name} never expected`).toContain(`emit ${item.name}(`);
      }
    }
  });
});
