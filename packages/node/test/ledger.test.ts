import { TOKEN } from '@swarm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLedger, post } from '../src/ledger/ledger.ts';
import { STORES, testService } from './helpers.ts';

describe.each(STORES)('ledger on %s', (kind) => {
  let t: Awaited<ReturnType<typeof testService>>;
  afterEach(async () => t?.close());

  it('is balanced, idempotent by id, and never lets an account but mint go negative', async () => {
    t = await testService(kind);
    const n = await t.db.tx((sql) =>
      post(sql, [
        { id: 'a', epoch: 0, from: 'mint', to: 'wallet:x', amount: 10n * TOKEN, memo: 'grant' },
        { id: 'b', epoch: 0, from: 'wallet:x', to: 'burn', amount: TOKEN, memo: 'burn' },
      ]),
    );
    expect(n).toBe(2);
    // the same ids again: a no-op
    expect(await t.db.tx((sql) => post(sql, [{ id: 'a', epoch: 0, from: 'mint', to: 'wallet:x', amount: 10n * TOKEN, memo: 'grant' }]))).toBe(0);
    await expect(t.db.tx((sql) => post(sql, [{ id: 'c', epoch: 0, from: 'wallet:x', to: 'wallet:y', amount: 10n * TOKEN, memo: 'too much' }]))).rejects.toThrow(
      /would go negative/,
    );
    const r = await checkLedger(t.db);
    expect(r.violations).toEqual([]);
    expect(r.minted).toBe(10n * TOKEN);
    expect(r.burned).toBe(TOKEN);
    expect(r.supply).toBe(9n * TOKEN);
    expect(r.postings).toBe(2);
  });

  it('makes tampering evident: an edited amount, a deleted posting, a forged balance', async () => {
    t = await testService(kind);
    await t.db.tx((sql) =>
      post(sql, [
        { id: 'a', epoch: 0, from: 'mint', to: 'wallet:x', amount: 10n * TOKEN, memo: 'grant' },
        { id: 'b', epoch: 0, from: 'wallet:x', to: 'wallet:y', amount: 3n * TOKEN, memo: 'pay' },
        { id: 'c', epoch: 0, from: 'wallet:y', to: 'burn', amount: TOKEN, memo: 'burn' },
      ]),
    );
    await t.db.query("UPDATE postings SET amount = amount + 1 WHERE id = 'b'");
    let v = (await checkLedger(t.db)).violations;
    expect(v.some((x) => x.includes('posting b: hash does not match'))).toBe(true);
    await t.db.query("UPDATE postings SET amount = amount - 1 WHERE id = 'b'");
    expect((await checkLedger(t.db)).violations).toEqual([]);
    await t.db.query("UPDATE accounts SET balance = balance + 5 WHERE id = 'wallet:y'");
    v = (await checkLedger(t.db)).violations;
    expect(v.some((x) => x.includes('account wallet:y: stored balance'))).toBe(true);
    expect(v.some((x) => x.includes('balances sum to'))).toBe(true);
    await t.db.query("UPDATE accounts SET balance = balance - 5 WHERE id = 'wallet:y'");
    await t.db.query("DELETE FROM postings WHERE id = 'b'");
    v = (await checkLedger(t.db)).violations;
    expect(v.some((x) => x.includes('chain broken') || x.includes('sequence'))).toBe(true);
  });
});

describe('rate limiting', () => {
  it('answers 429 with a code once a client exceeds its rate', async () => {
    const { testServiceWith } = await import('./helpers.ts');
    const t = await testServiceWith({ rateLimit: 3 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await t.app.inject({ method: 'GET', url: '/v1/status' })).statusCode);
      expect(codes.slice(0, 3)).toEqual([200, 200, 200]);
      const r = await t.app.inject({ method: 'GET', url: '/v1/status' });
      expect(r.statusCode).toBe(429);
      expect(r.json().code).toBe('RATE_LIMITED');
    } finally {
      await t.close();
    }
  });
});

describe('the ledger refuses a memo it could not hash as stored', () => {
  it.each(['\ud800', 'x\u0000'])('%j', async (memo) => {
    const t = await testService('pglite');
    try {
      await expect(t.db.tx((sql) => post(sql, [{ id: 'a', epoch: 0, from: 'mint', to: 'wallet:x', amount: 1n, memo }]))).rejects.toThrow(/memo/);
      expect((await checkLedger(t.db)).postings).toBe(0);
    } finally {
      await t.close();
    }
  });
});
