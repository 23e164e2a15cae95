/**
 * `npm run bench`: the engine's speed, measured against peers in the same run on the same
 * machine. Medians of several runs; results written to bench/results/latest.{json,md}.
 *
 *   processEpoch            the reward engine on a synthetic epoch (mixed hardware and behaviour),
 *                           from node objects (the service's path), input checks included
 *   peer: bigint floor      ten bigint multiply/divide operations per node, nothing else — the
 *                           cost of the arithmetic alone, to read the engine's overhead against
 *   statements              materialising every node's full statement (what a service stores)
 *   what-if                 one node's statement with an input changed, against the epoch computed
 *                           once (incremental), beside the peer: the epoch recomputed with the change
 *
 *   service (bench/service.ts): ingest through the HTTP API against the raw verify ceiling, and
 *                           epoch close at 10k, 100k and 1M nodes on PGlite and PostgreSQL (BENCH_CLOSE_SIZES)
 *
 *   merkle (bench/merkle.ts): the claim tree and every proof, ours against @openzeppelin/merkle-tree
 *
 *   sim: the simulator's fast mode in epochs per second, against processEpoch alone on the same inputs
 *
 * Sizes: BENCH_SIZES=10000,100000,1000000 (default), BENCH_RUNS=5. BENCH_ONLY=core|service|merkle|sim.
 * BENCH_MERKLE_SIZES=100000,1000000; BENCH_MERKLE_OZ_MAX (largest size OpenZeppelin runs at).
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); skipped if unreachable.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { defaultParams, prepareWhatIf, processEpoch, syntheticEpoch, whatIfPrepared } from '../packages/core/src/index.ts';

const sizes = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
// five by default at 1M too: a size's first run is cold (1.5–2.7× slower) and a median of three can land on it
const runs = Number(process.env.BENCH_RUNS ?? 5);
const params = defaultParams();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

/**
 * One timed call, after a full collection: the engine runs once an epoch, so the garbage of the
 * run before is not its cost (left in, a mark of the ~700 MB input heap lands in some runs and not
 * others). The bench runs with --expose-gc; every case, peers included, is timed the same way.
 */
function time(f: () => unknown): number {
  (globalThis as { gc?: () => void }).gc?.();
  const t = performance.now();
  f();
  return performance.now() - t;
}

/** The case's runs, each timed after a full collection. */
function timed(f: () => unknown): number[] {
  return Array.from({ length: runs }, () => time(f));
}

function bigintFloor(n: number): bigint {
  const W = 10n ** 18n;
  let acc = 0n;
  for (let i = 0; i < n; i++) {
    const a = BigInt(i + 1) * 4_232_726_064n;
    const b = (a * 938_579_423_793_379_356n) / W;
    const c = (b * 1_385_000_000_000_000_000n) / W;
    const d = (c * 1_050_000_000_000_000_000n) / W;
    const e = (d * 1_000_000_000_000_000_000n) / W;
    acc += e;
  }
  return acc;
}

type Row = { case: string; nodes: number; medianMs: number; coldMs: number; runsMs: number[]; perNodeUs: number; peakMiB: number };
const rows: Row[] = [];
const machine = `${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
console.log(`machine: ${machine}`);
const only = process.env.BENCH_ONLY;
for (const n of only === undefined || only === 'core' ? sizes : []) {
  process.stdout.write(`generating ${n.toLocaleString('en')} nodes… `);
  const input = syntheticEpoch({ seed: 1, nodes: n, validators: 100, stakes: 1000 });
  console.log('done');
  const record = (name: string, ms: number[]) => {
    const m = median(ms);
    const peakMiB = Math.round(process.resourceUsage().maxRSS / 1024); // the process's peak so far, input included
    rows.push({
      case: name,
      nodes: n,
      medianMs: Math.round(m),
      coldMs: Math.round(ms[0] as number),
      runsMs: ms.map(Math.round),
      perNodeUs: Number(((m * 1000) / n).toFixed(3)),
      peakMiB,
    });
    console.log(
      `  ${name.padEnd(26)} ${String(Math.round(m)).padStart(7)} ms  (${((m * 1000) / n).toFixed(2)} µs/node; runs ${ms.map(Math.round).join(', ')})`,
    );
  };
  record(
    'processEpoch',
    timed(() => processEpoch(input, params)),
  );
  record(
    'processEpoch (pre-checked)',
    timed(() => processEpoch(input, params, { checked: true })),
  );
  record(
    'peer: bigint floor',
    timed(() => bigintFloor(n)),
  );
  // a what-if against the epoch computed once (what the service keeps), beside recomputing the epoch
  const basis = prepareWhatIf(input, params);
  const mid = (input.nodes[n >> 1] as { id: string }).id;
  record(
    'what-if uptime (incremental)',
    timed(() => whatIfPrepared(basis, mid, { uptime: '0.99' })),
  );
  record(
    'what-if commitment (incremental)',
    timed(() => whatIfPrepared(basis, mid, { commitment: '365' })),
  );
  record(
    'peer: what-if recomputed',
    timed(() => whatIfPrepared(basis, mid, { uptime: '0.99' }, { incremental: false })),
  );
  if (n <= 100_000) {
    const r = processEpoch(input, params);
    record(
      'statements (all nodes)',
      timed(() => r.statements()),
    );
  }
}

type ServiceRow = { case: string; n: number; value: number; unit: string; note?: string };
const service: ServiceRow[] = [];
if (only === undefined || only === 'service') {
  const svc = await import('./service.ts');
  const pgUp = await svc.postgresReachable();
  const ceilings = Array.from({ length: 3 }, () => svc.verifyCeiling());
  const ceiling = Math.round(median(ceilings));
  service.push({ case: 'peer: raw crypto.verify (Ed25519, one core)', n: 20_000, value: ceiling, unit: 'verifies/s' });
  console.log(`raw verify ceiling: ${ceiling}/s`);
  const stores = (process.env.BENCH_STORES ?? 'pglite,postgres').split(',').filter((x) => x === 'pglite' || (x === 'postgres' && pgUp)) as (
    | 'pglite'
    | 'postgres'
  )[];
  for (const store of stores) {
    // on PostgreSQL, 1, 2 and 3 service processes on one database (BENCH_INGEST_PROCESSES): how ingest scales out
    const counts = store === 'postgres' ? (process.env.BENCH_INGEST_PROCESSES ?? '1,2,3').split(',').map(Number) : [1];
    const ingested = [];
    if (process.env.BENCH_INGEST !== '0')
      for (const k of counts) ingested.push(...(await svc.ingest(store, k, undefined, undefined, 1000, k === 1 ? 3000 : 0)));
    for (const r of ingested) {
      // the fair peer: one core's verify ceiling times the cores the service kept busy
      const peer = r.cores === undefined ? ceiling : ceiling * r.cores;
      const note =
        r.cores === undefined
          ? `${Math.round((r.value / ceiling) * 100)} % of one core's verify ceiling`
          : `service used ${r.cores.toFixed(2)} cores: ${Math.round((r.value / peer) * 100)} % of the verify ceiling × those cores (${Math.round(peer)}/s)${r.serverCores === undefined ? '' : `; the PostgreSQL server used ${r.serverCores.toFixed(2)} more`}`;
      service.push({ ...r, note });
      console.log(`${r.case}: ${r.value} ${r.unit} (${note})`);
    }
    for (const n of (process.env.BENCH_CLOSE_SIZES ?? '10000,100000,1000000').split(',').map(Number)) {
      service.push(...(await svc.close(store, n)));
    }
  }
  if (!pgUp) console.log('PostgreSQL not reachable: its rows are skipped');
}

const merkleRows: { case: string; n: number; ms: number; peakMiB: number; root: string }[] = [];
if (only === undefined || only === 'merkle') {
  const { merkle } = await import('./merkle.ts');
  const ozMax = Number(process.env.BENCH_MERKLE_OZ_MAX ?? 1_000_000);
  for (const n of (process.env.BENCH_MERKLE_SIZES ?? '100000,1000000').split(',').map(Number)) {
    const r = await merkle(n, n <= ozMax);
    merkleRows.push(...r);
    for (const row of r) console.log(`merkle ${n}: ${row.case}: ${row.ms}`);
  }
}

// the simulator: fast-mode epochs per second on its scenarios, against processEpoch alone on the
// very inputs the run built (what the simulator adds: activity, the ladder, audits, fees, escrow)
const simRows: { case: string; nodes: number; epochs: number; medianMs: number; epochsPerSecond: number }[] = [];
if (only === undefined || only === 'sim') {
  const { runFast, SCENARIOS } = await import('../packages/sim/src/index.ts');
  for (const name of ['small', 'mixed']) {
    const scenario = SCENARIOS[name] as NonNullable<(typeof SCENARIOS)[string]>;
    const inputs: Parameters<typeof processEpoch>[0][] = [];
    const ms = Array.from({ length: Math.max(3, Math.min(runs, 5)) }, (_, i) =>
      time(() => runFast(scenario, { params, inspect: i === 0 ? (input) => inputs.push(structuredClone(input)) : undefined })),
    );
    const nodes = inputs[0]?.nodes.length ?? 0;
    const m = median(ms);
    simRows.push({
      case: `simulator, fast mode: ${name}`,
      nodes,
      epochs: scenario.epochs,
      medianMs: Math.round(m),
      epochsPerSecond: Math.round((scenario.epochs * 1000) / m),
    });
    const core = median(Array.from({ length: 3 }, () => time(() => inputs.map((x) => processEpoch(x, params)))));
    simRows.push({
      case: `peer: processEpoch alone, same inputs`,
      nodes,
      epochs: scenario.epochs,
      medianMs: Math.round(core),
      epochsPerSecond: Math.round((scenario.epochs * 1000) / core),
    });
    console.log(
      `sim ${name}: ${Math.round((scenario.epochs * 1000) / m)} epochs/s (${nodes} nodes); processEpoch alone ${Math.round((scenario.epochs * 1000) / core)} epochs/s`,
    );
  }
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const json = { machine, date: new Date().toISOString(), runs, rows, service, merkle: merkleRows, sim: simRows };
const suffix = only === undefined ? '' : `-${only}`; // a partial run never overwrites the full results
writeFileSync(new URL(`./results/latest${suffix}.json`, import.meta.url), `${JSON.stringify(json, null, 2)}\n`);
const md = [
  `Machine: ${machine}`,
  '',
  '| case | nodes | median ms | first run ms | µs / node | peak RSS MiB |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.case} | ${r.nodes.toLocaleString('en')} | ${r.medianMs} | ${r.coldMs} | ${r.perNodeUs} | ${r.peakMiB} |`),
  '',
  '| service case | n | value | unit | note |',
  '|---|---:|---:|---|---|',
  ...service.map((r) => `| ${r.case} | ${r.n.toLocaleString('en')} | ${r.value.toLocaleString('en')} | ${r.unit} | ${r.note ?? ''} |`),
  '',
  '| merkle case | payees | ms (µs for a proof) | process peak RSS after, MiB |',
  '|---|---:|---:|---:|',
  ...merkleRows.map((r) => `| ${r.case} | ${r.n.toLocaleString('en')} | ${r.ms.toLocaleString('en')} | ${r.peakMiB} |`),
  '',
  '| simulator case | nodes | epochs | median ms | epochs / s |',
  '|---|---:|---:|---:|---:|',
  ...simRows.map((r) => `| ${r.case} | ${r.nodes.toLocaleString('en')} | ${r.epochs} | ${r.medianMs.toLocaleString('en')} | ${r.epochsPerSecond} |`),
].join('\n');
writeFileSync(new URL(`./results/latest${suffix}.md`, import.meta.url), `${md}\n`);
console.log(`\n${md}`);
