import { createHash } from 'node:crypto';
import {
  type AuditVerdict,
  beaconCommitment,
  checkValidatorCredits,
  DEFAULT_PARAMS_JSON,
  probeResult,
  simulatedResultHash,
  verdictCommitment,
} from '@swarm/core';
import { type Assignment, signAuditCommit, signAuditReveal, signBeaconCommit, signBeaconReveal, signDispute, signProbe, signProbeAnswer } from '@swarm/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyEpoch } from '../src/cli/verify.ts';
import { checkLedger } from '../src/ledger/ledger.ts';
import { keys, STORES } from './helpers.ts';
import { DAY, dailyNetwork } from './network.ts';

type Net = Awaited<ReturnType<typeof dailyNetwork>>;
const reward = async (net: Net, e: number, id: string) => BigInt((await net.statement(e, id)).reward as string);
const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const MADE_UP = hex('a result the faker never computed');

/**
 * Validators through the real service (SPEC §3.4, §4.5, §6.1): the beacon, commit–reveal verdicts,
 * traps, the one-window wait for a dispute, disputes re-executed by three more validators, the
 * validator ladder, and the evidence behind every slash. Daily epochs: the audit window of epoch n's
 * sample is epoch n + 1 — the beacon's reveals until 06:00, the draw then, commitments until 18:00,
 * reveals until the close. The validators are the SDK's agent.
 */
describe.each(STORES)('validators on %s', (kind) => {
  let net: Net;
  afterEach(async () => net?.t.close());

  it('a fake found by two validators is confirmed, waits a window for a dispute, then costs 10 %, the jail and the unvested rewards', async () => {
    net = await dailyNetwork(kind);
    const bond = 10n * net.minBond;
    await net.join('faker', bond);
    await net.join('honest', bond);
    const v1 = await net.validator('val-1');
    const v2 = await net.validator('val-2');
    const [a1, a2] = [net.agent(v1), net.agent(v2)];
    const c = keys('consumer-f');
    await net.grant(c, 1000n);
    await net.epoch(0);
    // e1: a receipt whose claimed result is made up, and a genuine one; both nodes' lowest receipts are drawn (no audit this week)
    await net.epoch(1, {}, async () => {
      await net.ok('/v1/receipts', net.receipt('faker', c, 'fake-1', 3600, net.t.clock.now(), MADE_UP));
      await net.ok('/v1/receipts', net.receipt('honest', c, 'real-1', 3600));
    });
    // e2, the window: the sample is drawn at 06:00; before it nothing is assigned
    net.t.clock.set(net.start(2) + 3600);
    expect((await net.get(`/v1/audits?validator=${v1.publicKey}`)).assignments).toEqual([]);
    let assigned: Assignment[] = [];
    await net.epoch(
      2,
      {},
      async () => {
        for (const a of [a1, a2]) expect((await a.step()).revealed.sort()).toEqual(['fake-1', 'real-1']);
      },
      async () => {
        assigned = (await net.get(`/v1/audits?validator=${v1.publicKey}`)).assignments;
        // the job without the node's result: only the shown hash, the node's or a trap's
        expect(assigned.map((a) => a.jobId)).toEqual(['fake-1', 'real-1']);
        for (const a of assigned) expect(a.job).not.toHaveProperty('resultHash');
        for (const a of [a1, a2]) expect((await a.step()).committed.sort()).toEqual(['fake-1', 'real-1']);
      },
    );
    // confirmed at e2's close, not yet imposed: the node may dispute until midday of e3
    const conf = (await net.get('/v1/nodes/faker/confirmations')).confirmations;
    expect(conf).toMatchObject([{ jobId: 'fake-1', confirmedEpoch: 2, status: 'pending', disputeBy: net.start(3) + DAY / 2 }]);
    expect(await net.slashes('faker')).toEqual([]);
    // both validators agreed with both outcomes: the validator pool is theirs, half each
    const input = await net.get('/v1/epochs/2/input');
    expect(input.validators.map((v: { agreedAudits: number }) => v.agreedAudits)).toEqual([2, 2]);
    const e2 = await net.get('/v1/epochs/2');
    const [p0, p1] = (e2.result.validators as { reward: string }[]).map((v) => BigInt(v.reward)) as [bigint, bigint];
    expect(p0 + p1).toBe(BigInt(e2.summary.pools.validators.allocated));
    // anyone recomputes epoch 2 from published data: the sample of epoch 1 (from its input's receipts,
    // the beacon and the seed), the traps from the revealed secret, every reveal, outcome and credit
    const published = {
      input: input,
      manifest: await net.get('/v1/epochs/2/manifest'),
      previousTree: await net.get('/v1/epochs/1/tree'),
      audits: [await net.get('/v1/epochs/1/audits')],
      sampleInput: await net.get('/v1/epochs/1/input'),
    };
    expect(await verifyEpoch(published)).toMatchObject({ ok: true, message: expect.stringContaining('validator credits recomputed') });
    const flipped = structuredClone(published.audits[0]);
    flipped.assignments[0].trap = !flipped.assignments[0].trap;
    expect(await verifyEpoch({ ...published, audits: [flipped] })).toMatchObject({ ok: false, message: expect.stringMatching(/trap/) });
    // a pool that paid one audit too many, or a verdict changed after its commitment, is found
    const padded = input.validators.map((v: { agreedAudits: number }, i: number) => ({ ...v, agreedAudits: v.agreedAudits + (i === 0 ? 1 : 0) }));
    expect(checkValidatorCredits(2, published.audits, padded)).toMatch(/^credits: /);
    const changed = structuredClone(published.audits[0]);
    const revealed = changed.assignments.find((a: { verdict: string | null }) => a.verdict !== null);
    revealed.verdict = revealed.verdict === 'match' ? 'mismatch' : 'match';
    expect(await verifyEpoch({ ...published, audits: [changed] })).toMatchObject({ ok: false, message: expect.stringMatching(/does not open its commitment/) });
    const otherReceipts = { ...published.sampleInput, receipts: hex('other receipts') };
    expect(await verifyEpoch({ ...published, sampleInput: otherReceipts })).toMatchObject({ ok: false, message: expect.stringMatching(/inputHash/) });
    // no dispute: at e3's close the failed verification stands — 10 % of the bond and everything unvested
    await net.epoch(3);
    const first = (await net.slashes('faker'))[0] as Record<string, unknown>;
    const forfeit = await net.statement(3, 'faker');
    expect(BigInt(forfeit.forfeited)).toBeGreaterThan(0n);
    expect(forfeit.reasons).toContain('UNVESTED_FORFEITED');
    expect(first).toMatchObject({ kind: 'failed-verification', action: 'jail', amount: (bond / 10n + BigInt(forfeit.forfeited)).toString(), faultEpoch: 1 });
    expect((await net.node('faker')).status).toBe('jailed');
    expect(await reward(net, 3, 'faker')).toBe(0n);
    expect((await net.get('/v1/nodes/faker/confirmations')).confirmations[0].status).toBe('upheld');
    // the evidence: the signed receipt and both validators' signed commitments and reveals, served by hash
    const evidence = first.evidence as string[];
    expect(evidence.map((x) => x.split(':')[0]).sort()).toEqual(['audit-commit', 'audit-commit', 'audit-reveal', 'audit-reveal', 'receipt']);
    const receipt = await net.get(`/v1/messages/${evidence.find((x) => x.startsWith('receipt:'))?.slice(8)}`);
    expect(receipt.body).toMatchObject({ jobId: 'fake-1', resultHash: MADE_UP });
    const reveals = await Promise.all(evidence.filter((x) => x.startsWith('audit-reveal:')).map((x) => net.get(`/v1/messages/${x.slice(13)}`)));
    expect(reveals.map((r) => r.body.verdict)).toEqual(['mismatch', 'mismatch']);
    expect(reveals.map((r) => r.body.resultHash)).toEqual([simulatedResultHash('fake-1', 3600), simulatedResultHash('fake-1', 3600)]);
    // the record anyone recomputes the sample from: the seed from the input hash and the beacon, the trap secret revealed
    const record = await net.get('/v1/epochs/1/audits');
    expect(record).toMatchObject({ drawn: true, inputHash: (await net.get('/v1/epochs/1')).summary.inputHash, late: false });
    expect(record.trap.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(record.outcomes.map((o: { outcome: string }) => o.outcome).sort()).toEqual(['match', 'mismatch']);
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 180_000);

  it('refuses forged, replayed, early, late and mismatching commits and reveals, of verdicts and of beacon secrets', async () => {
    net = await dailyNetwork(kind);
    await net.join('n1', 10n * net.minBond);
    const v1 = await net.validator('val-1');
    const v2 = await net.validator('val-2');
    const outsider = keys('outsider');
    const c = keys('consumer-r');
    await net.grant(c, 1000n);
    await net.epoch(0);
    const now = () => net.t.clock.now();
    let seq = 1_000;
    // a beacon commitment to epoch 1 (the validators are in effect from epoch 1)
    net.t.clock.set(net.start(1) + 600);
    const secret = hex('v1 secret');
    const bc = signBeaconCommit(
      { type: 'beacon-commit', epoch: 1, validatorKey: v1.publicKey, commitment: beaconCommitment(1, v1.publicKey, secret), timestamp: now(), seq: ++seq },
      v1.privateKey,
    );
    const forged = { ...bc, body: { ...bc.body, commitment: hex('other') } };
    expect((await net.post('/v1/beacon/commits', forged)).json().code).toBe('BAD_SIGNATURE');
    const byOutsider = signBeaconCommit({ ...bc.body, validatorKey: outsider.publicKey }, outsider.privateKey);
    expect((await net.post('/v1/beacon/commits', byOutsider)).json().code).toBe('NOT_A_VALIDATOR');
    await net.ok('/v1/beacon/commits', bc);
    expect((await net.post('/v1/beacon/commits', bc)).json().code).toBe('REPLAYED');
    const early = signBeaconReveal({ type: 'beacon-reveal', epoch: 1, validatorKey: v1.publicKey, secret, timestamp: now(), seq: ++seq }, v1.privateKey);
    expect((await net.post('/v1/beacon/reveals', early)).json().code).toBe('TOO_EARLY');
    await net.epoch(1, {}, async () => {
      await net.ok('/v1/receipts', net.receipt('n1', c, 'job-1', 1800));
    });
    // e2, before 06:00: the reveal of epoch 1's secret
    net.t.clock.set(net.start(2) + 600);
    const wrong = signBeaconReveal(
      { type: 'beacon-reveal', epoch: 1, validatorKey: v1.publicKey, secret: hex('guess'), timestamp: now(), seq: ++seq },
      v1.privateKey,
    );
    expect((await net.post('/v1/beacon/reveals', wrong)).json().code).toBe('REVEAL_MISMATCH');
    const reveal = signBeaconReveal({ type: 'beacon-reveal', epoch: 1, validatorKey: v1.publicKey, secret, timestamp: now(), seq: ++seq }, v1.privateKey);
    await net.ok('/v1/beacon/reveals', reveal);
    expect((await net.post('/v1/beacon/reveals', reveal)).json().code).toBe('DUPLICATE_REVEAL');
    // v2 commits and reveals nothing: the beacon is v1's secret alone, the seed is recomputable
    net.t.clock.set(net.start(2) + DAY / 2);
    const record = await net.get('/v1/epochs/1/audits');
    expect(record.beaconSecrets).toMatchObject([{ validator: v1.publicKey, secret }]);
    // verdicts: commitments before 18:00 only, reveals after, each opening its own commitment
    // the honest answer: re-executed, compared with the hash shown (the node's, or on a trap — the secret is random — a wrong one)
    const shown = (await net.get(`/v1/audits?validator=${v1.publicKey}`)).assignments[0].shownResultHash;
    const result = simulatedResultHash('job-1', 1800);
    const ans = { verdict: (shown === result ? 'match' : 'mismatch') as AuditVerdict, resultHash: result, salt: hex('salt') };
    const flipped: AuditVerdict = ans.verdict === 'match' ? 'mismatch' : 'match';
    const commit = (v: typeof v1, jobId = 'job-1') =>
      signAuditCommit(
        { type: 'audit-commit', jobId, validatorKey: v.publicKey, commitment: verdictCommitment(jobId, v.publicKey, ans), timestamp: now(), seq: ++seq },
        v.privateKey,
      );
    expect((await net.post('/v1/audits/commits', commit(outsider))).json().code).toBe('NOT_A_VALIDATOR');
    expect((await net.post('/v1/audits/commits', commit(v1, 'no-such-job'))).json().code).toBe('NOT_ASSIGNED');
    const mine = commit(v1);
    expect((await net.post('/v1/audits/commits', { ...mine, signature: commit(v2).signature })).json().code).toBe('BAD_SIGNATURE');
    await net.ok('/v1/audits/commits', mine);
    expect((await net.post('/v1/audits/commits', mine)).json().code).toBe('REPLAYED');
    expect((await net.post('/v1/audits/commits', commit(v1))).json().code).toBe('DUPLICATE_COMMITMENT');
    const rv = (v: typeof v1, a = ans) =>
      signAuditReveal({ type: 'audit-reveal', jobId: 'job-1', validatorKey: v.publicKey, ...a, timestamp: now(), seq: ++seq }, v.privateKey);
    expect((await net.post('/v1/audits/reveals', rv(v1))).json().code).toBe('TOO_EARLY');
    net.t.clock.set(net.start(2) + (DAY * 3) / 4 + 60);
    expect((await net.post('/v1/audits/commits', commit(v2))).json().code).toBe('COMMIT_CLOSED');
    // v2 never committed: it cannot reveal (a copied reveal opens nothing)
    expect((await net.post('/v1/audits/reveals', rv(v2))).json().code).toBe('NOT_COMMITTED');
    expect((await net.post('/v1/audits/reveals', rv(v1, { ...ans, verdict: flipped }))).json().code).toBe('REVEAL_MISMATCH');
    const good = rv(v1);
    await net.ok('/v1/audits/reveals', good);
    expect((await net.post('/v1/audits/reveals', good)).json().code).toBe('DUPLICATE_REVEAL');
    await net.epoch(2);
    // after the close the window is judged: a late reveal is refused
    expect((await net.post('/v1/audits/reveals', rv(v1))).json().code).toBe('AUDIT_WINDOW_CLOSED');
    // v2 left its assignment unanswered: no validator reward for it at e2, and a validator violation (1 % of its stake)
    const input = await net.get('/v1/epochs/2/input');
    expect(input.validators.map((v: { id: string }) => v.id)).toEqual([v1.publicKey]);
    const slash = (await net.slashes(v2.publicKey))[0] as Record<string, unknown>;
    expect(slash).toMatchObject({ kind: 'validator', action: 'slash', share: '0.01', amount: (1000n * 10n ** 18n).toString() });
    expect(slash.evidence).toEqual(['unanswered:job-1']);
    // and a dispute of something never confirmed is refused
    const n1 = net.members.get('n1');
    const d = signDispute({ type: 'dispute', jobId: 'job-1', nodeId: 'n1', timestamp: now(), seq: ++seq }, n1?.node.privateKey as string);
    expect((await net.post('/v1/disputes', d)).json().code).toBe('NOTHING_TO_DISPUTE');
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 180_000);

  it('a lazy validator answering "match" is caught by a trap: no validator reward, 1 % of its operator stake; its honest peers are paid', async () => {
    // half the assignments are traps here, and the lazy validator audits all sixteen receipts: the
    // trap secret is random, and the chance that none of its assignments is a trap is 2^-16
    const params = { ...DEFAULT_PARAMS_JSON, audits: { ...DEFAULT_PARAMS_JSON.audits, trapShare: '0.5' } };
    net = await dailyNetwork(kind, {}, params);
    const nodes = Array.from({ length: 16 }, (_, i) => `n${i}`);
    for (const id of nodes) await net.join(id, 10n * net.minBond);
    const honest = [await net.validator('val-1')];
    const lazy = await net.validator('val-3');
    const agents = [...honest.map((v) => net.agent(v)), net.agent(lazy, { reexecute: (a) => a.shownResultHash })];
    const c = keys('consumer-l');
    await net.grant(c, 1000n);
    await net.epoch(0);
    await net.epoch(1, {}, async () => {
      for (const id of nodes) await net.ok('/v1/receipts', net.receipt(id, c, `job-${id}`, 1800));
    });
    const step = async () => {
      for (const a of agents) await a.step();
    };
    await net.epoch(2, {}, step, step);
    const record = await net.get('/v1/epochs/1/audits');
    const lazyTraps = record.assignments.filter((a: { validator: string; trap: boolean }) => a.validator === lazy.publicKey && a.trap);
    expect(lazyTraps.length).toBeGreaterThan(0);
    // every job was genuine: every outcome is a match, no node is blamed
    expect(record.outcomes.every((o: { outcome: string }) => o.outcome === 'match')).toBe(true);
    for (const id of nodes) expect(await net.slashes(id)).toEqual([]);
    const paid = (await net.get('/v1/epochs/2/input')).validators;
    expect(paid).toEqual([expect.objectContaining({ id: honest[0]?.publicKey, agreedAudits: 16 })]);
    const slash = (await net.slashes(lazy.publicKey))[0] as Record<string, unknown>;
    expect(slash).toMatchObject({ kind: 'validator', share: '0.01' });
    expect(checkValidatorCredits(2, [record], paid)).toBeNull();
    // the evidence: each missed trap, with the lazy validator's own signed commitment and reveal of "match" on it
    const evidence = slash.evidence as string[];
    expect(evidence.filter((x) => x.startsWith('missed-trap:'))).toHaveLength(lazyTraps.length);
    const reveals = evidence.filter((x) => x.startsWith('audit-reveal:'));
    expect(reveals).toHaveLength(lazyTraps.length);
    for (const h of reveals) expect((await net.get(`/v1/messages/${h.slice(13)}`)).body).toMatchObject({ validatorKey: lazy.publicKey, verdict: 'match' });
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 180_000);

  it('two framing validators confirm a mismatch on an honest node; its dispute goes to three more, who contradict them: the node keeps its bond', async () => {
    net = await dailyNetwork(kind);
    const bond = 10n * net.minBond;
    await net.join('victim', bond);
    // the two framers are the only validators when epoch 1's sample is drawn; three fair ones join for epoch 3
    const framers = [await net.validator('frame-1'), await net.validator('frame-2')];
    const frame = (a: Assignment) => (a.nodeId === 'victim' ? hex(`framed ${a.jobId}`) : simulatedResultHash(a.jobId, 1800));
    const agents = framers.map((v) => net.agent(v, { reexecute: frame }));
    const c = keys('consumer-v');
    await net.grant(c, 1000n);
    await net.epoch(0);
    await net.epoch(1, {}, async () => {
      await net.ok('/v1/receipts', net.receipt('victim', c, 'job-v', 1800));
    });
    const step = async () => {
      for (const a of agents) await a.step();
    };
    net.t.clock.set(net.start(2) + 60);
    const fair = [await net.validator('fair-1'), await net.validator('fair-2'), await net.validator('fair-3')];
    await net.epoch(2, {}, step, step);
    const round0 = (await net.get('/v1/epochs/1/audits')).assignments;
    expect(round0.map((a: { validator: string }) => a.validator).sort()).toEqual(framers.map((f) => f.publicKey).sort());
    agents.push(...fair.map((v) => net.agent(v)));
    expect((await net.get('/v1/nodes/victim/confirmations')).confirmations[0]).toMatchObject({ status: 'pending' });
    // e3 before midday: the node's agent disputes; three more validators are assigned at once
    net.t.clock.set(net.start(3) + 3600);
    const m = net.members.get('victim');
    const d = await net.ok(
      '/v1/disputes',
      signDispute({ type: 'dispute', jobId: 'job-v', nodeId: 'victim', timestamp: net.t.clock.now(), seq: 900 }, m?.node.privateKey as string),
    );
    expect(d.validators.sort()).toEqual(fair.map((v) => v.publicKey).sort());
    await net.epoch(3, {}, step, step);
    expect((await net.get('/v1/nodes/victim/confirmations')).confirmations[0]).toMatchObject({ status: 'overturned' });
    expect(await net.slashes('victim')).toEqual([]);
    expect((await net.node('victim')).status).toBe('active');
    expect(await net.balance('stake:bond-victim')).toBe(bond);
    // the framers commit validator violations: 1 % of their operator stakes, evidence the overturned confirmation
    for (const f of framers) {
      const x = (await net.slashes(f.publicKey))[0] as { kind: string; evidence: string[] };
      expect(x.kind).toBe('validator');
      expect(x.evidence.map((e) => e.split(':')[0])).toEqual(['overturned', 'audit-commit', 'audit-reveal']);
      expect((await net.get(`/v1/messages/${x.evidence[2]?.slice(13)}`)).body).toMatchObject({
        jobId: 'job-v',
        verdict: 'mismatch',
        validatorKey: f.publicKey,
      });
    }
    // the dispute's credits recompute from the records of the samples epoch 3 judged
    const records = [await net.get('/v1/epochs/2/audits'), await net.get('/v1/epochs/1/audits')];
    expect(checkValidatorCredits(3, records, (await net.get('/v1/epochs/3/input')).validators)).toBeNull();
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 180_000);

  it('a node that heartbeats but does not answer a liveness probe in a slot it claimed commits a performance violation; one that answers, nothing', async () => {
    net = await dailyNetwork(kind);
    await net.join('forger', 10n * net.minBond);
    await net.join('serving', 10n * net.minBond);
    const v = await net.validator('val-1');
    const outsider = keys('outsider');
    await net.epoch(0);
    let seq = 5_000;
    const probe = (nodeId: string, by = v) =>
      signProbe(
        { type: 'probe', probeId: hex(`probe ${nodeId} ${seq}`), nodeId, validatorKey: by.publicKey, timestamp: net.t.clock.now(), seq: ++seq },
        by.privateKey,
      );
    const answer = (nodeId: string, probeId: string, result = probeResult(probeId)) =>
      signProbeAnswer({ type: 'probe-answer', probeId, nodeId, result, timestamp: net.t.clock.now() }, net.members.get(nodeId)?.node.privateKey as string);
    // both nodes heartbeat in every slot of epoch 1; at midday the validator probes each
    await net.epoch(1, {}, undefined, async () => {
      const toForger = probe('forger');
      expect((await net.post('/v1/probes', { ...toForger, body: { ...toForger.body, nodeId: 'serving' } })).json().code).toBe('BAD_SIGNATURE');
      expect((await net.post('/v1/probes', probe('forger', outsider))).json().code).toBe('NOT_A_VALIDATOR');
      await net.ok('/v1/probes', toForger);
      expect((await net.post('/v1/probes', toForger)).json().code).toBe('REPLAYED');
      const toServing = probe('serving');
      const sent = await net.ok('/v1/probes', toServing);
      expect(sent.answerBy).toBe(net.t.clock.now() + 7200); // two hourly slots
      expect((await net.get('/v1/probes?node=serving')).probes.map((p: { probeId: string }) => p.probeId)).toEqual([toServing.body.probeId]);
      const id = toServing.body.probeId;
      expect((await net.post('/v1/probes/answers', answer('serving', id, hex('no GPU ran this')))).json().code).toBe('WRONG_RESULT');
      expect((await net.post('/v1/probes/answers', answer('forger', id))).json().code).toBe('NO_SUCH_PROBE');
      const ok = answer('serving', id);
      await net.ok('/v1/probes/answers', ok);
      expect((await net.post('/v1/probes/answers', ok)).json().code).toBe('DUPLICATE_ANSWER');
      // the forger's key is alive (its heartbeats go on) but nothing answers the probe: too late afterwards
      net.t.clock.set(net.t.clock.now() + 7201);
      expect((await net.post('/v1/probes/answers', answer('forger', toForger.body.probeId))).json().code).toBe('PROBE_EXPIRED');
    });
    const slashes = await net.slashes('forger');
    expect(slashes).toHaveLength(1);
    expect(slashes[0]).toMatchObject({ kind: 'performance', action: 'warning' });
    const evidence = slashes[0]?.evidence as string[];
    expect(evidence).toContain('failed-liveness-probe');
    const challenge = await net.get(`/v1/messages/${evidence.find((e) => e.startsWith('probe:'))?.slice(6)}`);
    expect(challenge.body).toMatchObject({ type: 'probe', nodeId: 'forger', validatorKey: v.publicKey });
    expect(await net.slashes('serving')).toEqual([]);
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 120_000);

  it('a split round goes to three more validators: their majority confirms the fake, the colluder who vouched for it earns nothing for it', async () => {
    net = await dailyNetwork(kind);
    await net.join('faker', 10n * net.minBond);
    const honest = await net.validator('val-1');
    const colluder = await net.validator('val-2');
    const agents = [
      net.agent(honest),
      // "match" on the faker's receipts, whatever it is shown (a trap included)
      net.agent(colluder, {
        answer: (a, result) =>
          a.nodeId === 'faker'
            ? { verdict: 'match', resultHash: a.shownResultHash }
            : { verdict: result === a.shownResultHash ? 'match' : 'mismatch', resultHash: result },
      }),
    ];
    const c = keys('consumer-s');
    await net.grant(c, 1000n);
    await net.epoch(0);
    await net.epoch(1, {}, async () => {
      await net.ok('/v1/receipts', net.receipt('faker', c, 'fake-s', 1800, net.t.clock.now(), MADE_UP));
    });
    const step = async () => {
      for (const a of agents) await a.step();
    };
    net.t.clock.set(net.start(2) + 60);
    const fair = [await net.validator('fair-1'), await net.validator('fair-2'), await net.validator('fair-3')];
    await net.epoch(2, {}, step, step);
    // split: referred to the three fair validators (in effect from epoch 3), none of the first two
    const record = await net.get('/v1/epochs/1/audits');
    expect(record.outcomes).toEqual([{ judgedAt: 2, jobId: 'fake-s', round: 0, outcome: 'referred' }]);
    expect(
      record.assignments
        .filter((a: { round: number }) => a.round === 1)
        .map((a: { validator: string }) => a.validator)
        .sort(),
    ).toEqual(fair.map((v) => v.publicKey).sort());
    agents.push(...fair.map((v) => net.agent(v)));
    // early in epoch 3 the agents reveal their beacon secrets of epoch 2 (a validator that does not loses epoch 3's reward)
    net.t.clock.set(net.start(3) + 3600);
    await step();
    await net.epoch(3, {}, step, step);
    expect((await net.get('/v1/nodes/faker/confirmations')).confirmations[0]).toMatchObject({ status: 'pending', confirmedEpoch: 3 });
    // the referral decided: the honest validator and the three are credited at epoch 3, the colluder not
    const paid = (await net.get('/v1/epochs/3/input')).validators;
    expect(paid.map((v: { id: string }) => v.id).sort()).toEqual([honest, ...fair].map((v) => v.publicKey).sort());
    expect(checkValidatorCredits(3, [await net.get('/v1/epochs/2/audits'), await net.get('/v1/epochs/1/audits')], paid)).toBeNull();
    // no dispute from the faker: it stands at epoch 4's close
    await net.epoch(4);
    expect((await net.slashes('faker'))[0]).toMatchObject({ kind: 'failed-verification', faultEpoch: 1 });
    expect((await checkLedger(net.t.db)).violations).toEqual([]);
  }, 180_000);
});
