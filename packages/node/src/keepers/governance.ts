import {
  computeOutcome,
  InvalidParamsError,
  type Params,
  paramsHash,
  parseParams,
  patchParams,
  serializeParams,
  VOTE_OPTIONS,
  type VoteOption,
} from '@swarm/core';
import { type AttestorApproval, type Proposal, type Vote, verifyBody } from '@swarm/sdk';
import { type Posting, post } from '../ledger/ledger.ts';
import { type Context, nextEpoch, paramsAt } from '../service/context.ts';
import { badRequest, conflict, forbidden, notFound, unauthorized } from '../service/errors.ts';
import type { Sql } from '../store/db.ts';
import { advanceSeq, checkEpochOpen, checkTimestamp, requireEpoch } from './checks.ts';
import { saveAttestor } from './ingest.ts';
import { decodeCursor, type PageQuery, pageLimit, pageOf } from './page.ts';
import { reverseSlash } from './slashing.ts';
import { stakeInEffect } from './stake-sql.ts';
import { spendFromWallet } from './wallet.ts';

/**
 * Governance keepers (SPEC §7): proposals that patch the parameter set, stake-weighted votes, and
 * the tally at the close of the proposal's last voting epoch — a passed patch takes effect from the
 * next epoch, every version is kept, and a vetoed proposal's deposit is burned.
 */

/** Stake owned by `key` in effect in epoch `n` (every kind), less what is unbonding by then. */
async function stakeOf(sql: Sql, key: string, n: number): Promise<bigint> {
  const r = await sql.query<{ amount: string | null }>(
    `SELECT SUM${stakeInEffect('$2')}::text AS amount
       FROM stakes st WHERE st.owner_key = $1 AND st.effective_epoch <= $2`,
    [key, n],
  );
  return BigInt(r[0]?.amount ?? '0');
}

export async function submitProposal(ctx: Context, msg: Proposal): Promise<{ proposalId: string; votingEndsAfterEpoch: number }> {
  const b = msg.body;
  if (!verifyBody(b, msg.signature, b.proposerKey)) throw unauthorized('the proposal signature does not verify', 'signature');
  const epoch = checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  requireEpoch(epoch, 'body.timestamp');
  return ctx.db.tx(async (sql) => {
    await checkEpochOpen(ctx, sql, epoch, 'body.timestamp');
    const { params } = await paramsAt(sql, epoch);
    if ((await stakeOf(sql, b.proposerKey, Number.MAX_SAFE_INTEGER)) <= 0n)
      throw forbidden('NO_STAKE', 'only a key with stake can propose', 'body.proposerKey');
    // each kind carries its own field and no other kind's
    const own = { 'slash-reversal': 'slashId', 'expansion-phase': 'expansion', 'attestor-approval': 'attestor' } as const;
    for (const [kind, field] of Object.entries(own)) {
      const given = (b as Record<string, unknown>)[field] !== undefined;
      if (b.kind === kind && !given) throw badRequest('MISSING_FIELD', `a ${kind} proposal carries \`${field}\``, `body.${field}`);
      if (b.kind !== kind && given) throw badRequest('UNEXPECTED_FIELD', `only a ${kind} proposal carries \`${field}\``, `body.${field}`);
    }
    if (b.kind !== 'params' && Object.keys(b.patch).length > 0)
      throw badRequest('UNEXPECTED_FIELD', `a ${b.kind} proposal carries an empty patch`, 'body.patch');
    if (b.kind === 'slash-reversal') {
      // an appeal: it names a slash still in escrow and changes no parameter
      const x = (await sql.query<{ status: string }>('SELECT status FROM slashes WHERE id = $1', [b.slashId]))[0];
      if (!x) throw notFound('UNKNOWN_SLASH', `no slash ${JSON.stringify(b.slashId)}`, 'body.slashId');
      if (x.status !== 'escrowed')
        throw conflict('SLASH_NOT_IN_ESCROW', `slash ${b.slashId} is ${x.status}: only a slash in escrow can be reversed`, 'body.slashId');
    } else if (b.kind === 'attestor-approval') {
      const a = b.attestor as AttestorApproval;
      if (new Set(a.roles).size !== a.roles.length) throw badRequest('DUPLICATE_ROLE', 'each role is named once', 'body.attestor.roles');
    } else if (b.kind === 'params') {
      // the whole patched set must validate: an invalid proposal is refused at submission
      let proposed: Params;
      try {
        proposed = parseParams(patchParams(serializeParams(params), b.patch));
      } catch (e) {
        if (e instanceof InvalidParamsError)
          throw badRequest('INVALID_PARAMS', `the patched parameter set is invalid: ${e.message}`, `body.patch.${e.field ?? ''}`.replace(/\.$/, ''));
        throw e;
      }
      // a simulated impact must be of this change: from the set in force to the patched one
      if (b.impact !== undefined && (b.impact.current !== paramsHash(params) || b.impact.proposed !== paramsHash(proposed)))
        throw badRequest('IMPACT_MISMATCH', 'the impact was not simulated for this patch of the parameter set in force', 'body.impact');
    }
    if (b.kind !== 'params' && b.impact !== undefined) throw badRequest('UNEXPECTED_FIELD', 'only a parameter patch carries a simulated impact', 'body.impact');
    await advanceSeq(sql, b.proposerKey, b.seq, 'body.seq');
    const deposit = params.governance.deposit;
    const votingEndsAfterEpoch = epoch + params.governance.votingEpochs - 1;
    const r = await sql.query(
      `INSERT INTO proposals (id, proposer_key, kind, patch, description, deposit, created_epoch, voting_ends_after_epoch, status, target, payload, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'voting', $9, $10, $11) ON CONFLICT DO NOTHING RETURNING id`,
      [
        b.proposalId,
        b.proposerKey,
        b.kind,
        JSON.stringify(b.patch),
        b.description,
        deposit.toString(),
        epoch,
        votingEndsAfterEpoch,
        b.slashId ?? null,
        b.kind === 'expansion-phase' ? JSON.stringify({ expansion: b.expansion }) : b.kind === 'attestor-approval' ? JSON.stringify(b.attestor) : null,
        JSON.stringify(msg),
      ],
    );
    if (r.length === 0) throw conflict('DUPLICATE_PROPOSAL', `proposal ${b.proposalId} exists`, 'body.proposalId');
    await spendFromWallet(sql, b.proposerKey, deposit, 'body.proposerKey', 'the proposal deposit', [
      {
        id: `proposal:${b.proposalId}:deposit`,
        epoch,
        from: `wallet:${b.proposerKey}`,
        to: `deposit:${b.proposalId}`,
        amount: deposit,
        memo: 'proposal deposit',
      },
    ]);
    return { proposalId: b.proposalId, votingEndsAfterEpoch };
  });
}

export async function castVote(ctx: Context, msg: Vote): Promise<{ proposalId: string; option: VoteOption }> {
  const b = msg.body;
  if (!verifyBody(b, msg.signature, b.voterKey)) throw unauthorized('the vote signature does not verify', 'signature');
  const epoch = checkTimestamp(ctx, b.timestamp, 'body.timestamp');
  requireEpoch(epoch, 'body.timestamp');
  return ctx.db.tx(async (sql) => {
    await checkEpochOpen(ctx, sql, epoch, 'body.timestamp');
    const p = (
      await sql.query<{ status: string; voting_ends_after_epoch: string }>(
        'SELECT status, voting_ends_after_epoch::text AS voting_ends_after_epoch FROM proposals WHERE id = $1',
        [b.proposalId],
      )
    )[0];
    if (!p) throw notFound('UNKNOWN_PROPOSAL', `no proposal ${JSON.stringify(b.proposalId)}`, 'body.proposalId');
    if (p.status !== 'voting' || epoch > Number(p.voting_ends_after_epoch) || epoch < (await nextEpoch(sql))) {
      throw conflict('VOTING_CLOSED', `voting on ${b.proposalId} ended after epoch ${p.voting_ends_after_epoch}`, 'body.timestamp');
    }
    if ((await stakeOf(sql, b.voterKey, Number.MAX_SAFE_INTEGER)) <= 0n) throw forbidden('NO_STAKE', 'only a key with stake can vote', 'body.voterKey');
    await advanceSeq(sql, b.voterKey, b.seq, 'body.seq');
    const r = await sql.query(
      'INSERT INTO votes (proposal_id, voter_key, option, epoch, message) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING voter_key',
      [b.proposalId, b.voterKey, b.option, epoch, JSON.stringify(msg)],
    );
    if (r.length === 0) throw conflict('DOUBLE_VOTE', 'this key has already voted on this proposal', 'body.voterKey');
    return { proposalId: b.proposalId, option: b.option as VoteOption };
  });
}

/**
 * Inside the close of epoch `n`: tallies every proposal whose voting ends with `n`, weighting each
 * vote by the voter's stake in effect in `n`; passed patches become the parameter set from `n + 1`
 * (applied in id order); deposits are returned, or burned when vetoed.
 */
export async function tallyProposals(sql: Sql, n: number, params: Params, totalStaked: bigint, now: number): Promise<void> {
  const due = await sql.query<{
    id: string;
    proposer_key: string;
    kind: string;
    patch: string;
    target: string | null;
    payload: string | null;
    deposit: string;
  }>(
    "SELECT id, proposer_key, kind, patch, target, payload, deposit::text AS deposit FROM proposals WHERE voting_ends_after_epoch = $1 AND status = 'voting' ORDER BY id",
    [n],
  );
  let current = params;
  const postings: Posting[] = [];
  for (const p of due) {
    const tally = Object.fromEntries(VOTE_OPTIONS.map((o) => [o, 0n])) as Record<VoteOption, bigint>;
    for (const v of await sql.query<{ voter_key: string; option: VoteOption }>(
      'SELECT voter_key, option FROM votes WHERE proposal_id = $1 ORDER BY voter_key',
      [p.id],
    )) {
      tally[v.option] += await stakeOf(sql, v.voter_key, n);
    }
    const r = computeOutcome(tally, totalStaked, current.governance);
    let reversal: string | null = null;
    if (r.outcome === 'passed' && p.kind === 'slash-reversal') {
      reversal = (await reverseSlash(sql, n, p.target as string, p.id)) ? 'applied' : 'too late: the slash had left escrow';
    } else if (r.outcome === 'passed' && p.kind === 'expansion-phase') {
      const { expansion } = JSON.parse(p.payload as string) as { expansion: boolean };
      await sql.query(
        `INSERT INTO governance_flags (flag, effective_epoch, value, proposal_id) VALUES ('expansion', $1, $2, $3)
         ON CONFLICT (flag, effective_epoch) DO UPDATE SET value = excluded.value, proposal_id = excluded.proposal_id`,
        [n + 1, expansion, p.id],
      );
    } else if (r.outcome === 'passed' && p.kind === 'attestor-approval') {
      await saveAttestor(sql, JSON.parse(p.payload as string) as AttestorApproval);
    } else if (r.outcome === 'passed') {
      current = parseParams(patchParams(serializeParams(current), JSON.parse(p.patch)));
      await sql.query('INSERT INTO params_versions (hash, params, effective_epoch, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING', [
        paramsHash(current),
        JSON.stringify(serializeParams(current)),
        n + 1,
        now,
      ]);
    }
    const deposit = BigInt(p.deposit);
    if (deposit > 0n) {
      postings.push({
        id: `proposal:${p.id}:${r.burnDeposit ? 'burn' : 'refund'}`,
        epoch: n,
        from: `deposit:${p.id}`,
        to: r.burnDeposit ? 'burn' : `wallet:${p.proposer_key}`,
        amount: deposit,
        memo: r.burnDeposit ? 'vetoed proposal: deposit burned' : 'proposal deposit returned',
      });
    }
    const wire = Object.fromEntries(Object.entries(tally).map(([k, v]) => [k, v.toString()]));
    await sql.query('UPDATE proposals SET status = $2, tally = $3 WHERE id = $1', [
      p.id,
      r.outcome,
      JSON.stringify({
        ...wire,
        totalStaked: totalStaked.toString(),
        turnout: r.turnout.toString(),
        effectiveEpoch: r.outcome === 'passed' ? n + 1 : null,
        paramsHash: r.outcome === 'passed' && p.kind === 'params' ? paramsHash(current) : null,
        ...(reversal === null ? {} : { reversal }),
      }),
    ]);
  }
  await post(sql, postings);
}

export async function listProposals(ctx: Context, q: PageQuery = {}) {
  const limit = pageLimit(q);
  const after = decodeCursor(q.after, 'ns');
  const rows = await ctx.db.query<{
    id: string;
    proposer_key: string;
    patch: string;
    description: string;
    deposit: string;
    created_epoch: string;
    voting_ends_after_epoch: string;
    status: string;
    tally: string | null;
    kind: string;
    target: string | null;
    payload: string | null;
    message: string;
  }>(
    `SELECT id, proposer_key, kind, target, payload, message, patch, description, deposit::text AS deposit, created_epoch::text AS created_epoch, voting_ends_after_epoch::text AS voting_ends_after_epoch, status, tally
       FROM proposals WHERE ($1::bigint IS NULL OR created_epoch < $1 OR (created_epoch = $1 AND id > $2))
      ORDER BY proposals.created_epoch DESC, id LIMIT $3`,
    [after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  const page = pageOf(rows, limit, (r) => [Number(r.created_epoch), r.id]);
  const votes = await ctx.db.query<{ proposal_id: string; voter_key: string; option: string; epoch: string }>(
    'SELECT proposal_id, voter_key, option, epoch::text AS epoch FROM votes WHERE proposal_id = ANY($1::text[]) ORDER BY proposal_id, voter_key',
    [page.rows.map((r) => r.id)],
  );
  return {
    next: page.next,
    proposals: page.rows.map((r) => ({
      id: r.id,
      proposer: r.proposer_key,
      kind: r.kind,
      slashId: r.target,
      ...(r.payload === null ? {} : r.kind === 'expansion-phase' ? JSON.parse(r.payload) : { attestor: JSON.parse(r.payload) }),
      patch: JSON.parse(r.patch),
      impact: (JSON.parse(r.message) as Proposal).body.impact ?? null,
      description: r.description,
      deposit: r.deposit,
      createdEpoch: Number(r.created_epoch),
      votingEndsAfterEpoch: Number(r.voting_ends_after_epoch),
      status: r.status,
      tally: r.tally === null ? null : JSON.parse(r.tally),
      votes: votes.filter((v) => v.proposal_id === r.id).map((v) => ({ voter: v.voter_key, option: v.option, epoch: Number(v.epoch) })),
    })),
  };
}
