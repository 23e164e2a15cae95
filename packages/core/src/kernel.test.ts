import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelModuleSource } from '../scripts/build-kernel.ts';
import { apportion } from './apportion.ts';
import { ANOMALIES, type EpochInput, NODE_STATUSES, type NodeInput } from './epoch-input.ts';
import { CONST, COUNTER, kernel, recip, recipCeil } from './kernel.ts';
import { defaultParams, parseParams, serializeParams } from './params.ts';
import { type EpochResult, processEpoch } from './process-epoch.ts';
import { resultJson } from './result-json.ts';
import { prng, syntheticEpoch } from './synthetic.ts';

const params = defaultParams();
const richJson: any = serializeParams(params);
richJson.compute.underServedRegions = { 'af-south': '1.3', 'sa-east': '1.15' };
richJson.compute.innovationList = ['H200', 'confidential-compute'];
richJson.compute.scoreCap = '1.05'; // binds for the nodes with bonuses, locks or scarce hardware
const rich = parseParams(richJson);
const runs = { numRuns: Number(process.env.PROPERTY_RUNS ?? 60) };

/** Everything a result says, engine aside: the JSON with every statement, and the arrays. */
function everything(r: EpochResult): string {
  return JSON.stringify({
    json: resultJson(r),
    rewards: r.nodeRewards.toArray().map(String),
    bonds: r.bondRewards.toArray().map(String),
    stakes: r.stakes.map((s) => String(s.reward)),
    payouts: r.payouts.map((p) => `${p.address}=${p.amount}`),
    reasons: r.reasonCounts,
  });
}

/** Random, valid changes to a synthetic node that reach every branch of the per-node arithmetic. */
function mutate(node: NodeInput, r: () => number, slot: number): NodeInput {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
  const big = () => (r() < 0.5 ? Math.floor(r() * 1000) : Math.floor(r() * 1e12));
  const x = structuredClone(node);
  if (r() < 0.3) x.upSlots = Math.floor(r() * (x.expectedSlots + 1));
  if (r() < 0.05) x.expectedSlots = x.upSlots = 0;
  if (r() < 0.1) x.hardware.gpus = [];
  const huge = r();
  if (huge < 0.05) x.hardware = { ...x.hardware, gpus: [{ model: 'H100', count: 1_000_000 }], vcpus: 1_000_000, nvmeTb: 1_000_000 };
  else if (huge < 0.1) x.hardware = { ...x.hardware, gpus: Array.from({ length: 64 }, () => ({ model: 'H100', count: 1_000_000 })) };
  const gpus = x.hardware.gpus.reduce((a, g) => a + g.count, 0);
  x.gpuSecondsDelivered = Math.floor(r() * gpus * x.upSlots * slot);
  if (r() < 0.3) {
    const standard = big();
    const high = big();
    x.jobs = {
      standard,
      standardErrors: Math.floor(r() * r() * (standard + 1)),
      high,
      highErrors: Math.floor(r() * r() * (high + 1)),
      p95ResponseMs: Math.floor(r() * 20_000),
    };
  }
  if (r() < 0.4) {
    const count = r() < 0.8 ? Math.floor(r() * 60) : Math.floor(r() * 1e12);
    x.ratings = { count, sum: count + Math.floor(r() * 4 * count) };
  } else if (r() < 0.3)
    x.ratings = pick([
      { count: 4, sum: 17 },
      { count: 1, sum: 5 },
      { count: 9, sum: 9 },
    ]); // recurring terms
  if (r() < 0.2) x.probationStage = Math.floor(r() * 5);
  if (r() < 0.1) x.anomalies = [pick(ANOMALIES)];
  if (r() < 0.2) x.commitmentDays = pick([0, 30, 90, 180, 365, 100_000]);
  if (r() < 0.1) x.commitmentForfeited = true;
  if (r() < 0.1) x.status = pick(NODE_STATUSES);
  if (r() < 0.05) x.onboarded = false;
  if (r() < 0.2) x.bond = pick([0n, 1n, 10n ** 18n, 10n ** 24n, 2n ** 100n]);
  if (r() < 0.1) x.services = ['confidential-compute'];
  return x;
}

function mutated(seed: number, nodes: number): EpochInput {
  // one epoch in five lasts 30 days: with millions of GPUs a contribution's factors then pass 2^64
  const input = syntheticEpoch({ seed, nodes, validators: 4, stakes: 6, epochSeconds: seed % 5 === 0 ? 30 * 86_400 : 86_400 });
  const r = prng(seed ^ 0x5eed);
  return { ...input, nodes: input.nodes.map((n) => mutate(n, r, input.slotSeconds)) };
}

describe('the WebAssembly kernel', () => {
  it('multiplies, divides, adds and subtracts numbers of up to 40 limbs exactly as bigint does', () => {
    const k = kernel();
    const S = k.slotBytes;
    const [a, b, q, rem] = [0, 1, 2, 3].map((i) => k.base + i * S) as [number, number, number, number];
    k.reserve(k.base + 4 * S);
    // limbs of all ones and all zeros are the hard cases of Knuth's division
    const limb = fc.oneof(fc.constant(0xffffffffn), fc.constant(0n), fc.constant(0x80000000n), fc.bigInt({ min: 0n, max: 0xffffffffn }));
    const num = (max: number) => fc.array(limb, { maxLength: max }).map((ls) => ls.reduce((v, l) => (v << 32n) | l, 0n));
    fc.assert(
      fc.property(num(24), num(16), (x, y) => {
        k.writeSlot(a, x);
        k.writeSlot(b, y);
        k.x.testMul(q, a, b);
        expect(k.readSlot(q)).toBe(x * y);
        k.x.testAddSub(q, a, b, 0);
        expect(k.readSlot(q)).toBe(x + y);
        if (x >= y) {
          k.x.testAddSub(q, a, b, 1);
          expect(k.readSlot(q)).toBe(x - y);
        }
        if (y > 0n) {
          k.x.testDivmod(q, rem, a, b);
          expect([k.readSlot(q), k.readSlot(rem)]).toEqual([x / y, x % y]);
        }
        // the remainders' doubles never rank a larger number below a smaller one
        if (x !== y) {
          const [lo, hi] = x < y ? [a, b] : [b, a];
          expect(k.x.testApprox(lo)).toBeLessThanOrEqual(k.x.testApprox(hi));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('divides by a constant as a multiplication by its reciprocal (floored and checked, or ceiled), exactly — exact multiples included', () => {
    const k = kernel();
    const S = k.slotBytes;
    const [q, a, kk, d, f] = [0, 1, 2, 3, 4].map((i) => k.base + i * S) as [number, number, number, number, number];
    k.reserve(k.base + 7 * S); // f: three slots for the ceiled reciprocals
    k.x.takeCount(COUNTER.RECIP_CHECKS);
    const limb = fc.oneof(fc.constant(0xffffffffn), fc.constant(0n), fc.bigInt({ min: 0n, max: 0xffffffffn }));
    const num = (max: number) => fc.array(limb, { maxLength: max }).map((ls) => ls.reduce((v, l) => (v << 32n) | l, 0n));
    let sure = 0;
    let ceil = 0;
    const shifts = [0, 0, 0]; // mulCeil's three reciprocals: 2^256, 2^288, 2^320
    const divide = (x: bigint, y: bigint, z: bigint) => {
      k.writeSlot(a, x);
      k.writeSlot(kk, y);
      k.writeSlot(d, z);
      k.writeSlot(f, recip(y, z));
      if (k.x.testMulRecip(q, a, f, kk, d) === 1) {
        sure++;
        expect(k.readSlot(q)).toBe((x * y) / z);
      } else {
        expect(x >= 2n ** 192n).toBe(true); // the only case it leaves to the caller here
      }
      // with ceil(k·2^320/d): exact, unchecked, whenever a·d stays within 2^320 by their bits
      recipCeil(y, z).forEach((fs, j) => {
        k.writeSlot(f + j * S, fs);
      });
      const bits = (v: bigint) => v.toString(2).length - (v === 0n ? 1 : 0);
      if (k.x.testMulCeil(q, a, f, bits(z)) === 1) {
        ceil++;
        const need = bits(x) + bits(z);
        const at = need <= 256 ? 0 : need <= 288 ? 1 : 2;
        shifts[at] = (shifts[at] as number) + 1;
        expect(k.readSlot(q)).toBe((x * y) / z);
      } else {
        expect(bits(x) + bits(z)).toBeGreaterThan(320);
      }
    };
    fc.assert(
      fc.property(num(7), num(7), num(8), num(4), (x, y, z0, m) => {
        const z = z0 === 0n ? 1n : z0;
        divide(x, y, z);
        // exact multiples: a·k/d = m·k
        const small = (z0 % 2n ** 128n) + 1n;
        divide(small * (m % 2n ** 64n), y, small);
        // as the engine has them: whole tokens times a factor, over 10^36
        divide((x % 10n ** 6n) * 10n ** 18n * (y % 10n ** 18n), 10n ** 18n + (m % 3n) * 10n ** 17n, 10n ** 36n);
      }),
      { numRuns: 2000 },
    );
    expect(sure).toBeGreaterThan(4000);
    expect(ceil).toBeGreaterThan(3000);
    for (const used of shifts) expect(used).toBeGreaterThan(100);
    expect(k.x.takeCount(COUNTER.RECIP_CHECKS)).toBeGreaterThan(1000); // the exact multiples took the exact check
  });

  it('computes P in registers exactly as in limbs — far from the clips, beyond them, and at them', () => {
    const k = kernel();
    const WAD = 10n ** 18n;
    const HALF = WAD / 2n;
    const SCALE = WAD * 10n ** 6n;
    const CLIPPED = 1n << 63n;
    k.writeSlot(k.x.constSlot(CONST.WAD), WAD);
    k.writeSlot(k.x.constSlot(CONST.HALF), HALF);
    k.writeSlot(k.x.constSlot(CONST.RATING_SCALE), SCALE);
    // the engine's definition: HALF + floorDiv(num·scale, den), clipped to [0, WAD], CLIPPED set if it was
    const reference = (num: number, den: number): bigint => {
      const n = BigInt(num);
      const a = (n < 0n ? -n : n) * SCALE;
      let z = a / BigInt(den);
      if (n < 0n) {
        if (a % BigInt(den) !== 0n) z += 1n;
        return z > HALF ? CLIPPED : HALF - z;
      }
      return z > HALF ? WAD | CLIPPED : HALF + z;
    };
    const safe = 2 ** 53;
    const den = fc.oneof(
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 1, max: 2 ** 31 }),
      fc.double({ min: 1, max: safe, noNaN: true }).map(Math.floor),
    );
    // num = ±den·HALF/scale puts z exactly at the clip (a double estimate cannot decide there), one off just beside it
    const atClip = fc
      .tuple(fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 4_000_000_000 })), fc.integer({ min: -1, max: 1 }), fc.boolean())
      .map(([m, off, neg]) => [(neg ? -1 : 1) * (m + off), 2_000_000 * m] as [number, number]);
    const anywhere = fc.tuple(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -safe, max: safe, noNaN: true }).map(Math.trunc)), den);
    k.x.takeCount(COUNTER.WIDE_RATINGS);
    let runs = 0;
    fc.assert(
      fc.property(fc.oneof(anywhere, atClip), ([num, d]) => {
        runs++;
        const want = reference(num, d);
        // (a u64 comes to JavaScript as a signed 64-bit bigint)
        expect(BigInt.asUintN(64, k.x.testRatingP(num, d)), `${num}/${d}`).toBe(want);
        expect(BigInt.asUintN(64, k.x.testRatingPLimbs(num, d))).toBe(want);
      }),
      { numRuns: 5000 },
    );
    const limbPath = k.x.takeCount(COUNTER.WIDE_RATINGS);
    expect(limbPath).toBeGreaterThan(50); // the clip's neighbourhood took the limb path…
    expect(limbPath).toBeLessThan(runs / 2); // …and most did not
  });

  it('gives the bigint engine’s result bit for bit, on nodes changed to reach every branch', () => {
    kernel().x.takeCount(COUNTER.RECIP_CHECKS);
    kernel().x.takeCount(COUNTER.WIDE_CONTRIBUTIONS);
    kernel().x.takeCount(COUNTER.WIDE_ERRORS);
    let capped = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 60 }), fc.boolean(), (seed, nodes, useRich) => {
        const input = mutated(seed, nodes);
        const p = useRich ? rich : params;
        const wasm = processEpoch(input, p);
        const ref = processEpoch(input, p, { engine: 'bigint' });
        expect(ref.engine).toBe('bigint');
        expect(everything(wasm)).toBe(everything(ref));
        if (wasm.engine === 'wasm') capped += wasm.reasonCounts.SCORE_CAPPED ?? 0;
      }),
      runs,
    );
    // both ways of dividing by a constant ran, and the score cap bound
    expect(kernel().x.takeCount(COUNTER.RECIP_CHECKS)).toBeGreaterThan(0);
    expect(kernel().x.takeCount(COUNTER.WIDE_CONTRIBUTIONS)).toBeGreaterThan(0); // the contribution's general path too
    expect(kernel().x.takeCount(COUNTER.WIDE_ERRORS)).toBeGreaterThan(0); // and E's (jobs of 2^32 and more)
    expect(capped).toBeGreaterThan(0);
  });

  it('runs every realistic epoch itself, and its scores are the statements’ scores', () => {
    for (const seed of [1, 2, 3]) {
      const input = syntheticEpoch({ seed, nodes: 3000, validators: 10, stakes: 50 });
      const r = processEpoch(input, params);
      expect(r.engine).toBe('wasm');
      expect(everything(r)).toBe(everything(processEpoch(input, params, { engine: 'bigint' })));
      // the explaining path recomputes each node in bigints: its scores split the pool the same way
      const statements = r.statements();
      expect(
        apportion(
          r.pools.compute.allocated,
          statements.map((s) => s.score),
        ),
      ).toEqual(r.nodeRewards.toArray());
    }
  });

  it('hands an epoch with a number beyond its 128-bit columns to the bigint engine, with the same result', () => {
    const input = syntheticEpoch({ seed: 9, nodes: 50, validators: 3, stakes: 3 });
    const huge = { ...input, nodes: input.nodes.map((n, i) => (i === 7 ? { ...n, bond: 2n ** 130n } : n)) };
    const r = processEpoch(huge, params);
    expect(r.engine).toBe('bigint');
    expect(everything(r)).toBe(everything(processEpoch(huge, params, { engine: 'bigint' })));
    const whale = { ...input, stakes: input.stakes.map((s, i) => (i === 0 ? { ...s, amount: 2n ** 140n } : s)) };
    expect(processEpoch(whale, params).engine).toBe('bigint');
    // and the next epoch is the kernel's again: a fallback leaves nothing behind
    const again = processEpoch(input, params);
    expect(again.engine).toBe('wasm');
    expect(everything(again)).toBe(everything(processEpoch(input, params, { engine: 'bigint' })));
  });

  it('keeps each result whole while later epochs reuse the scratch and kernel memory', () => {
    // a result's statements recompute from its own arrays, never from the memory the next call reuses
    const first = mutated(11, 40);
    const r = processEpoch(first, rich);
    const before = everything(r);
    for (const [seed, nodes] of [
      [12, 300],
      [13, 5],
    ] as const) {
      const later = mutated(seed, nodes);
      expect(everything(processEpoch(later, rich))).toBe(everything(processEpoch(later, rich, { engine: 'bigint' })));
    }
    expect(everything(r)).toBe(before);
    expect(everything(r)).toBe(everything(processEpoch(first, rich, { engine: 'bigint' })));
  });

  it('is the module compiled from kernel/kernel.ts (run `npm run build:kernel` after changing it)', async () => {
    const committed = readFileSync(new URL('./kernel-wasm.ts', import.meta.url), 'utf8');
    expect(await kernelModuleSource()).toBe(committed);
  }, 60_000);
});
