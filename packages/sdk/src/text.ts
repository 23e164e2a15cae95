/**
 * The one rule for text at the boundary: a string the service accepts is well-formed Unicode
 * (no lone UTF-16 surrogate) and holds no control character but tab and line feed. A lone
 * surrogate cannot be stored as UTF-8 — PostgreSQL would keep U+FFFD, so a hash computed over the
 * JavaScript string would not match the stored text, and the ledger's hash chain would break for
 * good; NUL cannot be stored in a `text` column at all; and the other controls (carriage return,
 * escape, DEL, the C1 range) forge or garble log lines and terminals. With the rule, the string
 * hashed is exactly the bytes stored.
 */

// C0 controls but \t (09) and \n (0a), DEL, and the C1 controls
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Why `s` is not acceptable text, or undefined when it is. */
export function textProblem(s: string): string | undefined {
  if (!s.isWellFormed()) return 'holds a lone UTF-16 surrogate (not valid Unicode)';
  const m = CONTROL.exec(s);
  if (m) return `holds the control character U+${(m[0].codePointAt(0) as number).toString(16).padStart(4, '0').toUpperCase()}`;
  return undefined;
}

/**
 * The first string in a JSON value (keys included) that breaks the text rule, with its path in
 * the API's field notation (`body.memo`, `heartbeats[2].body.nodeId`), or undefined.
 */
export function findBadText(value: unknown, path = ''): { field: string; problem: string } | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem === undefined ? undefined : { field: path, problem };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findBadText(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const field = path === '' ? k : `${path}.${k}`;
      const keyProblem = textProblem(k);
      if (keyProblem !== undefined) return { field: path === '' ? '(a key)' : `${path} (a key)`, problem: keyProblem };
      const bad = findBadText(v, field);
      if (bad) return bad;
    }
  }
  return undefined;
}
