import { KERNEL_WASM_BASE64 } from './kernel-wasm.ts';

/**
 * The WebAssembly kernel's exports (see `kernel/kernel.ts`). The kernel does the reward engine's
 * per-node bigint arithmetic on numbers of 32-bit limbs in its memory, so a million nodes do not
 * allocate tens of millions of short-lived bigints; `processEpoch` fills its columns, runs it, and
 * reads the results back. Integer arithmetic in WebAssembly is fully specified, so the results
 * are the same on every machine; the test suite checks them against the bigint path bit for bit.
 */
type Exports = {
  memory: WebAssembly.Memory;
  heapBase(): number;
  slotBytes(): number;
  constSlot(k: number): number;
  layout(...ptrs: number[]): void;
  setNumbers(base: number, weight: number, u: number, e: number, r: number, p: number): void;
  setErrorTerms(qStd: number, qHigh: number): void;
  evaluate(from: number, to: number): number;
  apportion(weights: number, n: number, shares: number, approx: number): number;
  award(shares: number, approx: number, n: number, t: number, tied: number): number;
  tiedCount(): number;
  testMul(r: number, a: number, b: number): void;
  testDivmod(q: number, rem: number, a: number, b: number): void;
  testAddSub(r: number, a: number, b: number, subtract: number): void;
  testApprox(s: number): number;
  testMulRecip(q: number, a: number, f: number, k: number, d: number): number;
  takeCount(k: number): number;
  testRatingP(num: number, den: number): bigint;
  testRatingPLimbs(num: number, den: number): bigint;
  testMulCeil(q: number, a: number, f: number, dBits: number): number;
};

/** Constant slots (`K_` in the kernel). */
export const CONST = {
  WAD: 0,
  W2: 1,
  W4: 2,
  HALF: 3,
  ERRDEN_STD: 4,
  ERRDEN_HIGH: 5,
  RESPONSE_NUM: 6,
  RATING_SCALE: 7,
  CONST_UER: 8,
  SCORE_CAP: 9,
  TOTAL: 10,
  POOL: 11,
  HIGH_THRESHOLD: 12,
  MID_THRESHOLD: 13,
  SCORE_CAP_F: 14,
  ERR_P_STD: 16,
  ERR_P_HIGH: 17,
} as const;

/** The kernel's counters of its rarer paths (`takeCount(k)` returns one and resets it), for the tests. */
export const COUNTER = { RECIP_CHECKS: 0, WIDE_CONTRIBUTIONS: 1, WIDE_ERRORS: 2, WIDE_RATINGS: 3 } as const;

/** Bits of `recip`'s shift: the kernel's `mulRecip` multiplies by floor(k·2^256/d) for floor(a·k/d). */
export const RECIP_BITS = 256n;

/** floor(k·2^256/d): the reciprocal the kernel's `mulRecip` multiplies by, for a constant k/d. */
export function recip(k: bigint, d: bigint): bigint {
  return (k << RECIP_BITS) / d;
}

/**
 * ceil(k·2^s/d) for s = 256, 288, 320: the reciprocals the kernel's `mulCeil` multiplies by, for a
 * constant k/d, written to three consecutive slots (it takes the least shift exact for its operand).
 */
export function recipCeil(k: bigint, d: bigint): [bigint, bigint, bigint] {
  return [256n, 288n, 320n].map((s) => ((k << s) + d - 1n) / d) as [bigint, bigint, bigint];
}

/** Mode bits of a node (`U_ZERO`… in the kernel). */
export const MODE = { U_ZERO: 1, U_DIV: 2, E_DIV: 4, R_DIV: 8, P_DIV: 16, P_GIVEN: 32, ELIGIBLE: 64, BONDED: 128 } as const;
/** Result bits of a node; the quality tier is `out >> 8`. */
export const OUT = { ERROR_RATE: 1, RATING_CLIPPED: 2, SCORE_CAPPED: 4 } as const;

/** Limbs of a per-node number: 128 bits. */
export const FIXED_BYTES = 16;
export const FIXED_LIMIT = 1n << 128n;
const TWO64 = 1n << 64n;
const MASK64 = TWO64 - 1n;

let cached: Kernel | undefined;

/** The process's kernel instance (instantiated on first use, synchronously). */
export function kernel(): Kernel {
  cached ??= new Kernel();
  return cached;
}

export class Kernel {
  readonly x: Exports;
  readonly slotBytes: number;
  private u32 = new Uint32Array(0);
  private i32 = new Int32Array(0);
  private f64 = new Float64Array(0);
  private b64 = new BigUint64Array(0);

  constructor() {
    const module = new WebAssembly.Module(Uint8Array.from(atob(KERNEL_WASM_BASE64), (c) => c.charCodeAt(0)));
    const abort = () => {
      throw new Error('kernel aborted');
    };
    this.x = new WebAssembly.Instance(module, { env: { abort } }).exports as unknown as Exports;
    this.slotBytes = this.x.slotBytes();
    this.views();
  }

  /** The first byte free for columns. */
  get base(): number {
    return this.x.heapBase();
  }

  /** Grows the memory to at least `bytes`, refreshing the views. */
  reserve(bytes: number): void {
    const have = this.x.memory.buffer.byteLength;
    if (bytes > have) this.x.memory.grow(Math.ceil((bytes - have) / 65_536));
    if (this.u32.buffer !== this.x.memory.buffer) this.views();
  }

  private views(): void {
    const buf = this.x.memory.buffer;
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
    this.b64 = new BigUint64Array(buf);
  }

  get U32(): Uint32Array {
    return this.u32;
  }
  get I32(): Int32Array {
    return this.i32;
  }
  get F64(): Float64Array {
    return this.f64;
  }
  get B64(): BigUint64Array {
    return this.b64;
  }

  /** Writes a non-negative integer into the slot at `ptr`. */
  writeSlot(ptr: number, value: bigint): void {
    const limbs = (this.slotBytes - 4) / 4;
    let v = value;
    let n = 0;
    const base = (ptr + 4) >>> 2;
    while (v > 0n) {
      if (n >= limbs) throw new RangeError('kernel slot overflow');
      this.u32[base + n] = Number(v & 0xffffffffn);
      v >>= 32n;
      n++;
    }
    this.u32[ptr >>> 2] = n;
  }

  readSlot(ptr: number): bigint {
    const n = this.u32[ptr >>> 2] as number;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 32n) | BigInt(this.u32[((ptr + 4) >>> 2) + i] as number);
    return v;
  }

  /** Writes `value` (below 2^128) as the `i`-th 128-bit entry of the column at `col`. */
  writeFixed(col: number, i: number, value: bigint): void {
    const k = (col >>> 3) + 2 * i;
    if (value < TWO64) {
      this.b64[k] = value;
      this.b64[k + 1] = 0n;
    } else {
      this.b64[k] = value & MASK64;
      this.b64[k + 1] = value >> 64n;
    }
  }

  /** The `i`-th 128-bit entry of the column at `col`. */
  readFixed(col: number, i: number): bigint {
    const w = (col >>> 2) + 4 * i;
    if (this.u32[w + 2] === 0 && this.u32[w + 3] === 0) {
      return this.u32[w] === 0 && this.u32[w + 1] === 0 ? 0n : (this.b64[(col >>> 3) + 2 * i] as bigint);
    }
    const k = (col >>> 3) + 2 * i;
    return ((this.b64[k + 1] as bigint) << 64n) | (this.b64[k] as bigint);
  }
}

/** Byte offsets of a run's columns, 16-byte aligned, from the kernel's free memory on. */
export class Layout {
  private next: number;
  constructor(base: number) {
    this.next = base;
  }
  take(bytes: number): number {
    const at = this.next;
    this.next = Math.ceil((this.next + bytes) / 16) * 16;
    return at;
  }
  get end(): number {
    return this.next;
  }
}
