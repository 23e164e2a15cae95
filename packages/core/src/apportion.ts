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
  const k = Number(left);
  if (k > 0) {
    for (const i of largestRemainders(rems, k)) shares[i] = (shares[i] as bigint) + 1n;
  }
  return shares;
}

/**
 * The indices of the `k` largest remainders, ties by ascending index. Numbers are compared first
 * through their (monotone) conversion to doubles in a natively sorted typed array; only the
 * remainders whose doubles tie with the k-th are compared exactly as bigints.
 */
function largestRemainders(rems: readonly bigint[], k: number): number[] {
  const n = rems.length;
  const approx = new Float64Array(n);
  for (let i = 0; i < n; i++) approx[i] = Number(rems[i] as bigint);
  const sorted = approx.slice().sort();
  const t = sorted[n - k] as number; // the k-th largest double
  const winners: number[] = [];
  const tied: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = approx[i] as number;
    if (a > t) winners.push(i);
    else if (a === t) tied.push(i);
  }
  const need = k - winners.length;
  if (need < 0 || need > tied.length) throw new InvariantError('apportion: leftover units not placed');
  // exact order inside the tie: larger remainder first, then lower index
  tied.sort((x, y) => {
    const a = rems[x] as bigint;
    const b = rems[y] as bigint;
    return a > b ? -1 : a < b ? 1 : x - y;
  });
  for (let j = 0; j < need; j++) winners.push(tied[j] as number);
  return winners;
}
