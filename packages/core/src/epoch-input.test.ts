import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../scripts/generate.ts';
import { type EpochInput, epochInputJsonSchema, parseEpochInput, serializeEpochInput } from './epoch-input.ts';
import { InvalidArgumentError } from './errors.ts';
import { defaultParams } from './params.ts';
import { processEpoch } from './process-epoch.ts';
import { syntheticEpoch } from './synthetic.ts';

const params = defaultParams();
const root = new URL('../../../', import.meta.url);
const wire = (): any => serializeEpochInput(syntheticEpoch({ seed: 7, nodes: 4 }));

function refusal(mutate: (j: any) => void): InvalidArgumentError {
  const j = wire();
  mutate(j);
  try {
    parseEpochInput(j, params);
  } catch (e) {
    if (e instanceof InvalidArgumentError) return e;
    throw e;
  }
  throw new Error('the input was accepted');
}

describe('epoch input', () => {
  it('round-trips through its wire form', () => {
    const input = syntheticEpoch({ seed: 7, nodes: 4 });
    expect(parseEpochInput(serializeEpochInput(input), params)).toEqual(input);
  });

  const cases: [string, (j: any) => void, string, string][] = [
    ['a missing field', (j) => delete j.nodes[1].upSlots, 'nodes[1].upSlots', 'MISSING_FIELD'],
    ['an unknown field', (j) => (j.nodes[0].hardware.fpgas = 2), 'nodes[0].hardware.fpgas', 'UNKNOWN_FIELD'],
    ['an unknown top-level field', (j) => (j.extra = true), 'extra', 'UNKNOWN_FIELD'],
    ['a negative amount', (j) => (j.nodes[2].bond = '-5'), 'nodes[2].bond', 'INVALID_AMOUNT'],
    ['a non-decimal amount', (j) => (j.stakes[0].amount = '0x10'), 'stakes[0].amount', 'INVALID_AMOUNT'],
    ['an amount as a number', (j) => (j.baseEmission = 1000), 'baseEmission', 'INVALID_AMOUNT'],
    ['a fractional amount', (j) => (j.supply.total = '1.5'), 'supply.total', 'INVALID_AMOUNT'],
    ['an unknown GPU model', (j) => (j.nodes[0].hardware.gpus = [{ model: 'GTX-9999', count: 1 }]), 'nodes[0].hardware.gpus[0].model', 'UNKNOWN_GPU_MODEL'],
    ['up-time above the expected time', (j) => (j.nodes[3].upSlots = j.nodes[3].expectedSlots + 1), 'nodes[3].upSlots', 'UPTIME_ABOVE_EXPECTED'],
    ['expected time above the epoch', (j) => (j.nodes[0].expectedSlots = 1441), 'nodes[0].expectedSlots', 'OUT_OF_RANGE'],
    [
      'delivered above provisioned',
      (j) => {
        const n = j.nodes[0];
        n.hardware.gpus = [{ model: 'H100', count: 2 }];
        n.gpuSecondsDelivered = 2 * n.upSlots * 60 + 1;
      },
      'nodes[0].gpuSecondsDelivered',
      'DELIVERED_ABOVE_PROVISIONED',
    ],
    ['a negative count', (j) => (j.nodes[0].upSlots = -1), 'nodes[0].upSlots', 'OUT_OF_RANGE'],
    ['a fractional minute', (j) => (j.nodes[0].upSlots = 10.5), 'nodes[0].upSlots', 'INVALID_TYPE'],
    [
      'failures above jobs',
      (j) => (j.nodes[0].jobs.all.standardFailed = `${BigInt(j.nodes[0].jobs.all.standard) + 1n}`),
      'nodes[0].jobs.all.standardFailed',
      'OUT_OF_RANGE',
    ],
    [
      'ratings outside 1–5',
      (j) => (j.nodes[0].jobs.all.ratingSum = `${6n * (BigInt(j.nodes[0].jobs.all.standard) + BigInt(j.nodes[0].jobs.all.high))}`),
      'nodes[0].jobs.all.ratingSum',
      'OUT_OF_RANGE',
    ],
    [
      'independent receipts above all of them',
      (j) => (j.nodes[0].jobs.independent.high = `${BigInt(j.nodes[0].jobs.all.high) + 1n}`),
      'nodes[0].jobs.independent.high',
      'OUT_OF_RANGE',
    ],
    [
      'excluded slots out of order',
      (j) =>
        (j.excludedSlots = [
          { from: 5, to: 9, cause: 'service-down' },
          { from: 9, to: 12, cause: 'platform-outage' },
        ]),
      'excludedSlots[1]',
      'OUT_OF_RANGE',
    ],
    [
      'expected slots that include excluded ones',
      (j) => (j.excludedSlots = [{ from: 0, to: 9, cause: 'service-down' }]),
      'nodes[0].expectedSlots',
      'OUT_OF_RANGE',
    ],
    [
      'a repeated owner and class in the scarcity history',
      (j) =>
        (j.scarcityHistory = [
          { owner: j.nodes[0].owner, hardwareClass: 'H100', delivered: 1, provisioned: 2 },
          { owner: j.nodes[0].owner, hardwareClass: 'H100', delivered: 1, provisioned: 2 },
        ]),
      'scarcityHistory[1]',
      'DUPLICATE_ID',
    ],
    ['a duplicate node id', (j) => (j.nodes[1].id = j.nodes[0].id), 'nodes[1].id', 'DUPLICATE_ID'],
    [
      'a duplicate id among nodes out of order',
      (j) => {
        j.nodes.reverse();
        j.nodes[3].id = j.nodes[1].id;
      },
      'nodes[3].id',
      'DUPLICATE_ID',
    ],
    ['the same id at both ends of the (four) nodes', (j) => (j.nodes[3].id = j.nodes[0].id), 'nodes[3].id', 'DUPLICATE_ID'],
    ['an upper-case address', (j) => (j.nodes[0].owner = j.nodes[0].owner.toUpperCase()), 'nodes[0].owner', 'INVALID_FORMAT'],
    ['an unknown SLA class', (j) => (j.nodes[0].slaClass = 'gold'), 'nodes[0].slaClass', 'INVALID_ENUM'],
    ['self-referral', (j) => (j.nodes[0].referrer = j.nodes[0].owner), 'nodes[0].referrer', 'SELF_REFERRAL'],
    ['staked above supply', (j) => (j.supply.staked = (BigInt(j.supply.total) + 1n).toString()), 'supply.staked', 'OUT_OF_RANGE'],
    ['a factor with 19 decimals', (j) => (j.nodes[0].powerEfficiency = '0.1234567890123456789'), 'nodes[0].powerEfficiency', 'INVALID_DECIMAL'],
    ['not an object', (j) => (j.nodes[0] = 'node'), 'nodes[0]', 'INVALID_TYPE'],
  ];
  it.each(cases)('refuses %s, naming the field', (_, mutate, field, code) => {
    const e = refusal(mutate);
    expect(e.field).toBe(field);
    expect(e.code).toBe(code);
    expect(e.message).toContain(field);
  });

  it('processEpoch itself refuses an inconsistent typed input: nothing is computed', () => {
    const input: EpochInput = syntheticEpoch({ seed: 7, nodes: 4 });
    const n = input.nodes[0] as EpochInput['nodes'][number];
    n.upSlots = n.expectedSlots + 5;
    expect(() => processEpoch(input, params)).toThrowError(/nodes\[0\]\.upSlots/);
  });

  it('the checked-in schemas and example are what the generator writes', () => {
    for (const [path, text] of Object.entries(generatedFiles())) {
      expect(readFileSync(new URL(path, root), 'utf8'), `${path} is stale: run npm run generate`).toBe(text);
    }
  });

  it('the JSON Schema accepts the example and refuses what the parser refuses for shape', () => {
    const ajv = new Ajv2020.default({ allErrors: false, strict: false });
    const validate = ajv.compile(epochInputJsonSchema());
    const example = JSON.parse(readFileSync(new URL('examples/epoch.json', root), 'utf8'));
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    for (const [, mutate, , code] of cases) {
      if (!['MISSING_FIELD', 'UNKNOWN_FIELD', 'INVALID_AMOUNT', 'INVALID_TYPE', 'INVALID_ENUM', 'INVALID_FORMAT', 'INVALID_DECIMAL'].includes(code)) continue;
      const j = wire();
      mutate(j);
      expect(validate(j)).toBe(false);
    }
  });
});
