import { createHash } from 'node:crypto';

/** A JSON value (what `JSON.parse` returns). */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, numbers as JSON writes them.
 * The same value always gives the same bytes, whatever order its keys were built in — which is
 * what a content hash needs. `undefined` members are dropped, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * The canonical JSON of `value` written to `out` in pieces — an array element or a key at a time —
 * so that a value whose JSON would exceed the longest string JavaScript can hold (an epoch input
 * of a million nodes is some 600 MB) can still be hashed or stored. The pieces concatenated are
 * exactly `canonicalJson(value)`.
 */
export function writeCanonicalJson(value: unknown, out: (piece: string) => void): void {
  if (value === null || typeof value !== 'object') {
    out(canonicalJson(value));
    return;
  }
  if (Array.isArray(value)) {
    out('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out(',');
      out(canonicalJson(value[i] === undefined ? null : value[i]));
    }
    out(']');
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  out('{');
  keys.forEach((k, i) => {
    out(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`);
    writeCanonicalJson(obj[k], out);
  });
  out('}');
}

/** `0x`-prefixed SHA-256 of the canonical JSON of `value` (hashed as it is written: any size). */
export function contentHash(value: unknown): string {
  const h = createHash('sha256');
  let buffer = '';
  writeCanonicalJson(value, (piece) => {
    buffer += piece;
    if (buffer.length >= 1 << 20) {
      h.update(buffer);
      buffer = '';
    }
  });
  return `0x${h.update(buffer).digest('hex')}`;
}
