import { describe, expect, it } from 'vitest';
import { describeValue } from './describe.ts';
import type { InvalidArgumentError } from './errors.ts';
import { int, parseWith, str } from './schema.ts';

describe('describeValue: what an error message says it got', () => {
  it.each([
    ['a short string', 'abc', 'string "abc"'],
    ['a long string, clipped with its length', 'y'.repeat(50_000_000), `string "${'y'.repeat(40)}"… (50000000 characters)`],
    ['1e400, which JSON reads as Infinity', JSON.parse('1e400'), 'a number too large for JSON to hold (it reads as infinity)'],
    ['2^53 + 1, which JSON reads as 2^53', JSON.parse('9007199254740993'), 'number 9007199254740992, beyond 2^53 (a JSON number that large is not exact)'],
    ['a fraction', 1.5, 'number 1.5'],
    ['null', null, 'null'],
    ['nothing', undefined, 'nothing'],
    ['an array', [1], 'an array'],
    ['an object', { a: 1 }, 'an object'],
  ])('%s', (_label, value, want) => {
    expect(describeValue(value)).toBe(want);
  });
});

describe('parse errors name the field and stay short', () => {
  const integer = int({ min: 0, max: 100 });
  const err = (desc: Parameters<typeof parseWith>[0], value: unknown) => {
    try {
      parseWith(desc, value, 'x');
    } catch (e) {
      return e as InvalidArgumentError;
    }
    throw new Error('accepted');
  };
  it('a 50 MB string where a number belongs is a short line', () => {
    const e = err(integer, 'z'.repeat(50_000_000));
    expect(e.message.length).toBeLessThan(200);
    expect(e.code).toBe('INVALID_TYPE');
  });
  it('an integer beyond 2^53 is out of range, not "not an integer"', () => {
    const e = err(integer, JSON.parse('9007199254740993'));
    expect(e.code).toBe('OUT_OF_RANGE');
    expect(e.message).toContain('beyond 2^53');
  });
  it('1e400 is not reported as null', () => {
    expect(err(integer, JSON.parse('1e400')).message).not.toContain('null');
  });
  it('a long string outside an enum is clipped', () => {
    expect(err(str({ enum: ['a', 'b'] }), 'q'.repeat(10_000)).message.length).toBeLessThan(200);
  });
});
