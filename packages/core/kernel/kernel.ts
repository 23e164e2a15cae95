// The reward engine's hot loop in WebAssembly (AssemblyScript): the exact integer arithmetic of
// `processEpoch` for every node — C, U, E, R, P, Q, the score and the bond's weight — and the
// largest-remainder split's floors, without allocating a bigint per operation.
//
// Numbers are unsigned, little-endian arrays of 32-bit limbs in linear memory; a *slot* is a
// number with its length: [len: u32][limbs: u32 × SLOT_LIMBS]. Per-node columns are laid out by
// the caller (src/kernel.ts), which also keeps the JavaScript path this must agree with bit for bit.
// Build: `npm run build:kernel` (writes src/kernel-wasm.ts). Do not edit the generated file.

const SLOT_LIMBS: i32 = 40;
const SLOT_BYTES: usize = 4 + (<usize>SLOT_LIMBS << 2);
const FIXED: i32 = 4; // limbs of a per-node number (score, bond, weight, share): 128 bits
const TWO32: u64 = 0x100000000;

/** Set when a value does not fit its column; the caller then takes the bigint path. */
let overflow: i32 = 0;

// counters of the rarer paths, for the tests: `mulRecip`'s exact check, and the limb paths the
// contribution, E and P take when their numbers are too wide for registers
const RECIP_CHECKS = 0;
const WIDE_CONTRIBUTIONS = 1;
const WIDE_ERRORS = 2;
const WIDE_RATINGS = 3;
const COUNTS: usize = memory.data(16);
@inline function count(k: i32): void {
  const at = COUNTS + (<usize>k << 2);
  store<u32>(at, load<u32>(at) + 1);
}

// ---- memory ---------------------------------------------------------------------------------------

/** The first free byte: the caller lays its slots and columns out from here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

export function slotBytes(): usize {
  return SLOT_BYTES;
}

@inline function limb(p: usize, i: i32): u64 {
  return <u64>load<u32>(p + (<usize>i << 2));
}
@inline function setLimb(p: usize, i: i32, v: u64): void {
  store<u32>(p + (<usize>i << 2), <u32>v);
}
@inline function lenOf(s: usize): i32 {
  return load<i32>(s);
}
@inline function limbsOf(s: usize): usize {
  return s + 4;
}

function trim(p: usize, n: i32): i32 {
  while (n > 0 && load<u32>(p + (<usize>(n - 1) << 2)) == 0) n--;
  return n;
}

function setLen(s: usize, n: i32): void {
  if (n > SLOT_LIMBS) {
    overflow = 1;
    n = SLOT_LIMBS;
  }
  store<i32>(s, trim(limbsOf(s), n));
}

/** slot ← an exact non-negative integer below 2^64 (given as a double that is an integer). */
function setU64(s: usize, v: u64): void {
  const p = limbsOf(s);
  setLimb(p, 0, v & 0xffffffff);
  setLimb(p, 1, v >> 32);
  setLen(s, 2);
}

function setF64(s: usize, v: f64): void {
  if (!(v >= 0) || v >= 18446744073709551616.0) {
    overflow = 1;
    store<i32>(s, 0);
    return;
  }
  setU64(s, <u64>v);
}

// (small copies as loads and stores: V8 calls out of the module for memory.copy and memory.fill)
@inline function copyLimbs(d: usize, s: usize, n: i32): void {
  for (let k = 0; k < n; k++) store<u32>(d + (<usize>k << 2), load<u32>(s + (<usize>k << 2)));
}

@inline function zeroFixed(col: usize, i: i32): void {
  const d = col + (<usize>i << 4);
  store<u64>(d, 0);
  store<u64>(d + 8, 0);
}

function copy(d: usize, s: usize): void {
  const n = lenOf(s);
  copyLimbs(limbsOf(d), limbsOf(s), n);
  store<i32>(d, n);
}

function isZero(s: usize): bool {
  return lenOf(s) == 0;
}

function cmp(a: usize, b: usize): i32 {
  const na = lenOf(a);
  const nb = lenOf(b);
  if (na != nb) return na < nb ? -1 : 1;
  const pa = limbsOf(a);
  const pb = limbsOf(b);
  for (let i = na - 1; i >= 0; i--) {
    const x = limb(pa, i);
    const y = limb(pb, i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** r ← a + b (r may be a or b). */
function add(r: usize, a: usize, b: usize): void {
  const na = lenOf(a);
  const nb = lenOf(b);
  const n = na > nb ? na : nb;
  if (n + 1 > SLOT_LIMBS) {
    overflow = 1;
    return;
  }
  const pa = limbsOf(a);
  const pb = limbsOf(b);
  const pr = limbsOf(r);
  let carry: u64 = 0;
  for (let i = 0; i < n; i++) {
    const t = (i < na ? limb(pa, i) : 0) + (i < nb ? limb(pb, i) : 0) + carry;
    setLimb(pr, i, t);
    carry = t >> 32;
  }
  setLimb(pr, n, carry);
  setLen(r, n + 1);
}

/** r ← a − b, for a ≥ b (r may be a or b). */
function sub(r: usize, a: usize, b: usize): void {
  const na = lenOf(a);
  const nb = lenOf(b);
  const pa = limbsOf(a);
  const pb = limbsOf(b);
  const pr = limbsOf(r);
  let borrow: i64 = 0;
  for (let i = 0; i < na; i++) {
    const t = <i64>limb(pa, i) - <i64>(i < nb ? limb(pb, i) : 0) - borrow;
    setLimb(pr, i, <u64>t);
    borrow = t < 0 ? 1 : 0;
  }
  setLen(r, na);
}

/**
 * r ← a · b (r must not be a or b), column by column: each limb of r sums its products' low
 * halves and the previous column's high halves and carry — no partial result is stored and
 * read back (up to 40 products of a column: the sums stay below 2^38).
 */
function mul(r: usize, a: usize, b: usize): void {
  const na = lenOf(a);
  const nb = lenOf(b);
  if (na == 0 || nb == 0) {
    store<i32>(r, 0);
    return;
  }
  const n = na + nb;
  if (n > SLOT_LIMBS) {
    overflow = 1;
    store<i32>(r, 0);
    return;
  }
  const pa = limbsOf(a);
  const pb = limbsOf(b);
  const pr = limbsOf(r);
  let lo: u64 = 0;
  for (let k = 0; k < n - 1; k++) {
    let hi: u64 = 0;
    const from = k < nb ? 0 : k - nb + 1;
    const to = k < na ? k : na - 1;
    for (let i = from; i <= to; i++) {
      const t = limb(pa, i) * limb(pb, k - i);
      lo += t & 0xffffffff;
      hi += t >> 32;
    }
    setLimb(pr, k, lo & 0xffffffff);
    lo = (lo >> 32) + hi;
  }
  setLimb(pr, n - 1, lo);
  setLen(r, n);
}

/** r ← a · m for a small m (r may be a). */
function mulSmall(r: usize, a: usize, m: u64): void {
  const na = lenOf(a);
  if (na + 1 > SLOT_LIMBS) {
    overflow = 1;
    return;
  }
  const pa = limbsOf(a);
  const pr = limbsOf(r);
  let carry: u64 = 0;
  for (let i = 0; i < na; i++) {
    const t = limb(pa, i) * m + carry;
    setLimb(pr, i, t & 0xffffffff);
    carry = t >> 32;
  }
  setLimb(pr, na, carry);
  setLen(r, na + 1);
}

// scratch for division: the shifted dividend and divisor
const UN: usize = memory.data(4 * (SLOT_LIMBS + 2));
const VN: usize = memory.data(4 * (SLOT_LIMBS + 2));

/**
 * q ← floor(a / b), rem ← a mod b (Knuth's algorithm D, base 2^32; after Hacker's Delight
 * `divmnu`). q and rem must be distinct from a, b and each other; b must not be zero.
 */
function divmod(q: usize, rem: usize, a: usize, b: usize): void {
  const na = lenOf(a);
  const nb = lenOf(b);
  if (nb == 0) {
    overflow = 1;
    store<i32>(q, 0);
    store<i32>(rem, 0);
    return;
  }
  if (na < nb || (na == nb && cmp(a, b) < 0)) {
    store<i32>(q, 0);
    copy(rem, a);
    return;
  }
  const pa = limbsOf(a);
  const pb = limbsOf(b);
  const pq = limbsOf(q);
  const pr = limbsOf(rem);
  if (nb == 1) {
    const d = limb(pb, 0);
    let r: u64 = 0;
    for (let i = na - 1; i >= 0; i--) {
      const cur = (r << 32) | limb(pa, i);
      setLimb(pq, i, cur / d);
      r = cur % d;
    }
    setLen(q, na);
    setLimb(pr, 0, r);
    setLen(rem, 1);
    return;
  }
  const s = <u64>clz<u32>(load<u32>(pb + (<usize>(nb - 1) << 2)));
  // normalise: vn = b << s, un = a << s (one limb longer)
  for (let i = nb - 1; i > 0; i--) setLimb(VN, i, ((limb(pb, i) << s) | (limb(pb, i - 1) >> (32 - s))) & 0xffffffff);
  setLimb(VN, 0, (limb(pb, 0) << s) & 0xffffffff);
  setLimb(UN, na, s == 0 ? 0 : limb(pa, na - 1) >> (32 - s));
  for (let i = na - 1; i > 0; i--) setLimb(UN, i, ((limb(pa, i) << s) | (s == 0 ? 0 : limb(pa, i - 1) >> (32 - s))) & 0xffffffff);
  setLimb(UN, 0, (limb(pa, 0) << s) & 0xffffffff);
  const vTop = limb(VN, nb - 1);
  const vNext = limb(VN, nb - 2);
  for (let j = na - nb; j >= 0; j--) {
    const num = (limb(UN, j + nb) << 32) | limb(UN, j + nb - 1);
    let qhat = num / vTop;
    let rhat = num - qhat * vTop;
    while (qhat >= TWO32 || qhat * vNext > ((rhat << 32) | limb(UN, j + nb - 2))) {
      qhat--;
      rhat += vTop;
      if (rhat >= TWO32) break;
    }
    // un[j..j+nb] −= qhat · vn
    let k: i64 = 0;
    for (let i = 0; i < nb; i++) {
      const p = qhat * limb(VN, i);
      const t = <i64>limb(UN, i + j) - k - <i64>(p & 0xffffffff);
      setLimb(UN, i + j, <u64>t & 0xffffffff);
      k = <i64>(p >> 32) - (t >> 32);
    }
    const t = <i64>limb(UN, j + nb) - k;
    setLimb(UN, j + nb, <u64>t & 0xffffffff);
    if (t < 0) {
      // qhat was one too large: add the divisor back
      qhat--;
      let c: u64 = 0;
      for (let i = 0; i < nb; i++) {
        const u = limb(UN, i + j) + limb(VN, i) + c;
        setLimb(UN, i + j, u & 0xffffffff);
        c = u >> 32;
      }
      setLimb(UN, j + nb, (limb(UN, j + nb) + c) & 0xffffffff);
    }
    setLimb(pq, j, qhat);
  }
  setLen(q, na - nb + 1);
  // rem = un >> s
  for (let i = 0; i < nb; i++) setLimb(pr, i, ((limb(UN, i) >> s) | (s == 0 ? 0 : limb(UN, i + 1) << (32 - s))) & 0xffffffff);
  setLen(rem, nb);
}

/** A double that never ranks a larger number below a smaller one (for the leftover units). */
function approx(s: usize): f64 {
  const n = lenOf(s);
  if (n == 0) return 0;
  const p = limbsOf(s);
  if (n <= 2) return <f64>((n == 2 ? limb(p, 1) << 32 : 0) | limb(p, 0));
  // the top 64 bits, truncated, times 2^(32·(n−2)): monotone in the number (the power built from
  // its exponent bits, as 2 ** x gives it: exact up to 2^1023, then infinite)
  const top = (limb(p, n - 1) << 32) | limb(p, n - 2);
  const e = <u64>(32 * (n - 2));
  return e > 1023 ? Infinity : <f64>top * reinterpret<f64>((e + 1023) << 52);
}

// ---- division by a constant, as a multiplication ------------------------------------------------

/**
 * q ← floor(a·k/d) from f = floor(k·2^256/d), precomputed once for a constant k/d: a
 * multiplication instead of a long division. With k·2^256/d = f + θ (0 ≤ θ < 1) and
 * a·f = Q·2^256 + r (0 ≤ r < 2^256): a·k/d = Q + (r + a·θ)/2^256, so for a < 2^192 the floor is
 * Q or Q + 1 — Q for certain when r's top 64 bits are not all ones (then r + a < 2^256); else
 * (an exact multiple, or about one a in 2^64) Q + 1 exactly when a·k ≥ (Q + 1)·d. Returns false
 * when a ≥ 2^192 or a product would outgrow a slot — q may then hold anything: the caller divides
 * exactly into it. q must be distinct from a, f, k and d.
 */
function mulRecip(q: usize, a: usize, f: usize, k: usize, d: usize): bool {
  const na = lenOf(a);
  if (na > 6 || na + lenOf(f) > SLOT_LIMBS || na + lenOf(k) > SLOT_LIMBS) return false;
  const z = tmp(10);
  mul(z, a, f);
  const nz = lenOf(z);
  const pz = limbsOf(z);
  if (nz <= 8) store<i32>(q, 0);
  else {
    copyLimbs(limbsOf(q), pz + 32, nz - 8);
    store<i32>(q, nz - 8); // z is trimmed: its top limb is not zero
  }
  if (nz > 7 && limb(pz, 7) == 0xffffffff && limb(pz, 6) == 0xffffffff) {
    count(RECIP_CHECKS);
    const q1 = tmp(11);
    const one = tmp(12);
    setU64(one, 1);
    add(q1, q, one);
    if (lenOf(q1) + lenOf(d) > SLOT_LIMBS) return false;
    mul(z, a, k);
    mul(tmp(13), q1, d);
    if (cmp(z, tmp(13)) >= 0) copy(q, q1);
  }
  return true;
}

/** The number of bits of a slot's number (0 for zero). */
function bitLength(s: usize): i32 {
  const n = lenOf(s);
  return n == 0 ? 0 : 32 * n - <i32>clz<u32>(load<u32>(limbsOf(s) + (<usize>(n - 1) << 2)));
}

/** The shifts of `mulCeil`'s reciprocals: 256, 288 and 320 bits (eight to ten limbs), in consecutive slots. */
const CEIL_LIMBS: i32 = 8;

/**
 * q ← floor(a·k/d) from f_s = ceil(k·2^s/d), with no check: a·f_s/2^s = a·k/d + a·θ/2^s
 * (0 ≤ θ < 1), and with a·k = q·d + j (j ≤ d − 1) that is below q + (d − 1)/d + a/2^s ≤ q + 1
 * whenever a·d ≤ 2^s — sure when a's bits and d's (`dBits`) add up to at most s. `f` holds f_s
 * for s = 256, 288, 320 in three consecutive slots; the least s that is sure is taken (a smaller
 * product). Where exact multiples are common (whole-token bonds) this beats `mulRecip`, whose
 * check they take. Returns false, having written nothing, when a is too long: the caller then
 * divides exactly.
 */
function mulCeil(q: usize, a: usize, f: usize, dBits: i32): bool {
  const na = lenOf(a);
  const need = bitLength(a) + dBits;
  if (need > 32 * (CEIL_LIMBS + 2)) return false;
  const extra = need <= 32 * CEIL_LIMBS ? 0 : need <= 32 * (CEIL_LIMBS + 1) ? 1 : 2;
  const fs = f + <usize>extra * SLOT_BYTES;
  const shift = CEIL_LIMBS + extra;
  if (na + lenOf(fs) > SLOT_LIMBS) return false;
  const z = tmp(10);
  mul(z, a, fs);
  const nz = lenOf(z);
  if (nz <= shift) store<i32>(q, 0);
  else {
    copyLimbs(limbsOf(q), limbsOf(z) + (<usize>shift << 2), nz - shift);
    store<i32>(q, nz - shift);
  }
  return true;
}

// ---- slots ------------------------------------------------------------------------------------------

// scratch numbers
const T0: usize = memory.data(<i32>SLOT_BYTES * 14);
@inline function tmp(k: i32): usize {
  return T0 + <usize>k * SLOT_BYTES;
}

/** Constants the caller writes before `evaluate`: see `CONST` in src/kernel.ts. */
const C0: usize = memory.data(<i32>SLOT_BYTES * 18);
export function constSlot(k: i32): usize {
  return C0 + <usize>k * SLOT_BYTES;
}
@inline function K_(k: i32): usize {
  return C0 + <usize>k * SLOT_BYTES;
}
const WAD_ = 0;
const W2_ = 1;
const W4_ = 2;
const HALF_ = 3;
const ERRDEN_STD = 4;
const ERRDEN_HIGH = 5;
const RESPONSE_NUM = 6;
const RATING_SCALE = 7;
const CONST_UER = 8;
const SCORE_CAP = 9;
const HIGH_THRESHOLD = 12;
const MID_THRESHOLD = 13;
const SCORE_CAP_F = 14; // scoreCap/WAD as a reciprocal for `mulRecip`
const ERR_P_STD = 16; // W³/den reduced to p/q, for each priority: p here, q by `setErrorTerms`
const ERR_P_HIGH = 17;
const M6: u64 = 1_000_000;

// the node columns' base addresses, set by `layout`
let cuM: usize = 0; // f64: compute units, in millionths
let gpusCol: usize = 0; // f64: GPUs
let upSec: usize = 0; // f64: up-seconds
let deliv: usize = 0; // f64: GPU-seconds delivered
let uNum: usize = 0; // f64: U's numerator (up6 − rampStart·expected), when mode has U_DIV
let uDen: usize = 0; // f64: U's denominator (expected · ramp)
let jStd: usize = 0; // f64 × 4: standard jobs, their errors, high jobs, their errors
let p95: usize = 0; // f64: p95 response, ms, when mode has R_DIV
let pNum: usize = 0; // f64: P's numerator (may be negative), when mode has P_DIV
let pDen: usize = 0; // f64: P's denominator
let pGiven: usize = 0; // u64: P, when mode has P_GIVEN
let bondCol: usize = 0; // FIXED limbs: the bond
let modeCol: usize = 0; // u32: mode bits (below)
let keyCol: usize = 0; // u32: index of the node's (class, region, lock, bonus) key
let probCol: usize = 0; // i32: probation share index, −1 for none
let scoreCol: usize = 0; // FIXED limbs out: the score
let weightCol: usize = 0; // FIXED limbs out: the bond's weight
let outCol: usize = 0; // u32 out: reason bits and the quality tier
// per-key tables: K for tiers 0..2 (slots), the least Q at which the score cap can bind (u64 × 3), L (slot)
let kTab: usize = 0;
let capTab: usize = 0;
let lTab: usize = 0;
let probTab: usize = 0; // slots: probation shares
// the same per key, tier and share as reciprocals: K/W⁴ and share/WAD for `mulRecip`, L/W² for `mulCeil`
let kfTab: usize = 0;
let lfTab: usize = 0;
let probfTab: usize = 0;
// Number parameters
let baseM: u64 = 0;
let weightM: u64 = 0;
let wU: u64 = 0;
let wE: u64 = 0;
let wR: u64 = 0;
let wP: u64 = 0;

// mode bits
const U_ZERO: u32 = 1;
const U_DIV: u32 = 2;
const E_DIV: u32 = 4;
const R_DIV: u32 = 8;
const P_DIV: u32 = 16;
const P_GIVEN: u32 = 32;
const ELIGIBLE: u32 = 64;
const BONDED: u32 = 128;
// out bits (the tier is out >> 8)
const OUT_ERROR_RATE: u32 = 1;
const OUT_RATING_CLIPPED: u32 = 2;
const OUT_SCORE_CAPPED: u32 = 4;

export function layout(
  cu: usize,
  g: usize,
  up: usize,
  dl: usize,
  un: usize,
  ud: usize,
  js: usize,
  p9: usize,
  pn: usize,
  pd: usize,
  pg: usize,
  bd: usize,
  md: usize,
  ky: usize,
  pb: usize,
  sc: usize,
  wt: usize,
  ot: usize,
  kt: usize,
  ct: usize,
  lt: usize,
  pt: usize,
  kf: usize,
  lf: usize,
  pf: usize,
): void {
  cuM = cu;
  gpusCol = g;
  upSec = up;
  deliv = dl;
  uNum = un;
  uDen = ud;
  jStd = js;
  p95 = p9;
  pNum = pn;
  pDen = pd;
  pGiven = pg;
  bondCol = bd;
  modeCol = md;
  keyCol = ky;
  probCol = pb;
  scoreCol = sc;
  weightCol = wt;
  outCol = ot;
  kTab = kt;
  capTab = ct;
  lTab = lt;
  probTab = pt;
  kfTab = kf;
  lfTab = lf;
  probfTab = pf;
}

// q of each priority's W³/den = p/q (0: E takes the limb path)
let errQStd: u64 = 0;
let errQHigh: u64 = 0;

export function setErrorTerms(qStd: f64, qHigh: f64): void {
  errQStd = <u64>qStd;
  errQHigh = <u64>qHigh;
}

export function setNumbers(base: f64, weight: f64, u: f64, e: f64, r: f64, p: f64): void {
  baseM = <u64>base;
  weightM = <u64>weight;
  wU = <u64>u;
  wE = <u64>e;
  wR = <u64>r;
  wP = <u64>p;
}

@inline function f64At(col: usize, i: i32): f64 {
  return load<f64>(col + (<usize>i << 3));
}

function loadFixed(s: usize, col: usize, i: i32): void {
  const from = col + (<usize>i << 4);
  const to = limbsOf(s);
  store<u64>(to, load<u64>(from));
  store<u64>(to + 8, load<u64>(from + 8));
  setLen(s, FIXED);
}

function storeFixed(col: usize, i: i32, s: usize): void {
  const n = lenOf(s);
  if (n > FIXED) {
    overflow = 1;
    return;
  }
  const d = col + (<usize>i << 4);
  const p = limbsOf(s);
  for (let k = 0; k < FIXED; k++) store<u32>(d + (<usize>k << 2), k < n ? load<u32>(p + (<usize>k << 2)) : 0);
}

/** A value at most WAD (< 2^63) from a slot. */
function toU64(s: usize): u64 {
  const n = lenOf(s);
  if (n > 2) {
    overflow = 1;
    return 0;
  }
  const p = limbsOf(s);
  return n == 0 ? 0 : n == 1 ? limb(p, 0) : (limb(p, 1) << 32) | limb(p, 0);
}

/** floor(w · x / 1e6) summed exactly for x ≤ 2^63, w < 1e6 scale: split x = hi·1e9 + lo. */
@inline function hiPart(x: u64): u64 {
  return x / 1_000_000_000;
}
@inline function loPart(x: u64): u64 {
  return x % 1_000_000_000;
}

/** E for one priority: clamp(1 − (errors/jobs)/(tolerance·target), 0, 1), floored once. */
function errorFactor(jobs: f64, errors: f64, den: usize): u64 {
  const a = tmp(6);
  const d = tmp(7);
  const e = tmp(8);
  const num = tmp(9);
  setF64(a, jobs);
  mul(d, a, den);
  setF64(a, errors);
  mul(e, a, K_(W2_));
  if (cmp(d, e) <= 0) return 0;
  sub(num, d, e);
  mul(e, num, K_(WAD_));
  divmod(a, num, e, d);
  return toU64(a);
}

// the remainder of `div128Small` and its quotient's high word
let divRem: u64 = 0;
let divHi: u64 = 0;

/**
 * floor((hi·2^64 + lo) / g) for 0 < g < 2^32: the quotient's low 64 bits (its high ones in
 * `divHi`), the remainder in `divRem` — the dividend's 32-bit limbs divided from the top.
 */
function div128Small(hi: u64, lo: u64, g: u64): u64 {
  divHi = hi / g;
  let r = hi - divHi * g;
  let cur = (r << 32) | (lo >> 32);
  const q1 = cur / g;
  r = cur - q1 * g;
  cur = (r << 32) | (lo & 0xffffffff);
  const q0 = cur / g;
  divRem = cur - q0 * g;
  return (q1 << 32) | q0;
}

// the high word of `mul64x64`
let mulHi64: u64 = 0;

/** The low 64 bits of a·b (the high ones in `mulHi64`). */
function mul64x64(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff;
  const a1 = a >> 32;
  const b0 = b & 0xffffffff;
  const b1 = b >> 32;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  mulHi64 = a1 * b1 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  return (p00 & 0xffffffff) | (mid << 32);
}

/**
 * E for one priority in registers: with W³/den = p/q reduced, (jobs·den − errors·W²)·WAD/(jobs·den)
 * = WAD − errors·p/(jobs·q), so the floor is WAD − ceil(errors·p/(jobs·q)), 0 once that reaches WAD
 * (the limb path's d ≤ e). For errors < 2^32, p below 2^96 and jobs·q below 2^32; else `errorFactor`.
 */
function errorFactorFast(jobs: f64, errors: f64, pSlot: usize, q: u64, den: usize, WAD: u64): u64 {
  const n = lenOf(pSlot);
  if (q == 0 || n > 3 || errors >= 4294967296.0 || jobs * <f64>q >= 4294967296.0) {
    count(WIDE_ERRORS);
    return errorFactor(jobs, errors, den);
  }
  const e = <u64>errors;
  const pp = limbsOf(pSlot);
  // errors·p by 32-bit limbs of p: below 2^128
  const t0 = e * (n > 0 ? limb(pp, 0) : 0);
  const t1 = e * (n > 1 ? limb(pp, 1) : 0) + (t0 >> 32);
  const t2 = e * (n > 2 ? limb(pp, 2) : 0) + (t1 >> 32);
  const c = div128Small(t2, (t1 << 32) | (t0 & 0xffffffff), <u64>jobs * q);
  if (divHi != 0 || (divRem != 0 && c == 0xffffffffffffffff)) return 0;
  const up = divRem != 0 ? c + 1 : c;
  return up >= WAD ? 0 : WAD - up;
}

/** x ← floor(n·k / d) for exact integers n, d < 2^64 given as doubles, the constant k a slot. */
function mulDiv(x: usize, n: f64, k: usize, d: f64): void {
  const a = tmp(6);
  const b = tmp(7);
  const r = tmp(8);
  setF64(a, n);
  mul(b, a, k);
  setF64(a, d);
  divmod(x, r, b, a);
}

/** c ← floor(a·b / g) for a, b < 2^64 and 0 < g < 2^32. */
function mulDivSmall(c: usize, a: u64, b: u64, g: u64): void {
  const lo = mul64x64(a, b);
  const q = div128Small(mulHi64, lo, g);
  const p = limbsOf(c);
  setLimb(p, 0, q & 0xffffffff);
  setLimb(p, 1, q >> 32);
  setLimb(p, 2, divHi & 0xffffffff);
  setLimb(p, 3, divHi >> 32);
  setLen(c, 4);
}

/** The bit of `ratingP`'s result that says P was clipped. */
const CLIPPED: u64 = 1 << 63;

/** P = HALF + floorDiv(num · 1e24, den) clipped to [0, WAD], with CLIPPED set when it was clipped. */
function ratingP(num: f64, den: f64, HALF: u64, WAD: u64): u64 {
  const x = tmp(1);
  const y = tmp(2);
  const z = tmp(3);
  const r = tmp(4);
  const neg = num < 0;
  setF64(x, neg ? -num : num);
  mul(y, x, K_(RATING_SCALE));
  setF64(x, den);
  divmod(z, r, y, x);
  // z = floor(|num|·scale/den); floorDiv of a negative rounds away from zero
  if (neg) {
    if (!isZero(r)) {
      setU64(y, 1);
      add(z, z, y);
    }
    return cmp(z, K_(HALF_)) > 0 ? CLIPPED : HALF - toU64(z);
  }
  if (lenOf(z) > 2) return WAD | CLIPPED;
  const raw = HALF + toU64(z); // z < 2^64 here, HALF < 2^59: raw < HALF only if it wrapped
  return raw > WAD || raw < HALF ? WAD | CLIPPED : raw;
}

// the rating scale (10^24) as two 64-bit words and a double, set by `evaluate`; 0: not below 2^128
let scaleLo: u64 = 0;
let scaleHi: u64 = 0;
let scaleF: f64 = 0;

function setRatingScale(): void {
  const s = K_(RATING_SCALE);
  const n = lenOf(s);
  const p = limbsOf(s);
  if (n > 4) {
    scaleF = 0;
    return;
  }
  scaleLo = (n > 1 ? limb(p, 1) << 32 : 0) | (n > 0 ? limb(p, 0) : 0);
  scaleHi = (n > 3 ? limb(p, 3) << 32 : 0) | (n > 2 ? limb(p, 2) : 0);
  scaleF = <f64>scaleHi * 18446744073709551616.0 + <f64>scaleLo;
}

/** 2^-40: how far from the clip a double estimate of z must be to decide by it (its error is ~2^-51). */
const MARGIN: f64 = 1.0 / 1099511627776.0;

/**
 * `ratingP` in registers. z = floor(|num|·scale/den) matters only up to HALF (above, P is clipped):
 * a double estimate decides the clip when it is clearly above HALF; clearly below, z < 2^59 and
 * |num|·scale = z·den + r < 2^113, so the estimate's floor (off by at most a few hundred) is
 * corrected exactly by the 128-bit remainder |num|·scale − z₀·den, which fits one signed word.
 * Near HALF (within 2^-40), or with a scale of 2^128 or more, `ratingP` decides in limbs.
 */
function ratingPFast(num: f64, den: f64, HALF: u64, WAD: u64): u64 {
  const a = num < 0 ? -num : num;
  const zf = (a * scaleF) / den;
  const half = <f64>HALF;
  if (scaleF > 0 && zf > half * (1 + MARGIN)) return num < 0 ? CLIPPED : WAD | CLIPPED;
  if (!(scaleF > 0 && zf < half * (1 - MARGIN))) {
    count(WIDE_RATINGS);
    return ratingP(num, den, HALF, WAD);
  }
  const n = <u64>a;
  const d = <u64>den;
  const z0 = <u64>zf;
  const aLo = mul64x64(n, scaleLo);
  const aHi = mulHi64 + n * scaleHi; // n·scale < 2^113 here: no word overflows
  const bLo = mul64x64(z0, d);
  const bHi = mulHi64;
  const lo = aLo - bLo;
  const hi = aHi - bHi - (aLo < bLo ? 1 : 0);
  let z: u64;
  let r: u64;
  if (hi == 0 && lo < 0x8000000000000000) {
    const q = lo / d;
    z = z0 + q;
    r = lo - q * d;
  } else if (hi == 0xffffffffffffffff && lo >= 0x8000000000000000) {
    const m = 0 - lo; // −remainder
    const q = (m + d - 1) / d;
    z = z0 - q;
    r = q * d - m;
  } else {
    count(WIDE_RATINGS);
    return ratingP(num, den, HALF, WAD);
  }
  // as `ratingP`: floorDiv of a negative rounds away from zero; above HALF, P is clipped
  if (num < 0) {
    const up = r != 0 ? z + 1 : z;
    return up > HALF ? CLIPPED : HALF - up;
  }
  return z > HALF ? WAD | CLIPPED : HALF + z;
}

/**
 * Scores nodes [from, to): everything of `processEpoch`'s per-node evaluation that is bigint
 * arithmetic. Returns 1 if a number outgrew its column (the caller then takes the bigint path).
 */
export function evaluate(from: i32, to: i32): i32 {
  overflow = 0;
  const C = tmp(0);
  const x = tmp(1);
  const y = tmp(2);
  const z = tmp(3);
  const r = tmp(4);
  const w = tmp(5);
  const WAD = toU64(K_(WAD_));
  const HALF = toU64(K_(HALF_));
  const constUER = toU64(K_(CONST_UER));
  const highThreshold = toU64(K_(HIGH_THRESHOLD));
  const midThreshold = toU64(K_(MID_THRESHOLD));
  const w2Bits = bitLength(K_(W2_));
  setRatingScale();
  for (let i = from; i < to; i++) {
    const mode = load<u32>(modeCol + (<usize>i << 2));
    let out: u32 = 0;
    // C = CU·1e6 · (base·GPUs·upSeconds + weight·delivered) / GPUs, or CU·upSeconds·base·1e6
    const cu = f64At(cuM, i);
    const gpus = f64At(gpusCol, i);
    const up = f64At(upSec, i);
    const prov = gpus * up; // the same double product as the bigint path takes
    const delivered = f64At(deliv, i);
    if (gpus > 0 && up > 0 && gpus < 4294967296.0 && cu * 1e6 < 1.8e19 && prov * <f64>baseM + delivered * <f64>weightM < 1.8e19) {
      // the common case in registers: both factors below 2^64 (the doubles' error is far below the
      // margin to 2^64), their 128-bit product, divided by the GPUs (below 2^32) in three steps
      mulDivSmall(C, <u64>cu * M6, <u64>prov * baseM + <u64>delivered * weightM, <u64>gpus);
    } else if (gpus > 0 && up > 0) {
      count(WIDE_CONTRIBUTIONS);
      setF64(y, cu);
      mulSmall(y, y, M6);
      setF64(x, prov);
      mulSmall(x, x, baseM);
      setF64(z, delivered);
      mulSmall(z, z, weightM);
      add(x, x, z);
      mul(z, y, x);
      setF64(x, gpus);
      divmod(C, r, z, x);
    } else {
      setF64(y, cu);
      mulSmall(y, y, M6);
      setF64(x, up);
      mul(z, y, x);
      mulSmall(C, z, baseM);
    }
    // U
    let U = WAD;
    if (mode & U_ZERO) U = 0;
    else if (mode & U_DIV) {
      mulDiv(x, f64At(uNum, i), K_(WAD_), f64At(uDen, i));
      U = cmp(x, K_(WAD_)) > 0 ? WAD : toU64(x);
    }
    // E
    let E = WAD;
    if (mode & E_DIV) {
      const base = jStd + (<usize>i << 5);
      const std = load<f64>(base);
      const stdErr = load<f64>(base + 8);
      const high = load<f64>(base + 16);
      const highErr = load<f64>(base + 24);
      const eStd = stdErr > 0 ? errorFactorFast(std, stdErr, K_(ERR_P_STD), errQStd, K_(ERRDEN_STD), WAD) : WAD;
      const eHigh = highErr > 0 ? errorFactorFast(high, highErr, K_(ERR_P_HIGH), errQHigh, K_(ERRDEN_HIGH), WAD) : WAD;
      if ((std > 0 && eStd == 0) || (high > 0 && eHigh == 0)) out |= OUT_ERROR_RATE;
      // E = (std·eStd + high·eHigh) / jobs: in registers while the jobs are below 2^32 (each
      // product below 2^96, their sum below 2^97), else in limbs
      if (std + high < 4294967296.0) {
        const sLo = mul64x64(eStd, <u64>std);
        const sHi = mulHi64;
        const hLo = mul64x64(eHigh, <u64>high);
        const lo = sLo + hLo;
        E = div128Small(sHi + mulHi64 + (lo < sLo ? 1 : 0), lo, <u64>(std + high));
      } else {
        setF64(x, std);
        setU64(y, eStd);
        mul(z, x, y);
        setF64(x, high);
        setU64(y, eHigh);
        mul(w, x, y);
        add(z, z, w);
        setF64(x, std + high);
        divmod(y, r, z, x);
        E = toU64(y);
      }
    }
    // R
    let R = WAD;
    if (mode & R_DIV) {
      setF64(x, f64At(p95, i));
      divmod(y, r, K_(RESPONSE_NUM), x);
      R = toU64(y);
    }
    // P = HALF + floorDiv(num · 1e24, den), clipped to [0, WAD]
    let P = HALF;
    if (mode & P_GIVEN) P = load<u64>(pGiven + (<usize>i << 3));
    else if (mode & P_DIV) {
      const v = ratingPFast(f64At(pNum, i), f64At(pDen, i), HALF, WAD);
      P = v & ~CLIPPED;
      if (v & CLIPPED) out |= OUT_RATING_CLIPPED;
    }
    // Q = (wU·U + wE·E + wR·R + wP·P) / 1e6, exact with x = hi·1e9 + lo
    let Q: u64;
    if (U == WAD && E == WAD && R == WAD) {
      Q = constUER + wP * hiPart(P) * 1000 + (wP * loPart(P)) / M6;
    } else {
      const hi = wU * hiPart(U) + wE * hiPart(E) + wR * hiPart(R) + wP * hiPart(P);
      const lo = wU * loPart(U) + wE * loPart(E) + wR * loPart(R) + wP * loPart(P);
      Q = hi * 1000 + lo / M6;
    }
    const tier: u32 = Q >= highThreshold ? 2 : Q >= midThreshold ? 1 : 0;
    out |= tier << 8;
    const key = <i32>load<u32>(keyCol + (<usize>i << 2));
    const kk = key * 3 + <i32>tier;
    // S = C·Q·K / W⁴, capped at scoreCap·C / WAD
    // (each floor(a·k/d) by a constant k/d as a multiplication when it can be sure; else exactly)
    setU64(x, Q);
    mul(w, C, x);
    if (!mulRecip(y, w, kfTab + <usize>kk * SLOT_BYTES, kTab + <usize>kk * SLOT_BYTES, K_(W4_))) {
      mul(z, w, kTab + <usize>kk * SLOT_BYTES);
      divmod(y, r, z, K_(W4_));
    }
    if (Q >= load<u64>(capTab + (<usize>kk << 3))) {
      if (!mulRecip(w, C, K_(SCORE_CAP_F), K_(SCORE_CAP), K_(WAD_))) {
        mul(z, K_(SCORE_CAP), C);
        divmod(w, r, z, K_(WAD_));
      }
      if (cmp(y, w) > 0) {
        copy(y, w);
        out |= OUT_SCORE_CAPPED;
      }
    }
    const pi = load<i32>(probCol + (<usize>i << 2));
    if (pi >= 0) {
      copy(w, y);
      if (!mulRecip(y, w, probfTab + <usize>pi * SLOT_BYTES, probTab + <usize>pi * SLOT_BYTES, K_(WAD_))) {
        mul(z, w, probTab + <usize>pi * SLOT_BYTES);
        divmod(y, r, z, K_(WAD_));
      }
    }
    if (mode & ELIGIBLE) storeFixed(scoreCol, i, y);
    else zeroFixed(scoreCol, i);
    // the bond's weight: bond · L · Q / W² = (bond · Q) · L / W²
    if (mode & ELIGIBLE && mode & BONDED) {
      loadFixed(w, bondCol, i);
      mul(z, w, x); // x is Q still
      if (!mulCeil(y, z, lfTab + <usize>key * 3 * SLOT_BYTES, w2Bits)) {
        mul(w, z, lTab + <usize>key * SLOT_BYTES);
        divmod(y, r, w, K_(W2_));
      }
      storeFixed(weightCol, i, y);
    } else zeroFixed(weightCol, i);
    store<u32>(outCol + (<usize>i << 2), out);
  }
  return overflow;
}

// ---- largest-remainder apportionment ------------------------------------------------------------

/** The sum of the weights, left in constant slot 10 (the caller reads it for exact tie-breaks). */
const TOTAL = 10;
const POOL = 11;

/**
 * shares[i] ← floor(pool · w[i] / Σw), approx[i] ← a monotone double of the remainder (−1 where
 * w[i] = 0). Returns the units left over (pool − Σ shares), or −1 if every weight is 0; the
 * caller hands the leftovers to the largest remainders. Pool is constant slot 11.
 */
export function apportion(weights: usize, n: i32, shares: usize, approxCol: usize): f64 {
  overflow = 0;
  const total = K_(TOTAL);
  const pool = K_(POOL);
  const w = tmp(0);
  const x = tmp(1);
  const q = tmp(2);
  const r = tmp(3);
  const paid = tmp(4);
  store<i32>(total, 0);
  for (let i = 0; i < n; i++) {
    loadFixed(w, weights, i);
    if (lenOf(w) > 0) add(total, total, w);
  }
  if (isZero(total)) return -1;
  store<i32>(paid, 0);
  for (let i = 0; i < n; i++) {
    loadFixed(w, weights, i);
    if (isZero(w)) {
      zeroFixed(shares, i);
      store<f64>(approxCol + (<usize>i << 3), -1);
      continue;
    }
    mul(x, pool, w);
    divmod(q, r, x, total);
    storeFixed(shares, i, q);
    store<f64>(approxCol + (<usize>i << 3), approx(r));
    add(paid, paid, q);
  }
  if (overflow != 0) return -2;
  sub(x, pool, paid);
  if (lenOf(x) > 2) return -2;
  return <f64>toU64(x);
}

/** How many weights `award` found tied at the threshold (their indices are in its `tied` column). */
let tiedFound: i32 = 0;

/**
 * The leftover units' first round: one more unit to every share whose remainder's double is
 * above `t` (the k-th largest), the indices of those equal to it into `tied` (i32, in ascending
 * order) for the caller to rank exactly. Returns how many shares got a unit.
 */
export function award(shares: usize, approxCol: usize, n: i32, t: f64, tied: usize): i32 {
  let awarded = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const a = load<f64>(approxCol + (<usize>i << 3));
    if (a > t) {
      // share + 1 (below the pool, so below 2^128: the carry stops within the four limbs)
      let p = shares + (<usize>i << 4);
      let v = load<u32>(p) + 1;
      store<u32>(p, v);
      while (v == 0) {
        p += 4;
        v = load<u32>(p) + 1;
        store<u32>(p, v);
      }
      awarded++;
    } else if (a == t) {
      store<i32>(tied + (<usize>m << 2), i);
      m++;
    }
  }
  tiedFound = m;
  return awarded;
}

export function tiedCount(): i32 {
  return tiedFound;
}

export function overflowed(): i32 {
  return overflow;
}

// ---- tests: the primitives, exported for the differential test -----------------------------------

export function testMul(r: usize, a: usize, b: usize): void {
  mul(r, a, b);
}
export function testDivmod(q: usize, rem: usize, a: usize, b: usize): void {
  divmod(q, rem, a, b);
}
export function testAddSub(r: usize, a: usize, b: usize, subtract: i32): void {
  if (subtract) sub(r, a, b);
  else add(r, a, b);
}
export function testApprox(s: usize): f64 {
  return approx(s);
}
/** 1 and q ← floor(a·k/d) by `mulRecip`, given f = floor(k·2^256/d); 0 when it leaves it to the caller. */
export function testMulRecip(q: usize, a: usize, f: usize, k: usize, d: usize): i32 {
  return mulRecip(q, a, f, k, d) ? 1 : 0;
}
/** 1 and q ← floor(a·k/d) by `mulCeil`, given f_s = ceil(k·2^s/d) for s = 256, 288, 320 and d's bits; 0 when it leaves it to the caller. */
export function testMulCeil(q: usize, a: usize, f: usize, dBits: i32): i32 {
  return mulCeil(q, a, f, dBits) ? 1 : 0;
}

/** P from its terms as `evaluate` computes it, in registers where it can (for the tests). */
export function testRatingP(num: f64, den: f64): u64 {
  setRatingScale();
  return ratingPFast(num, den, toU64(K_(HALF_)), toU64(K_(WAD_)));
}

/** P from its terms in limbs only (for the tests). */
export function testRatingPLimbs(num: f64, den: f64): u64 {
  return ratingP(num, den, toU64(K_(HALF_)), toU64(K_(WAD_)));
}

/** How many times a path ran since the last call, for the tests (see `COUNTER` in src/kernel.ts). */
export function takeCount(k: i32): u32 {
  const at = COUNTS + (<usize>k << 2);
  const n = load<u32>(at);
  store<u32>(at, 0);
  return n;
}
