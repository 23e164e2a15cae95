import type { ComponentChildren } from 'preact';
import { api, type Gpu } from '../api.ts';
import { pct, tokens, usd } from '../format.ts';
import { axis, Card, Chart, Loaded } from '../ui.tsx';

const FILTERS = ['status', 'region', 'model', 'owner', 'sanctioned'];

type Provider = {
  id: string;
  owner: string;
  region: string;
  status: string;
  hardware: { gpus: Gpu[] };
  reward: string | null;
  uptime: string | null;
  sanctions: number;
  reasons: string[];
};
type List = { epoch: number | null; sort: string; order: 'asc' | 'desc'; providers: Provider[]; next: number | null };
type Rewards = { claimable: string; claimed: string; unclaimed: string };
type PerDay = { rewardIncomeUsd: string; usageRevenueUsd: string; powerCostUsd: string; netUsd: string };
type Econ = { epoch: number; nodes: number; perDay: PerDay };
type History = { epochs: { epoch: number; perDay: PerDay }[] };
type Data = { list: List; rewards: Rewards | null; econ: Econ | null; history: History | null };

/**
 * The providers table (GET /v1/providers): sorted and filtered on the server, a page at a time.
 * The sort, order, filters and offset live in the address, so a view can be shared and the back
 * button works. With ?owner= it is that owner's page: its nodes rolled up, with its rewards
 * (claimed on chain and left to claim) and its economics.
 */
export function ProvidersPage({ params }: { params: URLSearchParams }) {
  const q = new URLSearchParams({ limit: '50' });
  for (const k of ['sort', 'order', 'offset', ...FILTERS]) {
    const v = params.get(k);
    if (v) q.set(k, v);
  }
  const owner = params.get('owner');
  return (
    <Loaded
      id={`providers-${params}`}
      load={async () => {
        const [list, rewards, econ, history] = await Promise.all([
          api<List>(`/v1/providers?${q}`),
          owner ? api<Rewards>(`/v1/rewards/${owner}`).catch(() => null) : null,
          owner ? api<Econ>(`/v1/economics/owners/${owner}`).catch(() => null) : null,
          owner ? api<History>(`/v1/economics/owners/${owner}/history?epochs=30`).catch(() => null) : null,
        ]);
        return { list, rewards, econ, history } as Data;
      }}
    >
      {(d) => <ProvidersView {...d} params={params} owner={owner} />}
    </Loaded>
  );
}

function ProvidersView({ list, rewards, econ, history, params, owner }: Data & { params: URLSearchParams; owner: string | null }) {
  const here = (changes: Record<string, string | number | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes))
      if (v === null || v === '') next.delete(k);
      else next.set(k, String(v));
    const str = next.toString();
    return `#/nodes${str ? `?${str}` : ''}`;
  };
  // a column header: its link sorts by it (descending first, then the other way); the <th> says how the table is sorted
  type Th = { label: ComponentChildren; sort?: 'ascending' | 'descending' | 'none' };
  const header = (label: string, key?: string): Th => {
    if (!key) return { label };
    const on = list.sort === key;
    const order = on && list.order === 'desc' ? 'asc' : 'desc';
    return {
      sort: on ? (list.order === 'desc' ? 'descending' : 'ascending') : 'none',
      label: (
        <a class="sort" href={here({ sort: key, order, offset: null })}>
          {label}
          {on ? (list.order === 'desc' ? ' ▼' : ' ▲') : ''}
        </a>
      ),
    };
  };
  const offset = Number(params.get('offset') ?? 0);
  const th = [
    header('node', 'id'),
    header('owner'),
    header('hardware'),
    header('region'),
    header('status'),
    header(`earned, epoch ${list.epoch ?? '–'}`, 'reward'),
    header('uptime', 'uptime'),
    header('sanctions', 'sanctions'),
    header('reasons'),
  ];
  const submit = (ev: Event) => {
    ev.preventDefault();
    const f = Object.fromEntries([...new FormData(ev.currentTarget as HTMLFormElement)].map(([k, v]) => [k, String(v).trim()]));
    location.hash = here({ ...f, offset: null });
  };
  const select = (name: string, options: string[], label: string) => (
    <label for={`pf-${name}`}>
      {label}
      <select id={`pf-${name}`} name={name}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} selected={params.get(name) === o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
  const text = (name: string, label: string, placeholder: string) => (
    <label for={`pf-${name}`}>
      {label}
      <input id={`pf-${name}`} name={name} defaultValue={params.get(name) ?? ''} placeholder={placeholder} />
    </label>
  );
  return (
    <>
      <h1>
        Providers
        {owner ? (
          <>
            {' '}
            of <code>{owner}</code>
          </>
        ) : null}
      </h1>
      {owner ? (
        <div class="cards" id="owner-rewards">
          {rewards ? (
            <>
              <Card label="rewards to date (cumulative)">{tokens(rewards.claimable)}</Card>
              <Card label="claimed on chain">{tokens(rewards.claimed)}</Card>
              <Card label="left to claim">{tokens(rewards.unclaimed)}</Card>
            </>
          ) : null}
          {econ ? (
            <>
              <Card label={`nodes with a statement, epoch ${econ.epoch}`}>{econ.nodes}</Card>
              <Card label="reward income per day">{usd(econ.perDay.rewardIncomeUsd)}</Card>
              <Card label="usage revenue per day">{usd(econ.perDay.usageRevenueUsd)}</Card>
              <Card label="net per day">{usd(econ.perDay.netUsd)}</Card>
            </>
          ) : null}
        </div>
      ) : null}
      {history ? (
        <>
          <h2>Economics per day, by epoch (SPEC §9, at the parameters' prices)</h2>
          <Chart
            id="ch-owner-economics"
            label="the owner's dollars per day by epoch"
            config={{
              type: 'line',
              data: {
                labels: history.epochs.map((e) => e.epoch),
                datasets: (
                  [
                    ['reward income', 'rewardIncomeUsd', '#1f6feb'],
                    ['usage revenue', 'usageRevenueUsd', '#1a7f37'],
                    ['power cost', 'powerCostUsd', '#cf222e'],
                    ['net', 'netUsd', '#24292f'],
                  ] as const
                ).map(([label, key, color]) => ({
                  label: `${label} ($/day)`,
                  data: history.epochs.map((e) => Number(e.perDay[key])),
                  borderColor: color,
                  backgroundColor: color,
                })),
              },
              options: { scales: { x: axis('epoch'), y: axis('dollars per day') } },
            }}
          />
        </>
      ) : null}
      <form id="provider-filters" class="whatif" onSubmit={submit}>
        {select('status', ['active', 'suspended', 'jailed', 'excluded'], 'status')}
        {text('region', 'region', 'e.g. eu-west')}
        {text('model', 'GPU model', 'e.g. H100')}
        {text('owner', 'owner', '0x…')}
        {select('sanctioned', ['true', 'false'], 'warned or slashed')}
        <button type="submit">Filter</button>
      </form>
      <div class="table-wrap">
        <table id="providers">
          <thead>
            <tr>
              {th.map((h, i) => (
                <th scope="col" key={i} aria-sort={h.sort}>
                  {h.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.providers.length === 0 ? (
              <tr>
                <td colSpan={th.length} class="muted">
                  no provider matches
                </td>
              </tr>
            ) : (
              list.providers.map((x) => (
                <tr key={x.id} data-id={x.id} data-reward={x.reward ?? ''} data-uptime={x.uptime ?? ''} data-sanctions={x.sanctions}>
                  <td>
                    <a href={`#/nodes/${encodeURIComponent(x.id)}`}>{x.id}</a>
                  </td>
                  <td>
                    <a href={`#/nodes?owner=${x.owner}`}>
                      <code>{x.owner.slice(0, 10)}…</code>
                    </a>
                  </td>
                  <td>{x.hardware.gpus.map((g) => `${g.count}× ${g.model}`).join(', ') || 'CPU'}</td>
                  <td>{x.region}</td>
                  <td>{x.status}</td>
                  <td class="num">{x.reward === null ? '–' : tokens(x.reward)}</td>
                  <td class="num">{x.uptime === null ? '–' : pct(x.uptime, 2)}</td>
                  <td class="num">{x.sanctions}</td>
                  <td>{x.reasons.join(', ')}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <div class="pager">
        {offset > 0 ? <a href={here({ offset: Math.max(0, offset - 50) || null })}>← previous</a> : null}
        {list.next !== null ? <a href={here({ offset: list.next })}>next →</a> : null}
      </div>
    </>
  );
}
