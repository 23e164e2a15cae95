import { badRequest } from '../service/errors.ts';

/**
 * Every list the API serves is a page: at most `limit` rows (default 100, at most 500) in a fixed
 * order, and `next` — an opaque cursor to pass back as `?after=` for the following page, or null
 * on the last. The cursor holds the sort key of the page's last row, so a page never skips or
 * repeats a row whatever is written between requests (keyset pagination, not OFFSET).
 */
export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 100;

export type PageQuery = { limit?: number | undefined; after?: string | undefined };

/** The page size asked for, within 1…MAX_PAGE. */
export function pageLimit(q: PageQuery): number {
  return Math.max(1, Math.min(q.limit ?? DEFAULT_PAGE, MAX_PAGE));
}

/** The cursor of a row: its sort key, as base64url JSON. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key a cursor holds, checked against its shape (`types`: 's' string, 'n' integer); a 400 naming `query.after` if it is not one of ours. */
export function decodeCursor(cursor: string | undefined, types: string): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  const bad = () => badRequest('INVALID_CURSOR', 'after must be the next cursor of an earlier page', 'query.after');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(key) || key.length !== types.length) throw bad();
  key.forEach((v, i) => {
    if (types[i] === 'n' ? !Number.isSafeInteger(v) : typeof v !== 'string') throw bad();
  });
  return key as (string | number)[];
}

/** `next` for a page of `rows` fetched with `limit + 1`: the rows to return and the cursor after the last of them. */
export function pageOf<T>(rows: T[], limit: number, key: (row: T) => readonly (string | number)[]): { rows: T[]; next: string | null } {
  if (rows.length <= limit) return { rows, next: null };
  const page = rows.slice(0, limit);
  return { rows: page, next: encodeCursor(key(page[page.length - 1] as T)) };
}
