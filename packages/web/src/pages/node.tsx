import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type Node, type Params, post, type Slash, type Statement } from '../api.ts';
import { count, fx, pct, tokenNum, tokens, usd, wadNum, when } from '../format.ts';
import { axis, Chart, Loaded, num, Table } from '../ui.tsx';

type Data = { n: Node; sl: { slashes: (Slash & { onChain?: { status: string } | null })[] }; p: Params };

/** A provider's node: its latest statement from inputs to tokens, the what-if, economics, charts, bonds, sanctions. */
export function NodePage({ id }: { id: string }) {
  return (
    <Loaded
      id={`node-${id}`}
      load={async () => {
        const [n, sl, p] = await Promise.all([
          api<Node>(`/v1/nodes/${encodeURIComponent(id)}`),
          api<Data['sl']>(`/v1/slashes?node=${encodeURIComponent(id)}`),
          api<Params>('/v1/params'),
        ]);
        return { n, sl, p } as Data;
      }}
    >
      {(d) => <NodeView {...d} />}
    </Loaded>
  );
}

function statementRows(s: Statement): ComponentChildren[][] {
  const q = s.quality;
  const b = s.bonuses;
  return [
    [
      'Contribution C',
      `${count(s.contribution)} CU·s`,
      `${s.computeUnits} CU × ${s.upSeconds} s up (SPEC §4.4: capacity, not use); ${s.countedGpus}/${s.gpus} GPUs counted`,
    ],
    ['Quality Q', fx(q.total), `0.3·uptime ${fx(q.uptime)} + 0.3·errors ${fx(q.errors)} + 0.2·response ${fx(q.response)} + 0.2·rating ${fx(q.rating)}`],
    ['Valuation V', fx(s.valuation.total), `scarcity of ${s.hardwareClass} ${fx(s.valuation.scarcity)} × geography ${fx(s.valuation.geo)}`],
    ['Commitment L', fx(s.commitment), 'lock multiplier'],
    [
      'Bonuses B',
      fx(b.total),
      `quality ${fx(b.quality)}, new ${fx(b.newNode)}, region ${fx(b.underServed)}, innovation ${fx(b.innovation)}, energy ${fx(b.energy)}`,
    ],
    ['Score S', count(s.score), `C·Q·V·L·(1+B) = ${count(s.rawScore)}, probation share ${fx(s.probationShare)}`],
    ['Bond', tokens(s.bond), `minimum ${tokens(s.minBond)}; staking reward ${tokens(s.bondReward)}`],
    ['Capacity reward', tokens(s.capacityReward), 'this node’s share of the compute pool by its score'],
    ['Usage reward', tokens(s.usageReward), `by the protocol fee its receipts paid (${tokens(s.fee)}), at most κ × that fee`],
    [
      'Vesting',
      <>
        <span id="vesting-unvested">{tokens(s.unvested)}</span> unvested
      </>,
      <>
        locked this epoch <span id="vesting-locked">{tokens(s.locked)}</span>, vested {tokens(s.vested)}, forfeited {tokens(s.forfeited)} — a share of each
        compute reward vests over the next epochs before it can be claimed, and a failed verification forfeits what is unvested (SPEC §6.1)
      </>,
    ],
  ];
}

function escrow(x: Data['sl']['slashes'][number]): string {
  const r = x.resolution;
  const where =
    x.status === 'escrowed'
      ? `in escrow until epoch ${x.releaseEpoch} (appeal window)`
      : x.status === 'released' && r
        ? `released at ${x.resolvedEpoch}: ${tokens(r.compensation.reduce((a, c) => a + BigInt(c.amount), 0n))} to ${r.compensation.length} consumer(s), ${tokens(r.burned)} burned${r.toTreasury !== '0' ? `, ${tokens(r.toTreasury)} to the treasury` : ''}`
        : x.status === 'reversed' && r
          ? `reversed by ${r.proposal} at epoch ${x.resolvedEpoch}`
          : '—';
  return x.onChain ? `${where} · on chain: ${x.onChain.status}` : where;
}

function NodeView({ n, sl, p }: Data) {
  const target = Number(p.params.compute.sla[n.slaClass]?.availability ?? 1);
  const latest = n.recent[0];
  const s = latest?.statement;
  const hist = [...n.recent].reverse();
  const gpus = n.hardware.gpus.reduce((a, g) => a + g.count, 0);
  return (
    <>
      <h1>Node {n.id}</h1>
      <p class="muted">
        owner{' '}
        <a href={`#/nodes?owner=${n.owner}`}>
          <code>{n.owner}</code>
        </a>{' '}
        · {n.providerClass} · SLA {n.slaClass} · {n.region} · {n.hardware.gpus.map((g) => `${g.count}× ${g.model}`).join(', ') || 'CPU only'} · status{' '}
        <b id="node-status">{n.status}</b>
        {n.probationStage > 0 ? ` (probation stage ${n.probationStage})` : ''} ·{' '}
        <span id="node-onboarded">{n.onboarded ? 'onboarded' : 'awaiting a validator’s onboarding check'}</span> · registered {when(n.registeredAt)}
      </p>
      {s && latest ? (
        <>
          <h2>
            Statement, epoch {latest.epoch}: <span id="reward">{tokens(s.reward, 6)}</span> tokens
          </h2>
          <Table headers={['factor', 'value', 'from']} rows={statementRows(s)} />
          <Explained epoch={latest.epoch} id={n.id} />
          <WhatIf epoch={latest.epoch} id={n.id} uptime={s.uptime} />
          <Economics epoch={latest.epoch} id={n.id} hardwareCost={gpus * 2000} />
        </>
      ) : (
        <p class="muted">No closed epoch has a statement for this node yet.</p>
      )}
      <h2>Earnings per epoch</h2>
      <Chart
        id="ch-earnings"
        label="compute reward per epoch"
        config={{
          type: 'bar',
          data: {
            labels: hist.map((h) => h.epoch),
            datasets: [{ label: 'compute reward (tokens)', data: hist.map((h) => tokenNum(h.reward)), backgroundColor: '#1f6feb' }],
          },
          options: { scales: { x: axis('epoch'), y: axis('reward, tokens', { beginAtZero: true }) } },
        }}
      />
      <h2>Uptime per epoch, against the SLA target</h2>
      <Chart
        id="ch-uptime"
        label="uptime per epoch against the SLA target"
        config={{
          type: 'line',
          data: {
            labels: hist.map((h) => h.epoch),
            datasets: [
              { label: 'uptime (%)', data: hist.map((h) => Number(h.statement.uptime) * 100), borderColor: '#1a7f37', backgroundColor: '#1a7f37' },
              { label: `SLA ${n.slaClass} target (%)`, data: hist.map(() => target * 100), borderColor: '#cf222e', borderDash: [6, 4], pointRadius: 0 },
            ],
          },
          // not from 0: 96.7 % and 100 % must look apart
          options: {
            scales: {
              x: axis('epoch'),
              y: axis('uptime, %', { suggestedMin: Math.min(target * 100, ...hist.map((h) => Number(h.statement.uptime) * 100)) - 1, suggestedMax: 100 }),
            },
          },
        }}
      />
      <h2>Bonds</h2>
      <Table
        headers={['bond', 'amount', 'from epoch', 'held by']}
        rows={n.bonds.map((b) => [b.id, num(tokens(b.amount)), b.effectiveEpoch, b.source ?? 'wallet'])}
      />
      <h2>Warnings and slashes</h2>
      {sl.slashes.length === 0 ? (
        <p class="muted" id="slashes">
          No violation on record.
        </p>
      ) : (
        <div id="slashes">
          <Table
            headers={['epoch', 'violation', 'penalty', 'amount', 'evidence', 'escrow']}
            rows={sl.slashes.map((x) => [
              x.epoch,
              `${x.kind}${x.faultEpoch !== x.epoch ? ` (in epoch ${x.faultEpoch})` : ''}`,
              `${x.action} — ${x.note}`,
              num(tokens(x.amount)),
              x.evidence.map((e, i) => (
                <span key={i}>
                  {i > 0 ? <br /> : null}
                  <code>{e.length > 40 ? `${e.slice(0, 40)}…` : e}</code>
                </span>
              )),
              escrow(x),
            ])}
          />
        </div>
      )}
    </>
  );
}

type Explanation = {
  capacity: { pool: string; score: string; scoreTotal: string; share: string; reward: string; remainderUnit: boolean };
  usage: { pool: string; fee: string; feeTotal: string; reward: string };
  referral: string;
  reward: string;
  quality: { name: string; weight: string; value: string; observed: string; target: string }[];
  reasons: { code: string; words: string; numbers: { label: string; value: string }[] }[];
};

/**
 * The statement from score to tokens (GET …/statements/{id}/explained): the compute pool, the
 * node's score against the network's total, the share, the tokens; each quality factor beside its
 * target; each reason code in words with the numbers that triggered it.
 */
function Explained({ epoch, id }: { epoch: number; id: string }) {
  const [state, setState] = useState<{ e?: Explanation; error?: string }>({});
  useEffect(() => {
    api<{ explanation: Explanation }>(`/v1/epochs/${epoch}/statements/${encodeURIComponent(id)}/explained`).then(
      (r) => setState({ e: r.explanation }),
      (err: Error) => setState({ error: err.message }),
    );
  }, [epoch, id]);
  const { e, error } = state;
  if (!e)
    return (
      <div id="explained">
        <p class="muted">{error ?? 'Explaining…'}</p>
      </div>
    );
  const c = e.capacity;
  const u = e.usage;
  return (
    <div id="explained">
      <h2>From score to tokens</h2>
      <table
        id="shares"
        data-pool={c.pool}
        data-score={c.score}
        data-score-total={c.scoreTotal}
        data-capacity={c.reward}
        data-remainder={String(c.remainderUnit)}
        data-usage-pool={u.pool}
        data-fee={u.fee}
        data-fee-total={u.feeTotal}
        data-usage={u.reward}
        data-referral={e.referral}
        data-reward={e.reward}
      >
        <thead>
          <tr>
            <th scope="col">step</th>
            <th scope="col" class="num">
              value
            </th>
            <th scope="col">how</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>capacity part of the compute pool</td>
            <td class="num">{tokens(c.pool, 6)}</td>
            <td>the compute pool less its usage part (SPEC §4.4)</td>
          </tr>
          <tr>
            <td>this node's score S</td>
            <td class="num">{wadNum(c.score).toLocaleString('en')}</td>
            <td>C·Q·V·L·(1+B), capped, × probation share (above)</td>
          </tr>
          <tr>
            <td>the network's total score Σ S</td>
            <td class="num">{wadNum(c.scoreTotal).toLocaleString('en')}</td>
            <td>every eligible node's score this epoch</td>
          </tr>
          <tr>
            <td>share S / Σ S</td>
            <td class="num">{pct(c.share, 4)}</td>
            <td />
          </tr>
          <tr>
            <td>capacity reward</td>
            <td class="num" id="capacity-reward">
              {tokens(c.reward, 6)}
            </td>
            <td>pool × share, floored{c.remainderUnit ? ', plus one base unit of the largest remainder' : ''}</td>
          </tr>
          <tr>
            <td>usage reward</td>
            <td class="num">{tokens(u.reward, 6)}</td>
            <td>
              usage pool {tokens(u.pool, 6)} × this node's fee {tokens(u.fee, 6)} / all fees {tokens(u.feeTotal, 6)}
            </td>
          </tr>
          {e.referral !== '0' ? (
            <tr>
              <td>to the referrer</td>
              <td class="num">−{tokens(e.referral, 6)}</td>
              <td>SPEC §4.5</td>
            </tr>
          ) : null}
          <tr>
            <td>
              <b>reward</b>
            </td>
            <td class="num">
              <b>{tokens(e.reward, 6)}</b>
            </td>
            <td>capacity + usage − referral</td>
          </tr>
        </tbody>
      </table>
      <h2>Quality against its targets</h2>
      <Table
        headers={['factor', 'weight', 'value', 'this node', 'target']}
        rows={e.quality.map((q) => [q.name, q.weight, fx(q.value), q.observed, q.target])}
      />
      {e.reasons.length ? (
        <>
          <h2>Why</h2>
          <ul id="reasons" class="reasons">
            {e.reasons.map((r) => (
              <li class="reason" data-code={r.code} key={r.code}>
                <b>{r.code}</b> — {r.words}
                {r.numbers.length ? (
                  <>
                    <br />
                    <span class="muted">
                      {r.numbers.map((x, i) => (
                        <span key={i}>
                          {i > 0 ? ' · ' : ''}
                          {x.label}: <b>{x.value}</b>
                        </span>
                      ))}
                    </span>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="muted">No reductions: every factor at its best for this node.</p>
      )}
    </div>
  );
}

type WhatIfAnswer = { before: Statement; after: Statement };

/** "What if my uptime, rating, commitment or GPUs were…": the statement recomputed by the service. */
function WhatIf({ epoch, id, uptime }: { epoch: number; id: string; uptime: string }) {
  const [out, setOut] = useState<{ r?: WhatIfAnswer; message?: string }>({});
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const set: Record<string, string> = {};
    for (const [k, v] of new FormData(ev.currentTarget as HTMLFormElement))
      if (String(v).trim() !== '' && !(k === 'uptime' && v === uptime)) set[k] = String(v).trim();
    if (Object.keys(set).length === 0) return setOut({ message: 'Change a value first.' });
    try {
      setOut({ r: await post<WhatIfAnswer>(`/v1/epochs/${epoch}/whatif`, { nodeId: id, set }) });
    } catch (e) {
      setOut({ message: (e as Error).message });
    }
  };
  const r = out.r;
  const d = r ? BigInt(r.after.reward) - BigInt(r.before.reward) : 0n;
  return (
    <>
      <h2>What if</h2>
      <form id="whatif" class="whatif" onSubmit={submit}>
        <label for="wi-uptime">
          uptime (0–1)
          <input id="wi-uptime" name="uptime" inputMode="decimal" defaultValue={uptime} />
        </label>
        <label for="wi-rating">
          mean rating (1–5)
          <input id="wi-rating" name="rating" inputMode="decimal" placeholder="unchanged" />
        </label>
        <label for="wi-commitment">
          commitment (days)
          <input id="wi-commitment" name="commitment" inputMode="numeric" placeholder="unchanged" />
        </label>
        <label for="wi-gpus">
          GPUs of the first model
          <input id="wi-gpus" name="gpus" inputMode="numeric" placeholder="unchanged" />
        </label>
        <button type="submit">Recompute</button>
      </form>
      <p id="whatif-out" aria-live="polite" data-before={r?.before.reward} data-after={r?.after.reward}>
        {r ? (
          <>
            Reward {tokens(r.before.reward, 6)} → <b id="whatif-after">{tokens(r.after.reward, 6)}</b>{' '}
            <span class={d >= 0n ? 'up' : 'down'}>
              ({d >= 0n ? '+' : ''}
              {tokens(d, 6)})
            </span>
            ; Q {fx(r.before.quality.total)} → {fx(r.after.quality.total)}
            {r.after.reasons.length ? `; reasons: ${r.after.reasons.join(', ')}` : ''}
          </>
        ) : (
          out.message
        )}
      </p>
    </>
  );
}

type EconAnswer = {
  perEpoch: Record<'usageRevenueUsd' | 'rewardIncomeUsd' | 'powerCostUsd' | 'netUsd', string>;
  perDay: Record<'usageRevenueUsd' | 'rewardIncomeUsd' | 'powerCostUsd' | 'netUsd', string>;
  assumptions: { usageUsdPerGpuHour: string; powerUsdPerGpuHour: string };
  margin: string | null;
  annualRoi: string | null;
  targets: { margin: string; annualRoi: string };
};

/** The economics from the API, exact (SPEC §9): per epoch, per day from the real epoch length, the annual ROI. */
function Economics({ epoch, id, hardwareCost }: { epoch: number; id: string; hardwareCost: number }) {
  const [out, setOut] = useState<{ e?: EconAnswer; message?: string }>({});
  const compute = async (form: HTMLFormElement) => {
    const v = (name: string) => encodeURIComponent(String(new FormData(form).get(name) ?? '').trim());
    try {
      const e = await api<EconAnswer>(
        `/v1/economics/nodes/${encodeURIComponent(id)}?epoch=${epoch}&tokenPrice=${v('tokenPrice')}&powerRate=${v('powerRate')}&usageRate=${v('usageRate')}&hardwareCost=${v('hardwareCost')}`,
      );
      setOut({ e });
    } catch (err) {
      setOut({ message: (err as Error).message });
    }
  };
  useEffect(() => {
    const form = document.getElementById('econ') as HTMLFormElement | null;
    if (form) void compute(form);
  }, [epoch, id]);
  const e = out.e;
  return (
    <>
      <h2>Economics (per epoch, SPEC §9)</h2>
      <form
        id="econ"
        class="whatif"
        onSubmit={(ev) => {
          ev.preventDefault();
          void compute(ev.currentTarget);
        }}
      >
        <label for="ec-price">
          token price, $<input id="ec-price" name="tokenPrice" defaultValue="0.10" inputMode="decimal" />
        </label>
        <label for="ec-power">
          power cost, $/GPU-h
          <input id="ec-power" name="powerRate" defaultValue="0.05" inputMode="decimal" />
        </label>
        <label for="ec-rate">
          usage rate, $/GPU-h
          <input id="ec-rate" name="usageRate" defaultValue="0.30" inputMode="decimal" />
        </label>
        <label for="ec-hw">
          hardware cost, $<input id="ec-hw" name="hardwareCost" defaultValue={String(hardwareCost)} inputMode="decimal" />
        </label>
        <button type="submit">Compute</button>
      </form>
      <div id="econ-out">
        {e ? (
          <Table
            headers={['', 'per epoch', 'per day', 'target']}
            rows={[
              ['usage revenue', usd(e.perEpoch.usageRevenueUsd), usd(e.perDay.usageRevenueUsd), `$${e.assumptions.usageUsdPerGpuHour}/GPU-h`],
              ['reward income', usd(e.perEpoch.rewardIncomeUsd), usd(e.perDay.rewardIncomeUsd), ''],
              ['power cost', usd(e.perEpoch.powerCostUsd), usd(e.perDay.powerCostUsd), `$${e.assumptions.powerUsdPerGpuHour}/GPU-h`],
              ['net', usd(e.perEpoch.netUsd), usd(e.perDay.netUsd), ''],
              ['net margin', e.margin === null ? '—' : pct(e.margin), '', pct(e.targets.margin)],
              ['annual ROI on hardware', e.annualRoi === null ? '—' : pct(e.annualRoi), '', pct(e.targets.annualRoi)],
            ]}
          />
        ) : (
          out.message
        )}
      </div>
    </>
  );
}
