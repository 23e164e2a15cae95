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

function copy(d: usize, s: usize): void {
  const n = lenOf(s);
  memory.copy(limbsOf(d), limbsOf(s), <usize>n << 2);
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

/** r ← a · b (r must not be a or b). */
function mul(r: usize, a: usize, b: usize): void {
  const na = lenOf(a);
  const nb = lenOf(b);
  if (na == 0 || nb == 0) {
    store<i32>(r, 0);
    return;
  }
  if (na + nb > SLOT_LIMBS) {
    overflow = 1;
    store<i32>(r, 0);
    return;
  }
  const pa = limbsOf(a);
  const pb = limbsOf(b);
  const pr = limbsOf(r);
  memory.fill(pr, 0, <usize>(na + nb) << 2);
  for (let i = 0; i < na; i++) {
    const ai = limb(pa, i);
    if (ai == 0) continue;
    let carry: u64 = 0;
    for (let j = 0; j < nb; j++) {
      const t = ai * limb(pb, j) + limb(pr, i + j) + carry;
      setLimb(pr, i + j, t & 0xffffffff);
      carry = t >> 32;
    }
    setLimb(pr, i + nb, carry);
  }
  setLen(r, na + nb);
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
  // the top 64 bits, truncated, times 2^(32·(n−2)): monotone in the number
  const top = (limb(p, n - 1) << 32) | limb(p, n - 2);
  return <f64>top * 2 ** <f64>(32 * (n - 2));
}

// ---- slots ------------------------------------------------------------------------------------------

// scratch numbers
const T0: usize = memory.data(<i32>SLOT_BYTES * 12);
@inline function tmp(k: i32): usize {
  return T0 + <usize>k * SLOT_BYTES;
}

/** Constants the caller writes before `evaluate`: see `CONST` in src/kernel.ts. */
const C0: usize = memory.data(<i32>SLOT_BYTES * 16);
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
// per-key tables: K for tiers 0..2 (slots), may-cap flags (u32 × 3), L (slot)
let kTab: usize = 0;
let capTab: usize = 0;
let lTab: usize = 0;
let probTab: usize = 0; // slots: probation shares
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
  memory.copy(limbsOf(s), col + (<usize>i << 4), 16);
  setLen(s, FIXED);
}

function storeFixed(col: usize, i: i32, s: usize): void {
  const n = lenOf(s);
  if (n > FIXED) {
    overflow = 1;
    return;
  }
  const d = col + (<usize>i << 4);
  memory.fill(d, 0, 16);
  memory.copy(d, limbsOf(s), <usize>n << 2);
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
  for (let i = from; i < to; i++) {
    const mode = load<u32>(modeCol + (<usize>i << 2));
    let out: u32 = 0;
    // C = CU·1e6 · (base·GPUs·upSeconds + weight·delivered) / GPUs, or CU·upSeconds·base·1e6
    const cu = f64At(cuM, i);
    const gpus = f64At(gpusCol, i);
    const up = f64At(upSec, i);
    setF64(y, cu);
    mulSmall(y, y, M6);
    if (gpus > 0 && up > 0) {
      setF64(x, gpus * up); // the same double product as the bigint path takes
      mulSmall(x, x, baseM);
      setF64(z, f64At(deliv, i));
      mulSmall(z, z, weightM);
      add(x, x, z);
      mul(z, y, x);
      setF64(x, gpus);
      divmod(C, r, z, x);
    } else {
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
      const eStd = stdErr > 0 ? errorFactor(std, stdErr, K_(ERRDEN_STD)) : WAD;
      const eHigh = highErr > 0 ? errorFactor(high, highErr, K_(ERRDEN_HIGH)) : WAD;
      if ((std > 0 && eStd == 0) || (high > 0 && eHigh == 0)) out |= OUT_ERROR_RATE;
      // E = (std·eStd + high·eHigh) / jobs
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
      const num = f64At(pNum, i);
      const neg = num < 0;
      setF64(x, neg ? -num : num);
      mul(y, x, K_(RATING_SCALE));
      setF64(x, f64At(pDen, i));
      divmod(z, r, y, x);
      // z = floor(|num|·scale/den); floorDiv of a negative rounds away from zero
      if (neg) {
        if (!isZero(r)) {
          setU64(y, 1);
          add(z, z, y);
        }
        if (cmp(z, K_(HALF_)) > 0) {
          P = 0;
          out |= OUT_RATING_CLIPPED;
        } else P = HALF - toU64(z);
      } else {
        if (lenOf(z) > 2) {
          P = WAD;
          out |= OUT_RATING_CLIPPED;
        } else {
          const raw = HALF + toU64(z); // < 2^63 + 2^64? guarded: z ≤ 2^64 here, HALF < 2^59
          if (raw > WAD || raw < HALF) {
            P = WAD;
            out |= OUT_RATING_CLIPPED;
          } else P = raw;
        }
      }
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
    setU64(x, Q);
    mul(y, C, x);
    mul(z, y, kTab + <usize>kk * SLOT_BYTES);
    divmod(y, r, z, K_(W4_));
    if (load<u32>(capTab + (<usize>kk << 2)) != 0) {
      mul(z, K_(SCORE_CAP), C);
      divmod(w, r, z, K_(WAD_));
      if (cmp(y, w) > 0) {
        copy(y, w);
        out |= OUT_SCORE_CAPPED;
      }
    }
    const pi = load<i32>(probCol + (<usize>i << 2));
    if (pi >= 0) {
      mul(z, y, probTab + <usize>pi * SLOT_BYTES);
      divmod(y, r, z, K_(WAD_));
    }
    if (mode & ELIGIBLE) storeFixed(scoreCol, i, y);
    else memory.fill(scoreCol + (<usize>i << 4), 0, 16);
    // the bond's weight: bond · L · Q / W²
    if (mode & ELIGIBLE && mode & BONDED) {
      loadFixed(w, bondCol, i);
      mul(y, w, lTab + <usize>key * SLOT_BYTES);
      setU64(x, Q);
      mul(z, y, x);
      divmod(y, r, z, K_(W2_));
      storeFixed(weightCol, i, y);
    } else memory.fill(weightCol + (<usize>i << 4), 0, 16);
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
      memory.fill(shares + (<usize>i << 4), 0, 16);
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
