import { formatWad, parseWad, WAD, wpowFloor } from './amount.ts';
import { contentHash } from './canonical.ts';
import { InvalidArgumentError, InvalidParamsError } from './errors.ts';
import { arr, fieldsOf, int, map, obj, parseWith, serializeWith, str, type TSchema, toJsonSchema, wad } from './schema.ts';

/**
 * The governed parameter set (SPEC §3–7) with its defaults. Everything the reward engine, staking,
 * slashing and governance read is here; nothing else changes their behaviour. A set is validated
 * as a whole (`parseParams`) and identified by its content hash (`paramsHash`).
 */

export const ROLES = ['compute', 'validators', 'stakers', 'model', 'developer', 'community', 'liquidity'] as const;
export type Role = (typeof ROLES)[number];
export const ATTESTED_ROLES = ['model', 'developer', 'community', 'liquidity'] as const;
export type AttestedRole = (typeof ATTESTED_ROLES)[number];
export const SLA_CLASSES = ['minimum', 'recommended', 'mission-critical'] as const;
export type SlaClass = (typeof SLA_CLASSES)[number];
export const PROVIDER_CLASSES = ['individual', 'edge', 'datacentre'] as const;
export type ProviderClass = (typeof PROVIDER_CLASSES)[number];

export const KEY_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

const frac: TSchema = wad({ min: '0', max: '1' });
const tokens = (doc: string): TSchema => wad({ doc: `${doc} (whole tokens, decimal)` });
const days = (doc: string): TSchema => int({ min: 0, max: 100_000, doc });
const tier = (itemDoc: string): TSchema =>
  arr({
    maxItems: 16,
    item: obj({ fields: { days: int({ min: 0, max: 100_000 }), multiplier: wad({ min: '1', max: '10' }) } }),
    doc: itemDoc,
  });

const slaSchema: TSchema = obj({
  fields: {
    availability: wad({ min: '0.5', max: '1', doc: 'availability target' }),
    latencyMs: int({ min: 1, max: 10_000 }),
    packetLoss: frac,
    bandwidthGbps: int({ min: 0, max: 100_000 }),
  },
});

export const paramsSchema: TSchema = obj({
  fields: {
    version: int({ min: 1, max: 1, doc: 'parameter-set format version' }),
    emission: obj({
      fields: {
        genesisPerEpoch: tokens('E_0, the base emission of epoch 0'),
        decayPerYear: wad({
          min: '0',
          max: '0.99',
          doc: 'yearly decay of the base emission, applied each epoch from its length: E_{n+1} = E_n·(1 − decayPerYear)^(epochSeconds / 365 days)',
        }),
        maxPerEpoch: tokens('ceiling on the epoch pool P_n'),
        targetUtilisation: wad({ min: '0.01', max: '1' }),
        dynamicMin: wad({ min: '0', max: '10' }),
        dynamicMax: wad({ min: '0', max: '10' }),
        expansionGrowth: wad({ min: '1', max: '10', doc: 'growth while an expansion phase is declared' }),
        circuitBreaker: wad({ min: '0', max: '1', doc: 'largest move of D_n from D_{n−1}' }),
      },
    }),
    roles: obj({
      fields: {
        weights: obj({ fields: Object.fromEntries(ROLES.map((r) => [r, wad({ min: '0', max: '1000000' })])) }),
        targetStakeRatio: wad({ min: '0.01', max: '1' }),
        stakerAdjustMin: wad({ min: '0', max: '100' }),
        stakerAdjustMax: wad({ min: '0', max: '100' }),
      },
    }),
    compute: obj({
      fields: {
        gpuUnits: map({ key: KEY_PATTERN, value: wad({ min: '0', max: '1000' }), maxKeys: 256, doc: 'compute units per hour per GPU model' }),
        vcpuUnits: wad({ min: '0', max: '1000' }),
        nvmeTbUnits: wad({ min: '0', max: '1000' }),
        maxGpusPerNode: int({ min: 1, max: 100_000 }),
        maxGpusPerCluster: int({ min: 1, max: 10_000_000 }),
        usageShare: wad({
          min: '0',
          max: '1',
          doc: 'share of the compute pool that rewards use (before D_n and the fee bound): R_usage = min(usageShare × D_n × R_compute, κ × F)',
        }),
        usageFeeBound: wad({ min: '0', max: '0.999999999999999999', doc: 'κ < 1: the usage pool never exceeds κ × the protocol fee its receipts paid' }),
        scarcityWindowEpochs: int({ min: 1, max: 1000, doc: 'trailing window of the scarcity factor V, in epochs, this one included' }),
        scoreCap: wad({ min: '1', max: '100', doc: 'S_i ≤ scoreCap × C_i' }),
        quality: obj({
          fields: {
            uptimeWeight: frac,
            errorWeight: frac,
            responseWeight: frac,
            ratingWeight: frac,
            uptimeRamp: wad({ min: '0.0001', max: '1', doc: 'U falls from 1 at target to 0 at target − ramp' }),
            eligibilityFloor: wad({ min: '0', max: '1', doc: 'no reward below target − floor' }),
            errorTargetStandard: wad({ min: '0.000001', max: '1' }),
            errorTargetHigh: wad({ min: '0.000001', max: '1' }),
            errorTolerance: wad({ min: '1', max: '1000', doc: 'E reaches 0 at tolerance × target' }),
            responseTargetMs: int({ min: 1, max: 1_000_000 }),
            ratingSpread: wad({ min: '1', max: '100', doc: 'P = 0.5 + (mean − classMean) / spread' }),
          },
        }),
        sla: obj({ fields: Object.fromEntries(SLA_CLASSES.map((c) => [c, slaSchema])) }),
        providerClasses: obj({
          fields: Object.fromEntries(
            PROVIDER_CLASSES.map((c) => [c, obj({ fields: { minGpus: int({ min: 0, max: 1_000_000 }), minRamGb: int({ min: 0, max: 1_000_000_000 }) } })]),
          ),
        }),
        valuationMin: wad({ min: '0', max: '10' }),
        valuationMax: wad({ min: '0', max: '10' }),
        geoMax: wad({ min: '1', max: '10' }),
        underServedRegions: map({ key: KEY_PATTERN, value: wad({ min: '1', max: '10' }), maxKeys: 1024, doc: 'region → geographic multiplier' }),
        commitment: tier('lock length (days) → multiplier L, ascending'),
        bonuses: obj({
          fields: {
            qualityHighThreshold: frac,
            qualityHigh: frac,
            qualityMidThreshold: frac,
            qualityMid: frac,
            newNodeDays: days('a node is new for this many days after registration'),
            newNode: frac,
            underServedDays: days('under-served region bonus period'),
            underServed: frac,
            innovation: frac,
            energyThreshold: frac,
            energy: frac,
            cap: wad({ min: '0', max: '10' }),
          },
        }),
        innovationList: arr({ maxItems: 1024, item: str({ pattern: KEY_PATTERN }), doc: 'GPU models or service tags earning the innovation bonus' }),
        probation: arr({ maxItems: 16, item: frac, doc: 'share of S_i in each probation epoch, ending at 1' }),
      },
    }),
    bond: obj({
      fields: {
        days: days('a bond covers this many days of expected revenue'),
        gpuRateUsdPerHour: wad({ min: '0', max: '1000000' }),
        referenceTokenPriceUsd: wad({ min: '0.000000000001', max: '1000000000' }),
      },
    }),
    fees: obj({
      fields: {
        protocolFee: frac,
        burnShare: frac,
        minBillableUsdPerGpuHour: wad({ min: '0', max: '1000000' }),
        powerCostUsdPerGpuHour: wad({ min: '0', max: '1000000' }),
      },
    }),
    referral: obj({ fields: { share: frac, days: days('referral period after the node registers') } }),
    attestors: obj({
      fields: Object.fromEntries(ATTESTED_ROLES.map((r) => [r, arr({ maxItems: 256, item: str({ pattern: KEY_PATTERN }) })])),
      doc: 'approved attestor ids per role',
    }),
    staking: obj({
      fields: {
        userDiscounts: arr({
          maxItems: 16,
          item: obj({ fields: { minStake: tokens('stake at or above which'), discount: frac } }),
        }),
        operatorMinStake: tokens('minimum validator stake'),
        unbondingDays: days('unbonding delay'),
      },
    }),
    vesting: obj({
      fields: {
        share: wad({ min: '0', max: '1', doc: 'the share of each compute reward that vests over `epochs` before it can be claimed (SPEC §6.1)' }),
        epochs: int({ min: 1, max: 100_000, doc: 'the epochs a locked reward takes to vest, linearly' }),
      },
    }),
    audits: obj({
      fields: {
        rate: frac,
        minPerNodePerWeek: int({ min: 0, max: 10_000 }),
        trapShare: wad({
          min: '0',
          max: '0.5',
          doc: "the share of each validator's audit assignments that are traps, shown with a deliberately wrong result hash (SPEC §3.4)",
        }),
        probesPerNodePerEpoch: int({
          min: 0,
          max: 10_000,
          doc: 'liveness probes sent to each node that claims to be up, per epoch, at random times, by the validators together (SPEC §3.4)',
        }),
        recheckDays: int({
          min: 1,
          max: 3650,
          doc: "how long a validator's onboarding check or hardware re-check counts: after it, a node on a network that requires checks earns nothing until a new one passes (SPEC §3.1)",
        }),
      },
    }),
    heartbeats: obj({
      fields: {
        maxSkewSeconds: int({
          min: 0,
          max: 30,
          doc: "how far a heartbeat's own timestamp may lag the service's clock when it arrives (SPEC §3.2: it counts for the slot it arrives in; nothing stamped in the future counts) — seconds, never minutes",
        }),
        platformOutageShare: wad({
          min: '0',
          max: '1',
          doc: "a slot in which more than this share of the active nodes missed their heartbeat is a platform outage, excluded from every node's expected time (SPEC §3.2)",
        }),
        platformOutageMinNodes: int({
          min: 1,
          max: 1_000_000,
          doc: 'the platform-outage rule applies only to slots in which at least this many active nodes were expected (a lone node missing its heartbeat is its own fault)',
        }),
        maintenanceNoticeHours: int({ min: 0, max: 10_000, doc: 'announced maintenance must be announced at least this long ahead' }),
        maintenanceHoursPerWeek: int({ min: 0, max: 168, doc: 'announced maintenance per node, at most this many hours in any 7 days' }),
      },
    }),
    slashing: obj({
      fields: {
        windowDays: days('violations are counted over this rolling window'),
        performance: arr({ maxItems: 16, item: frac, doc: 'slash of bond at the 1st, 2nd, … performance violation' }),
        suspensionDays: days('suspension after the 3rd performance violation'),
        exclusionDays: days('exclusion after the 4th performance violation, before probation (proposed)'),
        lowUptime: frac,
        lowUptimeEpochs: int({ min: 1, max: 1000, doc: 'epochs running below lowUptime that count as a 4th violation' }),
        failedVerification: frac,
        validator: arr({
          maxItems: 16,
          item: frac,
          doc: 'slash of the operator stake at the 1st, 2nd, … validator violation; the last step also removes the validator (SPEC §6.1)',
        }),
        jailDays: days('jail after a failed verification'),
        equivocation: frac,
        operationalPerSeverity: frac,
        hoardingShare: wad({
          min: '0',
          max: '1',
          doc: "refusing more than this share of the work offered (consumers' signed refusals against the node's paid jobs, by price) is resource hoarding, an operational violation (SPEC §6.1)",
        }),
        escrowDays: days('appeal window before release'),
        compensationShare: frac,
      },
    }),
    governance: obj({
      fields: {
        votingEpochs: int({ min: 1, max: 1000 }),
        quorum: frac,
        threshold: frac,
        veto: frac,
        deposit: tokens('proposal deposit'),
      },
    }),
  },
});

type Wad = bigint;
export type SlaParams = { availability: Wad; latencyMs: number; packetLoss: Wad; bandwidthGbps: number };
export type Tier = { days: number; multiplier: Wad };

/** The parsed parameter set: every decimal as WAD `bigint`, every token quantity in base units. */
export type Params = {
  version: 1;
  emission: {
    genesisPerEpoch: bigint;
    decayPerYear: Wad;
    maxPerEpoch: bigint;
    targetUtilisation: Wad;
    dynamicMin: Wad;
    dynamicMax: Wad;
    expansionGrowth: Wad;
    circuitBreaker: Wad;
  };
  roles: { weights: Record<Role, Wad>; targetStakeRatio: Wad; stakerAdjustMin: Wad; stakerAdjustMax: Wad };
  compute: {
    gpuUnits: Record<string, Wad>;
    vcpuUnits: Wad;
    nvmeTbUnits: Wad;
    maxGpusPerNode: number;
    maxGpusPerCluster: number;
    usageShare: Wad;
    usageFeeBound: Wad;
    scarcityWindowEpochs: number;
    scoreCap: Wad;
    quality: {
      uptimeWeight: Wad;
      errorWeight: Wad;
      responseWeight: Wad;
      ratingWeight: Wad;
      uptimeRamp: Wad;
      eligibilityFloor: Wad;
      errorTargetStandard: Wad;
      errorTargetHigh: Wad;
      errorTolerance: Wad;
      responseTargetMs: number;
      ratingSpread: Wad;
    };
    sla: Record<SlaClass, SlaParams>;
    providerClasses: Record<ProviderClass, { minGpus: number; minRamGb: number }>;
    valuationMin: Wad;
    valuationMax: Wad;
    geoMax: Wad;
    underServedRegions: Record<string, Wad>;
    commitment: Tier[];
    bonuses: {
      qualityHighThreshold: Wad;
      qualityHigh: Wad;
      qualityMidThreshold: Wad;
      qualityMid: Wad;
      newNodeDays: number;
      newNode: Wad;
      underServedDays: number;
      underServed: Wad;
      innovation: Wad;
      energyThreshold: Wad;
      energy: Wad;
      cap: Wad;
    };
    innovationList: string[];
    probation: Wad[];
  };
  bond: { days: number; gpuRateUsdPerHour: Wad; referenceTokenPriceUsd: Wad };
  fees: { protocolFee: Wad; burnShare: Wad; minBillableUsdPerGpuHour: Wad; powerCostUsdPerGpuHour: Wad };
  referral: { share: Wad; days: number };
  attestors: Record<AttestedRole, string[]>;
  staking: { userDiscounts: { minStake: bigint; discount: Wad }[]; operatorMinStake: bigint; unbondingDays: number };
  vesting: { share: Wad; epochs: number };
  audits: { rate: Wad; minPerNodePerWeek: number; trapShare: Wad; probesPerNodePerEpoch: number; recheckDays: number };
  heartbeats: {
    maxSkewSeconds: number;
    platformOutageShare: Wad;
    platformOutageMinNodes: number;
    maintenanceNoticeHours: number;
    maintenanceHoursPerWeek: number;
  };
  slashing: {
    windowDays: number;
    performance: Wad[];
    suspensionDays: number;
    exclusionDays: number;
    lowUptime: Wad;
    lowUptimeEpochs: number;
    failedVerification: Wad;
    validator: Wad[];
    jailDays: number;
    equivocation: Wad;
    operationalPerSeverity: Wad;
    hoardingShare: Wad;
    escrowDays: number;
    compensationShare: Wad;
  };
  governance: { votingEpochs: number; quorum: Wad; threshold: Wad; veto: Wad; deposit: bigint };
};

/** The defaults of SPEC §3–7, in wire form. Numbers marked *(proposed)* in the SPEC are ours. */
export const DEFAULT_PARAMS_JSON = {
  version: 1,
  emission: {
    genesisPerEpoch: '1000000',
    // SPEC §4.2: "default decay ≈ 15 % a year", the same whatever the epoch length
    decayPerYear: '0.15',
    maxPerEpoch: '1500000',
    targetUtilisation: '0.9',
    dynamicMin: '0.8',
    dynamicMax: '1.25',
    expansionGrowth: '1.25',
    circuitBreaker: '0.2',
  },
  roles: {
    weights: { compute: '60', validators: '10', stakers: '15', model: '5', developer: '4', community: '3', liquidity: '3' },
    targetStakeRatio: '0.5',
    stakerAdjustMin: '0.5',
    stakerAdjustMax: '2',
  },
  compute: {
    gpuUnits: {
      H200: '14',
      H100: '12',
      'A100-80G': '6',
      'A100-40G': '5',
      L40S: '4',
      'RTX-4090': '3',
      A10: '2',
      'RTX-3090': '1.5',
      T4: '1',
      other: '0.5',
    },
    vcpuUnits: '0.05',
    nvmeTbUnits: '0.02',
    maxGpusPerNode: 32,
    maxGpusPerCluster: 1000,
    // SPEC §4.4: the usage pool, bounded by κ × the protocol fee its receipts paid
    usageShare: '0.3',
    usageFeeBound: '0.8',
    scarcityWindowEpochs: 7,
    scoreCap: '3',
    quality: {
      uptimeWeight: '0.3',
      errorWeight: '0.3',
      responseWeight: '0.2',
      ratingWeight: '0.2',
      uptimeRamp: '0.02',
      eligibilityFloor: '0.05',
      errorTargetStandard: '0.01',
      errorTargetHigh: '0.001',
      errorTolerance: '5',
      responseTargetMs: 100,
      ratingSpread: '4',
    },
    sla: {
      minimum: { availability: '0.999', latencyMs: 50, packetLoss: '0.001', bandwidthGbps: 1 },
      recommended: { availability: '0.9999', latencyMs: 10, packetLoss: '0.0001', bandwidthGbps: 10 },
      'mission-critical': { availability: '0.99999', latencyMs: 5, packetLoss: '0.00001', bandwidthGbps: 100 },
    },
    providerClasses: {
      individual: { minGpus: 1, minRamGb: 32 },
      edge: { minGpus: 10, minRamGb: 256 },
      datacentre: { minGpus: 100, minRamGb: 1024 },
    },
    valuationMin: '0.7',
    valuationMax: '1.5',
    geoMax: '1.3',
    underServedRegions: {},
    commitment: [
      { days: 30, multiplier: '1.05' },
      { days: 90, multiplier: '1.1' },
      { days: 180, multiplier: '1.2' },
      { days: 365, multiplier: '1.35' },
      { days: 730, multiplier: '1.5' },
    ],
    bonuses: {
      qualityHighThreshold: '0.95',
      qualityHigh: '0.1',
      qualityMidThreshold: '0.9',
      qualityMid: '0.05',
      newNodeDays: 90,
      newNode: '0.1',
      underServedDays: 180,
      underServed: '0.05',
      innovation: '0.1',
      energyThreshold: '0.85',
      energy: '0.05',
      cap: '0.5',
    },
    innovationList: [],
    probation: ['0.25', '0.5', '1'],
  },
  bond: { days: 7, gpuRateUsdPerHour: '0.3', referenceTokenPriceUsd: '0.1' },
  fees: { protocolFee: '0.1', burnShare: '0.5', minBillableUsdPerGpuHour: '0.1', powerCostUsdPerGpuHour: '0.05' },
  referral: { share: '0.05', days: 90 },
  // genesis: the foundation attests every role until governance approves others
  attestors: { model: ['foundation'], developer: ['foundation'], community: ['foundation'], liquidity: ['foundation'] },
  staking: {
    userDiscounts: [
      { minStake: '1000', discount: '0.05' },
      { minStake: '10000', discount: '0.1' },
      { minStake: '100000', discount: '0.2' },
    ],
    operatorMinStake: '100000',
    unbondingDays: 14,
  },
  vesting: { share: '0.5', epochs: 30 },
  audits: { rate: '0.02', minPerNodePerWeek: 1, trapShare: '0.1', probesPerNodePerEpoch: 96, recheckDays: 30 },
  heartbeats: { maxSkewSeconds: 5, platformOutageShare: '0.5', platformOutageMinNodes: 10, maintenanceNoticeHours: 24, maintenanceHoursPerWeek: 2 },
  slashing: {
    windowDays: 30,
    performance: ['0', '0.01', '0.05', '0.2'],
    suspensionDays: 7,
    exclusionDays: 30,
    lowUptime: '0.9',
    lowUptimeEpochs: 3,
    failedVerification: '0.1',
    validator: ['0.01', '0.1', '1'],
    jailDays: 7,
    equivocation: '1',
    operationalPerSeverity: '0.02',
    hoardingShare: '0.25',
    escrowDays: 14,
    compensationShare: '0.5',
  },
  governance: { votingEpochs: 3, quorum: '0.334', threshold: '0.5', veto: '0.334', deposit: '1000' },
} as const;

/**
 * Fields added to the format after stores were made with it, with their defaults, and fields it
 * dropped: a set saved before (in a store, a proposal, a file) still parses — added fields take
 * their defaults, dropped ones are ignored — so an upgrade never strands a running network. A set
 * that has a field is parsed as it is.
 */
const ADDED_FIELDS = {
  heartbeats: DEFAULT_PARAMS_JSON.heartbeats,
  audits: {
    recheckDays: DEFAULT_PARAMS_JSON.audits.recheckDays,
    trapShare: DEFAULT_PARAMS_JSON.audits.trapShare,
    probesPerNodePerEpoch: DEFAULT_PARAMS_JSON.audits.probesPerNodePerEpoch,
  },
  slashing: { validator: DEFAULT_PARAMS_JSON.slashing.validator, hoardingShare: DEFAULT_PARAMS_JSON.slashing.hoardingShare },
  // a parameter set from before vesting keeps paying every reward at once until governance sets a share
  vesting: { share: '0', epochs: DEFAULT_PARAMS_JSON.vesting.epochs },
  compute: {
    usageShare: DEFAULT_PARAMS_JSON.compute.usageShare,
    usageFeeBound: DEFAULT_PARAMS_JSON.compute.usageFeeBound,
    scarcityWindowEpochs: DEFAULT_PARAMS_JSON.compute.scarcityWindowEpochs,
  },
} as const;
/** `compute.utilisationBase/Weight` scaled the capacity score by use until SPEC §4.4 moved use to the fee-bounded usage pool. */
const DROPPED_FIELDS = { compute: ['utilisationBase', 'utilisationWeight'] } as const;

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** `json` with every field of `added` it lacks (recursively, objects only). */
function withAdded(json: Record<string, unknown>, added: Record<string, unknown>): Record<string, unknown> {
  const out = { ...json };
  for (const [k, v] of Object.entries(added)) {
    if (!Object.hasOwn(out, k)) out[k] = v;
    else if (isRecord(v) && isRecord(out[k])) out[k] = withAdded(out[k] as Record<string, unknown>, v);
  }
  return out;
}

/**
 * A parameter set saved by an earlier version, in today's form: fields added since take their
 * defaults, dropped fields go; `emission.decayPerEpoch` (stated per daily epoch) becomes
 * `decayPerYear`, the yearly decay it meant, `1 − (1 − decayPerEpoch)^365`, floored to 18 decimals.
 */
function upgraded(json: unknown): unknown {
  if (!isRecord(json)) return json;
  let out = withAdded(json, ADDED_FIELDS);
  for (const [section, fields] of Object.entries(DROPPED_FIELDS)) {
    const v = out[section];
    if (isRecord(v) && fields.some((f) => Object.hasOwn(v, f)))
      out[section] = Object.fromEntries(Object.entries(v).filter(([f]) => !(fields as readonly string[]).includes(f)));
  }
  const e = out.emission;
  if (isRecord(e) && Object.hasOwn(e, 'decayPerEpoch') && !Object.hasOwn(e, 'decayPerYear')) {
    const { decayPerEpoch, ...rest } = e;
    const perEpoch = parseWad(decayPerEpoch, 'emission.decayPerEpoch');
    if (perEpoch > WAD) throw new InvalidParamsError('emission.decayPerEpoch', 'must be at most 1');
    out = { ...out, emission: { ...rest, decayPerYear: formatWad(WAD - wpowFloor(WAD - perEpoch, 365)) } };
  }
  return out;
}

/**
 * Parses and validates a whole parameter set (wire form): every field's type and range, then the
 * cross-field rules — weights that must sum to one, tiers that must ascend, caps at or above
 * floors. Throws `InvalidParamsError` naming the first offending field.
 *
 * @example const params = parseParams(DEFAULT_PARAMS_JSON)
 */
export function parseParams(json: unknown): Params {
  let p: Params;
  try {
    p = parseWith(paramsSchema, upgraded(json), '') as Params;
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new InvalidParamsError(e.field ?? '', e.message.replace(/^[^:]*: /, ''));
    throw e;
  }
  validateParams(p);
  return p;
}

function check(ok: boolean, field: string, message: string): void {
  if (!ok) throw new InvalidParamsError(field, message);
}

/** The cross-field rules of a parameter set (SPEC §7: "validated as a whole"). */
export function validateParams(p: Params): void {
  const e = p.emission;
  check(e.genesisPerEpoch > 0n, 'emission.genesisPerEpoch', 'must be positive');
  check(e.maxPerEpoch > 0n, 'emission.maxPerEpoch', 'must be positive');
  check(e.dynamicMin <= e.dynamicMax, 'emission.dynamicMax', 'must be at least dynamicMin');
  check(e.dynamicMin > 0n, 'emission.dynamicMin', 'must be positive');
  const r = p.roles;
  let roleSum = 0n;
  for (const role of ROLES) roleSum += r.weights[role];
  check(roleSum > 0n, 'roles.weights', 'must not all be zero');
  check(r.stakerAdjustMin <= r.stakerAdjustMax, 'roles.stakerAdjustMax', 'must be at least stakerAdjustMin');
  const c = p.compute;
  check(c.gpuUnits.other !== undefined, 'compute.gpuUnits.other', "must be defined: GPUs not listed are declared as 'other'");
  check(c.usageFeeBound < WAD, 'compute.usageFeeBound', 'must be below 1 (κ < 1: a wash trade always loses part of its fee)');
  check(c.maxGpusPerCluster >= c.maxGpusPerNode, 'compute.maxGpusPerCluster', 'must be at least maxGpusPerNode');
  const q = c.quality;
  check(q.uptimeWeight + q.errorWeight + q.responseWeight + q.ratingWeight === WAD, 'compute.quality', 'the four quality weights must sum to 1');
  check(
    q.eligibilityFloor >= q.uptimeRamp,
    'compute.quality.eligibilityFloor',
    'must be at least uptimeRamp (the floor lies below the point where U reaches 0)',
  );
  check(c.valuationMin <= c.valuationMax, 'compute.valuationMax', 'must be at least valuationMin');
  check(c.valuationMin > 0n, 'compute.valuationMin', 'must be positive');
  for (const [region, g] of Object.entries(c.underServedRegions)) {
    check(g <= c.geoMax, `compute.underServedRegions.${region}`, `must be at most geoMax (${(c.geoMax * 100n) / WAD} %)`);
  }
  let prevSla: SlaParams | undefined;
  for (const cls of SLA_CLASSES) {
    const s = c.sla[cls];
    check(s.availability > q.eligibilityFloor, `compute.sla.${cls}.availability`, 'must exceed the eligibility floor');
    if (prevSla) check(s.availability >= prevSla.availability, `compute.sla.${cls}.availability`, 'must not be below the class before it');
    prevSla = s;
  }
  ascending(
    c.commitment.map((t) => BigInt(t.days)),
    'compute.commitment',
    'days',
    true,
  );
  ascending(
    c.commitment.map((t) => t.multiplier),
    'compute.commitment',
    'multiplier',
    false,
  );
  const b = c.bonuses;
  check(b.qualityMidThreshold <= b.qualityHighThreshold, 'compute.bonuses.qualityMidThreshold', 'must not exceed qualityHighThreshold');
  check(b.qualityMid <= b.qualityHigh, 'compute.bonuses.qualityMid', 'must not exceed qualityHigh');
  check(c.probation.length >= 1, 'compute.probation', 'must have at least one stage');
  ascending(c.probation, 'compute.probation', '', false);
  check(c.probation[c.probation.length - 1] === WAD, 'compute.probation', 'must end at 1 (full reward)');
  let prevCls: { minGpus: number; minRamGb: number } | undefined;
  for (const cls of PROVIDER_CLASSES) {
    const pc = c.providerClasses[cls];
    if (prevCls)
      check(pc.minGpus >= prevCls.minGpus && pc.minRamGb >= prevCls.minRamGb, `compute.providerClasses.${cls}`, 'must not be below the class before it');
    prevCls = pc;
  }
  check(p.fees.protocolFee < WAD, 'fees.protocolFee', 'must be below 1');
  const s = p.staking;
  ascending(
    s.userDiscounts.map((t) => t.minStake),
    'staking.userDiscounts',
    'minStake',
    true,
  );
  ascending(
    s.userDiscounts.map((t) => t.discount),
    'staking.userDiscounts',
    'discount',
    false,
  );
  check(p.slashing.performance.length >= 1, 'slashing.performance', 'must have at least one step');
  ascending(p.slashing.performance, 'slashing.performance', '', false);
  check(p.slashing.validator.length >= 1, 'slashing.validator', 'must have at least one step');
  ascending(p.slashing.validator, 'slashing.validator', '', false);
  const g = p.governance;
  check(g.quorum > 0n, 'governance.quorum', 'must be positive');
  check(g.threshold > 0n && g.threshold < WAD, 'governance.threshold', 'must be between 0 and 1');
  check(g.veto > 0n, 'governance.veto', 'must be positive');
}

function ascending(values: bigint[], field: string, member: string, strict: boolean): void {
  for (let i = 1; i < values.length; i++) {
    const a = values[i - 1] as bigint;
    const v = values[i] as bigint;
    check(strict ? v > a : v >= a, `${field}[${i}]${member ? `.${member}` : ''}`, strict ? 'must be strictly ascending' : 'must not decrease');
  }
}

/**
 * Applies a patch to a parameter set in wire form: objects with fixed fields merge member by
 * member; maps (`gpuUnits`, `underServedRegions`) and lists are replaced whole, so a patch can
 * also remove an entry. The result still has to pass `parseParams`.
 *
 * @example parseParams(patchParams(DEFAULT_PARAMS_JSON, { compute: { scoreCap: '2.5' } }))
 */
export function patchParams(base: unknown, patch: unknown): unknown {
  return patchWith(paramsSchema, base, patch);
}

function patchWith(schema: TSchema, base: unknown, patch: unknown): unknown {
  const fields = fieldsOf(schema);
  if (fields === undefined || patch === null || typeof patch !== 'object' || Array.isArray(patch) || base === null || typeof base !== 'object') return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) {
    const d = fields[k];
    out[k] = d === undefined ? v : patchWith(d, out[k], v);
  }
  return out;
}

/** The wire form of a parsed set. */
export function serializeParams(p: Params): Record<string, unknown> {
  return serializeWith(paramsSchema, p) as Record<string, unknown>;
}

/** The content hash that identifies a parameter version: SHA-256 of its canonical wire form. */
export function paramsHash(p: Params): string {
  return contentHash(serializeParams(p));
}

/** The default parameter set, parsed. */
export function defaultParams(): Params {
  return parseParams(DEFAULT_PARAMS_JSON);
}

/** JSON Schema of the parameter set's wire form. */
export function paramsJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://swarm.example/schemas/params-v1.json',
    title: 'Swarm Rewards parameter set, version 1',
    ...toJsonSchema(paramsSchema),
  };
}
