import { TOKEN } from '@swarm/core';
import { signAttestation, signProposal, signStake, signVote } from '@swarm/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDueEpochs } from '../src/keepers/epoch-close.ts';
import { checkLedger } from '../src/ledger/ledger.ts';
import { addr, GENESIS, keys, OPERATOR, STORES, testService } from './helpers.ts';

const auth = { authorization: `Bearer ${OPERATOR}` };
const H = 3600;

describe.each(STORES)('governance on %s', (kind) => {
  let t: Awaited<ReturnType<typeof testService>>;
  afterEach(async () => t?.close());
  const A = keys('gov-a'); // 40 % of the stake
  const B = keys('gov-b'); // 35 %
  const C = keys('gov-c'); // 25 %
  const D = keys('gov-d'); // no stake
  const seqs = new Map<string, number>();
  const seq = (k: string) => {
    seqs.set(k, (seqs.get(k) ?? 100) + 1);
    return seqs.get(k) as number;
  };
  const post = (url: string, payload: unknown, headers = {}) => t.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const propose = (id: string, patch: Record<string, unknown>, by = A) =>
    post(
      '/v1/proposals',
      signProposal(
        {
          type: 'proposal',
          proposalId: id,
          proposerKey: by.publicKey,
          kind: 'params',
          patch,
          description: `proposal ${id}`,
          timestamp: t.clock.now(),
          seq: seq(by.publicKey),
        },
        by.privateKey,
      ),
    );
  const vote = (id: string, by: typeof A, option: 'yes' | 'no' | 'abstain' | 'veto') =>
    post(
      '/v1/votes',
      signVote({ type: 'vote', proposalId: id, voterKey: by.publicKey, option, timestamp: t.clock.now(), seq: seq(by.publicKey) }, by.privateKey),
    );

  async function setup() {
    seqs.clear();
    t = await testService(kind);
    for (const [k, stake] of [
      [A, 40_000n],
      [B, 35_000n],
      [C, 25_000n],
    ] as const) {
      await post('/v1/operator/grants', { key: k.publicKey, amount: ((stake + 5_000n) * TOKEN).toString(), memo: 'gov' }, auth);
      const r = await post(
        '/v1/stakes',
        signStake(
          {
            type: 'stake',
            stakeId: `s-${k.publicKey.slice(0, 8)}`,
            ownerKey: k.publicKey,
            kind: 'user',
            nodeId: null,
            payout: addr(0x900),
            amount: (stake * TOKEN).toString(),
            lockDays: 0,
            timestamp: t.clock.now(),
            seq: seq(k.publicKey),
          },
          k.privateKey,
        ),
      );
      expect(r.statusCode, r.body).toBe(201);
    }
    await post('/v1/operator/grants', { key: D.publicKey, amount: (5_000n * TOKEN).toString(), memo: 'gov' }, auth);
    t.clock.set(GENESIS + H + 31); // epoch 0 closes; the stakes count from epoch 1
    await closeDueEpochs(t.ctx);
  }

  it('passes, fails quorum, and vetoes — with the change from the next epoch and the vetoed deposit burned', async () => {
    await setup();
    const before = (await t.app.inject({ method: 'GET', url: '/v1/params' })).json();
    expect((await propose('raise-compute', { roles: { weights: { compute: '70' } } })).statusCode).toBe(201);
    expect((await propose('quiet', { compute: { scoreCap: '2.5' } })).statusCode).toBe(201);
    expect((await propose('vetoed', { emission: { maxPerEpoch: '2000000' } }, B)).statusCode).toBe(201);
    // raise-compute: A and B vote yes (75 %); quiet: only C votes (25 % < 33.4 % quorum); vetoed: A yes, C veto (25/65 ≥ 33.4 %)
    for (const [id, k, o] of [
      ['raise-compute', A, 'yes'],
      ['raise-compute', B, 'yes'],
      ['quiet', C, 'yes'],
      ['vetoed', A, 'yes'],
      ['vetoed', C, 'veto'],
    ] as const) {
      const r = await vote(id, k, o);
      expect(r.statusCode, r.body).toBe(201);
    }
    // voting lasts epochs 1–3; the tally happens when epoch 3 closes
    for (const e of [1, 2]) {
      t.clock.set(GENESIS + (e + 1) * H + 31);
      await closeDueEpochs(t.ctx);
      expect((await t.app.inject({ method: 'GET', url: '/v1/params' })).json().hash).toBe(before.hash);
    }
    const burnBefore = (await checkLedger(t.db)).burned;
    t.clock.set(GENESIS + 4 * H + 31);
    expect(await closeDueEpochs(t.ctx)).toEqual([3]);
    const list = (await t.app.inject({ method: 'GET', url: '/v1/proposals' })).json().proposals as {
      id: string;
      status: string;
      tally: { effectiveEpoch: number | null };
    }[];
    const status = Object.fromEntries(list.map((p) => [p.id, p.status]));
    expect(status).toEqual({ 'raise-compute': 'passed', quiet: 'no-quorum', vetoed: 'vetoed' });
    expect(list.find((p) => p.id === 'raise-compute')?.tally.effectiveEpoch).toBe(4);
    // the change applies from epoch 4, not to epoch 3 which was tallied in
    const after = (await t.app.inject({ method: 'GET', url: '/v1/params' })).json();
    expect(after.params.roles.weights.compute).toBe('70');
    expect(after.effectiveEpoch).toBe(4);
    expect((await t.app.inject({ method: 'GET', url: '/v1/epochs/3' })).json().summary.paramsHash).toBe(before.hash);
    t.clock.set(GENESIS + 5 * H + 31);
    await closeDueEpochs(t.ctx);
    expect((await t.app.inject({ method: 'GET', url: '/v1/epochs/4' })).json().summary.paramsHash).toBe(after.hash);
    expect((await t.app.inject({ method: 'GET', url: '/v1/params/history' })).json().versions).toHaveLength(2);
    // deposits: the vetoed one burned, the others back in the wallets
    const report = await checkLedger(t.db);
    expect(report.violations).toEqual([]);
    expect(report.burned - burnBefore).toBe(1000n * TOKEN);
    expect((await t.app.inject({ method: 'GET', url: `/v1/balances/deposit:quiet` })).json().balance).toBe('0');
    expect((await t.app.inject({ method: 'GET', url: `/v1/balances/wallet:${A.publicKey}` })).json().balance).toBe((5_000n * TOKEN).toString());
  });

  const proposeKind = (id: string, extra: Record<string, unknown>, by = A) =>
    post(
      '/v1/proposals',
      signProposal(
        {
          type: 'proposal',
          proposalId: id,
          proposerKey: by.publicKey,
          patch: {},
          description: `proposal ${id}`,
          timestamp: t.clock.now(),
          seq: seq(by.publicKey),
          ...extra,
        } as Parameters<typeof signProposal>[0],
        by.privateKey,
      ),
    );

  it('declares the expansion phase and approves an attestor by vote, from the next epoch', async () => {
    await setup();
    const attestor = keys('gov-attestor');
    expect((await proposeKind('grow', { kind: 'expansion-phase', expansion: true })).statusCode).toBe(201);
    expect(
      (await proposeKind('models', { kind: 'attestor-approval', attestor: { attestor: 'hub', key: attestor.publicKey, roles: ['model'] } })).statusCode,
    ).toBe(201);
    for (const id of ['grow', 'models']) for (const k of [A, B]) expect((await vote(id, k, 'yes')).statusCode).toBe(201);
    const attest = (epoch: number) =>
      post(
        '/v1/attestations',
        signAttestation(
          {
            type: 'attestation',
            role: 'model',
            attestor: 'hub',
            epoch,
            entries: [{ payout: addr(0x77), points: 10 }],
            timestamp: t.clock.now(),
            seq: seq(attestor.publicKey),
          },
          attestor.privateKey,
        ),
      );
    // not approved while the vote runs
    const early = await attest(2);
    expect(early.statusCode).toBe(403);
    expect(early.json().code).toBe('ATTESTOR_NOT_APPROVED');
    for (const e of [1, 2, 3]) {
      t.clock.set(GENESIS + (e + 1) * H + 31);
      await closeDueEpochs(t.ctx);
    }
    const list = (await t.app.inject({ method: 'GET', url: '/v1/proposals' })).json().proposals as { id: string; status: string; expansion?: boolean }[];
    expect(list.map((p) => [p.id, p.status])).toEqual([
      ['grow', 'passed'],
      ['models', 'passed'],
    ]);
    expect(list.find((p) => p.id === 'grow')?.expansion).toBe(true);
    const input = async (n: number) => (await t.app.inject({ method: 'GET', url: `/v1/epochs/${n}/input` })).json();
    expect((await input(3)).expansionPhase).toBe(false);
    // approved from now: an attestation for epoch 4 is accepted
    const ok = await attest(4);
    expect(ok.statusCode, ok.body).toBe(201);
    t.clock.set(GENESIS + 5 * H + 31);
    await closeDueEpochs(t.ctx);
    const e4 = await input(4);
    expect(e4.expansionPhase).toBe(true);
    expect(e4.attestations).toEqual([{ role: 'model', attestor: 'hub', entries: [{ payout: addr(0x77), points: 10 }] }]);
    // the phase sets the dynamic factor's growth to 1.25 from epoch 4
    const summary = async (n: number) => (await t.app.inject({ method: 'GET', url: `/v1/epochs/${n}` })).json().summary;
    expect([(await summary(3)).growth, (await summary(4)).growth]).toEqual(['1', '1.25']);
  });

  it('refuses a proposal whose fields do not match its kind', async () => {
    await setup();
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['expansion without the flag', { kind: 'expansion-phase' }, 'MISSING_FIELD', 'body.expansion'],
      ['params with an expansion flag', { kind: 'params', expansion: true }, 'UNEXPECTED_FIELD', 'body.expansion'],
      [
        'an attestor approval with a patch',
        { kind: 'attestor-approval', attestor: { attestor: 'x', key: A.publicKey, roles: ['model'] }, patch: { compute: {} } },
        'UNEXPECTED_FIELD',
        'body.patch',
      ],
      [
        'an impact simulated for another patch',
        { kind: 'params', patch: { compute: { scoreCap: '2.5' } }, impact: { current: '0x00', proposed: '0x01' } },
        'IMPACT_MISMATCH',
        'body.impact',
      ],
      [
        'a role twice',
        { kind: 'attestor-approval', attestor: { attestor: 'x', key: A.publicKey, roles: ['model', 'model'] } },
        'DUPLICATE_ROLE',
        'body.attestor.roles',
      ],
    ];
    for (const [what, extra, code, field] of cases) {
      const r = await proposeKind(`bad-${code}`, extra);
      expect(r.statusCode, what).toBe(400);
      expect(r.json(), what).toMatchObject({ code, field });
    }
    expect((await t.app.inject({ method: 'GET', url: '/v1/proposals' })).json().proposals).toEqual([]);
  });

  it('refuses bad governance input with a code and changes nothing', async () => {
    await setup();
    expect((await propose('p', { roles: { weights: { compute: '70' } } })).statusCode).toBe(201);
    const cases: [string, () => Promise<{ statusCode: number; json: () => { code: string } }>, number, string][] = [
      ['a vote without stake', () => vote('p', D, 'yes'), 403, 'NO_STAKE'],
      ['a proposal without stake', () => propose('q', { compute: { scoreCap: '2' } }, D), 403, 'NO_STAKE'],
      ['an invalid parameter set', () => propose('bad', { compute: { quality: { uptimeWeight: '0.9' } } }), 400, 'INVALID_PARAMS'],
      ['a vote on an unknown proposal', () => vote('nope', A, 'yes'), 404, 'UNKNOWN_PROPOSAL'],
    ];
    for (const [what, run, status, code] of cases) {
      const r = await run();
      expect(r.statusCode, what).toBe(status);
      expect(r.json().code, what).toBe(code);
    }
    expect((await vote('p', A, 'yes')).statusCode).toBe(201);
    const dbl = await vote('p', A, 'no');
    expect(dbl.statusCode).toBe(409);
    expect(dbl.json().code).toBe('DOUBLE_VOTE');
    // after its last voting epoch (3) a proposal takes no more votes
    for (const e of [1, 2, 3]) {
      t.clock.set(GENESIS + (e + 1) * H + 31);
      await closeDueEpochs(t.ctx);
    }
    const late = await vote('p', B, 'yes');
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('VOTING_CLOSED');
    const list = (await t.app.inject({ method: 'GET', url: '/v1/proposals' })).json().proposals as { id: string; votes: unknown[] }[];
    expect(list.map((p) => p.id)).toEqual(['p']);
    expect(list[0]?.votes).toHaveLength(1);
  });
});
