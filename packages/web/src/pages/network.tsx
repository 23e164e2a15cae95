import { useEffect, useState } from 'preact/hooks';
import { api, type EpochSummary, type Network, type Status } from '../api.ts';
import { count, pct, tokenNum, tokens } from '../format.ts';
import { axis, Card, Chart, Loaded, num, RoleBar, Table } from '../ui.tsx';
import { EpochTable } from './epochs.tsx';

type Data = { s: Status; n: Network; e: { epochs: EpochSummary[] } };

/** The network at a glance: the current epoch, the last close, emission, stake, GPUs, regions, utilisation. */
export function NetworkPage() {
  const [round, setRound] = useState(0); // a new round reloads: the countdown passed, an epoch closed
  return (
    <Loaded
      id={`network-${round}`}
      load={async () => {
        const [s, n, e] = await Promise.all([api<Status>('/v1/status'), api<Network>('/v1/network'), api<{ epochs: EpochSummary[] }>('/v1/epochs?limit=30')]);
        return { s, n, e } as Data;
      }}
    >
      {(d) => <NetworkView {...d} reload={() => setRound((r) => r + 1)} />}
    </Loaded>
  );
}

function Countdown({ at, onPassed }: { at: number; onPassed: () => void }) {
  const left = () => at - Math.floor(Date.now() / 1000);
  const [l, setL] = useState(left());
  useEffect(() => {
    const t = setInterval(() => {
      const v = left();
      setL(v);
      if (v < -1) onPassed();
    }, 1000);
    return () => clearInterval(t);
  }, [at]);
  return <span id="countdown">{Math.max(0, l)} s</span>;
}

function NetworkView({ s, n, e, reload }: Data & { reload: () => void }) {
  const last = e.epochs[0];
  const hist = [...e.epochs].reverse();
  const staked = hist.filter((x) => x.stakeRatio);
  return (
    <>
      <h1>Network</h1>
      <div class="cards">
        <Card label="current epoch">{s.currentEpoch}</Card>
        <Card label="next close in">
          <Countdown at={s.nextCloseAt} onPassed={reload} />
        </Card>
        <Card label="nodes">{count(s.nodes)}</Card>
        <Card label="GPUs">{count(n.gpus)}</Card>
        <Card label="stake ratio">{last ? pct(n.stakeRatio ?? 0) : '–'}</Card>
        <Card label="last epoch pool">{last ? tokens(last.epochPool) : '–'}</Card>
        <Card label="network utilisation">{last ? pct(last.networkUtilisation) : '–'}</Card>
        <Card label="receipts">{count(s.receipts)}</Card>
      </div>
      {last ? (
        <>
          <h2>Epoch {last.epoch}: role split</h2>
          <RoleBar pools={last.pools} />
        </>
      ) : (
        <p class="muted">No epoch has closed yet.</p>
      )}
      <h2>Emission and fees burned per epoch</h2>
      <Chart
        id="ch-emission"
        label="tokens emitted and fees burned per epoch"
        config={{
          data: {
            labels: hist.map((x) => x.epoch),
            datasets: [
              { type: 'bar', label: 'emitted (tokens)', data: hist.map((x) => tokenNum(x.epochPool)), backgroundColor: '#1f6feb', yAxisID: 'y', order: 1 },
              // drawn over the bars
              {
                type: 'line',
                label: 'fees burned (tokens)',
                order: 0,
                data: hist.map((x) => tokenNum(x.burned)),
                borderColor: '#cf222e',
                backgroundColor: '#cf222e',
                yAxisID: 'y1',
              },
            ],
          },
          options: {
            scales: {
              x: axis('epoch'),
              y: axis('emitted, tokens', { beginAtZero: true }),
              y1: axis('burned, tokens', { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } }),
            },
          },
        }}
      />
      <h2>Stake ratio and supply per epoch</h2>
      <Chart
        id="ch-stake"
        label="stake ratio and token supply per epoch"
        config={{
          type: 'line',
          data: {
            labels: staked.map((x) => x.epoch),
            datasets: [
              {
                label: 'stake ratio (%)',
                data: staked.map((x) => Number(x.stakeRatio) * 100),
                borderColor: '#1a7f37',
                backgroundColor: '#1a7f37',
                yAxisID: 'y',
              },
              {
                label: 'supply (tokens)',
                data: staked.map((x) => tokenNum(x.supply ?? '0')),
                borderColor: '#8250df',
                backgroundColor: '#8250df',
                yAxisID: 'y1',
              },
            ],
          },
          options: {
            scales: {
              x: axis('epoch'),
              y: axis('staked, % of supply', { beginAtZero: true }),
              y1: axis('supply, tokens', { position: 'right', grid: { drawOnChartArea: false } }),
            },
          },
        }}
      />
      <h2>GPUs by model</h2>
      <Chart
        id="ch-models"
        label="GPUs by model"
        config={{
          type: 'bar',
          data: { labels: n.models.map((m) => m.model), datasets: [{ label: 'GPUs', data: n.models.map((m) => m.gpus), backgroundColor: '#1f6feb' }] },
          options: { scales: { x: axis('GPU model'), y: axis('GPUs', { beginAtZero: true }) } },
        }}
      />
      <details>
        <summary>as a table</summary>
        <Table headers={['model', 'GPUs', 'nodes']} rows={n.models.map((m) => [m.model, num(count(m.gpus)), num(count(m.nodes))])} />
      </details>
      <h2>Nodes by region</h2>
      <Chart
        id="ch-regions"
        label="nodes by region"
        config={{
          type: 'bar',
          data: { labels: n.regions.map((r) => r.region), datasets: [{ label: 'nodes', data: n.regions.map((r) => r.nodes), backgroundColor: '#0a7ea4' }] },
          options: { scales: { x: axis('region'), y: axis('nodes', { beginAtZero: true }) } },
        }}
      />
      <details>
        <summary>as a table</summary>
        <Table headers={['region', 'nodes']} rows={n.regions.map((r) => [r.region, num(count(r.nodes))])} />
      </details>
      {last?.classes?.length ? (
        <>
          <h2>Utilisation by hardware class, epoch {last.epoch}</h2>
          <Chart
            id="ch-classes"
            label="utilisation by hardware class"
            config={{
              type: 'bar',
              data: {
                labels: last.classes.map((c) => c.hardwareClass),
                datasets: [
                  {
                    label: 'delivered ÷ provisioned GPU-seconds (%)',
                    data: last.classes.map((c) => (c.provisioned === '0' ? 0 : Number((BigInt(c.delivered) * 10000n) / BigInt(c.provisioned)) / 100)),
                    backgroundColor: '#bf8700',
                  },
                ],
              },
              options: { scales: { x: axis('hardware class'), y: axis('utilisation, %', { beginAtZero: true }) } },
            }}
          />
        </>
      ) : null}
      <h2>Recent epochs</h2>
      <EpochTable list={e.epochs.slice(0, 10)} />
    </>
  );
}
