/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { formatTokens, parseEpochInput, parseParams, patchParams, serializeParams } from '@swarm/core';
import { SwarmClient, signProposal } from '@swarm/sdk';
import { computeImpact } from '@swarm/sim';
import { Ajv } from 'ajv';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedNetwork } from '../../node/src/demo/network.ts';
import { closeDueEpochs } from '../../node/src/keepers/epoch-close.ts';
import { GENESIS, injectFetch, OPERATOR, testServiceWith } from '../../node/test/helpers.ts';

/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core) against a service
 * seeded by a short demo: every page loads without console errors, a click from the network page to
 * a provider shows the numbers the API returns, a what-if moves the reward the expected way, and
 * the main flows work from the keyboard. Screenshots go to test-output/screenshots.
 */
const SHOTS = new URL('../../../test-output/screenshots/', import.meta.url).pathname;
let t: Awaited<ReturnType<typeof testServiceWith>>;
let browser: Browser;
let base: string;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  t = await testServiceWith({ settings: { genesis: GENESIS, epochSeconds: 60, slotSeconds: 1, graceSeconds: 2, windowSeconds: 100_000, daySeconds: 8 } });
  const viaInject = injectFetch(t.app);
  const net = new SimulatedNetwork(new SwarmClient({ baseUrl: 'http://x', operatorToken: OPERATOR, fetch: viaInject }), { seed: 5, nodes: 30 });
  t.clock.set(GENESIS - 3);
  await net.bootstrap(t.clock.now());
  for (let slot = 0; slot < 185; slot++) {
    t.clock.set(GENESIS + slot);
    if (slot < 180) await net.tick(t.clock.now(), slot, Math.floor(slot / 60), 60);
    await closeDueEpochs(t.ctx);
  }
  // a proposal with its simulated impact (epochs 1–2 replayed), so governance has something to list
  const staker = net.stakers[1] as (typeof net.stakers)[number];
  const client = new SwarmClient({ baseUrl: 'http://x', fetch: viaInject });
  const current = parseParams((await client.params()).params);
  const patch = { roles: { weights: { compute: '65' } } };
  const impact = computeImpact({
    inputs: [parseEpochInput(await client.epochInput(1), current), parseEpochInput(await client.epochInput(2), current)],
    current,
    proposed: parseParams(patchParams(serializeParams(current), patch)),
  });
  const proposed = await new SwarmClient({ baseUrl: 'http://x', fetch: viaInject }).propose(
    signProposal(
      {
        type: 'proposal',
        proposalId: 'raise-compute',
        proposerKey: staker.keys.publicKey,
        kind: 'params',
        patch,
        impact: impact as unknown as Record<string, unknown>,
        description: 'Pay compute a larger share',
        timestamp: t.clock.now(),
        seq: 10,
      },
      staker.keys.privateKey,
    ),
  );
  expect(proposed.proposalId).toBe('raise-compute');
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const a = t.app.server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function open(path: string, size = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport: size });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${path}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`));
  await page.goto(`${base}/${path}`);
  await page.waitForSelector('main h1');
  return page;
}

/**
 * A whole page's screenshot: the viewport grown to the page's height first and the charts given a
 * moment to redraw at it (a full-page capture resizes the page under Chart.js, which clears its
 * canvases and redraws them only on the next frame — after the capture).
 */
async function shoot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() as { width: number; height: number };
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}${name}.png` });
}

const api = async (path: string): Promise<any> => (await fetch(`${base}${path}`)).json();

describe('dashboard', () => {
  it('loads every page without console errors, and saves screenshots', async () => {
    for (const [name, path] of [
      ['network', '#/'],
      ['epochs', '#/epochs'],
      ['epoch', '#/epochs/1'],
      ['providers', '#/nodes'],
      ['provider', '#/nodes/node-001'],
      ['parameters', '#/params'],
      ['governance', '#/governance'],
    ] as const) {
      const page = await open(path);
      await page.waitForLoadState('networkidle');
      expect(await page.locator('main h1').textContent(), name).not.toMatch(/went wrong|Not found/);
      await shoot(page, name);
      await page.close();
    }
    const phone = await open('#/nodes/node-001', { width: 390, height: 844 });
    await shoot(phone, 'provider-phone');
    await phone.close();
    expect(errors).toEqual([]);
  }, 120_000);

  it('clicking from the network page to a provider shows the numbers the API returns', async () => {
    const page = await open('#/');
    await page.getByRole('link', { name: '2', exact: true }).first().click();
    await page.waitForSelector('main h1:has-text("Epoch 2")');
    const statements = (await api('/v1/epochs/2/statements?limit=500')).statements as { id: string; reward: string }[];
    const earner = statements.find((s) => BigInt(s.reward) > 0n) as { id: string; reward: string };
    await page.getByRole('link', { name: earner.id, exact: true }).click();
    await page.waitForSelector(`main h1:has-text("Node ${earner.id}")`);
    const shown = (await page.locator('#reward').textContent()) as string;
    const node = await api(`/v1/nodes/${earner.id}`);
    const reward = BigInt(node.recent[0].reward);
    const whole = (reward / 10n ** 18n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    const frac = (reward % 10n ** 18n).toString().padStart(18, '0').slice(0, 6);
    expect(shown).toBe(`${whole}.${frac}`);
    expect(node.recent[0].epoch).toBe(2);
    // vested and unvested shown apart (SPEC §6.1), as the statement has them
    const st = node.recent[0].statement as { unvested: string; locked: string };
    const fmt = (x: string) =>
      `${(BigInt(x) / 10n ** 18n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${(BigInt(x) % 10n ** 18n).toString().padStart(18, '0').slice(0, 2)}`;
    expect(BigInt(st.locked)).toBeGreaterThan(0n);
    expect(await page.locator('#vesting-locked').textContent()).toBe(fmt(st.locked));
    expect(await page.locator('#vesting-unvested').textContent()).toBe(fmt(st.unvested));
    await page.close();
  });

  it("the statement's numbers multiply back to the tokens shown, and each reason shows the numbers behind it", async () => {
    const statements = (await api('/v1/epochs/2/statements?limit=500')).statements as { id: string; reward: string; reasons: string[] }[];
    const earner = statements.find((s) => BigInt(s.reward) > 0n && s.reasons.length > 0) ?? statements.find((s) => BigInt(s.reward) > 0n);
    const page = await open(`#/nodes/${earner?.id}`);
    await page.waitForSelector('#shares');
    const d = await page.locator('#shares').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
    // pool × S / Σ S, floored (+ the largest remainder's unit), is the capacity reward the page shows
    const capacity = (BigInt(d.pool as string) * BigInt(d.score as string)) / BigInt(d.scoreTotal as string) + (d.remainder === 'true' ? 1n : 0n);
    expect(capacity.toString()).toBe(d.capacity);
    expect(BigInt(d.capacity as string) + BigInt(d.usage as string) - BigInt(d.referral as string)).toBe(BigInt(earner?.reward as string));
    const tok6 = (x: bigint) =>
      `${(x / 10n ** 18n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${(x % 10n ** 18n).toString().padStart(18, '0').slice(0, 6)}`;
    expect(await page.locator('#capacity-reward').textContent()).toBe(tok6(capacity));
    expect(await page.locator('#reward').textContent()).toBe(tok6(BigInt(earner?.reward as string)));
    // every reason code of the statement, in words, with its numbers when the rule has some
    const codes = await page.locator('#reasons li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.code));
    expect(codes).toEqual(earner?.reasons);
    if (earner?.reasons.includes('UPTIME_BELOW_TARGET'))
      expect(await page.locator('#reasons li[data-code="UPTIME_BELOW_TARGET"]').textContent()).toMatch(/SLA \w+ target: \d/);
    await page.close();
  });

  it("every chart has titled axes and the API's data, uptime against its SLA target", async () => {
    type Drawn = { id: string; axes: Record<string, string>; labels: unknown[]; datasets: { label: string; data: number[] }[] };
    const drawn = async (page: Page): Promise<Drawn[]> =>
      page.evaluate(() =>
        Object.values((window as any).Chart.instances).map((c: any) => ({
          id: c.canvas.id,
          axes: Object.fromEntries(Object.entries(c.options.scales).map(([k, v]: [string, any]) => [k, v.title?.display ? v.title.text : ''])),
          labels: c.data.labels,
          datasets: c.data.datasets.map((d: any) => ({ label: d.label, data: d.data })),
        })),
      );
    const home = await open('#/');
    await home.waitForSelector('#ch-models');
    const charts = await drawn(home);
    expect(charts.map((c) => c.id).sort()).toEqual(['ch-classes', 'ch-emission', 'ch-models', 'ch-regions', 'ch-stake']);
    for (const c of charts) for (const [k, title] of Object.entries(c.axes)) expect(title, `${c.id} axis ${k}`).not.toBe('');
    const network = await api('/v1/network');
    const models = charts.find((c) => c.id === 'ch-models') as Drawn;
    expect(models.labels).toEqual(network.models.map((m: { model: string }) => m.model));
    expect(models.datasets[0]?.data).toEqual(network.models.map((m: { gpus: number }) => m.gpus));
    const emission = charts.find((c) => c.id === 'ch-emission') as Drawn;
    expect(emission.labels).toEqual([0, 1, 2]);
    await home.close();
    const page = await open('#/nodes/node-001');
    await page.waitForSelector('#ch-uptime');
    const uptime = (await drawn(page)).find((c) => c.id === 'ch-uptime') as Drawn;
    const node = await api('/v1/nodes/node-001');
    const target = Number((await api('/v1/params')).params.compute.sla[node.slaClass].availability) * 100;
    expect(uptime.datasets.map((d) => d.label)).toEqual(['uptime (%)', `SLA ${node.slaClass} target (%)`]);
    expect(uptime.datasets[1]?.data.every((x) => x === target)).toBe(true);
    expect(uptime.datasets[0]?.data).toEqual([...node.recent].reverse().map((r: { statement: { uptime: string } }) => Number(r.statement.uptime) * 100));
    expect(uptime.axes).toEqual({ x: 'epoch', y: 'uptime, %' });
    await page.close();
    // an owner's economics over the epochs: each epoch what the per-epoch API answers for it
    // what the owner claimed on chain (the chain follower writes it from RewardDistributor's Claimed events: chain.test.ts)
    const rewards = await api(`/v1/rewards/${node.owner}`);
    const claimed = BigInt(rewards.claimable) / 3n;
    await t.db.query('INSERT INTO chain_claims (account, claimed, block) VALUES ($1, $2, 1)', [node.owner, claimed.toString()]);
    const ownerPage = await open(`#/nodes?owner=${node.owner}`);
    await ownerPage.waitForSelector('#ch-owner-economics');
    const cards = await ownerPage.$$eval('#owner-rewards .card', (els) => els.map((e) => e.textContent ?? ''));
    const shown = (label: string) =>
      cards
        .find((c) => c.includes(label))
        ?.replace(label, '')
        .trim();
    expect(shown('claimed on chain')).toBe(formatTokens(claimed));
    expect(shown('left to claim')).toBe(formatTokens(BigInt(rewards.claimable) - claimed));
    const econ = (await drawn(ownerPage)).find((c) => c.id === 'ch-owner-economics') as Drawn;
    expect(econ.labels).toEqual([0, 1, 2]);
    expect(econ.axes).toEqual({ x: 'epoch', y: 'dollars per day' });
    for (const [i, epoch] of [0, 1, 2].entries()) {
      const e = await api(`/v1/economics/owners/${node.owner}?epoch=${epoch}`);
      expect(econ.datasets.find((d) => d.label.startsWith('net'))?.data[i]).toBe(Number(e.perDay.netUsd));
    }
    await ownerPage.close();
  });

  it('every read the dashboard makes answers what the OpenAPI document says', async () => {
    const doc = await api('/openapi.json');
    const ajv = new Ajv({ strict: false, allErrors: true });
    const owner = (await api('/v1/nodes/node-001')).owner as string;
    const reads: [string, string][] = [
      ['/v1/status', '/v1/status'],
      ['/v1/network', '/v1/network'],
      ['/v1/epochs', '/v1/epochs?limit=5'],
      ['/v1/epochs/{n}', '/v1/epochs/2?result=false'],
      ['/v1/epochs/{n}/statements', '/v1/epochs/2/statements?limit=50'],
      ['/v1/epochs/{n}/statements/{nodeId}', '/v1/epochs/2/statements/node-001'],
      ['/v1/epochs/{n}/statements/{nodeId}/explained', '/v1/epochs/2/statements/node-001/explained'],
      ['/v1/epochs/{n}/manifest', '/v1/epochs/2/manifest'],
      ['/v1/epochs/{n}/proofs/{address}', `/v1/epochs/2/proofs/${owner}`],
      ['/v1/nodes', '/v1/nodes?limit=50'],
      ['/v1/nodes/{id}', '/v1/nodes/node-001'],
      ['/v1/providers', '/v1/providers?limit=50'],
      ['/v1/slashes', '/v1/slashes'],
      ['/v1/rewards/{address}', `/v1/rewards/${owner}`],
      ['/v1/params', '/v1/params'],
      ['/v1/params/history', '/v1/params/history'],
      ['/v1/proposals', '/v1/proposals'],
      ['/v1/reasons', '/v1/reasons'],
      ['/v1/economics/nodes/{id}', '/v1/economics/nodes/node-001'],
      ['/v1/economics/owners/{address}', `/v1/economics/owners/${owner}`],
      ['/v1/economics/owners/{address}/history', `/v1/economics/owners/${owner}/history`],
      ['/v1/economics/nodes/{id}/history', '/v1/economics/nodes/node-001/history?epochs=2'],
    ];
    for (const [path, url] of reads) {
      const op = doc.paths[path]?.get;
      expect(op, path).toBeDefined();
      const schema = op.responses['200'].content['application/json'].schema;
      expect(Object.keys(schema).length, `${path} has a response schema`).toBeGreaterThan(0);
      const validate = ajv.compile({ ...schema, components: doc.components });
      const body = await api(url);
      expect([path, validate(body) ? [] : validate.errors], url).toEqual([path, []]);
      // every refusal is the Error component
      expect(op.responses['404'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    }
    // and the schemas can fail: a statement without its reward is refused
    const statement = ajv.compile({ $ref: '#/components/schemas/Statement', components: doc.components });
    const { reward: _, ...noReward } = await api('/v1/epochs/2/statements/node-001');
    expect(statement(noReward)).toBe(false);
  });

  it('the providers table sorts and filters on the server, as the API orders them', async () => {
    const page = await open('#/nodes');
    await page.waitForSelector('#providers tbody tr[data-id]');
    const shown = () => page.locator('#providers tbody tr[data-id]').evaluateAll((els) => els.map((e) => ({ ...(e as HTMLElement).dataset })));
    const ids = (rows: { id?: string }[]) => rows.map((r) => r.id);
    // by earnings, highest first (the default): the API's order, and non-increasing
    let rows = await shown();
    expect(ids(rows)).toEqual((await api('/v1/providers?limit=50')).providers.map((p: { id: string }) => p.id));
    const rewards = rows.filter((r) => r.reward).map((r) => BigInt(r.reward as string));
    expect(rewards.length).toBeGreaterThan(5);
    for (let i = 1; i < rewards.length; i++) expect(rewards[i] as bigint).toBeLessThanOrEqual(rewards[i - 1] as bigint);
    // a click on the uptime header sorts by uptime, highest first; a second click, lowest first
    await page.click('#providers th a:has-text("uptime")');
    await page.waitForFunction(() => location.hash.includes('sort=uptime'));
    await page.waitForSelector('#providers th[aria-sort="descending"] a:has-text("uptime")');
    rows = await shown();
    const up = rows.filter((r) => r.uptime).map((r) => Number(r.uptime));
    expect(up).toEqual([...up].sort((a, b) => b - a));
    await page.click('#providers th a:has-text("uptime")');
    await page.waitForSelector('#providers th[aria-sort="ascending"] a:has-text("uptime")');
    rows = await shown();
    expect(ids(rows)).toEqual((await api('/v1/providers?limit=50&sort=uptime&order=asc')).providers.map((p: { id: string }) => p.id));
    // a filter by region: only that region's nodes, every one of them
    const region = (await api('/v1/providers?limit=1')).providers[0].region as string;
    await page.fill('#pf-region', region);
    await page.click('#provider-filters button[type="submit"]');
    await page.waitForFunction((r) => location.hash.includes(`region=${r}`), region);
    await page.waitForSelector('#providers tbody tr[data-id]');
    const inRegion = (await api(`/v1/providers?limit=500&sort=uptime&order=asc&region=${region}`)).providers.map((p: { id: string }) => p.id);
    expect(ids(await shown())).toEqual(inRegion.slice(0, 50));
    expect(inRegion.length).toBeLessThan((await api('/v1/providers?limit=500')).providers.length);
    await page.close();
  });

  it("a provider's page lists its warnings and slashes as the API records them", async () => {
    const all = (await api('/v1/slashes')).slashes as { nodeId: string; amount: string; action: string }[];
    expect(all.length).toBeGreaterThan(0);
    const nodeId = (all.find((x) => BigInt(x.amount) > 0n) ?? all[0])?.nodeId as string;
    const mine = all.filter((x) => x.nodeId === nodeId);
    const page = await open(`#/nodes/${nodeId}`);
    await page.waitForSelector('#slashes table');
    const rows = page.locator('#slashes tbody tr');
    expect(await rows.count()).toBe(mine.length);
    const text = (await page.locator('#slashes').textContent()) as string;
    for (const x of mine) expect(text).toContain(x.action);
    expect(await page.locator('#node-status').textContent()).toBe((await api(`/v1/nodes/${nodeId}`)).status);
    expect(await page.locator('#node-onboarded').textContent()).toBe(
      (await api(`/v1/nodes/${nodeId}`)).onboarded ? 'onboarded' : 'awaiting a validator’s onboarding check',
    );
    await page.close();
  });

  it('governance lists the proposal with its parameter change', async () => {
    const page = await open('#/governance');
    await page.waitForSelector('text=raise-compute');
    const row = page.locator('tr', { hasText: 'raise-compute' });
    expect(await row.textContent()).toMatch(/roles\.weights\.compute: "60" → "65"/);
    expect(await row.textContent()).toMatch(/voting/);
    // its simulated impact, as the API holds it: the compute pool grows with its weight (60 → 65)
    const impact = ((await api('/v1/proposals')).proposals[0] as { impact: { replay: { computeChangeBp: number } } }).impact;
    expect(impact.replay.computeChangeBp).toBeGreaterThan(0);
    expect(await row.locator('.impact').textContent()).toContain(`compute rewards +${(impact.replay.computeChangeBp / 100).toFixed(2)} % over epochs 1, 2`);
    await page.close();
  });

  it('a what-if moves the reward in the expected direction', async () => {
    const statements = (await api('/v1/epochs/2/statements?limit=500')).statements as { id: string; reward: string; uptime: string; eligible: boolean }[];
    const s = statements.find((x) => x.eligible && Number(x.uptime) === 1) as { id: string };
    const page = await open(`#/nodes/${s.id}`);
    await page.fill('#wi-uptime', '0.97');
    await page.getByRole('button', { name: 'Recompute' }).click();
    await page.waitForSelector('#whatif-after');
    const out = page.locator('#whatif-out');
    const before = BigInt((await out.getAttribute('data-before')) as string);
    const after = BigInt((await out.getAttribute('data-after')) as string);
    expect(after).toBeLessThan(before);
    // the economics panel shows the API's exact figures: reward income at $0.10 a token is the statement's reward ÷ 10
    const econ = await api(`/v1/economics/nodes/${s.id}?epoch=2&tokenPrice=0.10&powerRate=0.05&usageRate=0.30&hardwareCost=${await page.inputValue('#ec-hw')}`);
    await page.waitForSelector('#econ-out table');
    const income = (await page.locator('#econ-out tr', { hasText: 'reward income' }).textContent()) as string;
    expect(income).toContain(`$${Number(econ.perEpoch.rewardIncomeUsd).toFixed(2)}`);
    expect(await page.locator('#econ-out').textContent()).toContain('annual ROI on hardware');
    await page.close();
  });

  it('every control is labelled, and the main flows work from the keyboard', async () => {
    const page = await open('#/nodes/node-001');
    const unlabelled = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll('input, select, button')).filter((el) => {
          const id = el.getAttribute('id');
          const labelled =
            (id && document.querySelector(`label[for="${id}"]`)) || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent?.trim());
          return !labelled;
        }).length,
    );
    expect(unlabelled).toBe(0);
    // keyboard: tab to the search box, type a node id, submit with Enter
    await page.focus('#q');
    await page.keyboard.type('node-002');
    await page.keyboard.press('Enter');
    await page.waitForSelector('main h1:has-text("Node node-002")');
    // tab through the navigation and follow "Epochs" with Enter
    await page.focus('nav a[href="#/epochs"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('main h1:has-text("Epochs")');
    await page.close();
    expect(errors).toEqual([]);
  });
});
