/**
 * A column of exact non-negative amounts (base units). The reward engine returns a million
 * rewards this way rather than as a million `bigint`s: each entry is 128 bits in a typed array
 * (four little-endian 32-bit limbs), read back as a `bigint` when asked for — so an epoch's
 * rewards are not a million heap objects for the collector to copy. A column built from
 * `bigint`s wider than 128 bits keeps them as they are.
 *
 * @example const rewards = Amounts.of([5n, 0n, 7n]); rewards.get(2) // 7n
 */
export class Amounts implements Iterable<bigint> {
  readonly length: number;
  /** Each amount's low 64 bits, as 32-bit halves (little-endian). */
  private readonly low: Uint32Array | null;
  private readonly wide: BigUint64Array | null;
  /** The bits above 64 of the few amounts that have any: index → `amount >> 64`. */
  private readonly high: ReadonlyMap<number, bigint>;
  private readonly list: readonly bigint[] | null;

  private constructor(length: number, low: Uint32Array | null, high: ReadonlyMap<number, bigint>, list: readonly bigint[] | null) {
    this.length = length;
    this.low = low;
    this.wide = low === null ? null : new BigUint64Array(low.buffer, low.byteOffset, length);
    this.high = high;
    this.list = list;
  }

  /** A column of the given amounts (each ≥ 0). */
  static of(values: readonly bigint[]): Amounts {
    for (let i = 0; i < values.length; i++) if ((values[i] as bigint) < 0n) throw new RangeError(`amount ${i} is negative`);
    return new Amounts(values.length, null, NO_HIGH, values.slice());
  }

  /** `length` zeros. */
  static zeros(length: number): Amounts {
    return new Amounts(length, new Uint32Array(2 * length), NO_HIGH, null);
  }

  /**
   * A copy of `count` 128-bit entries (four little-endian 32-bit limbs each) from `limbs` at
   * limb `from`: 8 bytes an entry, plus a map entry for each amount of 2^64 or more.
   */
  static fromLimbs(limbs: Uint32Array, from: number, count: number): Amounts {
    const low = new Uint32Array(2 * count);
    const high = new Map<number, bigint>();
    for (let i = 0; i < count; i++) {
      const w = from + 4 * i;
      low[2 * i] = limbs[w] as number;
      low[2 * i + 1] = limbs[w + 1] as number;
      if ((limbs[w + 2] as number) !== 0 || (limbs[w + 3] as number) !== 0) high.set(i, limbsToBigint(limbs, w + 2, 2));
    }
    return new Amounts(count, low, high.size > 0 ? high : NO_HIGH, null);
  }

  /** The i-th amount (0 ≤ i < length). */
  get(i: number): bigint {
    if (!(i >= 0 && i < this.length && Number.isInteger(i))) throw new RangeError(`index ${i} out of 0..${this.length - 1}`);
    const l = this.low;
    if (l === null) return (this.list as readonly bigint[])[i] as bigint;
    const hi = l[2 * i + 1] as number;
    // below 2^53 the number is exact: one bigint, no shifts
    const low = hi < 0x200000 ? BigInt(hi * 0x100000000 + (l[2 * i] as number)) : ((this.wide as BigUint64Array)[i] as bigint);
    const h = this.high === NO_HIGH ? undefined : this.high.get(i);
    return h === undefined ? low : (h << 64n) | low;
  }

  /** Whether the i-th amount is above zero (without making a bigint). */
  positive(i: number): boolean {
    const l = this.low;
    if (l === null) return ((this.list as readonly bigint[])[i] as bigint) > 0n;
    return ((l[2 * i] as number) | (l[2 * i + 1] as number)) !== 0 || this.high.has(i);
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
   * added nothing, when this column keeps its amounts as bigints; the caller checks that no sum
   * can reach 2^128.
   */
  addInto(sums: Uint32Array, index: Int32Array): boolean {
    const l = this.low;
    if (l === null) return false;
    for (let i = 0; i < this.length; i++) {
      const a0 = l[2 * i] as number;
      const a1 = l[2 * i + 1] as number;
      if ((a0 | a1) === 0) continue;
      const s = 4 * (index[i] as number);
      let x = (sums[s] as number) + a0;
      sums[s] = x;
      x = (sums[s + 1] as number) + a1 + (x > 0xffffffff ? 1 : 0);
      sums[s + 1] = x;
      if (x > 0xffffffff) {
        x = (sums[s + 2] as number) + 1;
        sums[s + 2] = x;
        if (x > 0xffffffff) sums[s + 3] = (sums[s + 3] as number) + 1;
      }
    }
    for (const [i, h] of this.high) {
      const s = 4 * (index[i] as number);
      let x = (sums[s + 2] as number) + Number(h & 0xffffffffn);
      sums[s + 2] = x;
      x = (sums[s + 3] as number) + Number(h >> 32n) + (x > 0xffffffff ? 1 : 0);
      if (x > 0xffffffff) throw new RangeError('sum overflows 128 bits');
      sums[s + 3] = x;
    }
    return true;
  }
}

const NO_HIGH: ReadonlyMap<number, bigint> = new Map();

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
