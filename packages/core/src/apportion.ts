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
  const rems = new Array<bigint>(n);
  let paid = 0n;
  for (let i = 0; i < n; i++) {
    const w = weights[i] as bigint;
    if (w === 0n) {
      shares[i] = 0n;
      rems[i] = -1n; // never receives a leftover unit
      continue;
    }
    const x = pool * w;
    const q = x / total;
    shares[i] = q;
    rems[i] = x - q * total;
    paid += q;
  }
  const left = pool - paid;
  if (left < 0n || left >= BigInt(n)) throw new InvariantError('apportion: leftover out of range');
  let k = Number(left);
  if (k > 0) {
    // threshold = the k-th largest remainder; all above it get a unit, then ties at it by index.
    const threshold = kthLargest(rems, k);
    for (let i = 0; i < n && k > 0; i++) {
      if ((rems[i] as bigint) > threshold) {
        shares[i] = (shares[i] as bigint) + 1n;
        k--;
      }
    }
    for (let i = 0; i < n && k > 0; i++) {
      if (rems[i] === threshold) {
        shares[i] = (shares[i] as bigint) + 1n;
        k--;
      }
    }
    if (k !== 0) throw new InvariantError('apportion: leftover units not placed');
  }
  return shares;
}

/** The k-th largest value (1-based) of `values`, by iterative quickselect on a copy. */
function kthLargest(values: readonly bigint[], k: number): bigint {
  let a = values.slice();
  let want = k;
  for (;;) {
    if (a.length === 1) return a[0] as bigint;
    // deterministic pivot: median of three
    const x = a[0] as bigint;
    const y = a[a.length >> 1] as bigint;
    const z = a[a.length - 1] as bigint;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    const hi: bigint[] = [];
    const lo: bigint[] = [];
    let eq = 0;
    for (const v of a) {
      if (v > pivot) hi.push(v);
      else if (v < pivot) lo.push(v);
      else eq++;
    }
    if (want <= hi.length) a = hi;
    else if (want <= hi.length + eq) return pivot;
    else {
      want -= hi.length + eq;
      a = lo;
    }
  }
}
