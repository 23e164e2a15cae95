import { formatTokens } from '@swarm/core';
import { readEnv } from '../env.ts';
import type { CloseReturnType } from '../keepers/epoch-close.ts';
import type { Settings } from '../service/context.ts';
import { type Running, startService } from '../service/run.ts';
import { readJson, UsageError } from './io.ts';

export type StartOptions = {
  dataDir?: string;
  host?: string;
  port?: string;
  epochSeconds?: string;
  slotSeconds?: string;
  graceSeconds?: string;
  genesis?: string;
  params?: string;
  onboarding?: string;
  quiet?: boolean;
};

export function settingsFrom(o: StartOptions): Partial<Settings> {
  const int = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    if (!/^\d{1,15}$/.test(v)) throw new UsageError(`--${name} takes a whole number, got ${JSON.stringify(v.slice(0, 20))}`);
    return Number(v);
  };
  return {
    epochSeconds: int(o.epochSeconds, 'epoch-seconds'),
    slotSeconds: int(o.slotSeconds, 'slot-seconds'),
    graceSeconds: int(o.graceSeconds, 'grace-seconds'),
    genesis: int(o.genesis, 'genesis'),
    onboarding: onboardingMode(o.onboarding),
  };
}

/** `--port`: a whole number 0–65535 (0 lets the system choose), or a usage error. */
export function portOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65_535) throw new UsageError(`--port takes a port number 0–65535, got ${JSON.stringify(v.slice(0, 20))}`);
  return Number(v);
}

function onboardingMode(v: string | undefined): Settings['onboarding'] | undefined {
  if (v === undefined || v === 'validators' || v === 'open') return v;
  throw new UsageError(`--onboarding is validators or open, got ${v}`);
}

/** One line per closed epoch, for the log. */
export function closedLine(r: CloseReturnType): string {
  const s = r.summary;
  return `epoch ${s.epoch} closed: pool ${formatTokens(BigInt(s.epochPool))} · ${s.earning}/${s.nodes} nodes earned · ${s.payees} payees · fees ${formatTokens(BigInt(s.fees))} · treasury ${formatTokens(BigInt(s.treasury))} · D ${s.dynamicFactor}`;
}

/** `swarm start`: the service on 127.0.0.1:8640 with its embedded store (or DATABASE_URL). */
export async function start(o: StartOptions): Promise<Running> {
  const base = readEnv();
  const env = { ...base, dataDir: o.dataDir ?? base.dataDir, host: o.host ?? base.host, port: portOption(o.port) ?? base.port };
  const crashAt = process.env.SWARM_CRASH_AT; // test hook: die (kill -9) at this point of an epoch close
  const running = await startService({
    env,
    settings: settingsFrom(o),
    params: o.params === undefined ? undefined : readJson(o.params, 'parameter file'),
    onClosed: (r) => {
      if (!o.quiet) console.log(closedLine(r));
    },
    hooks: crashAt ? { at: (p) => (p === crashAt ? void process.kill(process.pid, 'SIGKILL') : undefined) } : {},
  });
  const s = running.ctx.settings;
  if (!o.quiet) {
    console.log(`Swarm Rewards: dashboard and API on ${running.url} (store: ${running.db.kind === 'pglite' ? `PGlite in ${env.dataDir}` : 'PostgreSQL'})`);
    console.log(
      `epochs of ${s.epochSeconds} s from ${new Date(s.genesis * 1000).toISOString()}, slots of ${s.slotSeconds} s; operator token in ${env.dataDir}/operator-token`,
    );
  }
  const stop = async () => {
    await running.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return running;
}
