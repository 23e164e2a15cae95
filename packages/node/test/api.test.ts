import { Validator } from '@seriousme/openapi-schema-validator';
import { TOKEN } from '@swarm/core';
import { signAttestation, signHeartbeat, signStake, signUnbond } from '@swarm/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkLedger } from '../src/ledger/ledger.ts';
import type { Sql } from '../src/store/db.ts';
import { addr, GENESIS, heartbeat, keys, OPERATOR, receipt, registration, STORES, testService } from './helpers.ts';

const auth = { authorization: `Bearer ${OPERATOR}` };

/** Everything a refused request could have changed. */
async function snapshot(sql: Sql): Promise<string> {
  const tables = [
    'nodes',
    'node_slots',
    'receipts',
    'consumers',
    'attestations',
    'stakes',
    'unbondings',
    'accounts',
    'postings',
    'key_seqs',
    'epochs',
    'statements',
  ];
  const out: Record<string, unknown> = {};
  for (const t of tables)
    out[t] = (await sql.query(`SELECT md5(COALESCE(string_agg(x::text, '|' ORDER BY x::text), '')) AS h, COUNT(*)::text AS n FROM ${t} x`))[0];
  out.head = await sql.query('SELECT seq::text, hash FROM ledger_head');
  out.nodesSeq = await sql.query('SELECT id, last_seq::text FROM nodes ORDER BY id');
  return JSON.stringify(out);
}

describe.each(STORES)('API on %s', (kind) => {
  let t: Awaited<ReturnType<typeof testService>>;
  const reg = registration('n1', { now: GENESIS + 10 });
  const consumer = keys('consumer');
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload: payload as object, headers });

  beforeEach(async () => {
    t = await testService(kind);
    expect((await post('/v1/nodes', reg.msg)).statusCode).toBe(201);
    expect((await post('/v1/operator/grants', { key: consumer.publicKey, amount: (100n * TOKEN).toString(), memo: 'c' }, auth)).statusCode).toBe(200);
    expect((await post('/v1/operator/grants', { key: reg.owner.publicKey, amount: (10_000n * TOKEN).toString(), memo: 'o' }, auth)).statusCode).toBe(200);
  });
  afterEach(async () => t.close());

  it('accepts every kind of message', async () => {
    const now = t.clock.now();
    let r = await post('/v1/heartbeats', heartbeat('n1', reg.node, 1, now));
    expect(r.statusCode, r.body).toBe(200);
    t.clock.set(now + 61);
    r = await post('/v1/heartbeats/batch', { heartbeats: [heartbeat('n1', reg.node, 2, now + 60), heartbeat('n1', reg.node, 3, now + 61)] });
    expect(r.json()).toEqual({ accepted: 2 });
    r = await post('/v1/receipts', receipt('n1', reg.node, consumer, 'job-1', now));
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().billable).toBe(true);
    r = await post(
      '/v1/stakes',
      signStake(
        {
          type: 'stake',
          stakeId: 'bond-1',
          ownerKey: reg.owner.publicKey,
          kind: 'bond',
          nodeId: 'n1',
          payout: reg.body.owner,
          amount: (504n * TOKEN).toString(),
          lockDays: 30,
          timestamp: now,
          seq: 2,
        },
        reg.owner.privateKey,
      ),
    );
    expect(r.statusCode, r.body).toBe(201);
    r = await post(
      '/v1/unbond',
      signUnbond({ type: 'unbond', stakeId: 'bond-1', ownerKey: reg.owner.publicKey, amount: TOKEN.toString(), timestamp: now, seq: 3 }, reg.owner.privateKey),
    );
    expect(r.statusCode, r.body).toBe(201);
    const attestor = keys('attestor');
    expect((await post('/v1/operator/attestors', { attestor: 'foundation', key: attestor.publicKey, roles: ['model'] }, auth)).statusCode).toBe(200);
    r = await post(
      '/v1/attestations',
      signAttestation(
        { type: 'attestation', role: 'model', attestor: 'foundation', epoch: 0, entries: [{ payout: addr(7), points: 3 }], timestamp: now, seq: 1 },
        attestor.privateKey,
      ),
    );
    expect(r.statusCode, r.body).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: `/v1/balances/wallet:${consumer.publicKey}` })).json().balance).toBe((100n * TOKEN).toString());
    expect((await checkLedger(t.db)).violations).toEqual([]);
  });

  const refusals: [
    string,
    () => Promise<{ url: string; payload: unknown; headers?: Record<string, string>; raw?: string }>,
    number,
    string,
    string | undefined,
  ][] = [
    ['malformed JSON', async () => ({ url: '/v1/heartbeats', payload: undefined, raw: '{"body": {' }), 400, 'MALFORMED_JSON', undefined],
    [
      'a missing field',
      async () => {
        const h: any = heartbeat('n1', reg.node, 1, t.clock.now());
        delete h.body.metrics;
        return { url: '/v1/heartbeats', payload: h };
      },
      400,
      'MISSING_FIELD',
      'body.metrics',
    ],
    [
      'an unknown field',
      async () => ({ url: '/v1/heartbeats', payload: { ...heartbeat('n1', reg.node, 1, t.clock.now()), extra: 1 } }),
      400,
      'UNKNOWN_FIELD',
      'extra',
    ],
    [
      'a wrong type',
      async () => {
        const h: any = heartbeat('n1', reg.node, 1, t.clock.now());
        h.body.seq = '1';
        return { url: '/v1/heartbeats', payload: h };
      },
      400,
      'SCHEMA_VIOLATION',
      'body.seq',
    ],
    [
      'a bad signature',
      async () => {
        const h = heartbeat('n1', reg.node, 1, t.clock.now());
        h.body.metrics.jobsRunning = 99; // signed over other content
        return { url: '/v1/heartbeats', payload: h };
      },
      401,
      'BAD_SIGNATURE',
      'signature',
    ],
    [
      'a signature by another key',
      async () => ({ url: '/v1/heartbeats', payload: heartbeat('n1', keys('intruder'), 1, t.clock.now()) }),
      401,
      'BAD_SIGNATURE',
      'signature',
    ],
    [
      'a replayed sequence number',
      async () => {
        expect((await post('/v1/heartbeats', heartbeat('n1', reg.node, 5, t.clock.now()))).statusCode).toBe(200);
        return { url: '/v1/heartbeats', payload: heartbeat('n1', reg.node, 5, t.clock.now()) };
      },
      409,
      'REPLAYED',
      'body.seq',
    ],
    [
      'a stale timestamp',
      async () => ({ url: '/v1/heartbeats', payload: heartbeat('n1', reg.node, 1, t.clock.now() - 301) }),
      400,
      'STALE_TIMESTAMP',
      'body.timestamp',
    ],
    [
      'a future timestamp',
      async () => ({ url: '/v1/heartbeats', payload: heartbeat('n1', reg.node, 1, t.clock.now() + 301) }),
      400,
      'FUTURE_TIMESTAMP',
      'body.timestamp',
    ],
    [
      'a heartbeat stamped more than the governed skew (5 s) before it arrives',
      async () => ({ url: '/v1/heartbeats', payload: heartbeat('n1', reg.node, 1, t.clock.now() - 6) }),
      400,
      'STALE_TIMESTAMP',
      'body.timestamp',
    ],
    [
      'a heartbeat stamped one second ahead of the server',
      async () => ({ url: '/v1/heartbeats', payload: heartbeat('n1', reg.node, 1, t.clock.now() + 1) }),
      400,
      'FUTURE_TIMESTAMP',
      'body.timestamp',
    ],
    ['an unknown node', async () => ({ url: '/v1/heartbeats', payload: heartbeat('nobody', reg.node, 1, t.clock.now()) }), 404, 'UNKNOWN_NODE', 'body.nodeId'],
    [
      'a batch with one bad item (nothing of it stored)',
      async () => ({
        url: '/v1/heartbeats/batch',
        payload: { heartbeats: [heartbeat('n1', reg.node, 1, t.clock.now()), heartbeat('n1', keys('intruder'), 2, t.clock.now())] },
      }),
      401,
      'BAD_SIGNATURE',
      'heartbeats[1].signature',
    ],
    [
      'a receipt without a valid consumer signature',
      async () => {
        const r = receipt('n1', reg.node, consumer, 'job-x', t.clock.now());
        r.rating = 1; // the consumer signed a 5
        return { url: '/v1/receipts', payload: r };
      },
      401,
      'BAD_SIGNATURE',
      'consumerSignature',
    ],
    [
      'a receipt countersigned by someone else',
      async () => {
        const r = receipt('n1', reg.node, keys('mallory'), 'job-x', t.clock.now());
        r.body.consumerKey = consumer.publicKey;
        return { url: '/v1/receipts', payload: r };
      },
      401,
      'BAD_SIGNATURE',
      'nodeSignature',
    ],
    [
      'a duplicate receipt',
      async () => {
        expect((await post('/v1/receipts', receipt('n1', reg.node, consumer, 'job-d', t.clock.now()))).statusCode).toBe(201);
        return { url: '/v1/receipts', payload: receipt('n1', reg.node, consumer, 'job-d', t.clock.now()) };
      },
      409,
      'DUPLICATE_RECEIPT',
      'body.jobId',
    ],
    [
      'a receipt the consumer cannot pay',
      async () => ({ url: '/v1/receipts', payload: receipt('n1', reg.node, consumer, 'job-big', t.clock.now(), { price: (101n * TOKEN).toString() }) }),
      402,
      'INSUFFICIENT_FUNDS',
      'body.price',
    ],
    [
      'an oversized body',
      async () => ({ url: '/v1/heartbeats', payload: { ...heartbeat('n1', reg.node, 1, t.clock.now()), pad: 'x'.repeat(70_000) } }),
      413,
      'BODY_TOO_LARGE',
      undefined,
    ],
    [
      'an operator action without the token',
      async () => ({ url: '/v1/operator/grants', payload: { key: consumer.publicKey, amount: '1', memo: 'x' } }),
      401,
      'OPERATOR_ONLY',
      undefined,
    ],
    [
      'a second registration of the node',
      async () => ({ url: '/v1/nodes', payload: registration('n1', { now: t.clock.now(), seq: 9 }).msg }),
      409,
      'ALREADY_REGISTERED',
      'body.nodeId',
    ],
    [
      'a registration with an unknown GPU',
      async () => ({ url: '/v1/nodes', payload: registration('n2', { now: t.clock.now(), gpus: [{ model: 'GTX-9999', count: 1 }] }).msg }),
      400,
      'UNKNOWN_GPU_MODEL',
      'body.hardware.gpus[0].model',
    ],
    [
      'a bond from a key that does not own the node',
      async () => {
        const other = keys('other-owner');
        await post('/v1/operator/grants', { key: other.publicKey, amount: (1000n * TOKEN).toString(), memo: 'x' }, auth);
        return {
          url: '/v1/stakes',
          payload: signStake(
            {
              type: 'stake',
              stakeId: 'b-x',
              ownerKey: other.publicKey,
              kind: 'bond',
              nodeId: 'n1',
              payout: addr(9),
              amount: TOKEN.toString(),
              lockDays: 0,
              timestamp: t.clock.now(),
              seq: 1,
            },
            other.privateKey,
          ),
        };
      },
      403,
      'NOT_NODE_OWNER',
      'body.ownerKey',
    ],
    [
      'a stake larger than the wallet',
      async () => ({
        url: '/v1/stakes',
        payload: signStake(
          {
            type: 'stake',
            stakeId: 'b-y',
            ownerKey: reg.owner.publicKey,
            kind: 'bond',
            nodeId: 'n1',
            payout: reg.body.owner,
            amount: (10_001n * TOKEN).toString(),
            lockDays: 0,
            timestamp: t.clock.now(),
            seq: 2,
          },
          reg.owner.privateKey,
        ),
      }),
      402,
      'INSUFFICIENT_FUNDS',
      'body.amount',
    ],
    [
      'an unbond of more than is bonded',
      async () => {
        expect(
          (
            await post(
              '/v1/stakes',
              signStake(
                {
                  type: 'stake',
                  stakeId: 'b-z',
                  ownerKey: reg.owner.publicKey,
                  kind: 'bond',
                  nodeId: 'n1',
                  payout: reg.body.owner,
                  amount: (600n * TOKEN).toString(),
                  lockDays: 0,
                  timestamp: t.clock.now(),
                  seq: 2,
                },
                reg.owner.privateKey,
              ),
            )
          ).statusCode,
        ).toBe(201);
        return {
          url: '/v1/unbond',
          payload: signUnbond(
            { type: 'unbond', stakeId: 'b-z', ownerKey: reg.owner.publicKey, amount: (601n * TOKEN).toString(), timestamp: t.clock.now(), seq: 3 },
            reg.owner.privateKey,
          ),
        };
      },
      400,
      'UNBOND_EXCEEDS_STAKE',
      'body.amount',
    ],
    [
      'an attestation from an unapproved attestor',
      async () => ({
        url: '/v1/attestations',
        payload: signAttestation(
          { type: 'attestation', role: 'developer', attestor: 'mallory', epoch: 0, entries: [], timestamp: t.clock.now(), seq: 1 },
          keys('mallory').privateKey,
        ),
      }),
      403,
      'ATTESTOR_NOT_APPROVED',
      'body.attestor',
    ],
    [
      'a heartbeat stamped in a closed epoch (it counts where it arrives, and it arrives too late)',
      async () => {
        t.clock.set(GENESIS + 3600 + 31);
        expect((await post('/v1/epochs/close', {}, auth)).json()).toEqual({ closed: [0] });
        t.clock.set(GENESIS + 3600 + 100);
        return { url: '/v1/heartbeats', payload: heartbeat('n1', reg.node, 1, GENESIS + 3550) };
      },
      400,
      'STALE_TIMESTAMP',
      'body.timestamp',
    ],
  ];

  it.each(refusals)('refuses %s with a 4xx and a code, storing nothing', async (_, make, status, code, field) => {
    const req = await make();
    const before = await snapshot(t.db);
    const r =
      req.raw !== undefined
        ? await t.app.inject({ method: 'POST', url: req.url, payload: req.raw, headers: { 'content-type': 'application/json' } })
        : await post(req.url, req.payload, req.headers);
    expect(r.statusCode, r.body).toBe(status);
    const body = r.json();
    expect(body.code).toBe(code);
    expect(typeof body.message).toBe('string');
    if (field !== undefined) expect(body.field).toBe(field);
    expect(await snapshot(t.db)).toBe(before);
  });

  it('answers every read, and refuses unknown or malformed ones with a code', async () => {
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    const status = (await get('/v1/status')).json();
    expect(status).toMatchObject({ genesis: GENESIS, epochSeconds: 3600, currentEpoch: 0, nextEpochToClose: 0, nodes: 1, store: kind });
    const nodes = (await get('/v1/nodes?limit=10')).json();
    expect(nodes.nodes.map((n: { id: string }) => n.id)).toEqual(['n1']);
    expect(nodes.next).toBeNull();
    // the providers table before any close: the node, no earnings yet
    expect((await get('/v1/providers')).json()).toMatchObject({
      epoch: null,
      sort: 'reward',
      order: 'desc',
      providers: [{ id: 'n1', reward: null, sanctions: 0 }],
      next: null,
    });
    expect((await get('/v1/providers?region=nowhere')).json().providers).toEqual([]);
    expect((await get('/v1/nodes/n1')).json()).toMatchObject({ id: 'n1', owner: reg.body.owner, providerClass: 'individual', recent: [] });
    const params = (await get('/v1/params')).json();
    expect(params.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(params.params.compute.gpuUnits.H100).toBe('12');
    expect((await get('/v1/params/history')).json().versions).toHaveLength(1);
    expect((await get('/v1/epochs')).json()).toEqual({ epochs: [], next: null });
    expect((await get(`/v1/balances/wallet:${consumer.publicKey}`)).json().balance).toBe((100n * TOKEN).toString());
    expect((await get(`/v1/rewards/${reg.body.owner}`)).json()).toMatchObject({ claimable: '0', credits: [] });
    for (const [url, code, st] of [
      ['/v1/epochs/0', 'UNKNOWN_EPOCH', 404],
      ['/v1/epochs/0/input', 'UNKNOWN_EPOCH', 404],
      ['/v1/epochs/0/statements/n1', 'UNKNOWN_STATEMENT', 404],
      ['/v1/nodes/nobody', 'UNKNOWN_NODE', 404],
      ['/v1/epochs/x', 'SCHEMA_VIOLATION', 400],
      ['/v1/epochs?limit=-1', 'SCHEMA_VIOLATION', 400],
      ['/v1/rewards/0xABC', 'INVALID_FORMAT', 400],
      ['/v1/nowhere', 'NOT_FOUND', 404],
      ['/v1/epochs/0/statements/n1/explained', 'UNKNOWN_EPOCH', 404],
      ['/v1/providers?sort=bogus', 'SCHEMA_VIOLATION', 400],
      ['/v1/economics/owners/0xABC/history', 'INVALID_FORMAT', 400],
      ['/v1/economics/nodes/n1/history?epochs=many', 'INVALID_FORMAT', 400],
      ['/v1/economics/nodes/n1/history', 'UNKNOWN_NODE', 404],
      ['/v1/providers?status=sleeping', 'INVALID_FORMAT', 400],
      ['/v1/providers?offset=100001', 'OUT_OF_RANGE', 400],
      ['/v1/providers?sanctioned=maybe', 'SCHEMA_VIOLATION', 400],
    ] as const) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(st);
      expect(r.json().code, url).toBe(code);
    }
  });

  it('serves OpenAPI, health and metrics', async () => {
    const o = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(o.openapi).toBe('3.1.0');
    expect(Object.keys(o.paths)).toEqual(
      expect.arrayContaining(['/v1/nodes', '/v1/heartbeats', '/v1/heartbeats/batch', '/v1/receipts', '/v1/stakes', '/v1/epochs/{n}']),
    );
    // a valid OpenAPI 3.1 document, by a validator of the specification's own schema
    const valid = await new Validator().validate(o);
    expect([valid.valid, valid.errors]).toEqual([true, undefined]);
    expect((await new Validator().validate({ ...o, paths: { '/x': { get: { responses: 5 } } } })).valid).toBe(false); // it does refuse
    // query parameters documented, and every operation's answers: a success body and the Error component
    const names = (path: string) => (o.paths[path].get.parameters ?? []).filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name);
    expect(names('/v1/nodes')).toEqual(['limit', 'after', 'owner']);
    expect(names('/v1/providers')).toEqual(expect.arrayContaining(['sort', 'order', 'status', 'region', 'offset']));
    for (const [path, item] of Object.entries(o.paths as Record<string, Record<string, { responses: Record<string, any> }>>))
      for (const [method, op] of Object.entries(item)) {
        const codes = Object.keys(op.responses);
        expect(
          codes.some((c) => /^2/.test(c) && op.responses[c].content),
          `${method} ${path}`,
        ).toBe(true);
        expect(op.responses['400']?.content['application/json'].schema, `${method} ${path}`).toEqual({ $ref: '#/components/schemas/Error' });
      }
    // the interactive API page, and the document it renders
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(page.statusCode);
    const html = page.statusCode === 302 ? await t.app.inject({ method: 'GET', url: page.headers.location as string }) : page;
    expect(html.body).toContain('swagger-ui');
    expect(Object.keys((await t.app.inject({ method: 'GET', url: '/docs/json' })).json().paths)).toEqual(Object.keys(o.paths));
    // every operation says what it does
    const unsummarised = Object.entries(o.paths as Record<string, Record<string, { summary?: string }>>).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => !op.summary)
        .map(([method]) => `${method} ${path}`),
    );
    expect(unsummarised).toEqual([]);
    expect(Object.keys(o.paths)).toEqual(expect.arrayContaining(['/v1/economics/nodes/{id}', '/v1/economics/owners/{address}']));
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
    await post('/v1/heartbeats', heartbeat('nobody', reg.node, 1, t.clock.now()));
    const m = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(m).toMatch(/swarm_rejections_total\{code="UNKNOWN_NODE"\} 1/);
    expect(m).toMatch(/swarm_requests_total/);
    expect(m).toMatch(/swarm_ingest_lag_seconds/);
    expect(m).toMatch(/swarm_epoch_close_duration_seconds_bucket\{le="1800"\}/);
    // the process's own: CPU, resident memory, event-loop lag
    expect(m).toMatch(/^process_cpu_seconds_total \d/m);
    expect(m).toMatch(/^process_resident_memory_bytes \d/m);
    expect(m).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(m).toMatch(/^swarm_verify_queue_signatures 0$/m);
  });

  it('signs with a domain: a heartbeat signature does not verify as another message', async () => {
    const h = heartbeat('n1', reg.node, 1, t.clock.now());
    const forged = signHeartbeat({ ...h.body, seq: 2 }, reg.node.privateKey);
    expect(forged.signature).not.toBe(h.signature);
    expect((await post('/v1/heartbeats', { body: { ...h.body, seq: 2 }, signature: h.signature })).statusCode).toBe(401);
  });
});
