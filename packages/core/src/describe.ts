/**
 * A value as an error message shows it: its kind and, clipped, its content. Never a megabyte (a
 * 50 MB string is shown by its first 40 characters and its length), never a misleading echo — a
 * JSON number too large to be exact (`9007199254740993` parses as …992) or too large to be finite
 * (`1e400` parses as Infinity, which `JSON.stringify` prints as `null`) says so.
 *
 * @example describeValue('x'.repeat(1e6)) // 'string "xxxx…" (1000000 characters)'
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? `string ${JSON.stringify(v.slice(0, 40))}… (${v.length} characters)` : `string ${JSON.stringify(v)}`;
    case 'number':
      if (!Number.isFinite(v)) return 'a number too large for JSON to hold (it reads as infinity)';
      if (Number.isInteger(v) && !Number.isSafeInteger(v)) return `number ${v}, beyond 2^53 (a JSON number that large is not exact)`;
      return `number ${v}`;
    case 'bigint':
      return `${v} (a bigint, expected a string)`;
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}
