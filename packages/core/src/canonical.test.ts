import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash, writeCanonicalJson } from './canonical.ts';

describe('canonical JSON written in pieces', () => {
  it('joins to exactly canonicalJson, and contentHash is the SHA-256 of it, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const pieces: string[] = [];
        writeCanonicalJson(value, (p) => pieces.push(p));
        expect(pieces.join('')).toBe(canonicalJson(value));
        expect(contentHash(value)).toBe(`0x${createHash('sha256').update(canonicalJson(value)).digest('hex')}`);
      }),
    );
  });

  it('hashes a value whose JSON is longer than a string can be, piece by piece', () => {
    // 600 MB of JSON would not fit one string; here a smaller stand-in checks no piece is the whole
    const big = { b: Array.from({ length: 50_000 }, (_, i) => ({ i, s: 'x'.repeat(40) })), a: 1 };
    let longest = 0;
    writeCanonicalJson(big, (p) => {
      longest = Math.max(longest, p.length);
    });
    expect(longest).toBeLessThan(100);
    expect(contentHash(big)).toBe(`0x${createHash('sha256').update(canonicalJson(big)).digest('hex')}`);
  });
});
