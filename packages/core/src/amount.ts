import { describeValue } from './describe.ts';
import { InvalidArgumentError } from './errors.ts';

/** Token amounts are integers of base units: 18 decimals, as on the chain. */
export const DECIMALS = 18;
/** One token in base units. */
export const TOKEN = 10n ** 18n;
/** Fixed-point scale of every ratio and multiplier. */
export const WAD = 10n ** 18n;
/** The largest value a uint256 holds: no amount may exceed it. */
export const MAX_UINT256 = (1n << 256n) - 1n;

const AMOUNT_RE = /^(0|[1-9]\d{0,77})$/;
const DECIMAL_RE = /^(0|[1-9]\d{0,59})(\.\d{1,18})?$/;

/**
 * Parses an amount of base units from its decimal-string wire form, strictly: no sign, no
 * leading zeros, no exponent, no hex, no whitespace. `BigInt(untrusted)` would accept `""` and
 * `"0x10"`, so it is never used on input.
 *
 * @example parseAmount('1000000000000000000', 'bond') // 10n ** 18n
 */
export function parseAmount(value: unknown, field: string): bigint {
  if (typeof value !== 'string' || !AMOUNT_RE.test(value)) {
    throw new InvalidArgumentError(
      field,
      `must be a non-negative integer amount of base units as a decimal string, got ${describeValue(value)}`,
      'INVALID_AMOUNT',
    );
  }
  const n = BigInt(value);
  if (n > MAX_UINT256) {
    throw new InvalidArgumentError(field, 'exceeds uint256', 'INVALID_AMOUNT');
  }
  return n;
}

/** The wire form of an amount. */
export function formatAmount(value: bigint): string {
  return value.toString();
}

/**
 * Parses a non-negative decimal fraction (`"0.999"`, `"12"`, `"1.05"`) into WAD fixed point,
 * exactly (at most 18 fractional digits; anything finer is refused rather than rounded).
 *
 * @example parseWad('0.95', 'x') // 950000000000000000n
 */
export function parseWad(value: unknown, field: string): bigint {
  if (typeof value !== 'string' || !DECIMAL_RE.test(value)) {
    throw new InvalidArgumentError(
      field,
      `must be a non-negative decimal string with at most 18 fractional digits, got ${describeValue(value)}`,
      'INVALID_DECIMAL',
    );
  }
  const dot = value.indexOf('.');
  if (dot < 0) return BigInt(value) * WAD;
  const whole = value.slice(0, dot);
  const frac = value.slice(dot + 1).padEnd(18, '0');
  return BigInt(whole) * WAD + BigInt(frac);
}

/**
 * Formats a WAD value as the shortest exact decimal string (`950000000000000000n` → `"0.95"`).
 * Negative values keep their sign. Exact: parseWad(formatWad(x)) === x for x ≥ 0.
 */
export function formatWad(value: bigint): string {
  const neg = value < 0n;
  const abs = neg ? -value : value;
  const whole = abs / WAD;
  const frac = abs % WAD;
  let s = whole.toString();
  if (frac !== 0n) s += `.${frac.toString().padStart(18, '0').replace(/0+$/, '')}`;
  return neg ? `-${s}` : s;
}

/** Formats base units as a human token amount with `digits` fractional digits (truncated). */
export function formatTokens(value: bigint, digits = 2): string {
  const neg = value < 0n;
  const abs = neg ? -value : value;
  const whole = (abs / TOKEN).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (digits === 0) return (neg ? '-' : '') + whole;
  const frac = (abs % TOKEN).toString().padStart(DECIMALS, '0').slice(0, digits);
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/** `floor(a / b)` for signed bigints (BigInt division truncates towards zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** `floor(a · b / WAD)`: multiply first, floor once. */
export function wmul(a: bigint, b: bigint): bigint {
  return floorDiv(a * b, WAD);
}

/** `floor(a · WAD / b)`. */
export function wdiv(a: bigint, b: bigint): bigint {
  return floorDiv(a * WAD, b);
}

export function clamp(x: bigint, lo: bigint, hi: bigint): bigint {
  return x < lo ? lo : x > hi ? hi : x;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** `x^k` for a WAD `x`, each product floored: the same integers on every machine. */
export function wpowFloor(x: bigint, k: number): bigint {
  let result = WAD;
  let base = x;
  for (let e = k; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = (result * base) / WAD;
    base = (base * base) / WAD;
  }
  return result;
}
