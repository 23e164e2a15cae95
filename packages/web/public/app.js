// Swarm Rewards dashboard: plain ES modules, every number fetched from the API.
const app = document.getElementById('app');
const WAD = 10n ** 18n;

const api = async (path, init) => {
  const r = await fetch(path, init);
  const body = await r.json();
  if (!r.ok) throw new Error(`${body.code ?? r.status}: ${body.message ?? r.statusText}`);
  return body;
};
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
/** Base units → tokens with `d` decimals and thousands separators (exact: BigInt). */
export const tokens = (units, d = 2) => {
  const v = BigInt(units);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = (a / WAD).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (a % WAD).toString().padStart(18, '0').slice(0, d);
  return `${neg ? '−' : ''}${whole}${d ? `.${frac}` : ''}`;
};
const pct = (x, d = 1) => `${(Number(x) * 100).toFixed(d)} %`;
const fx = (x) => Number(x).toFixed(3);
const when = (t) => new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19);
const card = (label, value) => `<div class="card"><div class="label">${esc(label)}</div><div class="value">${value}</div></div>`;
let timer;

/** Tokens as a number for a chart's axis (display only: every exact figure is in the tables). */
const tokenNum = (units) => Number(BigInt(units) / 10n ** 12n) / 1e6;
const charts = [];
const pending = [];
/**
 * A chart (Chart.js, from npm, served by the service): a canvas with its label, drawn once the
 * page's HTML is in place. Every chart has titled axes with units, and tooltips.
 */
function chart(id, label, config) {
  pending.push([id, config]);
  return `<figure class="chart"><div class="chart-box"><canvas id="${id}" role="img" aria-label="${esc(label)}"></canvas></div></figure>`;
}
function drawCharts() {
  for (const [id, config] of pending.splice(0)) {
    const canvas = document.getElementById(id);
    if (!canvas || !window.Chart) continue;
    charts.push(
      new window.Chart(canvas, {
        ...config,
        options: { animation: false, responsive: true, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false }, ...config.options },
      }),
    );
  }
}
const axis = (text, extra = {}) => ({ title: { display: true, text }, ...extra });

const ROLE_COLORS = {
  compute: '#1f6feb',
  validators: '#8250df',
  stakers: '#1a7f37',
  model: '#bf8700',
  developer: '#cf222e',
  community: '#0a7ea4',
  liquidity: '#6e7781',
};
function roleBar(pools) {
  const total = Object.values(pools).reduce((a, p) => a + BigInt(p.allocated), 0n) || 1n;
  const spans = Object.entries(pools)
    .map(
      ([role, p]) =>
        `<span style="width:${Number((BigInt(p.allocated) * 10000n) / total) / 100}%;background:${ROLE_COLORS[role]}" title="${role}: ${tokens(p.allocated)}"></span>`,
    )
    .join('');
  const legend = Object.entries(pools)
    .map(
      ([role, p]) =>
        `<span style="color:${ROLE_COLORS[role]}">■</span> ${role} ${tokens(p.allocated)}${p.toTreasury !== '0' ? ` <span class="muted">(→ treasury)</span>` : ''}`,
    )
    .join(' · ');
  return `<div class="bar" role="img" aria-label="role split">${spans}</div><div class="muted">${legend}</div>`;
}

async function network() {
  const [s, n, e] = await Promise.all([api('/v1/status'), api('/v1/network'), api('/v1/epochs?limit=30')]);
  const last = e.epochs[0];
  const left = Math.max(0, s.nextCloseAt - Math.floor(Date.now() / 1000));
  const hist = [...e.epochs].reverse();
  app.innerHTML = `<h1>Network</h1>
    <div class="cards">
      ${card('current epoch', s.currentEpoch)}
      ${card('next close in', `<span id="countdown" data-at="${s.nextCloseAt}">${left} s</span>`)}
      ${card('nodes', s.nodes.toLocaleString('en'))}
      ${card('GPUs', n.gpus.toLocaleString('en'))}
      ${card('stake ratio', last ? pct(n.stakeRatio ?? 0) : '–')}
      ${card('last epoch pool', last ? tokens(last.epochPool) : '–')}
      ${card('network utilisation', last ? pct(last.networkUtilisation) : '–')}
      ${card('receipts', s.receipts.toLocaleString('en'))}
    </div>
    ${last ? `<h2>Epoch ${last.epoch}: role split</h2>${roleBar(last.pools)}` : '<p class="muted">No epoch has closed yet.</p>'}
    <h2>Emission and fees burned per epoch</h2>
    ${chart('ch-emission', 'tokens emitted and fees burned per epoch', {
      data: {
        labels: hist.map((x) => x.epoch),
        datasets: [
          { type: 'bar', label: 'emitted (tokens)', data: hist.map((x) => tokenNum(x.epochPool)), backgroundColor: '#1f6feb', yAxisID: 'y', order: 1 },
          {
            type: 'line',
            label: 'fees burned (tokens)',
            order: 0, // drawn over the bars
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
    })}
    <h2>Stake ratio and supply per epoch</h2>
    ${chart('ch-stake', 'stake ratio and token supply per epoch', {
      type: 'line',
      data: {
        labels: hist.filter((x) => x.stakeRatio).map((x) => x.epoch),
        datasets: [
          {
            label: 'stake ratio (%)',
            data: hist.filter((x) => x.stakeRatio).map((x) => Number(x.stakeRatio) * 100),
            borderColor: '#1a7f37',
            backgroundColor: '#1a7f37',
            yAxisID: 'y',
          },
          {
            label: 'supply (tokens)',
            data: hist.filter((x) => x.stakeRatio).map((x) => tokenNum(x.supply)),
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
    })}
    <h2>GPUs by model</h2>
    ${chart('ch-models', 'GPUs by model', {
      type: 'bar',
      data: { labels: n.models.map((m) => m.model), datasets: [{ label: 'GPUs', data: n.models.map((m) => m.gpus), backgroundColor: '#1f6feb' }] },
      options: { scales: { x: axis('GPU model'), y: axis('GPUs', { beginAtZero: true }) } },
    })}
    <details><summary>as a table</summary>${table(
      ['model', 'GPUs', 'nodes'],
      n.models.map((m) => [esc(m.model), num(m.gpus), num(m.nodes)]),
    )}</details>
    <h2>Nodes by region</h2>
    ${chart('ch-regions', 'nodes by region', {
      type: 'bar',
      data: { labels: n.regions.map((r) => r.region), datasets: [{ label: 'nodes', data: n.regions.map((r) => r.nodes), backgroundColor: '#0a7ea4' }] },
      options: { scales: { x: axis('region'), y: axis('nodes', { beginAtZero: true }) } },
    })}
    <details><summary>as a table</summary>${table(
      ['region', 'nodes'],
      n.regions.map((r) => [esc(r.region), num(r.nodes)]),
    )}</details>
    ${
      last?.classes?.length
        ? `<h2>Utilisation by hardware class, epoch ${last.epoch}</h2>
    ${chart('ch-classes', 'utilisation by hardware class', {
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
    })}`
        : ''
    }
    <h2>Recent epochs</h2>${epochTable(e.epochs.slice(0, 10))}`;
  timer = setInterval(() => {
    const c = document.getElementById('countdown');
    if (!c) return;
    const l = Number(c.dataset.at) - Math.floor(Date.now() / 1000);
    c.textContent = `${Math.max(0, l)} s`;
    if (l < -1) route();
  }, 1000);
}

const num = (v) => ({ num: true, html: Number(v).toLocaleString('en') });
function table(headers, rows) {
  const th = headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => (c && typeof c === 'object' ? `<td class="num">${c.html}</td>` : `<td>${c}</td>`)).join('')}</tr>`).join('');
  return `<div class="table-wrap"><table><thead><tr>${th}</tr></thead><tbody>${body || `<tr><td colspan="${headers.length}" class="muted">none</td></tr>`}</tbody></table></div>`;
}
const tok = (v) => ({ num: true, html: tokens(v) });

function epochTable(list) {
  return table(
    ['epoch', 'closed', 'pool', 'earned', 'payees', 'fees', 'to treasury'],
    list.map((x) => [
      `<a href="#/epochs/${x.epoch}">${x.epoch}</a>`,
      when(x.closedAt),
      tok(x.epochPool),
      `${x.earning}/${x.nodes}`,
      num(x.payees),
      tok(x.fees),
      tok(x.treasury),
    ]),
  );
}

async function epochs(params) {
  const before = params.get('before');
  const e = await api(`/v1/epochs?limit=25${before ? `&before=${before}` : ''}`);
  const oldest = e.epochs[e.epochs.length - 1];
  app.innerHTML = `<h1>Epochs</h1>${epochTable(e.epochs)}
    <div class="pager">${before ? '<a href="#/epochs">newest</a>' : ''}${e.epochs.length === 25 && oldest ? `<a href="#/epochs?before=${oldest.epoch}">older →</a>` : ''}</div>`;
}

async function epoch(n, params) {
  const after = params.get('after');
  const [e, m, st] = await Promise.all([
    api(`/v1/epochs/${n}?result=false`), // the summary: the whole result is every payout
    api(`/v1/epochs/${n}/manifest`).catch(() => null),
    api(`/v1/epochs/${n}/statements?limit=50${after ? `&after=${encodeURIComponent(after)}` : ''}`),
  ]);
  const s = e.summary;
  app.innerHTML = `<h1>Epoch ${n}</h1>
    <div class="cards">${card('pool', tokens(s.epochPool))}${card('dynamic factor', s.dynamicFactor)}${card('nodes earning', `${s.earning}/${s.nodes}`)}${card('payees', s.payees)}${card('fees', tokens(s.fees))}${card('burned', tokens(s.burned, 4))}</div>
    <h2>Pools</h2>${roleBar(s.pools)}
    ${table(
      ['pool', 'allocated', 'paid', 'to treasury'],
      Object.entries(s.pools).map(([k, p]) => [k, tok(p.allocated), tok(p.paid), tok(p.toTreasury)]),
    )}
    <h2>Settlement</h2>
    ${m ? `<p>Root <code>${esc(m.body.root)}</code><br>signed by <code>${esc(m.body.operator)}</code>; parameters <code>${esc(s.paramsHash.slice(0, 18))}…</code>, input <code>${esc(s.inputHash.slice(0, 18))}…</code></p>` : ''}
    <p><a href="/v1/epochs/${n}/input" download="epoch-${n}-input.json">Download the epoch input</a> (replay with <code>swarm rewards</code>, check with <code>swarm verify</code>) · <a href="/v1/epochs/${n}/manifest" download="epoch-${n}-manifest.json">manifest</a> · <a href="/v1/epochs/${n}/tree" download="epoch-${n}-tree.json">tree</a></p>
    <h2>Statements</h2>
    ${table(
      ['node', 'class', 'uptime', 'Q', 'V', 'L', 'B', 'reward', 'reasons'],
      st.statements.map((x) => [
        `<a href="#/nodes/${encodeURIComponent(x.id)}">${esc(x.id)}</a>`,
        esc(x.hardwareClass),
        pct(x.uptime, 2),
        fx(x.quality.total),
        fx(x.valuation.total),
        fx(x.commitment),
        fx(x.bonuses.total),
        tok(x.reward),
        x.reasons.map(esc).join(', '),
      ]),
    )}
    <div class="pager">${after ? `<a href="#/epochs/${n}">first page</a>` : ''}${st.next ? `<a href="#/epochs/${n}?after=${encodeURIComponent(st.next)}">next →</a>` : ''}</div>`;
}

const PROVIDER_FILTERS = ['status', 'region', 'model', 'owner', 'sanctioned'];

/**
 * The providers table (GET /v1/providers): sorted and filtered on the server, a page at a time.
 * The sort, order, filters and offset live in the address, so a view can be shared and the back
 * button works. With ?owner= it is that owner's page: its nodes rolled up, with its economics.
 */
async function nodes(params) {
  const q = new URLSearchParams({ limit: '50' });
  for (const k of ['sort', 'order', 'offset', ...PROVIDER_FILTERS]) if (params.get(k)) q.set(k, params.get(k));
  const owner = params.get('owner');
  const [list, rewards, econ, history] = await Promise.all([
    api(`/v1/providers?${q}`),
    owner ? api(`/v1/rewards/${owner}`).catch(() => null) : null,
    owner ? api(`/v1/economics/owners/${owner}`).catch(() => null) : null,
    owner ? api(`/v1/economics/owners/${owner}/history?epochs=30`).catch(() => null) : null,
  ]);
  const here = (changes) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes))
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    const str = next.toString();
    return `#/nodes${str ? `?${str}` : ''}`;
  };
  const header = (label, key) => {
    if (!key) return label;
    const on = list.sort === key;
    const order = on && list.order === 'desc' ? 'asc' : 'desc';
    return `<a class="sort" href="${here({ sort: key, order, offset: null })}" aria-sort="${on ? (list.order === 'desc' ? 'descending' : 'ascending') : 'none'}">${esc(label)}${on ? (list.order === 'desc' ? ' ▼' : ' ▲') : ''}</a>`;
  };
  const sel = (name, options, label) =>
    `<label for="pf-${name}">${label}<select id="pf-${name}" name="${name}"><option value="">any</option>${options.map((o) => `<option${params.get(name) === o ? ' selected' : ''}>${esc(o)}</option>`).join('')}</select></label>`;
  const text = (name, label, ph) =>
    `<label for="pf-${name}">${label}<input id="pf-${name}" name="${name}" value="${esc(params.get(name) ?? '')}" placeholder="${ph}"></label>`;
  const offset = Number(params.get('offset') ?? 0);
  const th = [
    header('node', 'id'),
    'owner',
    'hardware',
    'region',
    'status',
    header(`earned, epoch ${list.epoch ?? '–'}`, 'reward'),
    header('uptime', 'uptime'),
    header('sanctions', 'sanctions'),
    'reasons',
  ];
  const rows = list.providers
    .map(
      (x) => `<tr data-id="${esc(x.id)}" data-reward="${x.reward ?? ''}" data-uptime="${x.uptime ?? ''}" data-sanctions="${x.sanctions}">
      <td><a href="#/nodes/${encodeURIComponent(x.id)}">${esc(x.id)}</a></td>
      <td><a href="#/nodes?owner=${x.owner}"><code>${esc(x.owner.slice(0, 10))}…</code></a></td>
      <td>${esc(x.hardware.gpus.map((g) => `${g.count}× ${g.model}`).join(', ') || 'CPU')}</td>
      <td>${esc(x.region)}</td><td>${esc(x.status)}</td>
      <td class="num">${x.reward === null ? '–' : tokens(x.reward)}</td>
      <td class="num">${x.uptime === null ? '–' : pct(x.uptime, 2)}</td>
      <td class="num">${x.sanctions}</td>
      <td>${x.reasons.map(esc).join(', ')}</td></tr>`,
    )
    .join('');
  const usd = (x) => `$${Number(x).toFixed(2)}`;
  app.innerHTML = `<h1>Providers${owner ? ` of <code>${esc(owner)}</code>` : ''}</h1>
    ${
      owner
        ? `<div class="cards" id="owner-rewards">${
            rewards
              ? `${card('rewards to date (cumulative)', tokens(rewards.claimable))}${card('claimed on chain', tokens(rewards.claimed))}${card('left to claim', tokens(rewards.unclaimed))}`
              : ''
          }${
            econ
              ? `${card(`nodes with a statement, epoch ${econ.epoch}`, econ.nodes)}${card('reward income per day', usd(econ.perDay.rewardIncomeUsd))}${card('usage revenue per day', usd(econ.perDay.usageRevenueUsd))}${card('net per day', usd(econ.perDay.netUsd))}`
              : ''
          }</div>`
        : ''
    }
    ${
      history
        ? `<h2>Economics per day, by epoch (SPEC §9, at the parameters' prices)</h2>${chart('ch-owner-economics', "the owner's dollars per day by epoch", {
            type: 'line',
            data: {
              labels: history.epochs.map((e) => e.epoch),
              datasets: [
                ['reward income', 'rewardIncomeUsd', '#1f6feb'],
                ['usage revenue', 'usageRevenueUsd', '#1a7f37'],
                ['power cost', 'powerCostUsd', '#cf222e'],
                ['net', 'netUsd', '#24292f'],
              ].map(([label, key, color]) => ({
                label: `${label} ($/day)`,
                data: history.epochs.map((e) => Number(e.perDay[key])),
                borderColor: color,
                backgroundColor: color,
              })),
            },
            options: { scales: { x: axis('epoch'), y: axis('dollars per day') } },
          })}`
        : ''
    }
    <form id="provider-filters" class="whatif">
      ${sel('status', ['active', 'suspended', 'jailed', 'excluded'], 'status')}
      ${text('region', 'region', 'e.g. eu-west')}
      ${text('model', 'GPU model', 'e.g. H100')}
      ${text('owner', 'owner', '0x…')}
      ${sel('sanctioned', ['true', 'false'], 'warned or slashed')}
      <button type="submit">Filter</button>
    </form>
    <div class="table-wrap"><table id="providers"><thead><tr>${th.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>
    <tbody>${rows || `<tr><td colspan="${th.length}" class="muted">no provider matches</td></tr>`}</tbody></table></div>
    <div class="pager">${offset > 0 ? `<a href="${here({ offset: Math.max(0, offset - 50) || null })}">← previous</a>` : ''}${list.next !== null ? `<a href="${here({ offset: list.next })}">next →</a>` : ''}</div>`;
  document.getElementById('provider-filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = Object.fromEntries([...new FormData(ev.target)].map(([k, v]) => [k, String(v).trim()]));
    location.hash = here({ ...f, offset: null });
  });
}

function statementRows(s) {
  const q = s.quality;
  const b = s.bonuses;
  return [
    [
      'Contribution C',
      `${Number(s.contribution).toLocaleString('en')} CU·s`,
      `${s.computeUnits} CU × ${s.upSeconds} s up (SPEC §4.4: capacity, not use); ${s.countedGpus}/${s.gpus} GPUs counted`,
    ],
    ['Quality Q', fx(q.total), `0.3·uptime ${fx(q.uptime)} + 0.3·errors ${fx(q.errors)} + 0.2·response ${fx(q.response)} + 0.2·rating ${fx(q.rating)}`],
    ['Valuation V', fx(s.valuation.total), `scarcity of ${esc(s.hardwareClass)} ${fx(s.valuation.scarcity)} × geography ${fx(s.valuation.geo)}`],
    ['Commitment L', fx(s.commitment), 'lock multiplier'],
    [
      'Bonuses B',
      fx(b.total),
      `quality ${fx(b.quality)}, new ${fx(b.newNode)}, region ${fx(b.underServed)}, innovation ${fx(b.innovation)}, energy ${fx(b.energy)}`,
    ],
    ['Score S', Number(s.score).toLocaleString('en'), `C·Q·V·L·(1+B) = ${Number(s.rawScore).toLocaleString('en')}, probation share ${fx(s.probationShare)}`],
    ['Bond', tokens(s.bond), `minimum ${tokens(s.minBond)}; staking reward ${tokens(s.bondReward)}`],
    ['Capacity reward', tokens(s.capacityReward), 'this node’s share of the compute pool by its score'],
    ['Usage reward', tokens(s.usageReward), `by the protocol fee its receipts paid (${tokens(s.fee)}), at most κ × that fee`],
    [
      'Vesting',
      `<span id="vesting-unvested">${tokens(s.unvested)}</span> unvested`,
      `locked this epoch <span id="vesting-locked">${tokens(s.locked)}</span>, vested ${tokens(s.vested)}, forfeited ${tokens(s.forfeited)} — a share of each compute reward vests over the next epochs before it can be claimed, and a failed verification forfeits what is unvested (SPEC §6.1)`,
    ],
  ];
}

async function node(id) {
  const [n, sl, p] = await Promise.all([api(`/v1/nodes/${encodeURIComponent(id)}`), api(`/v1/slashes?node=${encodeURIComponent(id)}`), api('/v1/params')]);
  const target = Number(p.params.compute.sla[n.slaClass]?.availability ?? 1);
  const latest = n.recent[0];
  const s = latest?.statement;
  const hist = [...n.recent].reverse();
  const gpus = n.hardware.gpus.reduce((a, g) => a + g.count, 0);
  app.innerHTML = `<h1>Node ${esc(n.id)}</h1>
    <p class="muted">owner <a href="#/nodes?owner=${n.owner}"><code>${esc(n.owner)}</code></a> · ${esc(n.providerClass)} · SLA ${esc(n.slaClass)} · ${esc(n.region)} · ${esc(n.hardware.gpus.map((g) => `${g.count}× ${g.model}`).join(', ') || 'CPU only')} · status <b id="node-status">${esc(n.status)}</b>${n.probationStage > 0 ? ` (probation stage ${n.probationStage})` : ''} · <span id="node-onboarded">${n.onboarded ? 'onboarded' : 'awaiting a validator’s onboarding check'}</span> · registered ${when(n.registeredAt)}</p>
    ${
      s
        ? `<h2>Statement, epoch ${latest.epoch}: <span id="reward">${tokens(s.reward, 6)}</span> tokens</h2>
    ${table(['factor', 'value', 'from'], statementRows(s))}
    <div id="explained"><p class="muted">Explaining…</p></div>
    <h2>What if</h2>
    <form id="whatif" class="whatif">
      <label for="wi-uptime">uptime (0–1)<input id="wi-uptime" name="uptime" inputmode="decimal" value="${esc(s.uptime)}"></label>
      <label for="wi-rating">mean rating (1–5)<input id="wi-rating" name="rating" inputmode="decimal" placeholder="unchanged"></label>
      <label for="wi-commitment">commitment (days)<input id="wi-commitment" name="commitment" inputmode="numeric" placeholder="unchanged"></label>
      <label for="wi-gpus">GPUs of the first model<input id="wi-gpus" name="gpus" inputmode="numeric" placeholder="unchanged"></label>
      <button type="submit">Recompute</button>
    </form>
    <p id="whatif-out" aria-live="polite"></p>
    <h2>Economics (per epoch, SPEC §9)</h2>
    <form id="econ" class="whatif">
      <label for="ec-price">token price, $<input id="ec-price" value="0.10" inputmode="decimal"></label>
      <label for="ec-power">power cost, $/GPU-h<input id="ec-power" value="0.05" inputmode="decimal"></label>
      <label for="ec-rate">usage rate, $/GPU-h<input id="ec-rate" value="0.30" inputmode="decimal"></label>
      <label for="ec-hw">hardware cost, $<input id="ec-hw" value="${gpus * 2000}" inputmode="decimal"></label>
      <button type="submit">Compute</button>
    </form>
    <div id="econ-out"></div>`
        : '<p class="muted">No closed epoch has a statement for this node yet.</p>'
    }
    <h2>Earnings per epoch</h2>
    ${chart('ch-earnings', 'compute reward per epoch', {
      type: 'bar',
      data: {
        labels: hist.map((h) => h.epoch),
        datasets: [{ label: 'compute reward (tokens)', data: hist.map((h) => tokenNum(h.reward)), backgroundColor: '#1f6feb' }],
      },
      options: { scales: { x: axis('epoch'), y: axis('reward, tokens', { beginAtZero: true }) } },
    })}
    <h2>Uptime per epoch, against the SLA target</h2>
    ${chart('ch-uptime', 'uptime per epoch against the SLA target', {
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
    })}
    <h2>Bonds</h2>${table(
      ['bond', 'amount', 'from epoch'],
      n.bonds.map((b) => [esc(b.id), tok(b.amount), b.effectiveEpoch]),
    )}
    <h2>Warnings and slashes</h2>${
      sl.slashes.length === 0
        ? '<p class="muted" id="slashes">No violation on record.</p>'
        : `<div id="slashes">${table(
            ['epoch', 'violation', 'penalty', 'amount', 'evidence', 'escrow'],
            sl.slashes.map((x) => [
              x.epoch,
              `${esc(x.kind)}${x.faultEpoch !== x.epoch ? ` (in epoch ${x.faultEpoch})` : ''}`,
              `${esc(x.action)} — ${esc(x.note)}`,
              tok(x.amount),
              x.evidence.map((e) => `<code>${esc(e.length > 40 ? `${e.slice(0, 40)}…` : e)}</code>`).join('<br>'),
              x.status === 'escrowed'
                ? `in escrow until epoch ${x.releaseEpoch} (appeal window)`
                : x.status === 'released'
                  ? `released at ${x.resolvedEpoch}: ${tokens(x.resolution.compensation.reduce((a, c) => a + BigInt(c.amount), 0n).toString())} to ${x.resolution.compensation.length} consumer(s), ${tokens(x.resolution.burned)} burned${x.resolution.toTreasury !== '0' ? `, ${tokens(x.resolution.toTreasury)} to the treasury` : ''}`
                  : x.status === 'reversed'
                    ? `reversed by ${esc(x.resolution.proposal)} at epoch ${x.resolvedEpoch}`
                    : '—',
            ]),
          )}</div>`
    }`;
  if (!s) return;
  explained(latest.epoch, n.id);
  document.getElementById('whatif').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const set = {};
    for (const [k, v] of new FormData(ev.target)) if (String(v).trim() !== '' && !(k === 'uptime' && v === s.uptime)) set[k] = String(v).trim();
    const out = document.getElementById('whatif-out');
    if (Object.keys(set).length === 0) return void (out.textContent = 'Change a value first.');
    try {
      const r = await api(`/v1/epochs/${latest.epoch}/whatif`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nodeId: n.id, set }),
      });
      const d = BigInt(r.after.reward) - BigInt(r.before.reward);
      out.innerHTML = `Reward ${tokens(r.before.reward, 6)} → <b id="whatif-after">${tokens(r.after.reward, 6)}</b> <span class="${d >= 0n ? 'up' : 'down'}">(${d >= 0n ? '+' : ''}${tokens(d, 6)})</span>; Q ${fx(r.before.quality.total)} → ${fx(r.after.quality.total)}${r.after.reasons.length ? `; reasons: ${r.after.reasons.map(esc).join(', ')}` : ''}`;
      out.dataset.after = r.after.reward;
      out.dataset.before = r.before.reward;
    } catch (e) {
      out.textContent = e.message;
    }
  });
  // the economics from the API, exact (SPEC §9): per epoch, per day from the real epoch length, the annual ROI
  const econ = async (ev) => {
    ev?.preventDefault();
    const v = (id) => encodeURIComponent(document.getElementById(id).value.trim());
    const out = document.getElementById('econ-out');
    try {
      const e = await api(
        `/v1/economics/nodes/${encodeURIComponent(n.id)}?epoch=${latest.epoch}&tokenPrice=${v('ec-price')}&powerRate=${v('ec-power')}&usageRate=${v('ec-rate')}&hardwareCost=${v('ec-hw')}`,
      );
      const usd = (x) => `$${Number(x).toFixed(2)}`;
      out.innerHTML = table(
        ['', 'per epoch', 'per day', 'target'],
        [
          ['usage revenue', usd(e.perEpoch.usageRevenueUsd), usd(e.perDay.usageRevenueUsd), `$${esc(e.assumptions.usageUsdPerGpuHour)}/GPU-h`],
          ['reward income', usd(e.perEpoch.rewardIncomeUsd), usd(e.perDay.rewardIncomeUsd), ''],
          ['power cost', usd(e.perEpoch.powerCostUsd), usd(e.perDay.powerCostUsd), `$${esc(e.assumptions.powerUsdPerGpuHour)}/GPU-h`],
          ['net', usd(e.perEpoch.netUsd), usd(e.perDay.netUsd), ''],
          ['net margin', e.margin === null ? '—' : pct(e.margin), '', pct(e.targets.margin)],
          ['annual ROI on hardware', e.annualRoi === null ? '—' : pct(e.annualRoi), '', pct(e.targets.annualRoi)],
        ],
      );
    } catch (err) {
      out.textContent = err.message;
    }
  };
  document.getElementById('econ').addEventListener('submit', econ);
  econ();
}

/**
 * The statement from score to tokens (GET …/statements/{id}/explained): the compute pool, the
 * node's score against the network's total, the share, the tokens; each quality factor beside its
 * target; each reason code in words with the numbers that triggered it.
 */
async function explained(epochN, id) {
  const box = document.getElementById('explained');
  let e;
  try {
    e = (await api(`/v1/epochs/${epochN}/statements/${encodeURIComponent(id)}/explained`)).explanation;
  } catch (err) {
    box.innerHTML = `<p class="muted">${esc(err.message)}</p>`;
    return;
  }
  const c = e.capacity;
  const u = e.usage;
  const wad = (x) => Number(BigInt(x) / 10n ** 12n) / 1e6; // a WAD score, for reading (the exact value is in the data attribute)
  box.innerHTML = `<h2>From score to tokens</h2>
    <table id="shares" data-pool="${c.pool}" data-score="${c.score}" data-score-total="${c.scoreTotal}" data-capacity="${c.reward}" data-remainder="${c.remainderUnit}"
      data-usage-pool="${u.pool}" data-fee="${u.fee}" data-fee-total="${u.feeTotal}" data-usage="${u.reward}" data-referral="${e.referral}" data-reward="${e.reward}">
      <thead><tr><th scope="col">step</th><th scope="col" class="num">value</th><th scope="col">how</th></tr></thead><tbody>
      <tr><td>capacity part of the compute pool</td><td class="num">${tokens(c.pool, 6)}</td><td>the compute pool less its usage part (SPEC §4.4)</td></tr>
      <tr><td>this node's score S</td><td class="num">${wad(c.score).toLocaleString('en')}</td><td>C·Q·V·L·(1+B), capped, × probation share (above)</td></tr>
      <tr><td>the network's total score Σ S</td><td class="num">${wad(c.scoreTotal).toLocaleString('en')}</td><td>every eligible node's score this epoch</td></tr>
      <tr><td>share S / Σ S</td><td class="num">${pct(c.share, 4)}</td><td></td></tr>
      <tr><td>capacity reward</td><td class="num" id="capacity-reward">${tokens(c.reward, 6)}</td><td>pool × share, floored${c.remainderUnit ? ', plus one base unit of the largest remainder' : ''}</td></tr>
      <tr><td>usage reward</td><td class="num">${tokens(u.reward, 6)}</td><td>usage pool ${tokens(u.pool, 6)} × this node's fee ${tokens(u.fee, 6)} / all fees ${tokens(u.feeTotal, 6)}</td></tr>
      ${e.referral !== '0' ? `<tr><td>to the referrer</td><td class="num">−${tokens(e.referral, 6)}</td><td>SPEC §4.5</td></tr>` : ''}
      <tr><td><b>reward</b></td><td class="num"><b>${tokens(e.reward, 6)}</b></td><td>capacity + usage − referral</td></tr>
    </tbody></table>
    <h2>Quality against its targets</h2>
    ${table(
      ['factor', 'weight', 'value', 'this node', 'target'],
      e.quality.map((q) => [q.name, q.weight, fx(q.value), esc(q.observed), esc(q.target)]),
    )}
    ${
      e.reasons.length
        ? `<h2>Why</h2><ul id="reasons" class="reasons">${e.reasons
            .map(
              (r) =>
                `<li class="reason" data-code="${esc(r.code)}"><b>${esc(r.code)}</b> — ${esc(r.words)}${r.numbers.length ? `<br><span class="muted">${r.numbers.map((x) => `${esc(x.label)}: <b>${esc(x.value)}</b>`).join(' · ')}</span>` : ''}</li>`,
            )
            .join('')}</ul>`
        : '<p class="muted">No reductions: every factor at its best for this node.</p>'
    }`;
}

/** A patch as rows of (path, current value, proposed value). */
function flatten(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? flatten(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]]));
}
const at = (obj, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);

/** A proposal's simulated impact (swarm gov propose --simulate), in a few words. */
function impactCell(i) {
  if (!i?.replay || !i?.scenario) return '<span class="muted">—</span>';
  const bp = Number(i.replay.computeChangeBp);
  const failing = i.scenario.twins.filter((t) => !t.holdsProposed).map((t) => esc(t.cheater));
  return `<span class="impact">compute rewards ${bp >= 0 ? '+' : ''}${(bp / 100).toFixed(2)} % over epochs ${esc(i.replay.epochs.join(', ') || '—')}; ${Number(i.replay.gaining)} nodes gain, ${Number(i.replay.losing)} lose<br>cheaters earning more than their twins: ${failing.join(', ') || 'none'}</span>`;
}

async function governance() {
  const [g, p] = await Promise.all([api('/v1/proposals'), api('/v1/params')]);
  const rows = g.proposals.map((x) => {
    const diff = flatten(x.patch)
      .map(([path, v]) => `<code>${esc(path)}</code>: ${esc(JSON.stringify(at(p.params, path)))} → <b>${esc(JSON.stringify(v))}</b>`)
      .join('<br>');
    const votes = x.votes.map((v) => `${esc(v.option)} <code>${esc(v.voter.slice(0, 10))}…</code>`).join(', ') || '—';
    const tally = x.tally
      ? `yes ${tokens(x.tally.yes, 0)} · no ${tokens(x.tally.no, 0)} · abstain ${tokens(x.tally.abstain, 0)} · veto ${tokens(x.tally.veto, 0)} of ${tokens(x.tally.totalStaked, 0)} staked`
      : `voting until the end of epoch ${x.votingEndsAfterEpoch}`;
    const change =
      x.kind === 'slash-reversal'
        ? `appeal: reverse slash <code>${esc(x.slashId)}</code>${x.tally?.reversal ? ` — ${esc(x.tally.reversal)}` : ''}`
        : x.kind === 'expansion-phase'
          ? `${x.expansion ? 'declare' : 'end'} the expansion phase`
          : x.kind === 'attestor-approval'
            ? `approve attestor <code>${esc(x.attestor?.attestor)}</code> for ${esc((x.attestor?.roles ?? []).join(', '))}`
            : diff;
    return [`<b>${esc(x.id)}</b><br><span class="muted">${esc(x.description)}</span>`, change, impactCell(x.impact), esc(x.status), votes, tally];
  });
  app.innerHTML = `<h1>Governance</h1>
    <p class="muted">Stake-weighted yes / no / abstain / veto over ${esc(p.params.governance.votingEpochs)} epochs; passes with a quorum of ${pct(p.params.governance.quorum)} of the stake, more than ${pct(p.params.governance.threshold)} yes, and less than ${pct(p.params.governance.veto)} veto (a veto burns the deposit of ${tokens(BigInt(Math.round(Number(p.params.governance.deposit))) * WAD, 0)} tokens). A change applies from the next epoch.</p>
    <h2>Proposals</h2>${table(['proposal', 'change', 'simulated impact', 'status', 'votes', 'tally'], rows)}
    <p><a href="#/params">Parameter history</a></p>`;
}

async function paramsPage() {
  const [p, h] = await Promise.all([api('/v1/params'), api('/v1/params/history')]);
  app.innerHTML = `<h1>Parameters</h1><p>Version <code>${esc(p.hash)}</code>, in force from epoch ${p.effectiveEpoch}.</p>
    <h2>History</h2>${table(
      ['version', 'from epoch', 'created'],
      h.versions.map((v) => [`<code>${esc(v.hash.slice(0, 18))}…</code>`, v.effectiveEpoch, when(v.createdAt)]),
    )}
    <h2>Governance</h2><p>Proposals, their votes and tallies are on the <a href="#/governance">governance page</a>; every change takes effect from the next epoch.</p>
    <h2>Current set</h2><pre>${esc(JSON.stringify(p.params, null, 2))}</pre>`;
}

async function route() {
  clearInterval(timer);
  for (const c of charts.splice(0)) c.destroy();
  pending.length = 0;
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = (path || '/').split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  for (const a of document.querySelectorAll('nav a')) a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${parts[0] ?? ''}`);
  for (const a of document.querySelectorAll('nav a[aria-current]')) a.setAttribute('aria-current', 'page');
  try {
    if (parts.length === 0) await network();
    else if (parts[0] === 'epochs' && parts[1] !== undefined) await epoch(Number(parts[1]), params);
    else if (parts[0] === 'epochs') await epochs(params);
    else if (parts[0] === 'nodes' && parts[1] !== undefined) await node(decodeURIComponent(parts[1]));
    else if (parts[0] === 'nodes') await nodes(params);
    else if (parts[0] === 'params') await paramsPage();
    else if (parts[0] === 'governance') await governance();
    else app.innerHTML = '<h1>Not found</h1>';
    drawCharts();
  } catch (e) {
    app.innerHTML = `<h1>Something went wrong</h1><p>${esc(e.message)}</p>`;
  }
}

document.getElementById('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (!q) return;
  location.hash = /^0x[0-9a-fA-F]{40}$/.test(q) ? `#/nodes?owner=${q.toLowerCase()}` : `#/nodes/${encodeURIComponent(q)}`;
});
window.addEventListener('hashchange', route);
route();
