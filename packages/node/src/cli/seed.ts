import { seedNetwork } from '../demo/seed.ts';
import { readEnv } from '../env.ts';
import { systemClock } from '../service/clock.ts';
import { initContext } from '../service/context.ts';
import { loadOrCreateEthKey, loadOrCreateToken } from '../service/run.ts';
import { openDb } from '../store/db.ts';
import { UsageError } from './io.ts';

export type SeedCliOptions = { nodes: string; dataDir?: string; epochs: string; receipts: string; seed: string; epochSeconds: string };

/**
 * `swarm seed`: a new store holding a realistic network of N nodes and its last `--epochs` epochs
 * of heartbeats and receipts (`seedNetwork`), ending at the current epoch boundary, so that
 * `swarm start` on it closes them and serves the dashboard and API at that scale.
 */
export async function seed(o: SeedCliOptions): Promise<void> {
  const whole = (v: string, name: string, min: number, max: number) => {
    if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max)
      throw new UsageError(`--${name} takes a whole number ${min}–${max}, got ${JSON.stringify(v.slice(0, 20))}`);
    return Number(v);
  };
  const nodes = whole(o.nodes, 'nodes', 1, 10_000_000);
  const epochs = whole(o.epochs, 'epochs', 1, 30);
  const receiptsPerNodeDay = whole(o.receipts, 'receipts', 0, 10_000);
  const epochSeconds = whole(o.epochSeconds, 'epoch-seconds', 60, 7 * 86_400);
  if (epochSeconds % 60 !== 0) throw new UsageError('--epoch-seconds must be a whole number of minutes');
  const env = readEnv();
  const dataDir = o.dataDir ?? env.dataDir;
  const db = await openDb({ url: env.databaseUrl, dataDir: env.databaseUrl ? undefined : dataDir });
  try {
    const [has] = await db.query<{ n: string }>('SELECT COUNT(*)::text AS n FROM (SELECT 1 FROM nodes LIMIT 1) x');
    if (Number(has?.n ?? 0) > 0) throw new UsageError(`the store ${env.databaseUrl ? 'at DATABASE_URL' : `in ${dataDir}`} already holds nodes: seed a new one`);
    const now = systemClock.now();
    const genesis = Math.floor(now / epochSeconds) * epochSeconds - epochs * epochSeconds;
    const ctx = await initContext({
      db,
      clock: systemClock,
      operatorToken: env.operatorToken ?? loadOrCreateToken(dataDir),
      operatorEthKey: env.operatorEthKey ?? loadOrCreateEthKey(dataDir),
      settings: { genesis, epochSeconds, slotSeconds: 60 },
    });
    if (ctx.settings.genesis !== genesis) throw new UsageError('the store was already set up with other settings: seed a new one');
    const t = performance.now();
    let last = 0;
    const s = await seedNetwork(db, ctx.settings, {
      nodes,
      epochs,
      receiptsPerNodeDay,
      seed: Number(o.seed),
      progress: (done, total) => {
        if (done === total || performance.now() - last > 5000) {
          last = performance.now();
          console.log(`  ${done.toLocaleString('en')} / ${total.toLocaleString('en')} nodes`);
        }
      },
    });
    console.log(
      `seeded ${s.nodes.toLocaleString('en')} nodes of ${s.owners.toLocaleString('en')} owners, ${s.consumers.toLocaleString('en')} consumers, ${s.receipts.toLocaleString('en')} receipts over epochs 0–${s.epochs - 1} in ${Math.round((performance.now() - t) / 1000)} s`,
    );
    console.log(`next: swarm start${env.databaseUrl ? '' : ` --data-dir ${dataDir}`} closes them and serves the dashboard`);
  } finally {
    await db.close();
  }
}
