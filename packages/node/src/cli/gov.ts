import { formatTokens, InvalidParamsError, type Params, parseEpochInput, parseParams, parseWad, patchParams } from '@swarm/core';
import { type AttestorApproval, type ProposalBody, SwarmClient, signProposal, signStake, signUnbond, signVote } from '@swarm/sdk';
import { computeImpact, formatImpact, type Impact } from '@swarm/sim';
import { UsageError } from './io.ts';
import { readKeys } from './keys.ts';

const now = () => Math.floor(Date.now() / 1000);
let last = 0;
/** Sequence numbers from the clock (ms): they keep rising across runs of the CLI. */
const seq = () => (last = Math.max(last + 1, Date.now()));

function tokens(v: string, field: string): string {
  try {
    return parseWad(v, field).toString();
  } catch {
    throw new UsageError(`${field} takes a token amount like 1000 or 0.5, got ${v}`);
  }
}

export type StakeOptions = { server: string; keys: string; id: string; amount: string; kind: string; node?: string; payout: string; lockDays: string };

/** `swarm stake`: stake (user, operator) or bond a node, from the key's wallet (embedded mode). */
export async function stake(o: StakeOptions): Promise<void> {
  const k = readKeys(o.keys);
  if (!['user', 'operator', 'bond'].includes(o.kind)) throw new UsageError('--kind is user, operator or bond');
  const r = await new SwarmClient({ baseUrl: o.server }).stake(
    signStake(
      {
        type: 'stake',
        stakeId: o.id,
        ownerKey: k.publicKey,
        kind: o.kind as 'user',
        nodeId: o.node ?? null,
        payout: o.payout,
        amount: tokens(o.amount, '--amount'),
        lockDays: Number(o.lockDays),
        timestamp: now(),
        seq: seq(),
      },
      k.privateKey,
    ),
  );
  console.log(`stake ${r.stakeId} accepted; it counts from epoch ${r.effectiveEpoch}`);
}

/** `swarm unbond`: start unbonding part of a stake. */
export async function unbond(o: { server: string; keys: string; id: string; amount: string }): Promise<void> {
  const k = readKeys(o.keys);
  const r = await new SwarmClient({ baseUrl: o.server }).unbond(
    signUnbond({ type: 'unbond', stakeId: o.id, ownerKey: k.publicKey, amount: tokens(o.amount, '--amount'), timestamp: now(), seq: seq() }, k.privateKey),
  );
  console.log(`unbonding ${r.unbondingId}: back in the wallet after epoch ${r.releaseEpoch}`);
}

export type ProposeOptions = {
  server: string;
  keys: string;
  id: string;
  patch?: string;
  reverseSlash?: string;
  expansion?: string;
  approveAttestor?: string;
  attestorKey?: string;
  roles?: string;
  description: string;
  simulate?: boolean;
  simulateEpochs?: string;
};

/** The proposal body the options describe (exactly one kind), or a usage error. */
export function proposalBody(o: ProposeOptions, proposerKey: string, timestamp: number, sequence: number): ProposalBody {
  const kinds = [o.patch, o.reverseSlash, o.expansion, o.approveAttestor].filter((x) => x !== undefined).length;
  if (kinds !== 1) throw new UsageError('give one of --patch (a parameter change), --reverse-slash (an appeal), --expansion on|off, --approve-attestor');
  let patch: Record<string, unknown> = {};
  if (o.patch !== undefined) {
    try {
      patch = JSON.parse(o.patch);
    } catch {
      throw new UsageError(`--patch takes JSON, e.g. '{"compute":{"scoreCap":"2.5"}}'`);
    }
  }
  const base = { type: 'proposal' as const, proposalId: o.id, proposerKey, patch, description: o.description, timestamp, seq: sequence };
  if (o.reverseSlash !== undefined) return { ...base, kind: 'slash-reversal', slashId: o.reverseSlash };
  if (o.expansion !== undefined) {
    if (o.expansion !== 'on' && o.expansion !== 'off') throw new UsageError('--expansion is on or off');
    return { ...base, kind: 'expansion-phase', expansion: o.expansion === 'on' };
  }
  if (o.approveAttestor !== undefined) {
    if (o.attestorKey === undefined || o.roles === undefined) throw new UsageError('--approve-attestor needs --attestor-key and --roles');
    const roles = o.roles.split(',').map((r) => r.trim()) as AttestorApproval['roles'];
    return { ...base, kind: 'attestor-approval', attestor: { attestor: o.approveAttestor, key: o.attestorKey, roles } };
  }
  return { ...base, kind: 'params' };
}

/** `swarm gov propose`: a parameter patch, an appeal, the expansion phase or an attestor, signed by a staking key that pays the deposit. */
export async function propose(o: ProposeOptions): Promise<void> {
  const k = readKeys(o.keys);
  const body = proposalBody(o, k.publicKey, now(), seq());
  if (o.simulate) {
    if (body.kind !== 'params') throw new UsageError('--simulate goes with --patch: it is the impact of a parameter change');
    const impact = await simulateProposal(new SwarmClient({ baseUrl: o.server }), body.patch, Number(o.simulateEpochs ?? '3'));
    console.log(formatImpact(impact));
    body.impact = impact as unknown as Record<string, unknown>;
  }
  const r = await new SwarmClient({ baseUrl: o.server }).propose(signProposal(body, k.privateKey));
  console.log(`proposal ${r.proposalId} open for votes until the end of epoch ${r.votingEndsAfterEpoch}`);
}

/**
 * The impact of a patch, simulated: the last `epochs` closed epochs of the service replayed under
 * the set in force and the patched one, and the incentive scenario under both (@swarm/sim).
 */
export async function simulateProposal(client: SwarmClient, patch: Record<string, unknown>, epochs: number): Promise<Impact> {
  return computeImpact(await impactInputs(client, patch, epochs));
}

/** What `computeImpact` needs for a patch: the last `epochs` closed epochs' inputs, the set in force and the patched one. */
export async function impactInputs(client: SwarmClient, patch: Record<string, unknown>, epochs: number): Promise<Parameters<typeof computeImpact>[0]> {
  if (!Number.isInteger(epochs) || epochs < 0 || epochs > 30) throw new UsageError('--simulate-epochs is 0–30');
  const live = (await client.params()).params;
  const current = parseParams(live);
  let proposed: Params;
  try {
    proposed = parseParams(patchParams(live, patch));
  } catch (e) {
    if (e instanceof InvalidParamsError) throw new UsageError(`the patched parameter set is invalid: ${e.message}`);
    throw e;
  }
  const last = Number((await client.status()).lastClosedEpoch);
  const inputs = [];
  for (let n = Math.max(0, last - epochs + 1); n <= last && epochs > 0; n++) inputs.push(parseEpochInput(await client.epochInput(n), current));
  return { inputs, current, proposed };
}

/** `swarm gov vote`. */
export async function vote(o: { server: string; keys: string; id: string; option: string }): Promise<void> {
  if (!['yes', 'no', 'abstain', 'veto'].includes(o.option)) throw new UsageError('--option is yes, no, abstain or veto');
  const k = readKeys(o.keys);
  const r = await new SwarmClient({ baseUrl: o.server }).vote(
    signVote({ type: 'vote', proposalId: o.id, voterKey: k.publicKey, option: o.option as 'yes', timestamp: now(), seq: seq() }, k.privateKey),
  );
  console.log(`voted ${r.option} on ${r.proposalId}`);
}

type ProposalView = {
  id: string;
  status: string;
  description: string;
  patch: unknown;
  votingEndsAfterEpoch: number;
  tally: Record<string, string> | null;
  votes: { voter: string; option: string }[];
};

/** `swarm gov list` and `swarm gov show ID`. */
export async function listOrShow(o: { server: string; id?: string }): Promise<void> {
  const { proposals } = (await new SwarmClient({ baseUrl: o.server }).proposals()) as unknown as { proposals: ProposalView[] };
  const chosen = o.id === undefined ? proposals : proposals.filter((p) => p.id === o.id);
  if (o.id !== undefined && chosen.length === 0) throw new UsageError(`no proposal ${o.id}`);
  for (const p of chosen) {
    console.log(`${p.id} — ${p.status} — ${p.description}`);
    console.log(`  patch ${JSON.stringify(p.patch)}; voting until the end of epoch ${p.votingEndsAfterEpoch}; ${p.votes.length} votes`);
    if (p.tally)
      console.log(
        `  tally: yes ${formatTokens(BigInt(p.tally.yes ?? '0'))}, no ${formatTokens(BigInt(p.tally.no ?? '0'))}, abstain ${formatTokens(BigInt(p.tally.abstain ?? '0'))}, veto ${formatTokens(BigInt(p.tally.veto ?? '0'))} of ${formatTokens(BigInt(p.tally.totalStaked ?? '0'))} staked`,
      );
    if (o.id !== undefined) for (const v of p.votes) console.log(`  ${v.option} ${v.voter}`);
  }
  if (chosen.length === 0) console.log('no proposals');
}
