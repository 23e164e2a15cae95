import { InvalidArgumentError, InvariantError } from './errors.ts';

/**
 * Splits `pool` pro rata to `weights` by the largest-remainder method (SPEC §4.1): each share is
 * `floor(pool·w_i / Σw)`; the units left over go one each to the largest remainders
 * `(pool·w_i) mod Σw`, ties broken by ascending index — the caller orders participants by
 * ascending id, so index order is id order. The shares always sum to `pool` exactly.
 *
 * Returns `null` when no weight is positive (the pool has no eligible participant; the caller
 * sends it to the treasury).
 *
 * Runs in O(n) expected time: the leftover units (fewer than n) go to the remainders at or above
 * a threshold found by selection, not by sorting a million bigints.
 *
 * @example apportion(10n, [1n, 1n, 1n]) // [4n, 3n, 3n]
 */
export function apportion(pool: bigint, weights: readonly bigint[]): bigint[] | null {
  if (pool < 0n) throw new InvalidArgumentError('pool', 'must not be negative');
  const n = weights.length;
  let total = 0n;
  for (let i = 0; i < n; i++) {
    const w = weights[i] as bigint;
    if (w < 0n) throw new InvalidArgumentError(`weights[${i}]`, 'must not be negative');
    total += w;
  }
  if (total === 0n) return null;
  const shares = new Array<bigint>(n);
  // remainders as doubles (a monotone conversion) for ranking; the exact bigint remainder is
  // recomputed only for the few whose doubles tie at the threshold
  const approx = new Float64Array(n);
  let paid = 0n;
  for (let i = 0; i < n; i++) {
    const w = weights[i] as bigint;
    if (w === 0n) {
      shares[i] = 0n;
      approx[i] = -1; // never receives a leftover unit
      continue;
    }
    const x = pool * w;
    const q = x / total;
    shares[i] = q;
    approx[i] = Number(x - q * total);
    paid += q;
  }
  const left = pool - paid;
  if (left < 0n || left >= BigInt(n)) throw new InvariantError('apportion: leftover out of range');
  const k = Number(left);
  if (k > 0) {
    const exact = (i: number) => pool * (weights[i] as bigint) - (shares[i] as bigint) * total;
    for (const i of largestRemainders(approx, exact, k)) shares[i] = (shares[i] as bigint) + 1n;
  }
  return shares;
}

/**
 * Participant `index`'s share of `apportion(pool, weights)`, without the others' shares: its floor
 * plus one leftover unit when its remainder ranks among the leftover count (ties by ascending
 * index). One pass over the weights; `weightAt(j)` for j < `count`. 0n when no weight is positive
 * (`apportion` returns null: the pool goes to the treasury).
 *
 * @example apportionOne(10n, (j) => [1n, 1n, 1n][j], 3, 0) // 4n
 */
export function apportionOne(pool: bigint, weightAt: (j: number) => bigint, count: number, index: number): bigint {
  let total = 0n;
  for (let j = 0; j < count; j++) total += weightAt(j);
  const w = weightAt(index);
  if (total === 0n || w === 0n) return 0n;
  const own = (pool * w) % total;
  // the leftover units number Σ remainders ÷ total; each goes to a larger remainder first
  let remainders = 0n;
  let ahead = 0;
  for (let j = 0; j < count; j++) {
    const x = weightAt(j);
    if (x === 0n) continue;
    const r = (pool * x) % total;
    remainders += r;
    if (r > own || (r === own && j < index)) ahead++;
  }
  return (pool * w) / total + (BigInt(ahead) < remainders / total ? 1n : 0n);
}

/**
 * The indices of the `k` largest remainders, ties by ascending index. The k-th largest double is
 * found by selection (O(n)); every remainder whose double is above it wins; those whose doubles
 * equal it are ranked exactly as bigints. `work`, if given, is scratch space for the selection.
 */
export function largestRemainders(approx: Float64Array, exact: (i: number) => bigint, k: number, work?: Float64Array): number[] {
  const n = approx.length;
  const t = leftoverThreshold(approx, k, work);
  const winners: number[] = [];
  const tied: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = approx[i] as number;
    if (a > t) winners.push(i);
    else if (a === t) tied.push(i);
  }
  for (const i of bestTied(tied, exact, k - winners.length)) winners.push(i);
  return winners;
}

/**
 * The k-th largest of the remainders' doubles (1 ≤ k ≤ their number): the leftover units go to
 * every remainder above it and to the best of those equal to it (`bestTied`). By selection, in
 * O(n), on a copy — into `work` when given (at least n doubles).
 */
export function leftoverThreshold(approx: Float64Array, k: number, work?: Float64Array): number {
  const n = approx.length;
  const copy = work === undefined ? approx.slice() : work.subarray(0, n);
  if (work !== undefined) copy.set(approx);
  return kthLargest(copy, k);
}

/**
 * The `need` indices of `tied` (ascending, their remainders' doubles equal) with the largest exact
 * remainders, ties by ascending index.
 */
export function bestTied(tied: ArrayLike<number>, exact: (i: number) => bigint, need: number): number[] {
  if (need < 0 || need > tied.length) throw new InvariantError('apportion: leftover units not placed');
  const list = Array.from(tied);
  if (need < list.length) {
    const rem = new Map(list.map((i) => [i, exact(i)]));
    list.sort((x, y) => {
      const a = rem.get(x) as bigint;
      const b = rem.get(y) as bigint;
      return a > b ? -1 : a < b ? 1 : x - y;
    });
  }
  return list.slice(0, need);
}

/** The k-th largest value of `a` (1-based), by in-place quickselect (Hoare partition). */
function kthLargest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1; // index in descending order
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) > pivot) i++;
      while ((a[j] as number) < pivot) j--;
      if (i <= j) {
        const tmp = a[i] as number;
        a[i] = a[j] as number;
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target] as number;
  }
  return a[target] as number;
}
