/**
 * Service benchmarks, each against a peer measured in the same run:
 *   ingest  — signed heartbeats accepted per second through the real HTTP API (single and batched)
 *             next to the machine's raw Ed25519 `crypto.verify` rate (the ceiling);
 *   close   — epoch close (build input, compute, write postings and statements, one transaction)
 *             for 10k, 100k and 1M nodes with a day of heartbeats (seeded as the store keeps them:
 *             a slot bitmap per node), on PGlite and on PostgreSQL.
 */

import { execSync } from 'node:child_process';
import { createPublicKey, sign as cryptoSign, verify as cryptoVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { DEFAULT_PARAMS_JSON } from '../packages/core/src/index.ts';
import { buildServer } from '../packages/node/src/api/server.ts';
import { seedNetwork } from '../packages/node/src/demo/seed.ts';
import { closeEpoch } from '../packages/node/src/keepers/epoch-close.ts';
import { ManualClock } from '../packages/node/src/service/clock.ts';
import { type Context, initContext } from '../packages/node/src/service/context.ts';
import { type Db, openDb, type Sql } from '../packages/node/src/store/db.ts';
import { startProcess, stopProcess, tempDir } from '../packages/node/test/process.ts';
import { type Heartbeat, type HeartbeatBody, keysFromSeed, signHeartbeat, signingBytes, signRegister } from '../packages/sdk/src/index.ts';

export type Row = { case: string; n: number; value: number; unit: string; note?: string; cores?: number; serverCores?: number };

const hex = (i: number, label: string) => Buffer.alloc(32).fill(`${label}-${i}`).toString('hex');

/** Raw verify ceiling: crypto.verify over pre-encoded heartbeat bytes with cached keys, one core. */
export function verifyCeiling(n = 20_000): number {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const msgs = Array.from({ length: 1000 }, (_, i) =>
    Buffer.from(`swarm-rewards/v1\n{"body":${i},"metrics":{"gpuUtilisation":"0.5"},"nodeId":"node-${i}","seq":${i},"timestamp":1767225600,"type":"heartbeat"}`),
  );
  const sigs = msgs.map((m) => cryptoSign(null, m, privateKey));
  const pub = createPublicKey(publicKey.export({ format: 'pem', type: 'spki' }));
  const t = performance.now();
  for (let i = 0; i < n; i++) cryptoVerify(null, msgs[i % 1000] as Buffer, pub, sigs[i % 1000] as Buffer);
  return (n / (performance.now() - t)) * 1000;
}

/**
 * Ingest through `processes` service processes on one store (more than one: PostgreSQL only, as in
 * production): registrations through the first, then pre-signed batches over disjoint node sets,
 * two streams per process in flight at once; the cores counted are the service processes' and,
 * on PostgreSQL, the server's (`postgresCores`).
 */
export async function ingest(
  store: 'pglite' | 'postgres',
  processes = 1,
  nodes = 2000 * processes,
  batches = 20 * processes,
  batchSize = 1000,
  singles = 3000,
): Promise<Row[]> {
  const url = store === 'postgres' ? await freshSchema() : undefined;
  const now = Math.floor(Date.now() / 1000);
  // the service runs in its own process, as in production; this process only sends pre-signed requests
  // heartbeats must arrive within heartbeats.maxSkewSeconds of their stamp: pre-signed batches
  // (signing is not what is measured) are stamped before signing and sent within the largest skew
  const dir = tempDir('bench');
  const paramsFile = join(dir, 'params.json');
  writeFileSync(paramsFile, JSON.stringify({ ...DEFAULT_PARAMS_JSON, heartbeats: { maxSkewSeconds: 30 } }));
  const procs: Awaited<ReturnType<typeof startProcess>>[] = [];
  for (let k = 0; k < processes; k++)
    procs.push(
      await startProcess(
        ['--data-dir', join(dir, `store-${k}`), '--epoch-seconds', '86400', '--slot-seconds', '60', '--genesis', String(now - 100), '--params', paramsFile],
        url ? { DATABASE_URL: url } : {},
      ),
    );
  const proc = procs[0] as (typeof procs)[number];
  const running = { url: proc.url, stop: () => Promise.all(procs.map((p) => stopProcess(p))) };
  const keys = Array.from({ length: nodes }, (_, i) => keysFromSeed(hex(i, 'bn')));
  const owner = keysFromSeed(hex(0, 'bo'));
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${running.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  };
  for (let i = 0; i < nodes; i++) {
    await post(
      '/v1/nodes',
      signRegister(
        {
          type: 'register',
          nodeId: `b-${i}`,
          nodeKey: (keys[i] as { publicKey: string }).publicKey,
          ownerKey: owner.publicKey,
          owner: `0x${'ab'.repeat(20)}`,
          region: 'eu-west',
          slaClass: 'minimum',
          providerClass: 'individual',
          hardware: { gpus: [{ model: 'H100', count: 8 }], vcpus: 64, ramGb: 512, nvmeTb: 4, bandwidthGbps: 10 },
          commitmentDays: 0,
          referrer: null,
          timestamp: now - 90,
          seq: i + 1,
        },
        (keys[i] as { privateKey: string }).privateKey,
        owner.privateKey,
      ),
    );
  }
  // pre-sign everything: the client's signing is not what is measured
  let seq = 1;
  const hb = (i: number, ts: number): Heartbeat => {
    const body: HeartbeatBody = {
      type: 'heartbeat',
      nodeId: `b-${i}`,
      seq: seq,
      timestamp: ts,
      metrics: { gpuUtilisation: '0.5', latencyMs: 9, packetLoss: '0', powerEfficiency: '0.9', jobsRunning: 1 },
    };
    return signHeartbeat(body, (keys[i] as { privateKey: string }).privateKey);
  };
  // two streams of batches per process, each over its own share of the nodes, so all can be in
  // flight at once without reordering any node's sequence numbers
  const streamCount = 2 * processes;
  const share = Math.floor(nodes / streamCount);
  const streams: string[][] = Array.from({ length: streamCount }, () => []);
  const stamp = Math.floor(Date.now() / 1000);
  for (let b = 0; b < batches; b++) {
    seq++;
    const stream = b % streamCount;
    const list: Heartbeat[] = [];
    for (let k = 0; k < batchSize; k++) list.push(hb(stream * share + (k % share), stamp));
    (streams[stream] as string[]).push(JSON.stringify({ heartbeats: list }));
  }
  const pids = procs.map((p) => p.child.pid as number);
  const cpuOf = () => pids.reduce((a, pid) => a + cpuSeconds(pid), 0);
  const t0 = performance.now();
  const cpu0 = cpuOf();
  const pg0 = url ? postgresCpuSeconds() : 0;
  await Promise.all(
    streams.map(async (bodies, i) => {
      const target = (procs[i % processes] as (typeof procs)[number]).url;
      for (const body of bodies) {
        const r = await fetch(`${target}/v1/heartbeats/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        if (!r.ok) throw new Error(`batch: ${r.status} ${await r.text()}`);
      }
    }),
  );
  const batchedMs = performance.now() - t0;
  const batched = ((batches * batchSize) / batchedMs) * 1000;
  // the cores the service processes kept busy meanwhile (PGlite runs inside them), and apart from them a PostgreSQL server's
  const cores = (cpuOf() - cpu0) / (batchedMs / 1000);
  const serverCores = url ? (postgresCpuSeconds() - pg0) / (batchedMs / 1000) : undefined;
  seq += 10;
  const singleStamp = Math.floor(Date.now() / 1000);
  const singleBodies = Array.from({ length: singles }, (_, k) => {
    if (k % nodes === 0) seq++;
    return JSON.stringify(hb(k % nodes, singleStamp));
  });
  const t1 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < singleBodies.length) {
        const body = singleBodies[next++] as string;
        const r = await fetch(`${running.url}/v1/heartbeats`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        if (!r.ok) throw new Error(`single: ${r.status} ${await r.text()}`);
      }
    }),
  );
  const single = (singles / (performance.now() - t1)) * 1000;
  await running.stop();
  void signingBytes;
  const label = processes === 1 ? '' : `, ${processes} processes`;
  return [
    {
      case: `ingest batched (${batchSize}/request), ${store}${label}`,
      n: batches * batchSize,
      value: Math.round(batched),
      unit: 'heartbeats/s',
      cores,
      serverCores,
    },
    ...(processes === 1 ? [{ case: `ingest single (16 concurrent), ${store}`, n: singles, value: Math.round(single), unit: 'heartbeats/s' }] : []),
  ];
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
/** CPU seconds all of the machine's `postgres` processes have used (the server's backends, its writer, its WAL). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.includes('(postgres)')) total += cpuSeconds(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}
const CLOCK_TICKS = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

async function freshSchema(): Promise<string> {
  const base = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function dropSchema(url: string): Promise<void> {
  const schema = /search_path=(bench_[0-9a-f]+)/.exec(decodeURIComponent(url))?.[1];
  if (schema === undefined) return;
  const c = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
  await c.connect();
  await c.query(`DROP SCHEMA ${schema} CASCADE`);
  await c.end();
}

/** Seeds a realistic network of `nodes` nodes (`seedNetwork`, PGlite on disk), then times the close of its day-long epoch 0: phases, peak memory. */
export async function close(store: 'pglite' | 'postgres', nodes: number): Promise<Row[]> {
  const url = store === 'postgres' ? await freshSchema() : undefined;
  const dir = store === 'pglite' ? tempDir('bench-close') : undefined;
  const opened: Db = await openDb(url ? { url } : { dataDir: join(dir as string, 'store') });
  // BENCH_TRACE=sql: the close's ten slowest statements (the seeding is not traced)
  const spent = new Map<string, { ms: number; calls: number }>();
  let tracing = false;
  const traced = (sql: Sql): Sql => ({
    async query(text, params) {
      if (!tracing) return sql.query(text, params);
      const t = performance.now();
      try {
        return await sql.query(text, params);
      } finally {
        const key = text.replace(/\s+/g, ' ').slice(0, 110);
        const x = spent.get(key) ?? { ms: 0, calls: 0 };
        spent.set(key, { ms: x.ms + performance.now() - t, calls: x.calls + 1 });
      }
    },
  });
  const db: Db = process.env.BENCH_TRACE === 'sql' ? { ...opened, query: traced(opened).query, tx: (fn) => opened.tx((sql) => fn(traced(sql))) } : opened;
  const genesis = 1_767_225_600;
  const clock = new ManualClock(genesis - 100);
  const settings = { genesis, epochSeconds: 86_400, slotSeconds: 60, graceSeconds: 60, windowSeconds: 300, onboarding: 'open' as const };
  const ctx = await initContext({ db, clock, operatorToken: 'x', operatorEthKey: `0x${'22'.repeat(32)}`, settings });
  const seedStart = performance.now();
  const seeded = await seedNetwork(db, ctx.settings, { nodes, receiptsPerNodeDay: RECEIPTS_PER_NODE_DAY });
  const seedMs = performance.now() - seedStart;
  clock.set(genesis + 86_400 + 61);
  resetPeakRss();
  const t = performance.now();
  const marks: [string, number][] = [['start', t]];
  tracing = true;
  const r = await closeEpoch(ctx, 0, { at: (p) => void marks.push([p, performance.now()]) });
  tracing = false;
  const ms = performance.now() - t;
  marks.push(['committed', performance.now()]);
  const peak = peakRssMiB();
  if (spent.size > 0)
    console.log(
      [...spent]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, 10)
        .map(([k, v]) => `  ${Math.round(v.ms)} ms × ${v.calls}: ${k}`)
        .join('\n'),
    );
  const phases = marks.slice(1).map(([p, x], i) => `${p} ${(Math.round(x - (marks[i] as [string, number])[1]) / 1000).toFixed(1)} s`);
  console.log(`close ${store} ${nodes}: ${Math.round(ms)} ms (${phases.join(' · ')}), peak RSS ${peak} MiB`);
  if (r.summary.nodes !== nodes) throw new Error('bench close: wrong node count');
  const reads = await dashboardReads(ctx, store, nodes);
  // what one epoch of this network takes on disk, table by table (indexes and TOAST included)
  const sizes = await opened.query<{ t: string; mib: number }>(
    `SELECT c.relname AS t, round(pg_total_relation_size(c.oid) / 1048576.0)::int AS mib FROM pg_class c
      WHERE c.relkind = 'r' AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) ORDER BY 2 DESC LIMIT 6`,
  );
  const disk = sizes.map((x) => `${x.t} ${x.mib} MiB`).join(', ');
  console.log(`store after the close (${store}, ${nodes}): ${disk}`);
  await db.close();
  if (url) await dropSchema(url);
  if (dir) rmSync(dir, { recursive: true, force: true });
  return [
    ...reads,
    {
      case: `seed (realistic data, ${RECEIPTS_PER_NODE_DAY} receipts/node-day), ${store}`,
      n: nodes,
      value: Math.round(seedMs),
      unit: 'ms',
      note: `${seeded.receipts.toLocaleString('en')} receipts, ${seeded.owners.toLocaleString('en')} owners, ${seeded.consumers.toLocaleString('en')} consumers`,
    },
    {
      case: `epoch close, ${store}`,
      n: nodes,
      value: Math.round(ms),
      unit: 'ms',
      note: `${r.summary.earning} nodes earned, ${r.summary.payees} payees; largest tables after it: ${disk}; peak RSS ${peak} MiB${store === 'pglite' ? ' (the store runs in this process)' : ' (this process; the server is apart)'}; ${phases.join(' · ')}`,
    },
  ];
}

/**
 * Every call the dashboard makes, through the real HTTP server on the store just closed: each GET
 * 20 times (the first is the cold one), the what-if 3 times; the p95 of the warm calls and the cold
 * call. What a user waits for at this size.
 */
async function dashboardReads(ctx: Context, store: string, nodes: number): Promise<Row[]> {
  const app = await buildServer(ctx, { rateLimit: 1_000_000, expensivePerMinute: { proposals: 10, whatIf: 1_000_000 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  // a node in the middle of the range that earned: its owner has a claim to prove
  const node = (
    await ctx.db.query<{ id: string; owner: string }>(
      'SELECT node_id AS id, owner FROM statements WHERE epoch = 0 AND reward > 0 AND node_id >= $1 ORDER BY node_id LIMIT 1',
      [`n-${String(Math.floor(nodes / 2)).padStart(7, '0')}`],
    )
  )[0] as { id: string; owner: string };
  const calls: [string, string, string?][] = [
    ['status', '/v1/status'],
    ['network', '/v1/network'],
    ['epochs', '/v1/epochs?limit=20'],
    ['epoch', '/v1/epochs/0?result=false'],
    ['epoch with its result', '/v1/epochs/0'],
    ['statements', '/v1/epochs/0/statements?limit=50'],
    ['manifest', '/v1/epochs/0/manifest'],
    ['providers', '/v1/providers?limit=50'],
    ['providers by uptime', '/v1/providers?limit=50&sort=uptime&order=asc'],
    ['explained statement', `/v1/epochs/0/statements/${node.id}/explained`],
    ['node', `/v1/nodes/${node.id}`],
    ['slashes', `/v1/slashes?node=${node.id}`],
    ['rewards', `/v1/rewards/${node.owner}`],
    ['proof', `/v1/epochs/0/proofs/${node.owner}`],
    ['params', '/v1/params'],
    ['proposals', '/v1/proposals'],
    // a change only this node's statement reads (answered against the stored totals), and one that
    // moves its work delivered and so its class's utilisation (the epoch computed again)
    ['what-if commitment', '/v1/epochs/0/whatif', JSON.stringify({ nodeId: node.id, set: { commitment: '365' } })],
    ['what-if uptime', '/v1/epochs/0/whatif', JSON.stringify({ nodeId: node.id, set: { uptime: '0.99' } })],
  ];
  const rows: Row[] = [];
  for (const [name, path, body] of calls) {
    const ms: number[] = [];
    let failed: string | undefined;
    let method: string | undefined;
    for (let i = 0; i < (body ? 3 : 20); i++) {
      const t = performance.now();
      const r = await fetch(`${base}${path}`, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body } : {});
      const text = await r.text();
      ms.push(performance.now() - t);
      if (!r.ok) failed = `${r.status} ${text.slice(0, 200)}`;
      else if (body) method = (JSON.parse(text) as { method?: string }).method;
    }
    if (failed !== undefined) {
      // reported, not fatal — and not timed: an error answer is no read figure
      console.log(`read ${path}: ${failed}`);
      rows.push({ case: `read ${name}, ${store}`, n: nodes, value: Number.NaN, unit: 'ms', note: `FAILED: ${failed}` });
      continue;
    }
    const warm = ms.slice(1).sort((a, b) => a - b);
    const p95 = warm[Math.min(warm.length - 1, Math.ceil(warm.length * 0.95) - 1)] as number;
    rows.push({
      case: `read ${name} (p95 warm), ${store}`,
      n: nodes,
      value: Math.round(p95 * 10) / 10,
      unit: 'ms',
      note: `cold ${Math.round(ms[0] as number)} ms; ${path}${method ? ` (${method})` : ''}`,
    });
  }
  await app.close();
  console.log(rows.map((r) => `${r.case}: ${r.value} ms (${r.note})`).join('\n'));
  return rows;
}

/** The bench's data: receipts a node makes a day in the simulator's networks (jobs of 1,800 GPU-seconds). BENCH_RECEIPTS overrides. */
const RECEIPTS_PER_NODE_DAY = Number(process.env.BENCH_RECEIPTS ?? 130);

/** Resets this process's peak RSS (Linux: writing 5 to clear_refs), so the next reading covers what follows. */
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux: the peak then covers the whole process
  }
}

function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Math.round(process.memoryUsage().rss / 2 ** 20);
}

export async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({
    connectionString: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    connectionTimeoutMillis: 2000,
  });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}
