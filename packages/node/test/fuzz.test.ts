import { TOKEN } from '@swarm/core';
import { type KeyPair, signBody } from '@swarm/sdk';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { checkLedger } from '../src/ledger/ledger.ts';
import { ManualClock } from '../src/service/clock.ts';
import { initContext } from '../src/service/context.ts';
import { freshDb, GENESIS, heartbeat, keys, OPERATOR, OPERATOR_ETH_KEY, receipt, registration, STORES, TEST_SETTINGS } from './helpers.ts';

/**
 * Every write endpoint fuzzed (fast-check): valid messages with a field replaced, removed or added
 * — re-signed half the time, so the change reaches the keeper's own checks and not only the
 * signature — and bodies of arbitrary JSON. Whatever arrives: no 5xx, a refused request writes
 * nothing (the store's fingerprint is unchanged), and the ledger's invariants hold afterwards.
 * A few hundred requests per endpoint in `npm test`; `SWARM_FUZZ_RUNS=10000` for a long run.
 */
const RUNS = Number(process.env.SWARM_FUZZ_RUNS ?? 100);
const auth = { authorization: `Bearer ${OPERATOR}` };

type Template = {
  url: string;
  operator?: boolean;
  /** A fresh valid message (a new job, stake or node id and sequence number each time). */
  make: (i: number) => Record<string, unknown>;
  /** The message again with its (changed) body signed as the endpoint expects; undefined when the endpoint is not signed. */
  resign?: (msg: Record<string, unknown>) => Record<string, unknown>;
};

const node = registration('fz-node', { now: GENESIS + 600 });
const consumer = keys('fz-consumer');
const staker = keys('fz-staker');
const attestor = keys('fz-attestor');
const signed = (k: KeyPair) => (msg: Record<string, unknown>) => ({ ...msg, signature: signBody(msg.body, k.privateKey) });

function templates(now: () => number): Template[] {
  return [
    {
      url: '/v1/nodes',
      make: (i) => registration(`fz-${i}`, { now: now(), seq: i + 1, owner: staker }).msg as unknown as Record<string, unknown>,
      resign: (m) => ({ ...m, nodeSignature: signBody(m.body, keys(`node-fz-x`).privateKey), ownerSignature: signBody(m.body, staker.privateKey) }),
    },
    {
      url: '/v1/heartbeats',
      make: (i) => heartbeat('fz-node', node.node, 1_000 + i, now()) as unknown as Record<string, unknown>,
      resign: signed(node.node),
    },
    {
      url: '/v1/heartbeats/batch',
      make: (i) => ({ heartbeats: [heartbeat('fz-node', node.node, 100_000 + 2 * i, now()), heartbeat('fz-node', node.node, 100_001 + 2 * i, now())] }),
    },
    {
      url: '/v1/receipts',
      make: (i) => receipt('fz-node', node.node, consumer, `fz-job-${i}`, now(), { price: '1000' }) as unknown as Record<string, unknown>,
      resign: (m) => {
        const body = m.body as Parameters<typeof receipt>[5];
        const nodeSignature = signBody(body, node.node.privateKey);
        return {
          ...m,
          nodeSignature,
          consumerSignature: signBody({ type: 'countersign', receipt: body, nodeSignature, rating: m.rating }, consumer.privateKey),
        };
      },
    },
    {
      url: '/v1/stakes',
      make: (i) =>
        signed(staker)({
          body: {
            type: 'stake',
            stakeId: `fz-stake-${i}`,
            ownerKey: staker.publicKey,
            kind: 'user',
            nodeId: null,
            payout: `0x${'ab'.repeat(20)}`,
            amount: '1000',
            lockDays: 0,
            timestamp: now(),
            seq: 10_000 + i,
          },
        }),
      resign: signed(staker),
    },
    {
      url: '/v1/unbond',
      make: (i) =>
        signed(staker)({
          body: { type: 'unbond', stakeId: 'fz-stake-0', ownerKey: staker.publicKey, amount: '1', timestamp: now(), seq: 200_000 + i },
        }),
      resign: signed(staker),
    },
    {
      url: '/v1/attestations',
      make: (i) =>
        signed(attestor)({
          body: {
            type: 'attestation',
            role: 'community',
            attestor: 'fz-attestor',
            epoch: 0,
            entries: [{ payout: `0x${'cd'.repeat(20)}`, points: 1 + i }],
            timestamp: now(),
            seq: 1 + i,
          },
        }),
      resign: signed(attestor),
    },
    {
      url: '/v1/proposals',
      make: (i) =>
        signed(staker)({
          body: {
            type: 'proposal',
            proposalId: `fz-p-${i}`,
            proposerKey: staker.publicKey,
            kind: 'params',
            patch: { compute: { scoreCap: '2.5' } },
            description: 'fuzz',
            timestamp: now(),
            seq: 300_000 + i,
          },
        }),
      resign: signed(staker),
    },
    {
      url: '/v1/votes',
      make: (i) =>
        signed(staker)({ body: { type: 'vote', proposalId: 'fz-p-0', voterKey: staker.publicKey, option: 'yes', timestamp: now(), seq: 400_000 + i } }),
      resign: signed(staker),
    },
    {
      url: '/v1/audits/commits',
      make: (i) =>
        signed(staker)({
          body: { type: 'audit-commit', jobId: `fz-job-${i}`, validatorKey: staker.publicKey, commitment: 'ab'.repeat(32), timestamp: now(), seq: 500_000 + i },
        }),
      resign: signed(staker),
    },
    {
      url: '/v1/audits/reveals',
      make: (i) =>
        signed(staker)({
          body: {
            type: 'audit-reveal',
            jobId: `fz-job-${i}`,
            validatorKey: staker.publicKey,
            verdict: 'match',
            resultHash: 'ab'.repeat(32),
            salt: 'cd'.repeat(32),
            timestamp: now(),
            seq: 550_000 + i,
          },
        }),
      resign: signed(staker),
    },
    {
      url: '/v1/beacon/commits',
      make: (i) =>
        signed(staker)({
          body: { type: 'beacon-commit', epoch: 0, validatorKey: staker.publicKey, commitment: 'ab'.repeat(32), timestamp: now(), seq: 560_000 + i },
        }),
      resign: signed(staker),
    },
    {
      url: '/v1/beacon/reveals',
      make: (i) =>
        signed(staker)({
          body: { type: 'beacon-reveal', epoch: 0, validatorKey: staker.publicKey, secret: 'ab'.repeat(32), timestamp: now(), seq: 570_000 + i },
        }),
      resign: signed(staker),
    },
    {
      url: '/v1/refusals',
      make: (i) =>
        signed(consumer)({
          body: {
            type: 'refusal',
            jobId: `fz-refused-${i}`,
            nodeId: 'fz-node',
            consumerKey: consumer.publicKey,
            price: '1000',
            timestamp: now(),
            seq: 600_000 + i,
          },
        }),
      resign: signed(consumer),
    },
    {
      url: '/v1/probes',
      make: (i) =>
        signed(staker)({
          body: {
            type: 'probe',
            probeId: i.toString(16).padStart(64, '0'),
            nodeId: 'fz-node',
            validatorKey: staker.publicKey,
            timestamp: now(),
            seq: 590_000 + i,
          },
        }),
      resign: signed(staker),
    },
    {
      url: '/v1/probes/answers',
      make: (i) =>
        signed(node.node)({
          body: { type: 'probe-answer', probeId: i.toString(16).padStart(64, '0'), nodeId: 'fz-node', result: 'ab'.repeat(32), timestamp: now() },
        }),
      resign: signed(node.node),
    },
    {
      url: '/v1/disputes',
      make: (i) => signed(node.node)({ body: { type: 'dispute', jobId: `fz-job-${i}`, nodeId: 'fz-node', timestamp: now(), seq: 580_000 + i } }),
      resign: signed(node.node),
    },
    {
      url: '/v1/onboarding',
      make: (i) =>
        signed(staker)({
          body: {
            type: 'onboarding',
            nodeId: 'fz-node',
            validatorKey: staker.publicKey,
            measured: {
              gpus: [{ model: 'RTX-4090', count: 1, benchmark: '1' }],
              vcpus: 16,
              ramGb: 64,
              nvmeTb: 2,
              linkGbps: 1,
              nvme: true,
              tpm: true,
              hostId: 'ab'.repeat(32),
            },
            timestamp: now(),
            seq: 600_000 + i,
          },
        }),
      resign: signed(staker),
    },
    { url: '/v1/operator/grants', operator: true, make: (i) => ({ key: consumer.publicKey, amount: '1', memo: `fz-${i}` }) },
    { url: '/v1/operator/attestors', operator: true, make: () => ({ attestor: 'fz-attestor', key: attestor.publicKey, roles: ['community'] }) },
    { url: '/v1/epochs/0/whatif', make: () => ({ nodeId: 'fz-node', set: { uptime: '0.5' } }) },
  ];
}

/** Values a hostile client might put anywhere: JSON of every shape, and strings that have broken parsers and stores. */
const badChar = fc.constantFrom('\u0000', '\ud800', '\udfff', '\u001b', '\r', '\u0085', '\u007f', '\u2028', '\ufeff', '\u{1f680}');
const nasty = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), badChar, fc.string({ maxLength: 8 })).map((p) => p.join('')) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  fc.constantFrom('', '0x10', '-1', '1e400', '9007199254740993', ' 1', '1.', 'NaN', '__proto__', 'null', 'x'.repeat(5000)),
  fc.constantFrom(-1, 0, 1.5, 2 ** 53, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

type Path = (string | number)[];

/** Every place in a message: its values, and (for `add`) the objects holding them. */
function leaves(v: unknown, path: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...path, i]));
  if (v !== null && typeof v === 'object') return [...(path.length > 0 ? [path] : []), ...Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k]))];
  return [path];
}

function mutate(msg: Record<string, unknown>, path: Path, op: 'set' | 'delete' | 'add', value: unknown): Record<string, unknown> {
  const copy = structuredClone(msg);
  if (path.length === 0)
    return op === 'set' && value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : copy;
  let parent: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (op === 'set') parent[last] = value;
  else if (op === 'delete') delete parent[last];
  else if (parent[last] !== null && typeof parent[last] === 'object' && !Array.isArray(parent[last])) (parent[last] as Record<string, unknown>).zz = value;
  return copy;
}

/** What a refused request must not change: row counts and sums of every table a write touches. */
async function fingerprint(db: { query: (q: string) => Promise<Record<string, unknown>[]> }): Promise<string> {
  const r = await db.query(`SELECT json_build_array(
    (SELECT count(*) FROM postings), (SELECT hash FROM ledger_head), (SELECT count(*) FROM nodes), (SELECT coalesce(sum(last_seq), 0) FROM nodes),
    (SELECT count(*) FROM receipts), (SELECT count(*) FROM stakes), (SELECT count(*) FROM unbondings), (SELECT count(*) FROM proposals),
    (SELECT count(*) FROM votes), (SELECT count(*) FROM attestations), (SELECT count(*) FROM attestors), (SELECT count(*) FROM audit_verdicts), (SELECT count(*) FROM beacon_secrets), (SELECT count(*) FROM audit_confirmations), (SELECT count(*) FROM signed_messages), (SELECT count(*) FROM audit_assignments), (SELECT count(*) FROM probes), (SELECT count(*) FROM refusals), (SELECT count(*) FROM probes WHERE answered_at IS NOT NULL),
    (SELECT count(*) FROM onboarding_checks), (SELECT coalesce(sum(heartbeats), 0) FROM node_slots), (SELECT count(*) FROM key_seqs),
    (SELECT coalesce(sum(last_seq), 0) FROM key_seqs), (SELECT count(*) FROM consumers), (SELECT coalesce(sum(reserved), 0) FROM consumers),
    (SELECT count(*) FROM evidence))::text AS f`);
  return r[0]?.f as string;
}

describe.each(STORES)('fuzzing every write endpoint on %s', (kind) => {
  let t: { app: Awaited<ReturnType<typeof buildServer>>; db: Awaited<ReturnType<typeof freshDb>>; clock: ManualClock };
  beforeAll(async () => {
    const db = await freshDb(kind);
    const clock = new ManualClock(GENESIS + 600);
    const ctx = await initContext({ db, clock, operatorToken: OPERATOR, operatorEthKey: OPERATOR_ETH_KEY, settings: TEST_SETTINGS });
    const app = await buildServer(ctx, { rateLimit: 10_000_000, expensivePerMinute: { proposals: 10_000_000, whatIf: 10_000_000 } });
    t = { app, db, clock };
    const ok = async (url: string, payload: unknown, headers = {}) => {
      const r = await app.inject({ method: 'POST', url, payload: payload as object, headers });
      expect(r.statusCode, `${url}: ${r.body}`).toBeLessThan(300);
    };
    await ok('/v1/nodes', node.msg);
    await ok('/v1/operator/grants', { key: consumer.publicKey, amount: (1_000n * TOKEN).toString(), memo: 'fz' }, auth);
    await ok('/v1/operator/grants', { key: staker.publicKey, amount: (1_000_000n * TOKEN).toString(), memo: 'fz' }, auth);
    await ok('/v1/operator/attestors', { attestor: 'fz-attestor', key: attestor.publicKey, roles: ['community'] }, auth);
  });
  afterAll(async () => {
    await t.app.close();
    await t.db.close();
  });

  for (const [index, template] of templates(() => t?.clock.now() ?? GENESIS).entries()) {
    it(`${template.url}: no 5xx, a refusal writes nothing`, async () => {
      let i = index * 1_000_000;
      const headers = template.operator ? auth : {};
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('set', 'delete', 'add' as const), pick: fc.nat(), value: nasty, resign: fc.boolean() }) },
            { weight: 1, arbitrary: fc.record({ op: fc.constant('raw' as const), pick: fc.nat(), value: nasty, resign: fc.constant(false) }) },
          ),
          async ({ op, pick, value, resign }) => {
            const valid = template.make(i++);
            let payload: unknown;
            if (op === 'raw') payload = value;
            else {
              const paths = leaves(valid);
              let msg = mutate(valid, paths[pick % paths.length] as Path, op, value);
              if (resign && template.resign && msg.body !== undefined) {
                try {
                  msg = template.resign(msg);
                } catch {
                  // a body the signer cannot encode: send it as it is
                }
              }
              payload = msg;
            }
            const before = await fingerprint(t.db);
            const r = await t.app.inject({
              method: 'POST',
              url: template.url,
              payload: JSON.stringify(payload),
              headers: { ...headers, 'content-type': 'application/json' },
            });
            expect(r.statusCode, `${template.url} ${JSON.stringify(payload).slice(0, 300)} → ${r.body}`).toBeLessThan(500);
            if (r.statusCode >= 400) {
              // the one refusal that keeps something: an equivocation's two signed receipts, as evidence (SPEC §6.1)
              const kept = (f: string) => (r.json().code === 'EQUIVOCATION' ? (JSON.parse(f) as unknown[]).slice(0, -1) : JSON.parse(f));
              expect(kept(await fingerprint(t.db)), `${template.url} refused ${r.body} but wrote`).toEqual(kept(before));
              expect(r.json().message.length).toBeLessThanOrEqual(200);
            }
          },
        ),
        { numRuns: RUNS, seed: Number(process.env.SWARM_FUZZ_SEED ?? 20261204) + index },
      );
      expect((await checkLedger(t.db)).violations).toEqual([]);
    }, 600_000);
  }
});
