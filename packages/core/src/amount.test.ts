import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floorDiv, formatTokens, formatWad, parseAmount, parseWad, WAD, wpowFloor } from './amount.ts';
import { InvalidArgumentError } from './errors.ts';

describe('parseAmount', () => {
  it('accepts canonical decimal integers', () => {
    expect(parseAmount('0', 'x')).toBe(0n);
    expect(parseAmount('1000000000000000000', 'x')).toBe(WAD);
  });
  it.each(['', '-1', '01', '1.5', '0x10', '1e18', ' 1', '1 ', '+1', 'abc'])('refuses %j naming the field', (bad) => {
    expect(() => parseAmount(bad, 'stakes[0].amount')).toThrowError(/stakes\[0\]\.amount/);
  });
  it('refuses non-strings and values above uint256', () => {
    expect(() => parseAmount(5, 'bond')).toThrow(InvalidArgumentError);
    expect(() => parseAmount(5n, 'bond')).toThrow(InvalidArgumentError);
    expect(() => parseAmount((1n << 256n).toString(), 'bond')).toThrow(/uint256/);
  });
  it('round-trips every amount', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (x) => parseAmount(x.toString(), 'x') === x));
  });
});

describe('WAD decimals', () => {
  it('parses exactly and refuses more than 18 digits', () => {
    expect(parseWad('0.999', 'x')).toBe(999_000_000_000_000_000n);
    expect(parseWad('12', 'x')).toBe(12n * WAD);
    expect(parseWad('0.000000000000000001', 'x')).toBe(1n);
    expect(() => parseWad('0.0000000000000000001', 'x')).toThrow(/decimal/);
    expect(() => parseWad('-0.5', 'x')).toThrow(InvalidArgumentError);
    expect(() => parseWad('.5', 'x')).toThrow(InvalidArgumentError);
  });
  it('formatWad is the exact inverse of parseWad', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), (x) => parseWad(formatWad(x), 'x') === x));
  });
  it('formats tokens for people', () => {
    expect(formatTokens(1_234_567n * WAD + WAD / 2n)).toBe('1,234,567.50');
    expect(formatTokens(-WAD, 0)).toBe('-1');
  });
  it('floorDiv floors negatives, unlike BigInt division', () => {
    expect(floorDiv(-7n, 2n)).toBe(-4n);
    expect(-7n / 2n).toBe(-3n);
    fc.assert(
      fc.property(
        fc.bigInt(),
        fc.bigInt().filter((b) => b !== 0n),
        (a, b) => {
          const q = floorDiv(a, b);
          const r = a - q * b;
          return b > 0n ? r >= 0n && r < b : r <= 0n && r > b;
        },
      ),
    );
  });
  it('wpowFloor floors each product', () => {
    expect(wpowFloor(WAD / 2n, 3)).toBe(WAD / 8n);
    expect(wpowFloor(parseWad('0.9', 'x'), 0)).toBe(WAD);
    expect(wpowFloor(parseWad('0.999999999999999999', 'x'), 2)).toBe(parseWad('0.999999999999999998', 'x'));
  });
});
