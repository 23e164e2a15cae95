import { TOKEN } from '@swarm/core';
import { type KeyPair, signProposal, signStake } from '@swarm/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXPENSIVE_PER_MINUTE } from '../src/api/server.ts';
import { readEnv } from '../src/env.ts';
import { closeDueEpochs } from '../src/keepers/epoch-close.ts';
import { balanceOf, checkLedger } from '../src/ledger/ledger.ts';
import { ManualClock } from '../src/service/clock.ts';
import { createLogger } from '../src/service/log.ts';
import { startService } from '../src/service/run.ts';
import { addr, freshSchemaUrl, GENESIS, heartbeat, keys, OPERATOR, receipt, registration, STORES, TEST_SETTINGS, testService } from './helpers.ts';

/**
 * The holes a hostile user could use (issue: hardening), each shown closed on both stores:
 * concurrent spends by fresh keys cannot overspend a wallet (so no close is ever blocked by a fee
 * it cannot post), a heartbeat cannot claim a slot other than the one it arrives in, and text
 * that could not be stored or hashed as sent is refused before anything reads it.
 */
const auth = { authorization: `Bearer ${OPERATOR}` };

describe.each(STORES)('hardening on %s', (kind) => {
  let t: Awaited<ReturnType<typeof testService>>;
  const reg = registration('n1', { now: GENESIS + 10 });
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const grant = async (k: KeyPair, tokens: bigint, memo = 'g') =>
    expect((await post('/v1/operator/grants', { key: k.publicKey, amount: (tokens * TOKEN).toString(), memo }, auth)).statusCode).toBe(200);
  const slotsUp = async (nodeId: string) =>
    (await t.db.query<{ n: number }>("SELECT length(replace(slots::text, '0', ''))::int AS n FROM node_slots WHERE node_id = $1", [nodeId])).reduce(
      (a, r) => a + Number(r.n),
      0,
    );

  beforeEach(async () => {
    t = await testService(kind);
    expect((await post('/v1/nodes', reg.msg)).statusCode).toBe(201);
  });
  afterEach(async () => t.close());

  it('concurrent first receipts by fresh consumers spend exactly what their wallets hold, and the epoch still closes', async () => {
    const consumers = Array.from({ length: 10 }, (_, i) => keys(`fresh-consumer-${kind}-${i}`));
    for (const c of consumers) await grant(c, 10n);
    // six 10-token receipts per consumer, all at once: each wallet covers exactly one
    const sends = consumers.flatMap((c, i) =>
      Array.from({ length: 6 }, (_, j) =>
        post('/v1/receipts', receipt('n1', reg.node, c, `race-${i}-${j}`, t.clock.now(), { price: (10n * TOKEN).toString() })),
      ),
    );
    const codes = (await Promise.all(sends)).map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(10);
    expect(codes.filter((c) => c === 402)).toHaveLength(50);
    for (const c of consumers) {
      const r = await t.db.query<{ n: string }>('SELECT count(*)::text AS n FROM receipts WHERE consumer_key = $1', [c.publicKey]);
      expect(r[0]?.n).toBe('1');
    }
    t.clock.set(GENESIS + 3600 + 31);
    expect(await closeDueEpochs(t.ctx)).toEqual([0]);
    for (const c of consumers) expect(await balanceOf(t.db, `wallet:${c.publicKey}`)).toBe(0n);
    expect((await checkLedger(t.db)).violations).toEqual([]);
  });

  it('a stake, a proposal deposit and receipts racing for one wallet never spend more than it holds', async () => {
    const owner = keys(`racing-owner-${kind}`);
    await grant(owner, 1_000n);
    const stake = (i: number) =>
      signStake(
        {
          type: 'stake',
          stakeId: `race-stake-${i}`,
          ownerKey: owner.publicKey,
          kind: 'user',
          nodeId: null,
          payout: addr(0xf00),
          amount: (600n * TOKEN).toString(),
          lockDays: 0,
          timestamp: t.clock.now(),
          seq: 10 + i,
        },
        owner.privateKey,
      );
    const proposal = signProposal(
      {
        type: 'proposal',
        proposalId: 'race-proposal',
        proposerKey: owner.publicKey,
        kind: 'params',
        patch: { compute: { scoreCap: '2.5' } },
        description: 'race',
        timestamp: t.clock.now(),
        seq: 1,
      },
      owner.privateKey,
    );
    const rs = await Promise.all([
      post('/v1/stakes', stake(0)),
      post('/v1/stakes', stake(1)),
      post('/v1/proposals', proposal),
      ...[0, 1, 2].map((j) => post('/v1/receipts', receipt('n1', reg.node, owner, `race-own-${j}`, t.clock.now(), { price: (600n * TOKEN).toString() }))),
    ]);
    // whatever won, the 1,000-token wallet covered it: one 600-token spend, or the 1,000-token deposit
    expect(rs.filter((r) => r.statusCode < 300)).toHaveLength(1);
    for (const r of rs) if (r.statusCode >= 300) expect([402, 403, 409], r.body).toContain(r.statusCode);
    expect((await checkLedger(t.db)).violations).toEqual([]);
    t.clock.set(GENESIS + 3600 + 31);
    expect(await closeDueEpochs(t.ctx)).toEqual([0]);
    expect((await checkLedger(t.db)).violations).toEqual([]);
  });

  it('a heartbeat counts for the slot it arrives in: stamps spread over ±5 minutes give at most one slot', async () => {
    t.clock.set(GENESIS + 1800);
    const now = t.clock.now();
    const spread = Array.from({ length: 21 }, (_, i) => heartbeat('n1', reg.node, i + 1, now - 300 + i * 30));
    // as one batch: refused whole, naming the first heartbeat whose stamp is off
    const r = await post('/v1/heartbeats/batch', { heartbeats: spread });
    expect(r.statusCode).toBe(400);
    expect(r.json().field).toBe('heartbeats[0].body.timestamp');
    expect(await slotsUp('n1')).toBe(0);
    // one by one at the same arrival: only the stamp within the skew is taken, for the arrival's slot
    const codes = [];
    for (const h of spread) codes.push((await post('/v1/heartbeats', h)).statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(await slotsUp('n1')).toBe(1);
    // the stamp of the heartbeat taken was `now`: the slot is the arrival's
    const slot = (await t.db.query<{ s: string }>("SELECT position('1' in slots::text) - 1 AS s FROM node_slots WHERE node_id = 'n1'"))[0]?.s;
    expect(Number(slot)).toBe(30);
  });

  it('a heartbeat stamped within the skew but in an earlier slot counts for the arrival slot', async () => {
    t.clock.set(GENESIS + 1800 + 2); // two seconds into slot 30
    expect((await post('/v1/heartbeats', heartbeat('n1', reg.node, 1, GENESIS + 1800 - 2))).statusCode).toBe(200);
    const slot = (await t.db.query<{ s: string }>("SELECT position('1' in slots::text) - 1 AS s FROM node_slots WHERE node_id = 'n1'"))[0]?.s;
    expect(Number(slot)).toBe(30);
  });

  it.each([
    ['a lone surrogate', '\ud800'],
    ['a NUL', 'x\u0000'],
    ['an escape', 'a\u001b[31mred'],
    ['a carriage return', 'forged\rline'],
    ['a C1 control', 'x\u0085'],
  ])('refuses %s in free text with INVALID_TEXT and stores nothing', async (_label, memo) => {
    const k = keys(`text-${kind}`);
    const r = await post('/v1/operator/grants', { key: k.publicKey, amount: '1', memo }, auth);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json()).toMatchObject({ code: 'INVALID_TEXT', field: 'memo' });
    expect(await balanceOf(t.db, `wallet:${k.publicKey}`)).toBe(0n);
    expect((await checkLedger(t.db)).violations).toEqual([]);
  });

  it('accepts ordinary Unicode and line breaks in free text, and the hash chain holds over what was stored', async () => {
    const k = keys(`unicode-${kind}`);
    const r = await post('/v1/operator/grants', { key: k.publicKey, amount: '1', memo: 'Zürich 東京 🚀\nline two\ttab' }, auth);
    expect(r.statusCode, r.body).toBe(200);
    expect((await checkLedger(t.db)).violations).toEqual([]);
  });

  it('refuses control characters in path and query values with INVALID_TEXT, not a 500', async () => {
    for (const url of ['/v1/nodes/a%00b', '/v1/nodes?owner=%00', '/v1/balances/wallet%3Ax%00', '/v1/slashes?node=%1b']) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode, `${url}: ${r.body}`).toBe(400);
      expect(r.json().code).toBe('INVALID_TEXT');
    }
  });

  it('keeps every error message short, even for a huge wrong value', async () => {
    const r = await post('/v1/operator/grants', { key: 'k'.repeat(30_000), amount: '1', memo: 'm' }, auth);
    expect(r.statusCode).toBe(400);
    expect(r.json().message.length).toBeLessThanOrEqual(200);
  });

  it('pages every list: /v1/slashes walks 1,203 rows by cursor without a repeat or a gap, and refuses a forged cursor', async () => {
    // slashes as a long-running network accumulates them (written directly: the ladder itself is slashing.test.ts)
    const n = 1203;
    await t.db.query(
      `INSERT INTO slashes (id, node_id, epoch, fault_epoch, at, kind, action, share, amount, evidence, sources, note, release_epoch, status)
       SELECT 'sl-' || i, 'n1', i % 7, i % 7, i, 'performance', 'warning', '0', 0, '[]', '[]', '', 14, 'warned' FROM generate_series(1, $1::int) AS i`,
      [n],
    );
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const q: string = after === null ? '' : `&after=${after}`;
      const r = await t.app.inject({ method: 'GET', url: `/v1/slashes?limit=500${q}` });
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json() as { slashes: { id: string; epoch: number }[]; next: string | null };
      seen.push(...body.slashes.map((x) => x.id));
      after = body.next;
      pages++;
    } while (after !== null && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(n);
    const bad = await t.app.inject({ method: 'GET', url: '/v1/slashes?after=bm90LWEtY3Vyc29y' });
    expect([bad.statusCode, bad.json().code, bad.json().field]).toEqual([400, 'INVALID_CURSOR', 'query.after']);
    for (const url of ['/v1/proposals?limit=1', '/v1/params/history?limit=1', '/v1/onboarding?limit=1', `/v1/audits?validator=${'a'.repeat(64)}&limit=1`]) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
      expect(r.json(), url).toHaveProperty('next');
    }
  });

  it('rate-limits proposals per signing key, and what-ifs per client, before validating them', async () => {
    const k = keys(`spammer-${kind}`);
    const proposal = (i: number) =>
      signProposal(
        {
          type: 'proposal',
          proposalId: `spam-${i}`,
          proposerKey: k.publicKey,
          kind: 'params',
          patch: { compute: { scoreCap: '2.5' } },
          description: 'spam',
          timestamp: t.clock.now(),
          seq: i + 1,
        },
        k.privateKey,
      );
    const codes = [];
    for (let i = 0; i <= EXPENSIVE_PER_MINUTE.proposals; i++) codes.push((await post('/v1/proposals', proposal(i))).statusCode);
    expect(codes.slice(0, -1)).not.toContain(429);
    expect(codes.at(-1)).toBe(429);
    // another key is not held back by the first one's limit
    const other = keys(`other-${kind}`);
    const r = await post(
      '/v1/proposals',
      signProposal(
        { type: 'proposal', proposalId: 'o-1', proposerKey: other.publicKey, kind: 'params', patch: {}, description: '', timestamp: t.clock.now(), seq: 1 },
        other.privateKey,
      ),
    );
    expect(r.statusCode).not.toBe(429);
    const whatIf = [];
    for (let i = 0; i <= EXPENSIVE_PER_MINUTE.whatIf; i++) whatIf.push((await post('/v1/epochs/0/whatif', { nodeId: 'n1', set: { uptime: '1' } })).statusCode);
    expect(whatIf.slice(0, -1)).not.toContain(429);
    expect(whatIf.at(-1)).toBe(429);
  });
});

describe.each(STORES)('a close that fails an invariant on %s', (kind) => {
  it('halts closing with a metric, a log line naming the account and /healthz 503 — not a silent retry loop', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (l: string) => void lines.push(l) });
    const clock = new ManualClock(GENESIS + 10);
    const running = await startService({
      env: {
        ...readEnv({}),
        databaseUrl: kind === 'postgres' ? await freshSchemaUrl() : undefined,
        dataDir: 'memory://halt',
        port: 0,
        operatorToken: OPERATOR,
      },
      settings: TEST_SETTINGS,
      clock,
      logger,
      tickMs: 20,
    });
    try {
      const inject = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
        running.app.inject({ method, url, payload: payload as object, headers });
      const reg = registration('halt-node', { now: clock.now() });
      expect((await inject('POST', '/v1/nodes', reg.msg)).statusCode).toBe(201);
      const c = keys(`halt-consumer-${kind}`);
      expect((await inject('POST', '/v1/operator/grants', { key: c.publicKey, amount: (10n * TOKEN).toString(), memo: 'g' }, auth)).statusCode).toBe(200);
      expect(
        (await inject('POST', '/v1/receipts', receipt('halt-node', reg.node, c, 'halt-job', clock.now(), { price: (5n * TOKEN).toString() }))).statusCode,
      ).toBe(201);
      // a bug (simulated: the wallet's balance row rewritten) that would make the fee posting overdraw it
      await running.db.query("UPDATE accounts SET balance = 0 WHERE id = 'wallet:' || $1", [c.publicKey]);
      clock.set(GENESIS + 3600 + 31);
      const deadline = Date.now() + 20_000;
      while (!running.halted() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(running.halted()?.message).toContain(`wallet:${c.publicKey}`);
      const health = await inject('GET', '/healthz');
      expect([health.statusCode, health.json().code]).toEqual([503, 'CLOSE_HALTED']);
      expect((await inject('GET', '/metrics')).body).toMatch(/^swarm_epoch_close_halted 1$/m);
      const fatal = lines.map((l) => JSON.parse(l)).find((l) => l.level === 60);
      expect(fatal?.account).toBe(`wallet:${c.publicKey}`);
      // nothing of the failed close was written, and it is not retried in a loop
      expect((await inject('GET', '/v1/epochs/0')).statusCode).toBe(404);
      const attempts = lines.filter((l) => l.includes('epoch close')).length;
      await new Promise((r) => setTimeout(r, 200));
      expect(lines.filter((l) => l.includes('epoch close')).length).toBe(attempts);
    } finally {
      await running.stop();
    }
  });
});
