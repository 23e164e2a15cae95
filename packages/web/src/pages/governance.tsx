import type { ComponentChildren } from 'preact';
import { api, type Params } from '../api.ts';
import { pct, tokens, WAD, when } from '../format.ts';
import { Loaded, Table } from '../ui.tsx';

type Impact = {
  replay?: { computeChangeBp: number; epochs: number[]; gaining: number; losing: number };
  scenario?: { twins: { cheater: string; holdsProposed: boolean }[] };
};
type Proposal = {
  id: string;
  kind: string;
  description: string;
  status: string;
  patch: Record<string, unknown>;
  slashId?: string;
  expansion?: boolean;
  attestor?: { attestor: string; roles: string[] };
  impact?: Impact | null;
  votingEndsAfterEpoch: number;
  votes: { option: string; voter: string }[];
  tally: { yes: string; no: string; abstain: string; veto: string; totalStaked: string; reversal?: string } | null;
};

/** A patch as rows of (path, proposed value). */
function flatten(obj: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) ? flatten(v as Record<string, unknown>, `${prefix}${k}.`) : [[`${prefix}${k}`, v] as [string, unknown]],
  );
}
const at = (obj: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o == null ? undefined : (o as Record<string, unknown>)[k]), obj);

/** A proposal's simulated impact (swarm gov propose --simulate), in a few words. */
function ImpactCell({ i }: { i: Impact | null | undefined }) {
  if (!i?.replay || !i?.scenario) return <span class="muted">—</span>;
  const bp = Number(i.replay.computeChangeBp);
  const failing = i.scenario.twins.filter((t) => !t.holdsProposed).map((t) => t.cheater);
  return (
    <span class="impact">
      compute rewards {bp >= 0 ? '+' : ''}
      {(bp / 100).toFixed(2)} % over epochs {i.replay.epochs.join(', ') || '—'}; {Number(i.replay.gaining)} nodes gain, {Number(i.replay.losing)} lose
      <br />
      cheaters earning more than their twins: {failing.join(', ') || 'none'}
    </span>
  );
}

function change(x: Proposal, params: Params['params']): ComponentChildren {
  if (x.kind === 'slash-reversal')
    return (
      <>
        appeal: reverse slash <code>{x.slashId}</code>
        {x.tally?.reversal ? ` — ${x.tally.reversal}` : ''}
      </>
    );
  if (x.kind === 'expansion-phase') return `${x.expansion ? 'declare' : 'end'} the expansion phase`;
  if (x.kind === 'attestor-approval')
    return (
      <>
        approve attestor <code>{x.attestor?.attestor}</code> for {(x.attestor?.roles ?? []).join(', ')}
      </>
    );
  return flatten(x.patch).map(([path, v], i) => (
    <span key={path}>
      {i > 0 ? <br /> : null}
      <code>{path}</code>: {JSON.stringify(at(params, path))} → <b>{JSON.stringify(v)}</b>
    </span>
  ));
}

/** Proposals with their parameter change, simulated impact, votes and tally. */
export function GovernancePage() {
  return (
    <Loaded id="governance" load={() => Promise.all([api<{ proposals: Proposal[] }>('/v1/proposals'), api<Params>('/v1/params')])}>
      {([g, p]) => {
        const gov = p.params.governance;
        return (
          <>
            <h1>Governance</h1>
            <p class="muted">
              Stake-weighted yes / no / abstain / veto over {gov.votingEpochs} epochs; passes with a quorum of {pct(gov.quorum)} of the stake, more than{' '}
              {pct(gov.threshold)} yes, and less than {pct(gov.veto)} veto (a veto burns the deposit of{' '}
              {tokens(BigInt(Math.round(Number(gov.deposit))) * WAD, 0)} tokens). A change applies from the next epoch.
            </p>
            <h2>Proposals</h2>
            <Table
              headers={['proposal', 'change', 'simulated impact', 'status', 'votes', 'tally']}
              rows={g.proposals.map((x) => [
                <>
                  <b>{x.id}</b>
                  <br />
                  <span class="muted">{x.description}</span>
                </>,
                change(x, p.params),
                <ImpactCell i={x.impact} />,
                x.status,
                x.votes.length
                  ? x.votes.map((v, i) => (
                      <span key={i}>
                        {i > 0 ? ', ' : ''}
                        {v.option} <code>{v.voter.slice(0, 10)}…</code>
                      </span>
                    ))
                  : '—',
                x.tally
                  ? `yes ${tokens(x.tally.yes, 0)} · no ${tokens(x.tally.no, 0)} · abstain ${tokens(x.tally.abstain, 0)} · veto ${tokens(x.tally.veto, 0)} of ${tokens(x.tally.totalStaked, 0)} staked`
                  : `voting until the end of epoch ${x.votingEndsAfterEpoch}`,
              ])}
            />
            <p>
              <a href="#/params">Parameter history</a>
            </p>
          </>
        );
      }}
    </Loaded>
  );
}

/** The parameter set in force and every version before it. */
export function ParamsPage() {
  return (
    <Loaded
      id="params"
      load={() =>
        Promise.all([api<Params>('/v1/params'), api<{ versions: { hash: string; effectiveEpoch: number; createdAt: number }[] }>('/v1/params/history')])
      }
    >
      {([p, h]) => (
        <>
          <h1>Parameters</h1>
          <p>
            Version <code>{p.hash}</code>, in force from epoch {p.effectiveEpoch}.
          </p>
          <h2>History</h2>
          <Table
            headers={['version', 'from epoch', 'created']}
            rows={h.versions.map((v) => [<code>{v.hash.slice(0, 18)}…</code>, v.effectiveEpoch, when(v.createdAt)])}
          />
          <h2>Governance</h2>
          <p>
            Proposals, their votes and tallies are on the <a href="#/governance">governance page</a>; every change takes effect from the next epoch.
          </p>
          <h2>Current set</h2>
          <pre>{JSON.stringify(p.params, null, 2)}</pre>
        </>
      )}
    </Loaded>
  );
}
