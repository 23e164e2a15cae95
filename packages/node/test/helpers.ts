import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulatedResultHash, TOKEN } from '@swarm/core';
import { type HeartbeatBody, type KeyPair, keysFromSeed, type ReceiptBody, type RegisterBody, signHeartbeat, signReceipt, signRegister } from '@swarm/sdk';
import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { COMPONENTS, successSchema } from '../src/api/responses.ts';
import { buildServer } from '../src/api/server.ts';
import { ManualClock } from '../src/service/clock.ts';
import { initContext, type Settings } from '../src/service/context.ts';
import { type Db, openDb } from '../src/store/db.ts';

/** The stores every store test runs against: PGlite always, the PostgreSQL server when TEST_DATABASE_URL is set. */
export const STORES: ('pglite' | 'postgres')[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** A fresh store: PGlite in memory, or a new schema on the PostgreSQL server. */
export async function freshDb(kind: 'pglite' | 'postgres'): Promise<Db> {
  if (kind === 'pglite') return openDb({ dataDir: 'memory://', from: await migratedPglite() });
  return openDb({ url: await freshSchemaUrl() });
}

/**
 * A migrated, empty PGlite store as a tarball. Making one takes ~5 s of CPU (PGlite's initdb, then
 * every migration), opening a copy ~1 s: a test file makes it once, and keeps it on disk for the
 * other files and runs, under a name that changes with the migrations, the store code and PGlite.
 */
let template: Promise<Blob> | undefined;
function migratedPglite(): Promise<Blob> {
  template ??= (async () => {
    const file = join(tmpdir(), `swarm-test-store-${storeTemplateKey()}.tar`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const db = await openDb({ dataDir: 'memory://' });
    const blob = await (db.dump as () => Promise<Blob>)();
    await db.close();
    // written aside and renamed: a file next to it reading this name sees all of it or nothing
    const part = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(part, Buffer.from(await blob.arrayBuffer()));
    renameSync(part, file);
    return blob;
  })();
  return template;
}

/** What a migrated store depends on: the migrations, the store code that applies them, PGlite's version (the lockfile). */
function storeTemplateKey(): string {
  const h = createHash('sha256');
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  const drizzle = here('../drizzle/');
  for (const f of readdirSync(drizzle, { recursive: true }).map(String).sort()) {
    const path = join(drizzle, f);
    if (statSync(path).isFile()) h.update(f).update(readFileSync(path));
  }
  h.update(readFileSync(here('../src/store/db.ts')));
  h.update(readFileSync(here('../../../package-lock.json')));
  return h.digest('hex').slice(0, 16);
}

/** A URL of TEST_DATABASE_URL whose search path is a new, empty schema: a store of its own on the shared server. */
export async function freshSchemaUrl(): Promise<string> {
  const base = process.env.TEST_DATABASE_URL as string;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export const GENESIS = 1_767_225_600; // 2026-01-01T00:00:00Z
export const TEST_SETTINGS: Settings = {
  genesis: GENESIS,
  epochSeconds: 3600,
  slotSeconds: 60,
  graceSeconds: 30,
  windowSeconds: 300,
  daySeconds: 86_400,
  onboarding: 'open',
};
export const OPERATOR = 'test-operator-token';
export const OPERATOR_ETH_KEY = `0x${'11'.repeat(32)}` as const;

export async function testService(kind: 'pglite' | 'postgres' = 'pglite', settings: Partial<Settings> = {}) {
  return testServiceWith({ kind, settings });
}

export async function testServiceWith(o: { kind?: 'pglite' | 'postgres'; settings?: Partial<Settings>; rateLimit?: number; params?: unknown }) {
  const db = await freshDb(o.kind ?? 'pglite');
  const clock = new ManualClock(GENESIS + 10);
  const ctx = await initContext({
    db,
    clock,
    operatorToken: OPERATOR,
    operatorEthKey: OPERATOR_ETH_KEY,
    settings: { ...TEST_SETTINGS, ...o.settings },
    ...(o.params === undefined ? {} : { params: o.params }),
  });
  const app = await buildServer(ctx, { rateLimit: o.rateLimit ?? 1_000_000 });
  checkWriteAnswers(app);
  return {
    db,
    clock,
    ctx,
    app,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

export const keys = (label: string): KeyPair => keysFromSeed(Buffer.alloc(32, 0).fill(label).toString('hex'));
export const addr = (k: number) => `0x${k.toString(16).padStart(40, '0')}`;

export function registration(
  id: string,
  o: { now: number; seq?: number; gpus?: { model: string; count: number }[]; owner?: KeyPair; node?: KeyPair; ownerAddress?: string; commitmentDays?: number },
) {
  const node = o.node ?? keys(`node-${id}`);
  const owner = o.owner ?? keys(`owner-${id}`);
  const body: RegisterBody = {
    type: 'register',
    nodeId: id,
    nodeKey: node.publicKey,
    ownerKey: owner.publicKey,
    owner: o.ownerAddress ?? addr(0xa0000 + id.length * 7 + id.charCodeAt(id.length - 1)),
    region: 'eu-west',
    slaClass: 'minimum',
    providerClass: 'individual',
    hardware: { gpus: o.gpus ?? [{ model: 'RTX-4090', count: 1 }], vcpus: 16, ramGb: 64, nvmeTb: 2, bandwidthGbps: 1 },
    commitmentDays: o.commitmentDays ?? 0,
    referrer: null,
    timestamp: o.now,
    seq: o.seq ?? 1,
  };
  return { msg: signRegister(body, node.privateKey, owner.privateKey), node, owner, body };
}

export function heartbeat(nodeId: string, node: KeyPair, seq: number, timestamp: number, util = '0.5', metrics: Partial<HeartbeatBody['metrics']> = {}) {
  const body: HeartbeatBody = {
    type: 'heartbeat',
    nodeId,
    seq,
    timestamp,
    metrics: { gpuUtilisation: util, latencyMs: 10, packetLoss: '0', powerEfficiency: '0.9', jobsRunning: 1, ...metrics },
  };
  return signHeartbeat(body, node.privateKey);
}

/** A countersigned receipt; its result hash is what the demo's re-execution finds (a genuine job) unless `o` says otherwise. */
export function receipt(nodeId: string, node: KeyPair, consumer: KeyPair, jobId: string, timestamp: number, o: Partial<ReceiptBody> = {}, rating = 5) {
  const usage = o.usage ?? [{ model: 'RTX-4090', gpuSeconds: 1800 }];
  const body: ReceiptBody = {
    type: 'receipt',
    jobId,
    nodeId,
    resultHash: simulatedResultHash(
      jobId,
      usage.reduce((a, u) => a + u.gpuSeconds, 0),
    ),
    consumerKey: consumer.publicKey,
    timestamp,
    usage: [{ model: 'RTX-4090', gpuSeconds: 1800 }],
    price: (TOKEN * 2n).toString(),
    success: true,
    responseMs: 80,
    priority: 'standard',
    ...o,
  };
  return signReceipt(body, node.privateKey, consumer.privateKey, rating);
}

export { injectFetch } from '../src/api/inject-fetch.ts';

const ajv = new Ajv({ strict: false, allErrors: true });
for (const c of COMPONENTS) ajv.addSchema(c);
const validators = new Map<string, ReturnType<typeof ajv.compile> | null>();

/**
 * Every test's service answers its writes as the OpenAPI document says (`api/responses.ts`): an
 * answer that does not match (a field missing, renamed or undocumented) becomes a 500 naming the
 * difference, so whichever test made the call fails.
 */
function checkWriteAnswers(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const url = req.routeOptions.url;
    if (req.method !== 'POST' || reply.statusCode >= 300 || url === undefined || typeof payload !== 'string') return payload;
    const key = `POST ${url}`;
    if (!validators.has(key)) {
      const schema = successSchema('POST', url);
      validators.set(key, schema ? ajv.compile(schema) : null);
    }
    const validate = validators.get(key);
    if (validate && !validate(JSON.parse(payload))) {
      throw new Error(`${key} answered ${payload.slice(0, 300)}, not what the OpenAPI document says: ${ajv.errorsText(validate.errors)}`);
    }
    return payload;
  });
}
