import { type AuditVerdict, computeMinBond, defaultParams, simulatedResultHash, TOKEN, verdictCommitment } from '@swarm/core';
import {
  type HeartbeatBody,
  type KeyPair,
  SwarmClient,
  signAuditCommit,
  signAuditReveal,
  signProposal,
  signStake,
  signUnbond,
  signVote,
  ValidatorAgent,
} from '@swarm/sdk';
import { expect } from 'vitest';
import { closeDueEpochs } from '../src/keepers/epoch-close.ts';
import { balanceOf } from '../src/ledger/ledger.ts';
import type { Settings } from '../src/service/context.ts';
import { GENESIS, heartbeat, injectFetch, keys, OPERATOR, receipt, registration, testServiceWith } from './helpers.ts';

/**
 * A small network on daily epochs with hourly heartbeat slots, driven through the real API: the
 * penalty-ladder tests run tens of epochs of it. Every write must succeed unless the test says
 * otherwise; the clock is moved by the test.
 */
export const DAY = 86_400;
export const HOUR = 3600;
export const SLOTS = 24;
const auth = { authorization: `Bearer ${OPERATOR}` };

export type Member = { id: string; node: KeyPair; owner: KeyPair; address: string; seq: number };

export async function dailyNetwork(kind: 'pglite' | 'postgres', settings: Partial<Settings> = {}, params?: unknown) {
  const t = await testServiceWith({ kind, settings: { epochSeconds: DAY, slotSeconds: HOUR, graceSeconds: 30, windowSeconds: 2 * DAY, ...settings }, params });
  const seqs = new Map<string, number>();
  const nextSeq = (k: string) => {
    seqs.set(k, (seqs.get(k) ?? 10) + 1);
    return seqs.get(k) as number;
  };
  const members = new Map<string, Member>();
  const minBond = computeMinBond({ hardware: { gpus: [{ model: 'RTX-4090', count: 1 }], vcpus: 16, ramGb: 64, nvmeTb: 2, bandwidthGbps: 1 } }, defaultParams());
  const start = (e: number) => GENESIS + e * DAY;

  const post = async (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const ok = async (url: string, payload: unknown, headers: Record<string, string> = {}) => {
    const r = await post(url, payload, headers);
    expect(r.statusCode, `${url}: ${r.body}`).toBeLessThan(300);
    return r.json();
  };
  const get = async (url: string) => {
    const r = await t.app.inject({ method: 'GET', url });
    expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
    return r.json();
  };

  const net = {
    t,
    minBond,
    start,
    members,
    post,
    ok,
    get,
    grant: (k: KeyPair, tokens: bigint) =>
      ok('/v1/operator/grants', { key: k.publicKey, amount: (tokens * TOKEN).toString(), memo: `grant-${k.publicKey}` }, auth),
    /** Registers a node (one RTX-4090) and bonds `bond` base units for it (through the API; none when 0). */
    async join(id: string, bond: bigint, commitmentDays = 0) {
      const owner = keys(`owner-${id}`);
      const address = `0x${Buffer.from(id).toString('hex').padStart(40, '0').slice(-40)}`;
      const r = registration(id, { now: t.clock.now(), owner, ownerAddress: address, seq: nextSeq(owner.publicKey), commitmentDays });
      await ok('/v1/nodes', r.msg);
      if (bond > 0n) {
        // no bond: the test bonds some other way (on chain)
        await ok('/v1/operator/grants', { key: owner.publicKey, amount: bond.toString(), memo: `bond-${id}` }, auth);
        await ok('/v1/stakes', net.stakeMsg(owner, `bond-${id}`, 'bond', id, address, bond));
      }
      const m = { id, node: r.node, owner, address, seq: 0 };
      members.set(id, m);
      return m;
    },
    stakeMsg(owner: KeyPair, stakeId: string, kind: 'bond' | 'user' | 'operator', nodeId: string | null, payout: string, amount: bigint) {
      return signStake(
        {
          type: 'stake',
          stakeId,
          ownerKey: owner.publicKey,
          kind,
          nodeId,
          payout,
          amount: amount.toString(),
          lockDays: 0,
          timestamp: t.clock.now(),
          seq: nextSeq(owner.publicKey),
        },
        owner.privateKey,
      );
    },
    unbondMsg(owner: KeyPair, stakeId: string, amount: bigint) {
      return signUnbond(
        { type: 'unbond', stakeId, ownerKey: owner.publicKey, amount: amount.toString(), timestamp: t.clock.now(), seq: nextSeq(owner.publicKey) },
        owner.privateKey,
      );
    },
    /** A validator: an operator stake at the minimum, effective from the next epoch. */
    async validator(label: string) {
      const k = keys(label);
      await net.grant(k, 101_000n);
      await ok(
        '/v1/stakes',
        net.stakeMsg(
          k,
          `op-${label}`,
          'operator',
          null,
          `0x${'0'.repeat(30)}${Buffer.from(label.slice(0, 5)).toString('hex').padEnd(10, '0')}`,
          100_000n * TOKEN,
        ),
      );
      return k;
    },
    /** Link metrics a node's heartbeats report (slot k of the epoch), when not the helper's defaults. */
    links: new Map<string, (k: number) => Partial<HeartbeatBody['metrics']>>(),
    /**
     * Heartbeats for `slots` of epoch e's 24 hourly slots (the first ones): a heartbeat counts for
     * the slot it arrives in, so the clock visits each slot and one batch carries that slot's beats.
     */
    async beat(e: number, up: Record<string, number>) {
      const most = Math.max(0, ...Object.values(up));
      for (let k = 0; k < most; k++) {
        t.clock.set(start(e) + k * HOUR + 60);
        const hbs = [];
        for (const [id, slots] of Object.entries(up)) {
          if (k >= slots) continue;
          const m = members.get(id) as Member;
          hbs.push(heartbeat(id, m.node, ++m.seq + e * 100, t.clock.now(), '0.5', net.links.get(id)?.(k)));
        }
        if (hbs.length > 0) await ok('/v1/heartbeats/batch', { heartbeats: hbs });
      }
    },
    /** A countersigned receipt of a genuine job, or with `resultHash` one whose claimed result is not what re-executing it gives. */
    receipt(nodeId: string, consumer: KeyPair, jobId: string, gpuSeconds: number, ts = t.clock.now(), resultHash?: string) {
      const m = members.get(nodeId) as Member;
      return receipt(nodeId, m.node, consumer, jobId, ts, { usage: [{ model: 'RTX-4090', gpuSeconds }], ...(resultHash ? { resultHash } : {}) });
    },
    /** A validator agent (the SDK's) on this service, stepping on the test's clock. */
    agent(v: KeyPair, o: Partial<ConstructorParameters<typeof ValidatorAgent>[0]> = {}) {
      const client = new SwarmClient({ baseUrl: 'http://service.test', fetch: injectFetch(t.app) });
      const agent = new ValidatorAgent({ client, keys: v, seq: () => nextSeq(v.publicKey), ...o });
      return { step: () => agent.step(t.clock.now()) };
    },
    /**
     * Runs epoch e: heartbeats (24 slots unless said); then, at midday — the audit window's commit
     * phase, after the sample's draw — `mid`; then, ten minutes before the end — its reveal phase —
     * `during`; then closes it.
     */
    async epoch(e: number, up: Record<string, number> = {}, during?: () => Promise<void>, mid?: () => Promise<void>) {
      const all = Object.fromEntries([...members.keys()].map((id) => [id, up[id] ?? SLOTS]));
      await net.beat(e, all);
      if (mid) {
        t.clock.set(start(e) + DAY / 2);
        await mid();
      }
      t.clock.set(start(e) + DAY - 600);
      await during?.();
      t.clock.set(start(e + 1) + 31);
      const closed = await closeDueEpochs(t.ctx);
      expect(closed).toContain(e);
      t.clock.set(start(e + 1) + 60);
    },
    statement: (e: number, id: string) => get(`/v1/epochs/${e}/statements/${id}`),
    slashes: async (id?: string) => (await get(`/v1/slashes${id ? `?node=${id}` : ''}`)).slashes as Record<string, unknown>[],
    balance: (account: string) => balanceOf(t.db, account),
    node: (id: string) => get(`/v1/nodes/${id}`),
    /**
     * A validator's answer on an assignment, as its commitment and its reveal: by default the
     * result of a genuine 1,800 GPU-second job (what re-executing it gives) — so "mismatch" on a
     * job whose receipt claims another result.
     */
    audit(v: KeyPair, jobId: string, verdict: AuditVerdict, resultHash = simulatedResultHash(jobId, 1800)) {
      const answer = { verdict, resultHash, salt: 'cd'.repeat(32) };
      return {
        commit: () =>
          signAuditCommit(
            {
              type: 'audit-commit',
              jobId,
              validatorKey: v.publicKey,
              commitment: verdictCommitment(jobId, v.publicKey, answer),
              timestamp: t.clock.now(),
              seq: nextSeq(v.publicKey),
            },
            v.privateKey,
          ),
        reveal: () =>
          signAuditReveal(
            { type: 'audit-reveal', jobId, validatorKey: v.publicKey, ...answer, timestamp: t.clock.now(), seq: nextSeq(v.publicKey) },
            v.privateKey,
          ),
      };
    },
    proposal(by: KeyPair, proposalId: string, slashId: string) {
      return signProposal(
        {
          type: 'proposal',
          proposalId,
          proposerKey: by.publicKey,
          kind: 'slash-reversal',
          patch: {},
          slashId,
          description: 'appeal',
          timestamp: t.clock.now(),
          seq: nextSeq(by.publicKey),
        },
        by.privateKey,
      );
    },
    vote(by: KeyPair, proposalId: string, option: 'yes' | 'no' | 'abstain' | 'veto') {
      return signVote({ type: 'vote', proposalId, voterKey: by.publicKey, option, timestamp: t.clock.now(), seq: nextSeq(by.publicKey) }, by.privateKey);
    },
  };
  return net;
}

export const tokens = (x: bigint) => x * TOKEN;
