import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { defaultParams, parseEpochInput, processEpoch, resultJson } from '@swarm/core';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = new URL('../../../../', import.meta.url).pathname;
const bin = `${root}packages/node/bin/swarm.js`;
const example = `${root}examples/epoch.json`;

async function swarm(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e: any) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// every test here starts the real binary (tsx compiles it on a cold start): minutes, not seconds, on a loaded machine
describe('swarm CLI', { timeout: 180_000 }, () => {
  it('rewards FILE prints pool totals, top earners and reason counts', async () => {
    const { code, stdout } = await swarm('rewards', example);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^compute\s+[\d,]+\.\d\d/m);
    expect(stdout).toContain('Top nodes');
    expect(stdout).toContain('Reason codes');
    expect(stdout).toMatch(/BELOW_UPTIME_FLOOR/);
  });

  it('rewards --json prints the same bytes as the library', async () => {
    const { code, stdout } = await swarm('rewards', example, '--json');
    expect(code).toBe(0);
    const params = defaultParams();
    const want = resultJson(processEpoch(parseEpochInput(JSON.parse(readFileSync(example, 'utf8')), params), params), 2);
    expect(stdout.trimEnd()).toBe(want);
  });

  it('what-if shows the statement before and after, and more uptime pays more', async () => {
    const { code, stdout } = await swarm('rewards', 'what-if', example, '--node', 'node-0000010', '--set', 'uptime=0.9999', '--json');
    expect(code).toBe(0);
    const { before, after } = JSON.parse(stdout);
    expect(after.upSeconds).toBeGreaterThan(before.upSeconds);
    expect(BigInt(after.reward)).toBeGreaterThan(BigInt(before.reward));
  });

  it('refuses bad input with the field named and exit code 2', async () => {
    const bad = await swarm('rewards', 'what-if', example, '--node', 'node-0000010', '--set', 'uptime=1.5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nodes\[9\]\.upSlots/);
    const missing = await swarm('rewards', `${root}no-such-file.json`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read epoch input/);
    const unknown = await swarm('rewards', 'what-if', example, '--node', 'nope', '--set', 'uptime=1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/UNKNOWN_NODE/);
  });

  it('refuses a bad flag, a malformed environment variable (env.test.ts has them all), a missing store and a non-demo directory in one line, exit 2', async () => {
    const { mkdtempSync, writeFileSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['start', '--port', 'abc'], {}, /--port takes a port number/],
      [['start', '--bogus'], {}, /unknown option '--bogus'/],
      [['start', '--data-dir', 'memory://x'], { SWARM_OPERATOR_ETH_KEY: '0x1234' }, /SWARM_OPERATOR_ETH_KEY must be a secp256k1 private key/],
      [['check', '--data-dir', `${tmpdir()}/swarm-no-such-store`], {}, /there is no store in/],
      [['demo', '--seed', 'abc', '--data-dir', `${tmpdir()}/swarm-demo-bad-seed`], {}, /--seed takes a whole number/],
    ];
    const results = await Promise.all(
      cases.map(
        ([args, env]) =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...env } }, (e, _o, stderr) =>
              resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, stderr }),
            );
          }),
      ),
    );
    for (const [k, [args, , want]] of cases.entries()) {
      const r = results[k] as { code: number | null; stderr: string };
      expect([r.code, args.join(' ')]).toEqual([2, args.join(' ')]);
      expect(r.stderr).toMatch(want);
      expect(r.stderr.trim().split('\n'), 'one line, no stack').toHaveLength(1);
    }
    expect(existsSync(`${tmpdir()}/swarm-no-such-store`), 'check made no store').toBe(false);
    // the demo deletes its store at start: it refuses a directory that holds something else
    const work = mkdtempSync(`${tmpdir()}/swarm-precious-`);
    writeFileSync(`${work}/thesis.tex`, 'years of work');
    const demo = await swarm('demo', '--data-dir', work, '--epochs', '1');
    expect(demo.code).toBe(2);
    expect(demo.stderr).toMatch(/is not a demo store/);
    expect(existsSync(`${work}/thesis.tex`)).toBe(true);
  }, 180_000);

  it('seed fills a new store with a network the ledger check passes, and refuses a store that holds nodes', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = `${mkdtempSync(`${tmpdir()}/swarm-seed-`)}/store`;
    const first = await swarm('seed', '--nodes', '60', '--receipts', '20', '--data-dir', dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/seeded 60 nodes of 20 owners, 20 consumers, [\d,]+ receipts over epochs 0–0/);
    const again = await swarm('seed', '--nodes', '60', '--data-dir', dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds nodes/);
    const bad = await swarm('seed', '--nodes', '0', '--data-dir', dir);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/--nodes takes a whole number 1–/)]);
    const check = await swarm('check', '--data-dir', dir);
    expect(check.stdout).toContain('all ledger invariants hold');
    // retention on it: a keep below two closed epochs is refused; nothing is closed yet, so nothing goes
    const few = await swarm('prune', '--keep-epochs', '1', '--data-dir', dir);
    expect([few.code, few.stderr]).toEqual([2, expect.stringMatching(/--keep-epochs takes .* at least 2/)]);
    const pruned = await swarm('prune', '--keep-epochs', '2', '--data-dir', dir);
    expect([pruned.code, pruned.stdout]).toEqual([0, expect.stringMatching(/pruned the epochs before 0: 0 heartbeat partitions dropped .* 0 receipts/)]);
    const missing = await swarm('prune', '--keep-epochs', '2', '--data-dir', `${dir}-none`);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/no store/)]);
  }, 180_000);

  it('keys generate writes a key pair that signs and verifies', async () => {
    const { mkdtempSync, readFileSync: read } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { verifyBody, signBody } = await import('@swarm/sdk');
    const dir = mkdtempSync(`${tmpdir()}/swarm-keys-`);
    const { code, stdout } = await swarm('keys', 'generate', '--out', `${dir}/k.json`);
    expect(code, stdout).toBe(0);
    const k = JSON.parse(read(`${dir}/k.json`, 'utf8'));
    expect(k.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyBody({ a: 1 }, signBody({ a: 1 }, k.privateKey), k.publicKey)).toBe(true);
    expect((await swarm('keys', 'generate', '--out', `${dir}/k.json`)).code).toBe(2); // never overwrites a key
    expect((await swarm('keys', 'show', `${dir}/k.json`)).stdout.trim()).toBe(k.publicKey);
  });

  it('agent registers a node and sends a signed heartbeat to a running service', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { startService } = await import('../service/run.ts');
    const { readEnv } = await import('../env.ts');
    const dir = mkdtempSync(`${tmpdir()}/swarm-agent-`);
    const running = await startService({ env: { ...readEnv({}, { logLevel: 'warn' }), dataDir: 'memory://agent', port: 0, operatorToken: 'agent-test' } });
    try {
      expect((await swarm('keys', 'generate', '--out', `${dir}/node.json`)).code).toBe(0);
      expect((await swarm('keys', 'generate', '--out', `${dir}/owner.json`)).code).toBe(0);
      const args = [
        'agent',
        '--server',
        running.url,
        '--node-id',
        'cli-node',
        '--keys',
        `${dir}/node.json`,
        '--owner-keys',
        `${dir}/owner.json`,
        '--owner',
        `0x${'12'.repeat(20)}`,
        '--gpu',
        'H100:2',
        '--once',
      ];
      const first = await swarm(...args);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/registered cli-node/);
      expect(first.stdout).toMatch(/heartbeat accepted/);
      const again = await swarm(...args);
      expect(again.stdout).toMatch(/cli-node is registered/);
      expect(again.stdout).toMatch(/heartbeat accepted/);
      const node = (await (await fetch(`${running.url}/v1/nodes/cli-node`)).json()) as { hardware: { gpus: { model: string; count: number }[] } };
      expect(node.hardware.gpus).toEqual([{ model: 'H100', count: 2 }]);
    } finally {
      await running.stop();
    }
  });

  it('stake, gov propose, vote, list and show work against a running service', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { startService } = await import('../service/run.ts');
    const { readEnv } = await import('../env.ts');
    const { SwarmClient } = await import('@swarm/sdk');
    const dir = mkdtempSync(`${tmpdir()}/swarm-gov-`);
    const running = await startService({ env: { ...readEnv({}, { logLevel: 'warn' }), dataDir: 'memory://gov', port: 0, operatorToken: 'gov-test' } });
    try {
      expect((await swarm('keys', 'generate', '--out', `${dir}/k.json`)).code).toBe(0);
      const k = JSON.parse(readFileSync(`${dir}/k.json`, 'utf8'));
      await new SwarmClient({ baseUrl: running.url, operatorToken: 'gov-test' }).grant({
        key: k.publicKey,
        amount: (5000n * 10n ** 18n).toString(),
        memo: 'cli',
      });
      const st = await swarm(
        'stake',
        '--server',
        running.url,
        '--keys',
        `${dir}/k.json`,
        '--id',
        'cli-stake',
        '--amount',
        '2000',
        '--payout',
        `0x${'34'.repeat(20)}`,
      );
      expect(st.code, st.stderr).toBe(0);
      expect(st.stdout).toMatch(/stake cli-stake accepted/);
      const p = await swarm(
        'gov',
        'propose',
        '--server',
        running.url,
        '--keys',
        `${dir}/k.json`,
        '--id',
        'cap',
        '--patch',
        '{"compute":{"scoreCap":"2.5"}}',
        '--description',
        'lower the cap',
        '--simulate',
      );
      expect(p.code, p.stderr).toBe(0);
      // the simulated impact is printed and rides in the signed proposal, tied to this patch
      expect(p.stdout).toMatch(/scenario 'small' \(12 epochs\), each cheater against its honest twin/);
      const { defaultParams, paramsHash, parseParams, patchParams, serializeParams } = await import('@swarm/core');
      const listed = (await new SwarmClient({ baseUrl: running.url }).proposals()).proposals[0] as { impact: { current: string; proposed: string } };
      expect(listed.impact.current).toBe(paramsHash(defaultParams()));
      expect(listed.impact.proposed).toBe(paramsHash(parseParams(patchParams(serializeParams(defaultParams()), { compute: { scoreCap: '2.5' } }))));
      const bad = await swarm('gov', 'propose', '--server', running.url, '--keys', `${dir}/k.json`, '--id', 'bad', '--patch', '{"compute":{"scoreCap":"0.5"}}');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/INVALID_PARAMS/);
      expect((await swarm('gov', 'vote', '--server', running.url, '--keys', `${dir}/k.json`, '--id', 'cap', '--option', 'yes')).code).toBe(0);
      const list = await swarm('gov', 'list', '--server', running.url);
      expect(list.stdout).toMatch(/^cap — voting — lower the cap/m);
      const show = await swarm('gov', 'show', 'cap', '--server', running.url);
      expect(show.stdout).toMatch(new RegExp(`yes ${k.publicKey}`));
    } finally {
      await running.stop();
    }
  });

  it('params prints the defaults with their hash', async () => {
    const { code, stdout } = await swarm('params');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(out.params.compute.gpuUnits.H200).toBe('14');
  });
});
