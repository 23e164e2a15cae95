import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Amounts } from './amounts.ts';
import { ANOMALIES, type EpochInput, type NodeInput } from './epoch-input.ts';
import { InvalidArgumentError } from './errors.ts';
import {
  addressDictionary,
  canonicalColumns,
  checkEpochColumnsInput,
  type EpochColumnsInput,
  isKey,
  type NodeColumns,
  nodeColumns,
  nodeRow,
} from './node-columns.ts';
import { defaultParams, KEY_PATTERN, parseParams, serializeParams } from './params.ts';
import { type EpochResult, processEpoch } from './process-epoch.ts';
import { resultJson, serializeNodeStatement } from './result-json.ts';
import { syntheticEpoch } from './synthetic.ts';

const params = defaultParams();
const richJson: any = serializeParams(params);
richJson.compute.underServedRegions = { 'af-south': '1.3', 'sa-east': '1.15' };
richJson.compute.innovationList = ['H200', 'confidential-compute'];
const rich = parseParams(richJson);

/** A synthetic epoch with what the generator leaves out: mixed GPUs, services, anomalies, link quality, no power figure. */
function varied(seed: number, nodes: number): EpochInput {
  const input = syntheticEpoch({ seed, nodes, validators: 4, stakes: 6 });
  input.nodes.forEach((node, i) => {
    if (i % 7 === 1)
      node.hardware.gpus = [
        { model: 'H100', count: 6 },
        { model: 'T4', count: 3 },
        { model: 'H100', count: 2 },
      ];
    if (i % 5 === 2) node.services = ['confidential-compute', 'llm'];
    if (i % 11 === 3) node.anomalies = ['DUAL_LOCATION', 'GPU_UTILISATION_OVER_100'];
    if (i % 4 === 0) node.network = { latencyMs: 20 + i, packetLoss: 10n ** 15n * BigInt(i % 3) };
    if (i % 6 === 5) node.powerEfficiency = null;
    if (i % 9 === 4) node.bond = 2n ** 130n + BigInt(i); // beyond 128 bits: the bigint engine's epoch
  });
  // owners paid as validators and stakers too: one payout line each
  Object.assign(input.validators[0] as object, { payout: (input.nodes[3] as NodeInput).owner, agreedAudits: 7 });
  (input.stakes[1] as { payout: string }).payout = (input.nodes[10] as NodeInput).owner;
  return input;
}

/** Everything a result says, engine aside, statements included. */
function everything(r: EpochResult): string {
  return JSON.stringify({
    json: resultJson(r),
    statements: r.statements().map((s) => serializeNodeStatement(s)),
    owners: r.nodeIds.map((_, i) => r.nodeOwner(i)),
    payouts: r.payouts.map((p) => `${p.address}=${p.amount}`),
    reasons: r.reasonCounts,
  });
}

const canonical = (node: NodeInput): NodeInput => ({ ...node, anomalies: ANOMALIES.filter((a) => node.anomalies.includes(a)) });

describe('node columns', () => {
  it('hold every node as it was given (anomalies as a set), in id order', () => {
    const input = varied(3, 60);
    const shuffled = [...input.nodes].reverse();
    const c = nodeColumns(shuffled);
    expect(c.length).toBe(60);
    expect([...c.ids]).toEqual(input.nodes.map((x) => x.id));
    input.nodes.forEach((node, i) => {
      expect(nodeRow(c, i)).toEqual(canonical(node));
    });
    expect(() => nodeRow(c, 60)).toThrow(RangeError);
  });

  it('give processEpoch the same result as the objects, byte for byte, on both engines', () => {
    for (const [seed, size, p] of [
      [4, 80, rich],
      [5, 40, params],
    ] as const) {
      const input = varied(seed, size);
      input.nodes.forEach((node) => {
        if (node.bond > 2n ** 128n) node.bond = 10n ** 22n; // the kernel's epoch
      });
      const columns: EpochColumnsInput = { ...input, nodes: nodeColumns(input.nodes) };
      const fromObjects = processEpoch(input, p);
      expect(fromObjects.engine).toBe('wasm');
      const expected = everything(fromObjects);
      expect(everything(processEpoch(columns, p))).toBe(expected);
      expect(everything(processEpoch(columns, p, { checked: true }))).toBe(expected);
      expect(everything(processEpoch(columns, p, { engine: 'bigint' }))).toBe(expected);
      // columns made elsewhere (no address index at hand): the same lines
      const copied: EpochColumnsInput = { ...columns, nodes: { ...columns.nodes } };
      expect(everything(processEpoch(copied, p))).toBe(expected);
      const lines = fromObjects.payouts.map((x) => x.address);
      expect(new Set(lines).size).toBe(lines.length);
      const validator = fromObjects.validators.find((v) => v.payout === input.nodes[3]?.owner);
      expect(validator?.reward).toBeGreaterThan(0n);
    }
    // a bond beyond 128 bits: the bigint engine takes the epoch, in either form
    const wide = varied(6, 30);
    const r = processEpoch({ ...wide, nodes: nodeColumns(wide.nodes) }, rich);
    expect(r.engine).toBe('bigint');
    expect(everything(r)).toBe(everything(processEpoch(wide, rich)));
  });

  it('keep a result whole after later calls reuse the memory the objects were converted into', () => {
    const first = varied(7, 50);
    const r = processEpoch(first, rich);
    const before = everything(r);
    for (const seed of [8, 9]) processEpoch(varied(seed, 70), rich); // overwrite the converted columns
    expect(everything(r)).toBe(before);
  });

  it('keep every column, by identity, in their one-shape copy — with a field added by a caller too', () => {
    const base = nodeColumns(varied(12, 20).nodes);
    const extra = { ...base, note: 'a caller’s own field' } as NodeColumns;
    const copy = canonicalColumns(extra) as unknown as Record<string, unknown>;
    expect(Object.keys(copy)).toEqual(Object.keys(base));
    for (const [k, v] of Object.entries(base)) expect(copy[k], k).toBe(v);
  });

  it('are refused, naming the field, when malformed — and nothing is computed', () => {
    const input = varied(10, 12);
    const base = nodeColumns(input.nodes);
    const refused = (change: (c: any) => void, field: string) => {
      const c: any = { ...base };
      change(c);
      const bad = { ...input, nodes: c as NodeColumns };
      let error: unknown;
      try {
        processEpoch(bad, params);
      } catch (e) {
        error = e;
      }
      expect(error, field).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).field).toBe(field);
      expect(() => checkEpochColumnsInput(bad, params)).toThrow(InvalidArgumentError);
    };
    const copy = <T extends { slice(): T }>(a: T, edit: (x: T) => void): T => {
      const b = a.slice();
      edit(b);
      return b;
    };
    refused((c) => (c.ids = copy(base.ids as string[], (x) => x.reverse())), 'nodes[1].id');
    refused((c) => (c.ids = copy(base.ids as string[], (x) => (x[2] = 'bad id'))), 'nodes[2].id');
    refused((c) => (c.upSlots = copy(base.upSlots, (x) => (x[3] = (base.expectedSlots[3] as number) + 1))), 'nodes[3].upSlots');
    refused((c) => (c.jobsHigh = copy(base.jobsHigh, (x) => (x[4] = 1.5))), 'nodes[4].jobs.high');
    refused((c) => (c.gpuSecondsDelivered = copy(base.gpuSecondsDelivered, (x) => (x[5] = 1e14))), 'nodes[5].gpuSecondsDelivered');
    refused((c) => (c.owner = copy(base.owner, (x) => (x[6] = base.addresses.length))), 'nodes[6].owner');
    refused((c) => (c.referrer = copy(base.referrer, (x) => (x[7] = base.owner[7] as number))), 'nodes[7].referrer');
    refused((c) => (c.status = copy(base.status, (x) => (x[8] = 9))), 'nodes[8].status');
    refused((c) => (c.models = [...base.models.slice(0, -1), 'GPU-9000']), `nodes.models[${base.models.length - 1}]`);
    refused((c) => (c.addresses = [...base.addresses, base.addresses[0]]), `nodes.addresses[${base.addresses.length}]`);
    refused((c) => (c.vcpus = base.vcpus.slice(1)), 'nodes.vcpus');
    refused((c) => (c.powerEfficiency = [...base.powerEfficiency]), 'nodes.powerEfficiency');
    refused((c) => (c.bond = base.bond.toArray()), 'nodes.bond');
    refused((c) => (c.gpuStart = copy(base.gpuStart, (x) => (x[1] = 70))), 'nodes[0].hardware.gpus');
    refused((c) => (c.powerEfficiency = copy(base.powerEfficiency, (x) => (x[9] = 2n * 10n ** 18n))), 'nodes[9].powerEfficiency');
    refused((c) => (c.addresses = copy(base.addresses as string[], (x) => (x[3] = (x[3] as string).toUpperCase()))), 'nodes.addresses[3]');
    refused((c) => (c.addresses = copy(base.addresses as string[], (x) => (x[2] = x[0] as string))), 'nodes.addresses[2]');
    // the 64-bit columns are checked word by word: every boundary of -1, 0..WAD, and beyond
    const wad = 10n ** 18n;
    const edges = [
      -1n,
      0n,
      1n,
      wad - 1n,
      wad,
      wad + 1n,
      -2n,
      2n ** 32n - 1n,
      2n ** 32n,
      2n ** 63n - 1n,
      -(2n ** 63n),
      -(2n ** 32n),
      wad + 2n ** 32n,
      wad - 2n ** 32n,
    ];
    const latencyRow = base.latencyMs.findIndex((x) => x >= 0);
    const noLatencyRow = base.latencyMs.findIndex((x) => x < 0);
    expect(latencyRow >= 0 && noLatencyRow >= 0).toBe(true);
    for (const v of edges) {
      const power = { ...input, nodes: { ...base, powerEfficiency: copy(base.powerEfficiency, (x) => (x[1] = v)) } };
      if (v === -1n || (v >= 0n && v <= wad)) expect(() => checkEpochColumnsInput(power, params), String(v)).not.toThrow();
      else expect(() => checkEpochColumnsInput(power, params), String(v)).toThrow('nodes[1].powerEfficiency');
      const loss = (row: number) => ({ ...input, nodes: { ...base, packetLoss: copy(base.packetLoss, (x) => (x[row] = v)) } });
      if (v >= 0n && v <= wad) expect(() => checkEpochColumnsInput(loss(latencyRow), params), String(v)).not.toThrow();
      else expect(() => checkEpochColumnsInput(loss(latencyRow), params), String(v)).toThrow(`nodes[${latencyRow}].network.packetLoss`);
      expect(() => checkEpochColumnsInput(loss(noLatencyRow), params)).not.toThrow(); // not read without a latency
    }
    // pre-checked columns are still refused out of id order (the result's order rests on it)
    const unsorted = { ...input, nodes: { ...base, ids: [...base.ids].reverse() } };
    expect(() => processEpoch(unsorted, params, { checked: true })).toThrow(/ascending/);
  });
});

describe('the address dictionary check', () => {
  // the reference: the schema's pattern, and a Set for the first repeat
  const reference = (list: readonly unknown[]): string | null => {
    const seen = new Set<unknown>();
    for (let k = 0; k < list.length; k++) {
      const s = list[k];
      if (typeof s !== 'string' || !/^0x[0-9a-f]{40}$/.test(s)) return `nodes.addresses[${k}] INVALID_FORMAT`;
      if (seen.has(s)) return `nodes.addresses[${k}] DUPLICATE_ID`;
      seen.add(s);
    }
    return null;
  };
  const verdict = (list: readonly unknown[], maxProbe?: number): string | null => {
    try {
      addressDictionary(list as string[], maxProbe);
      return null;
    } catch (e) {
      return `${(e as InvalidArgumentError).field} ${(e as InvalidArgumentError).code}`;
    }
  };
  const hex = fc.stringMatching(/^[0-9a-f]{40}$/).map((h) => `0x${h}`);
  const malformed = fc
    .tuple(hex, fc.integer({ min: 0, max: 41 }), fc.constantFrom('A', 'g', 'x', 'İ', '\u0000', '', '00'))
    .map(([a, at, ch]) => a.slice(0, at) + ch + a.slice(at + 1));
  const entry = (pool: string[]) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...pool) },
      { weight: 6, arbitrary: hex },
      { weight: 1, arbitrary: malformed },
      { weight: 1, arbitrary: fc.constant(42 as unknown as string) },
    );

  it('finds the same first malformed or repeated address as the pattern and a Set — the hashed table and its fallback both', () => {
    fc.assert(
      fc.property(
        fc.array(hex, { minLength: 1, maxLength: 4 }).chain((pool) => fc.array(entry(pool), { maxLength: 60 })),
        (list) => {
          const expected = reference(list);
          expect(verdict(list)).toBe(expected);
          expect(verdict(list, 0)).toBe(expected); // every collision falls back to the Set
        },
      ),
      { numRuns: 400 },
    );
  });

  it('accepts a large list of distinct addresses, and finds one repeat far into it', () => {
    const list = Array.from({ length: 5000 }, (_, k) => `0x${k.toString(16).padStart(40, '0')}`);
    expect(verdict(list)).toBe(null);
    list.push(list[1234] as string);
    expect(verdict(list)).toBe('nodes.addresses[5000] DUPLICATE_ID');
  });
});

describe('the id check by character table', () => {
  it('accepts exactly what KEY_PATTERN matches', () => {
    const pattern = new RegExp(KEY_PATTERN);
    const char = fc.constantFrom(...'aAzZ09gG._-/ :@`{[İ\u0000\u00e9\uffff'.split(''), ...'Zz'.split(''));
    const key = fc.oneof(
      fc.array(char, { maxLength: 70 }).map((cs) => cs.join('')),
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{60,66}$/), // about the 64-character limit
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(key, (s) => {
        expect(isKey(s)).toBe(pattern.test(s));
      }),
      { numRuns: 3000 },
    );
    for (const s of ['a', '0', 'A.b-c_d', '.a', '-a', '_a', '', 'a'.repeat(64), 'a'.repeat(65), 'a b', 'a\u0130']) expect(isKey(s), s).toBe(pattern.test(s));
  });
});

describe('Amounts, packed', () => {
  it('reads back what it was built from, beyond 128 bits too, and compares by doubles in order', () => {
    const amount = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }), fc.bigInt({ min: 0n, max: 2n ** 200n }), fc.constantFrom(0n, 2n ** 128n - 1n, 2n ** 128n));
    fc.assert(
      fc.property(fc.array(amount, { maxLength: 30 }), (values) => {
        const a = Amounts.packed(values);
        expect(a.toArray()).toEqual(values);
        values.forEach((v, i) => {
          expect(a.positive(i)).toBe(v > 0n);
          const x = a.approx(i);
          expect(Math.abs(x - Number(v))).toBeLessThanOrEqual(Number(v) * 2 ** -50);
        });
        const limbs = new Uint32Array(4 * values.length + 4);
        expect(a.copyLimbs(limbs, 4)).toBe(values.every((v) => v < 2n ** 128n));
        if (values.every((v) => v < 2n ** 128n)) expect(Amounts.fromLimbs(limbs, 4, values.length).toArray()).toEqual(values);
      }),
      { numRuns: 200 },
    );
    // compared with a number below 2^128 given as limbs, exactly: packed, beyond 128 bits, and as a list
    const limbsOf = (m: bigint) => Uint32Array.from([0n, 32n, 64n, 96n], (s) => Number((m >> s) & 0xffffffffn));
    const tweak = fc.constantFrom<(v: bigint) => bigint>(
      (v) => v,
      (v) => v + 1n,
      (v) => (v > 0n ? v - 1n : 0n),
      (v) => v + 2n ** 32n,
      (v) => v ^ (1n << 96n),
    );
    fc.assert(
      fc.property(
        fc.array(amount, { minLength: 1, maxLength: 12 }).chain((values) => fc.tuple(fc.constant(values), fc.nat(values.length - 1))),
        fc.oneof(fc.constant(null), fc.bigInt({ min: 0n, max: 2n ** 128n - 1n })),
        tweak,
        ([values, i], other, change) => {
          const v = values[i] as bigint;
          const m = change(other ?? v) % 2n ** 128n; // near the entry itself, or anywhere
          for (const a of [Amounts.packed(values), Amounts.of(values)]) expect(a.compareLimbs(i, limbsOf(m))).toBe(v < m ? -1 : v > m ? 1 : 0);
        },
      ),
      { numRuns: 1000 },
    );
    const b = Amounts.builder(2);
    b.set(1, 5n);
    const done = b.done();
    expect(done.toArray()).toEqual([0n, 5n]);
    expect(() => b.set(0, 1n)).toThrow(/after done/);
    expect(() => Amounts.builder(1).set(0, -1n)).toThrow(/negative/);
  });
});
