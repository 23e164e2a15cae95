import {
  ADDRESS_PATTERN,
  computeEconomics,
  ECONOMICS_DEFAULTS,
  type Economics,
  type EconomicsAssumptions,
  type EconomicsInput,
  economicsInputOf,
  formatWad,
  parseParams,
  parseWad,
  sumEconomicsInputs,
} from '@swarm/core';
import type { Context } from '../service/context.ts';
import { badRequest, notFound } from '../service/errors.ts';

/** What a user may set (decimal dollars), each defaulting to the epoch's parameters or SPEC §9's default. */
export type EconomicsQuery = { epoch?: string; tokenPrice?: string; usageRate?: string; powerRate?: string; hardwareCost?: string };

/** A node's economics in a closed epoch (the last one by default), SPEC §9. */
export async function nodeEconomics(ctx: Context, nodeId: string, q: EconomicsQuery) {
  const e = await epochOf(ctx, q);
  const row = (await ctx.db.query<{ statement: string }>('SELECT statement FROM statements WHERE epoch = $1 AND node_id = $2', [e.epoch, nodeId]))[0];
  if (!row) throw notFound('UNKNOWN_NODE', `node ${JSON.stringify(nodeId)} has no statement in epoch ${e.epoch}`, 'id');
  return answer(e, { nodeId }, 1, inputOf(row.statement), q);
}

/** An owner's economics in a closed epoch: all its nodes' statements summed. */
export async function ownerEconomics(ctx: Context, address: string, q: EconomicsQuery) {
  if (!new RegExp(ADDRESS_PATTERN).test(address)) throw badRequest('INVALID_FORMAT', 'an address is 0x and 40 lower-case hex digits', 'address');
  const e = await epochOf(ctx, q);
  const rows = await ctx.db.query<{ statement: string }>(
    'SELECT s.statement FROM nodes n JOIN statements s ON s.epoch = $1 AND s.node_id = n.id WHERE n.owner = $2 ORDER BY n.id',
    [e.epoch, address],
  );
  if (rows.length === 0) throw notFound('UNKNOWN_OWNER', `no node of ${address} has a statement in epoch ${e.epoch}`, 'address');
  return answer(e, { owner: address }, rows.length, sumEconomicsInputs(rows.map((r) => inputOf(r.statement))), q);
}

/**
 * Economics over the last `epochs` closed epochs (default 30, at most 1,000), oldest first: of one
 * node (`nodeId`) or of every node of an owner (`owner`), each epoch under its own parameters and
 * the same user-entered prices — what a provider plots to see its margin move. One query.
 */
export async function economicsHistory(ctx: Context, who: { nodeId: string } | { owner: string }, q: EconomicsQuery & { epochs?: string }) {
  if (q.epochs !== undefined && !/^\d{1,4}$/.test(q.epochs))
    throw badRequest('INVALID_FORMAT', 'epochs is a count of closed epochs, 1 to 1,000', 'query.epochs');
  const count = Math.max(1, Math.min(Number(q.epochs ?? 30), 1000));
  if ('owner' in who && !new RegExp(ADDRESS_PATTERN).test(who.owner))
    throw badRequest('INVALID_FORMAT', 'an address is 0x and 40 lower-case hex digits', 'address');
  const rows = await ctx.db.query<{ epoch: string; params_hash: string; params: string; statement: string }>(
    `SELECT s.epoch::text AS epoch, e.params_hash, p.params, s.statement
       FROM statements s JOIN nodes n ON n.id = s.node_id JOIN epochs e ON e.epoch = s.epoch JOIN params_versions p ON p.hash = e.params_hash
      WHERE ${'owner' in who ? 'n.owner = $1' : 'n.id = $1'} AND s.epoch > (SELECT MAX(epoch) FROM epochs) - $2
      ORDER BY s.epoch, n.id`,
    ['owner' in who ? who.owner : who.nodeId, count],
  );
  if (rows.length === 0)
    throw notFound('owner' in who ? 'UNKNOWN_OWNER' : 'UNKNOWN_NODE', 'no statement in the closed epochs asked for', 'owner' in who ? 'address' : 'id');
  const paramsOf = new Map<string, EpochParams>();
  const byEpoch = new Map<number, { params: EpochParams; inputs: EconomicsInput[] }>();
  for (const r of rows) {
    let p = paramsOf.get(r.params_hash);
    if (!p) {
      const params = parseParams(JSON.parse(r.params));
      p = {
        epoch: 0,
        epochSeconds: ctx.settings.epochSeconds,
        tokenPriceUsd: params.bond.referenceTokenPriceUsd,
        usageUsdPerGpuHour: params.bond.gpuRateUsdPerHour,
      };
      paramsOf.set(r.params_hash, p);
    }
    const n = Number(r.epoch);
    const x = byEpoch.get(n) ?? { params: { ...p, epoch: n }, inputs: [] };
    x.inputs.push(inputOf(r.statement));
    byEpoch.set(n, x);
  }
  const epochs = [...byEpoch.values()].map((x) => {
    const a = answer(x.params, {}, x.inputs.length, sumEconomicsInputs(x.inputs), q);
    return { epoch: a.epoch, nodes: a.nodes, rewardTokens: a.rewardTokens, perEpoch: a.perEpoch, perDay: a.perDay, margin: a.margin, annualRoi: a.annualRoi };
  });
  return { ...who, epochSeconds: ctx.settings.epochSeconds, epochs };
}

type EpochParams = { epoch: number; epochSeconds: number; tokenPriceUsd: bigint; usageUsdPerGpuHour: bigint };

async function epochOf(ctx: Context, q: EconomicsQuery): Promise<EpochParams> {
  if (q.epoch !== undefined && !/^\d{1,15}$/.test(q.epoch)) throw badRequest('INVALID_FORMAT', 'epoch is a closed epoch number', 'query.epoch');
  const r = (
    await ctx.db.query<{ epoch: string; params: string }>(
      `SELECT e.epoch::text AS epoch, p.params FROM epochs e JOIN params_versions p ON p.hash = e.params_hash
        WHERE ($1::bigint IS NULL OR e.epoch = $1) ORDER BY e.epoch DESC LIMIT 1`,
      [q.epoch ?? null],
    )
  )[0];
  if (!r) throw notFound('UNKNOWN_EPOCH', q.epoch === undefined ? 'no epoch is closed yet' : `epoch ${q.epoch} is not closed`, 'query.epoch');
  const params = parseParams(JSON.parse(r.params));
  return {
    epoch: Number(r.epoch),
    epochSeconds: ctx.settings.epochSeconds,
    tokenPriceUsd: params.bond.referenceTokenPriceUsd,
    usageUsdPerGpuHour: params.bond.gpuRateUsdPerHour,
  };
}

function inputOf(statement: string): EconomicsInput {
  const s = JSON.parse(statement) as { gpus: number; upSeconds: number; utilisation: string; reward: string };
  return economicsInputOf({ gpus: s.gpus, upSeconds: s.upSeconds, utilisation: parseWad(s.utilisation, 'utilisation'), reward: BigInt(s.reward) });
}

/** A dollar amount the user set: a non-negative decimal, at most 18 places. */
function dollars(v: string | undefined, field: string, fallback: bigint | null): bigint | null {
  if (v === undefined) return fallback;
  if (!/^\d{1,15}(\.\d{1,18})?$/.test(v)) throw badRequest('INVALID_FORMAT', `${field} is a non-negative decimal number of dollars`, `query.${field}`);
  return parseWad(v, field);
}

function answer(e: EpochParams, who: Record<string, string>, nodes: number, x: EconomicsInput, q: EconomicsQuery) {
  const a: EconomicsAssumptions = {
    tokenPriceUsd: dollars(q.tokenPrice, 'tokenPrice', e.tokenPriceUsd) as bigint,
    usageUsdPerGpuHour: dollars(q.usageRate, 'usageRate', e.usageUsdPerGpuHour) as bigint,
    powerUsdPerGpuHour: dollars(q.powerRate, 'powerRate', ECONOMICS_DEFAULTS.powerUsdPerGpuHour) as bigint,
    hardwareCostUsd: dollars(q.hardwareCost, 'hardwareCost', null),
  };
  const r: Economics = computeEconomics(x, a, e.epochSeconds);
  const w = (v: bigint | null) => (v === null ? null : formatWad(v));
  return {
    ...who,
    epoch: e.epoch,
    epochSeconds: e.epochSeconds,
    nodes,
    assumptions: {
      tokenPriceUsd: formatWad(a.tokenPriceUsd),
      usageUsdPerGpuHour: formatWad(a.usageUsdPerGpuHour),
      powerUsdPerGpuHour: formatWad(a.powerUsdPerGpuHour),
      hardwareCostUsd: w(a.hardwareCostUsd),
    },
    rewardTokens: x.rewardTokens.toString(),
    perEpoch: {
      gpuHoursDelivered: formatWad(r.gpuHoursDelivered),
      gpuHoursUp: formatWad(r.gpuHoursUp),
      usageRevenueUsd: formatWad(r.usageRevenueUsd),
      rewardIncomeUsd: formatWad(r.rewardIncomeUsd),
      powerCostUsd: formatWad(r.powerCostUsd),
      netUsd: formatWad(r.netUsd),
    },
    perDay: Object.fromEntries(Object.entries(r.perDay).map(([k, v]) => [k, formatWad(v)])),
    margin: w(r.margin),
    annualRoi: w(r.annualRoi),
    targets: { margin: formatWad(ECONOMICS_DEFAULTS.targetMargin), annualRoi: formatWad(ECONOMICS_DEFAULTS.targetAnnualRoi) },
  };
}
