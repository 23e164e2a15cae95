import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Params, parseParams, patchParams, serializeParams } from '@swarm/core';
import { SwarmClient } from '@swarm/sdk';
import { type E2eTarget, renderReport, resultJson, runE2e, runFast, SCENARIOS, type Scenario, type SimResult } from '@swarm/sim';
import cliProgress from 'cli-progress';
import { readEnv } from '../env.ts';
import { ManualClock } from '../service/clock.ts';
import { startService } from '../service/run.ts';
import { UsageError } from './io.ts';

/**
 * `swarm sim SCENARIO`: runs a scenario of the simulator — fast (through the core) or end to end
 * (through a real service on loopback, on its own embedded store and a clock the run moves) — and
 * writes its report (`report.md`, `report.json`, SVG charts) to a directory.
 */
export type SimOptions = { out: string; e2e?: boolean; epochs?: string; seed?: string; quiet?: boolean };

export function scenarioFrom(name: string, o: { epochs?: string; seed?: string }): Scenario {
  const s = Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : undefined;
  if (!s) throw new UsageError(`no scenario ${JSON.stringify(name)}; the scenarios are ${Object.keys(SCENARIOS).join(', ')}`);
  const int = (v: string | undefined, what: string, fallback: number) => {
    if (v === undefined) return fallback;
    if (!/^[1-9]\d{0,5}$/.test(v)) throw new UsageError(`--${what} takes a positive whole number, got ${v}`);
    return Number(v);
  };
  return { ...s, epochs: int(o.epochs, 'epochs', s.epochs), seed: int(o.seed, 'seed', s.seed) };
}

/** A service for an end-to-end run: loopback, a temporary embedded store, a manual clock. */
export async function startSimService(scenario: Scenario, params: Params) {
  const dir = mkdtempSync(join(tmpdir(), 'swarm-sim-'));
  const genesis = 1_767_225_600;
  const clock = new ManualClock(genesis - 10);
  const graceSeconds = 5;
  const running = await startService({
    env: { ...readEnv({}, { logLevel: 'warn' }), dataDir: dir, port: 0, host: '127.0.0.1', operatorToken: 'sim-operator' },
    settings: {
      genesis,
      epochSeconds: scenario.epochSeconds,
      slotSeconds: scenario.slotSeconds,
      graceSeconds,
      windowSeconds: scenario.epochSeconds,
      onboarding: 'validators',
    },
    params: serializeParams(params),
    clock,
    rateLimit: 1_000_000_000,
    tickMs: 60_000,
  });
  const target: E2eTarget = {
    client: new SwarmClient({ baseUrl: running.url, operatorToken: running.operatorToken }),
    setTime: (t) => clock.set(t),
    genesis,
    graceSeconds,
  };
  return {
    target,
    running,
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function runScenario(scenario: Scenario, params: Params, o: { e2e?: boolean; quiet?: boolean }): Promise<SimResult> {
  const bar = o.quiet
    ? undefined
    : new cliProgress.SingleBar({ format: `${scenario.name} {bar} {value}/{total} epochs`, hideCursor: true }, cliProgress.Presets.shades_classic);
  bar?.start(scenario.epochs, 0);
  const onEpoch = (e: number) => bar?.update(e);
  try {
    if (!o.e2e) return runFast(scenario, { params, onEpoch });
    const svc = await startSimService(scenario, params);
    try {
      return await runE2e(scenario, { params, target: svc.target, onEpoch });
    } finally {
      await svc.stop();
    }
  } finally {
    bar?.stop();
  }
}

export function writeReport(result: SimResult, params: Params, out: string): string[] {
  mkdirSync(out, { recursive: true });
  const { markdown, charts } = renderReport(result, params);
  const files = { 'report.md': markdown, 'report.json': `${resultJson(result)}\n`, ...charts };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(out, name), text);
  return Object.keys(files).map((f) => join(out, f));
}

export async function sim(name: string, params: Params, o: SimOptions): Promise<SimResult> {
  const scenario = scenarioFrom(name, o);
  const result = await runScenario(scenario, params, o);
  const files = writeReport(result, params, o.out);
  if (!o.quiet) {
    for (const t of result.twins) console.log(`${t.holds ? 'ok            ' : 'rule violated '} ${t.cheater} earns ${t.marginPercent} % against ${t.twin}`);
    console.log(`report: ${files[0]}`);
  }
  // a cheater that does not lose to its twin breaks SPEC §12: the run says which, and exits non-zero
  const violated = result.twins.filter((t) => !t.holds);
  if (violated.length > 0) {
    console.error(`rule violated (SPEC §12): ${violated.map((t) => `${t.cheater} ${t.marginPercent} %`).join(', ')} — the rule or its default must change`);
    process.exitCode = 1;
  }
  return result;
}

/**
 * The parameter set a run uses: a file, the live set of a running service (`--server`), or that set
 * with a governance proposal's patch applied (`--proposal ID`); the defaults otherwise.
 */
export async function simParams(o: { params?: string; server?: string; proposal?: string }, fromFile: (path: string | undefined) => Params): Promise<Params> {
  if (o.server === undefined) {
    if (o.proposal !== undefined) throw new UsageError('--proposal needs --server (the service that holds it)');
    return fromFile(o.params);
  }
  if (o.params !== undefined) throw new UsageError('give --params or --server, not both');
  const client = new SwarmClient({ baseUrl: o.server });
  const live = (await client.params()).params;
  if (o.proposal === undefined) return parseParams(live);
  const p = (await client.proposals()).proposals.find((x) => x.id === o.proposal);
  if (!p) throw new UsageError(`no proposal ${o.proposal} on ${o.server}`);
  if (p.kind !== 'params') throw new UsageError(`proposal ${o.proposal} is a ${String(p.kind)} proposal, not a parameter patch`);
  return parseParams(patchParams(live, p.patch as Record<string, unknown>));
}
