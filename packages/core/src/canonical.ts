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

/** `0x`-prefixed SHA-256 of the canonical JSON of `value`. */
export function contentHash(value: unknown): string {
  return `0x${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}
