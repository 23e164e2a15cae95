import { formatWad, parseAmount, parseWad } from './amount.ts';
import { ROLES } from './params.ts';
import type { StakeStatement } from './pools.ts';
import type { EpochResult } from './process-epoch.ts';
import type { ReasonCode } from './reasons.ts';
import type { NodeStatement } from './statement.ts';

/**
 * The wire form of an epoch result. Token amounts are base-unit decimal strings; factors are exact
 * decimal strings (`"0.95"`); contribution and scores are compute-unit-seconds as exact decimals.
 * Keys come out in a fixed order, so the same result always serialises to the same bytes.
 */
export function serializeResult(r: EpochResult, options: { nodes?: boolean } = {}): Record<string, unknown> {
  const e = r.emission;
  return {
    version: r.version,
    epoch: r.epoch,
    paramsHash: r.paramsHash,
    emission: {
      baseEmission: e.baseEmission.toString(),
      nextBaseEmission: e.nextBaseEmission.toString(),
      networkUtilisation: formatWad(e.networkUtilisation),
      rawDynamicFactor: formatWad(e.rawDynamicFactor),
      dynamicFactor: formatWad(e.dynamicFactor),
      growth: formatWad(e.growth),
      uncappedPool: e.uncappedPool.toString(),
      epochPool: e.epochPool.toString(),
      reasons: e.reasons,
    },
    stakeRatio: formatWad(r.stakeRatio),
    stakerWeightAdjust: formatWad(r.stakerWeightAdjust),
    pools: Object.fromEntries(
      ROLES.map((role) => {
        const p = r.pools[role];
        return [role, { allocated: p.allocated.toString(), paid: p.paid.toString(), toTreasury: p.toTreasury.toString() }];
      }),
    ),
    treasury: r.treasury.toString(),
    nodes: options.nodes === false ? undefined : r.statements().map(serializeNodeStatement),
    validators: r.validators.map((v) => ({ id: v.id, payout: v.payout, agreedAudits: v.agreedAudits, reward: v.reward.toString(), reasons: v.reasons })),
    stakes: r.stakes.map(serializeStake),
    attested: r.attested.map((a) => ({ role: a.role, payout: a.payout, points: a.points.toString(), reward: a.reward.toString() })),
    referrals: r.referrals.map((x) => ({ referrer: x.referrer, nodeId: x.nodeId, paid: x.paid.toString() })),
    usagePool: {
      byShare: r.usagePool.byShare.toString(),
      feeBound: r.usagePool.feeBound.toString(),
      fees: r.usagePool.fees.toString(),
      pool: r.usagePool.pool.toString(),
    },
    ignoredAttestations: r.ignoredAttestations,
    payouts: r.payouts.map((p) => ({ address: p.address, amount: p.amount.toString() })),
    claims: r.claims.map((p) => ({ address: p.address, amount: p.amount.toString() })),
    vesting: { locked: r.vesting.locked.toString(), vested: r.vesting.vested.toString(), forfeited: r.vesting.forfeited.toString() },
    reasonCounts: r.reasonCounts,
  };
}

export function serializeNodeStatement(s: NodeStatement): Record<string, unknown> {
  return {
    id: s.id,
    owner: s.owner,
    reward: s.reward.toString(),
    capacityReward: s.capacityReward.toString(),
    usageReward: s.usageReward.toString(),
    fee: s.fee.toString(),
    referral: s.referral.toString(),
    eligible: s.eligible,
    hardwareClass: s.hardwareClass,
    gpus: s.gpus,
    countedGpus: s.countedGpus,
    computeUnits: formatWad(s.computeUnits),
    upSeconds: s.upSeconds,
    uptime: formatWad(s.uptime),
    utilisation: formatWad(s.utilisation),
    contribution: formatWad(s.contribution),
    quality: {
      uptime: formatWad(s.quality.uptime),
      errors: formatWad(s.quality.errors),
      response: formatWad(s.quality.response),
      rating: formatWad(s.quality.rating),
      total: formatWad(s.quality.total),
    },
    valuation: { scarcity: formatWad(s.valuation.scarcity), geo: formatWad(s.valuation.geo), total: formatWad(s.valuation.total) },
    commitment: formatWad(s.commitment),
    bonuses: {
      quality: formatWad(s.bonuses.quality),
      newNode: formatWad(s.bonuses.newNode),
      underServed: formatWad(s.bonuses.underServed),
      innovation: formatWad(s.bonuses.innovation),
      energy: formatWad(s.bonuses.energy),
      total: formatWad(s.bonuses.total),
    },
    rawScore: formatWad(s.rawScore),
    probationShare: formatWad(s.probationShare),
    score: formatWad(s.score),
    minBond: s.minBond.toString(),
    bond: s.bond.toString(),
    bondWeight: s.bondWeight.toString(),
    bondReward: s.bondReward.toString(),
    locked: s.locked.toString(),
    vested: s.vested.toString(),
    forfeited: s.forfeited.toString(),
    unvested: s.unvested.toString(),
    reasons: s.reasons,
  };
}

/**
 * A statement back from its wire form (`serializeNodeStatement`'s output, as the store keeps it):
 * amounts and WAD fractions exact; a bad field is named.
 */
export function parseNodeStatement(json: Record<string, unknown>): NodeStatement {
  const j = json as Record<string, unknown> & Record<'quality' | 'valuation' | 'bonuses', Record<string, unknown>>;
  const amt = (v: unknown, f: string) => parseAmount(v, `statement.${f}`);
  const w = (v: unknown, f: string) => parseWad(v, `statement.${f}`);
  const ws = <K extends string>(o: Record<K, unknown>, f: string, keys: readonly K[]) =>
    Object.fromEntries(keys.map((k) => [k, w(o?.[k], `${f}.${k}`)])) as Record<K, bigint>;
  return {
    id: String(j.id),
    owner: String(j.owner),
    reward: amt(j.reward, 'reward'),
    capacityReward: amt(j.capacityReward, 'capacityReward'),
    usageReward: amt(j.usageReward, 'usageReward'),
    fee: amt(j.fee, 'fee'),
    referral: amt(j.referral, 'referral'),
    eligible: j.eligible === true,
    hardwareClass: String(j.hardwareClass),
    gpus: Number(j.gpus),
    countedGpus: Number(j.countedGpus),
    computeUnits: w(j.computeUnits, 'computeUnits'),
    upSeconds: Number(j.upSeconds),
    uptime: w(j.uptime, 'uptime'),
    utilisation: w(j.utilisation, 'utilisation'),
    contribution: w(j.contribution, 'contribution'),
    quality: ws(j.quality, 'quality', ['uptime', 'errors', 'response', 'rating', 'total'] as const),
    valuation: ws(j.valuation, 'valuation', ['scarcity', 'geo', 'total'] as const),
    commitment: w(j.commitment, 'commitment'),
    bonuses: ws(j.bonuses, 'bonuses', ['quality', 'newNode', 'underServed', 'innovation', 'energy', 'total'] as const),
    rawScore: w(j.rawScore, 'rawScore'),
    probationShare: w(j.probationShare, 'probationShare'),
    score: w(j.score, 'score'),
    minBond: amt(j.minBond, 'minBond'),
    bond: amt(j.bond, 'bond'),
    bondWeight: amt(j.bondWeight, 'bondWeight'),
    bondReward: amt(j.bondReward, 'bondReward'),
    locked: amt(j.locked, 'locked'),
    vested: amt(j.vested, 'vested'),
    forfeited: amt(j.forfeited, 'forfeited'),
    unvested: amt(j.unvested, 'unvested'),
    reasons: (Array.isArray(j.reasons) ? j.reasons : []) as ReasonCode[],
  };
}

function serializeStake(s: StakeStatement): Record<string, unknown> {
  return {
    id: s.id,
    payout: s.payout,
    kind: s.kind,
    amount: s.amount.toString(),
    lockMultiplier: formatWad(s.lockMultiplier),
    weight: s.weight.toString(),
    reward: s.reward.toString(),
  };
}

/** The result as JSON text: byte-identical for the same input and parameters. */
export function resultJson(r: EpochResult, indent?: number): string {
  return JSON.stringify(serializeResult(r), null, indent);
}
