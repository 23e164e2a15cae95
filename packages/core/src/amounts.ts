/**
 * A column of exact non-negative amounts (base units). The reward engine takes an epoch's bonds
 * and returns a million rewards this way rather than as a million `bigint`s: each entry is 128
 * bits in a typed array (four little-endian 32-bit limbs, the kernel's layout), read back as a
 * `bigint` when asked for — so a column is not a million heap objects for the collector to copy.
 * The bits above 128 of the rare wider amount are kept beside, by index; a column built with `of`
 * keeps its `bigint`s as they are (the reference engine's results).
 *
 * @example const rewards = Amounts.of([5n, 0n, 7n]); rewards.get(2) // 7n
 */
export class Amounts implements Iterable<bigint> {
  readonly length: number;
  /** Four little-endian 32-bit limbs an entry: its low 128 bits. */
  private readonly limbs: Uint32Array | null;
  private readonly wide: BigUint64Array | null;
  /** The bits above 128 of the few amounts that have any: index → `amount >> 128`. */
  private readonly high: ReadonlyMap<number, bigint>;
  private readonly list: readonly bigint[] | null;

  private constructor(length: number, limbs: Uint32Array | null, high: ReadonlyMap<number, bigint>, list: readonly bigint[] | null) {
    this.length = length;
    this.limbs = limbs;
    this.wide = limbs === null ? null : new BigUint64Array(limbs.buffer, limbs.byteOffset, 2 * length);
    this.high = high;
    this.list = list;
  }

  /** A column of the given amounts (each ≥ 0), kept as they are. */
  static of(values: readonly bigint[]): Amounts {
    for (let i = 0; i < values.length; i++) if ((values[i] as bigint) < 0n) throw new RangeError(`amount ${i} is negative`);
    return new Amounts(values.length, null, NO_HIGH, values.slice());
  }

  /** A packed column of the given amounts (each ≥ 0): 16 bytes an entry. */
  static packed(values: readonly bigint[]): Amounts {
    const b = Amounts.builder(values.length);
    for (let i = 0; i < values.length; i++) b.set(i, values[i] as bigint);
    return b.done();
  }

  /**
   * A packed column of `length` amounts, set one by one (all 0 until set), then `done()`; in
   * `memory` (4 × length limbs) when given, which the column then uses as its own.
   *
   * @example const b = Amounts.builder(2); b.set(1, 5n); b.done().get(1) // 5n
   */
  static builder(length: number, memory?: Uint32Array): { set(i: number, value: bigint): void; done(): Amounts } {
    if (memory !== undefined && memory.length !== 4 * length) throw new RangeError(`builder memory must hold ${4 * length} limbs`);
    const limbs = memory?.fill(0) ?? new Uint32Array(4 * length);
    const wide = new BigUint64Array(limbs.buffer, limbs.byteOffset, 2 * length);
    const high = new Map<number, bigint>();
    let finished = false;
    return {
      set(i: number, v: bigint): void {
        if (finished) throw new Error('Amounts.builder: set after done()');
        if (!(i >= 0 && i < length && Number.isInteger(i))) throw new RangeError(`index ${i} out of 0..${length - 1}`);
        if (v < 0n) throw new RangeError(`amount ${i} is negative`);
        if (v <= MAX_SAFE) {
          const x = Number(v);
          limbs[4 * i] = x % 0x100000000;
          limbs[4 * i + 1] = Math.floor(x / 0x100000000);
          limbs[4 * i + 2] = 0;
          limbs[4 * i + 3] = 0;
          high.delete(i);
        } else {
          // a BigUint64Array keeps each value's low 64 bits
          wide[2 * i] = v;
          wide[2 * i + 1] = v >> 64n;
          if (v >= TWO128) high.set(i, v >> 128n);
          else high.delete(i);
        }
      },
      done(): Amounts {
        finished = true; // the column keeps the builder's memory
        return new Amounts(length, limbs, high.size > 0 ? high : NO_HIGH, null);
      },
    };
  }

  /** `length` zeros. */
  static zeros(length: number): Amounts {
    return new Amounts(length, new Uint32Array(4 * length), NO_HIGH, null);
  }

  /** A copy of `count` 128-bit entries (four little-endian 32-bit limbs each) from `limbs` at limb `from`. */
  static fromLimbs(limbs: Uint32Array, from: number, count: number): Amounts {
    return new Amounts(count, limbs.slice(from, from + 4 * count), NO_HIGH, null);
  }

  /** The i-th amount (0 ≤ i < length). */
  get(i: number): bigint {
    if (!(i >= 0 && i < this.length && Number.isInteger(i))) throw new RangeError(`index ${i} out of 0..${this.length - 1}`);
    const l = this.limbs;
    if (l === null) return (this.list as readonly bigint[])[i] as bigint;
    const w = 4 * i;
    const l1 = l[w + 1] as number;
    let v: bigint;
    if (((l[w + 2] as number) | (l[w + 3] as number)) === 0) {
      // below 2^53 the number is exact: one bigint, no shifts
      v = l1 < 0x200000 ? BigInt(l1 * 0x100000000 + (l[w] as number)) : ((this.wide as BigUint64Array)[2 * i] as bigint);
    } else {
      const wide = this.wide as BigUint64Array;
      v = ((wide[2 * i + 1] as bigint) << 64n) | (wide[2 * i] as bigint);
    }
    const h = this.high === NO_HIGH ? undefined : this.high.get(i);
    return h === undefined ? v : (h << 128n) | v;
  }

  /**
   * The i-th amount compared with a number below 2^128 given as four little-endian 32-bit limbs:
   * −1, 0 or 1, without making a bigint (it does make one for an entry of 128 bits or more).
   */
  compareLimbs(i: number, limbs: Uint32Array): number {
    const l = this.limbs;
    if (l === null || (this.high !== NO_HIGH && this.high.has(i))) {
      const v = this.get(i);
      const m = (((BigInt(limbs[3] as number) << 32n) | BigInt(limbs[2] as number)) << 64n) | (BigInt(limbs[1] as number) << 32n) | BigInt(limbs[0] as number);
      return v < m ? -1 : v > m ? 1 : 0;
    }
    const w = 4 * i;
    for (let k = 3; k >= 0; k--) {
      const x = l[w + k] as number;
      const y = limbs[k] as number;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  }

  /** Whether the i-th amount is above zero (without making a bigint). */
  positive(i: number): boolean {
    const l = this.limbs;
    if (l === null) return ((this.list as readonly bigint[])[i] as bigint) > 0n;
    const w = 4 * i;
    return ((l[w] as number) | (l[w + 1] as number) | (l[w + 2] as number) | (l[w + 3] as number)) !== 0 || this.high.has(i);
  }

  /** The i-th amount as the nearest double (or within a unit in its last place): for comparisons that are then made exact only when close. */
  approx(i: number): number {
    const l = this.limbs;
    if (l === null || (this.high !== NO_HIGH && this.high.has(i))) return Number(this.get(i));
    const w = 4 * i;
    return (((l[w + 3] as number) * 0x100000000 + (l[w + 2] as number)) * 0x100000000 + (l[w + 1] as number)) * 0x100000000 + (l[w] as number);
  }

  /**
   * All entries as four little-endian 32-bit limbs each, into `target` from limb `at` (the
   * kernel's layout); false, having written nothing, when an entry is 2^128 or more or the column
   * keeps bigints.
   */
  copyLimbs(target: Uint32Array, at: number): boolean {
    if (this.limbs === null || this.high.size > 0) return false;
    target.set(this.limbs, at);
    return true;
  }

  /** How many amounts are above zero. */
  countPositive(): number {
    let k = 0;
    for (let i = 0; i < this.length; i++) if (this.positive(i)) k++;
    return k;
  }

  sum(): bigint {
    let s = 0n;
    for (let i = 0; i < this.length; i++) if (this.positive(i)) s += this.get(i);
    return s;
  }

  toArray(): bigint[] {
    const out = new Array<bigint>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }

  *[Symbol.iterator](): Iterator<bigint> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  /**
   * Adds every entry `i` into `sums[index[i]]` (128-bit limbs, four per slot). False, having
   * added nothing, when this column keeps its amounts as bigints or has one of 2^128 or more; the
   * caller checks that no sum can reach 2^128.
   */
  addInto(sums: Uint32Array, index: Int32Array): boolean {
    const l = this.limbs;
    if (l === null || this.high.size > 0) return false;
    for (let i = 0; i < this.length; i++) {
      const w = 4 * i;
      const a0 = l[w] as number;
      const a1 = l[w + 1] as number;
      const a2 = l[w + 2] as number;
      const a3 = l[w + 3] as number;
      if ((a0 | a1 | a2 | a3) === 0) continue;
      const s = 4 * (index[i] as number);
      let x = (sums[s] as number) + a0;
      sums[s] = x;
      x = (sums[s + 1] as number) + a1 + (x > 0xffffffff ? 1 : 0);
      sums[s + 1] = x;
      x = (sums[s + 2] as number) + a2 + (x > 0xffffffff ? 1 : 0);
      sums[s + 2] = x;
      x = (sums[s + 3] as number) + a3 + (x > 0xffffffff ? 1 : 0);
      if (x > 0xffffffff) throw new RangeError('sum overflows 128 bits');
      sums[s + 3] = x;
    }
    return true;
  }
}

const NO_HIGH: ReadonlyMap<number, bigint> = new Map();
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TWO128 = 1n << 128n;

/** The integer in `count` little-endian 32-bit limbs of `limbs` from `at`. */
export function limbsToBigint(limbs: Uint32Array, at: number, count: number): bigint {
  let v = 0n;
  for (let k = count - 1; k >= 0; k--) v = (v << 32n) | BigInt(limbs[at + k] as number);
  return v;
}

/** Adds one unit to the i-th 128-bit entry of `limbs` (four little-endian 32-bit limbs each). */
export function incrementLimbs(limbs: Uint32Array, i: number): void {
  for (let w = 4 * i; w < 4 * i + 4; w++) {
    const x = (limbs[w] as number) + 1;
    limbs[w] = x;
    if (x <= 0xffffffff) return;
  }
  throw new RangeError('amount overflows 128 bits');
}
