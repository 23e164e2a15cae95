import { api, type EpochSummary, type Statement } from '../api.ts';
import { count, fx, pct, tokens, when } from '../format.ts';
import { Card, Loaded, num, RoleBar, Table } from '../ui.tsx';

export function EpochTable({ list }: { list: EpochSummary[] }) {
  return (
    <Table
      headers={['epoch', 'closed', 'pool', 'earned', 'payees', 'fees', 'to treasury']}
      rows={list.map((x) => [
        <a href={`#/epochs/${x.epoch}`}>{x.epoch}</a>,
        when(x.closedAt),
        num(tokens(x.epochPool)),
        `${x.earning}/${x.nodes}`,
        num(count(x.payees)),
        num(tokens(x.fees)),
        num(tokens(x.treasury)),
      ])}
    />
  );
}

/** Closed epochs, newest first, 25 a page. */
export function EpochsPage({ params }: { params: URLSearchParams }) {
  const before = params.get('before');
  return (
    <Loaded id={`epochs-${before}`} load={() => api<{ epochs: EpochSummary[] }>(`/v1/epochs?limit=25${before ? `&before=${before}` : ''}`)}>
      {(e) => {
        const oldest = e.epochs[e.epochs.length - 1];
        return (
          <>
            <h1>Epochs</h1>
            <EpochTable list={e.epochs} />
            <div class="pager">
              {before ? <a href="#/epochs">newest</a> : null}
              {e.epochs.length === 25 && oldest ? <a href={`#/epochs?before=${oldest.epoch}`}>older →</a> : null}
            </div>
          </>
        );
      }}
    </Loaded>
  );
}

type Manifest = { body: { root: string; operator: string } };
type EpochData = { e: { summary: EpochSummary }; m: Manifest | null; st: { statements: Statement[]; next: string | null } };

/** One closed epoch: its pools, its settlement and its statements, 50 a page. */
export function EpochPage({ n, params }: { n: number; params: URLSearchParams }) {
  const after = params.get('after');
  return (
    <Loaded
      id={`epoch-${n}-${after}`}
      load={async () => {
        const [e, m, st] = await Promise.all([
          api<EpochData['e']>(`/v1/epochs/${n}?result=false`), // the summary: the whole result is every payout
          api<Manifest>(`/v1/epochs/${n}/manifest`).catch(() => null),
          api<EpochData['st']>(`/v1/epochs/${n}/statements?limit=50${after ? `&after=${encodeURIComponent(after)}` : ''}`),
        ]);
        return { e, m, st } as EpochData;
      }}
    >
      {({ e, m, st }) => {
        const s = e.summary;
        return (
          <>
            <h1>Epoch {n}</h1>
            <div class="cards">
              <Card label="pool">{tokens(s.epochPool)}</Card>
              <Card label="dynamic factor">{s.dynamicFactor}</Card>
              <Card label="nodes earning">
                {s.earning}/{s.nodes}
              </Card>
              <Card label="payees">{s.payees}</Card>
              <Card label="fees">{tokens(s.fees)}</Card>
              <Card label="burned">{tokens(s.burned, 4)}</Card>
            </div>
            <h2>Pools</h2>
            <RoleBar pools={s.pools} />
            <Table
              headers={['pool', 'allocated', 'paid', 'to treasury']}
              rows={Object.entries(s.pools).map(([k, p]) => [k, num(tokens(p.allocated)), num(tokens(p.paid)), num(tokens(p.toTreasury))])}
            />
            <h2>Settlement</h2>
            {m ? (
              <p>
                Root <code>{m.body.root}</code>
                <br />
                signed by <code>{m.body.operator}</code>; parameters <code>{s.paramsHash.slice(0, 18)}…</code>, input <code>{s.inputHash.slice(0, 18)}…</code>
              </p>
            ) : null}
            <p>
              <a href={`/v1/epochs/${n}/input`} download={`epoch-${n}-input.json`}>
                Download the epoch input
              </a>{' '}
              (replay with <code>swarm rewards</code>, check with <code>swarm verify</code>) ·{' '}
              <a href={`/v1/epochs/${n}/manifest`} download={`epoch-${n}-manifest.json`}>
                manifest
              </a>{' '}
              ·{' '}
              <a href={`/v1/epochs/${n}/tree`} download={`epoch-${n}-tree.json`}>
                tree
              </a>
            </p>
            <h2>Statements</h2>
            <Table
              headers={['node', 'class', 'uptime', 'Q', 'V', 'L', 'B', 'reward', 'reasons']}
              rows={st.statements.map((x) => [
                <a href={`#/nodes/${encodeURIComponent(x.id)}`}>{x.id}</a>,
                x.hardwareClass,
                pct(x.uptime, 2),
                fx(x.quality.total),
                fx(x.valuation.total),
                fx(x.commitment),
                fx(x.bonuses.total),
                num(tokens(x.reward)),
                x.reasons.join(', '),
              ])}
            />
            <div class="pager">
              {after ? <a href={`#/epochs/${n}`}>first page</a> : null}
              {st.next ? <a href={`#/epochs/${n}?after=${encodeURIComponent(st.next)}`}>next →</a> : null}
            </div>
          </>
        );
      }}
    </Loaded>
  );
}
