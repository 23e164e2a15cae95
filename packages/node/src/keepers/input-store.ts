import { canonicalJson } from '@swarm/core';
import { notFound } from '../service/errors.ts';
import type { Sql } from '../store/db.ts';

/**
 * Stored epoch inputs of any size. An input is kept as its canonical JSON, the nodes apart in parts
 * of 1,000 (`epoch_input_parts`) and the rest with `"nodes":[]` (`epochs.input`): a million nodes'
 * JSON (~600 MB) is longer than the longest string JavaScript can hold, so it is never built whole —
 * it is hashed as it is written (`contentHash`) and served as a stream. Epochs stored whole before
 * this (no parts) read back as they are. A node's explained statement reads its one part (~0.6 MB):
 * 28 ms p95 at 20k nodes on PostgreSQL, against 161 ms with parts of 10,000.
 */
const PART = 1_000;
const SPLICE = '"nodes":[]';

/** Writes epoch `n`'s node parts; returns the head to store in `epochs.input`. */
export async function storeInputParts(sql: Sql, n: number, input: Record<string, unknown>): Promise<string> {
  const nodes = input.nodes as unknown[];
  const head = canonicalJson({ ...input, nodes: [] });
  const parts: string[] = [];
  for (let i = 0; i < nodes.length; i += PART)
    parts.push(
      nodes
        .slice(i, i + PART)
        .map((x) => canonicalJson(x))
        .join(','),
    );
  const firsts = parts.map((_, k) => (nodes[k * PART] as { id: string }).id);
  // each part its own text parameter, eight rows a statement: not text[] arrays, whose literal the
  // driver escapes and the server parses back quote by quote (2.2–2.6× slower for JSON measured)
  for (let i = 0; i < parts.length; i += 8) {
    const batch = parts.slice(i, i + 8);
    const rows = batch.map((_, k) => `($1, $${2 + 3 * k}::int, $${3 + 3 * k}, $${4 + 3 * k})`).join(', ');
    await sql.query(`INSERT INTO epoch_input_parts (epoch, part, nodes, first_node) VALUES ${rows}`, [
      n,
      ...batch.flatMap((p, k) => [i + k, p, firsts[i + k] as string]),
    ]);
  }
  return head;
}

async function load(sql: Sql, n: number): Promise<{ head: string; parts: string[] }> {
  const { head } = await loadHead(sql, n);
  const parts = (await sql.query<{ nodes: string }>('SELECT nodes FROM epoch_input_parts WHERE epoch = $1 ORDER BY part', [n])).map((p) => p.nodes);
  return { head, parts };
}

/** Epoch `n`'s input as canonical JSON, in pieces (join them, or stream them). */
export async function readInputPieces(sql: Sql, n: number): Promise<string[]> {
  const { head, parts } = await load(sql, n);
  const at = head.indexOf(SPLICE);
  if (at < 0 || parts.length === 0) return [head];
  const pieces = [head.slice(0, at), '"nodes":['];
  for (const [i, p] of parts.entries()) pieces.push(i === 0 ? p : `,${p}`);
  pieces.push(']', head.slice(at + SPLICE.length));
  return pieces;
}

/** Epoch `n`'s input as parsed JSON (the wire form `parseEpochInput` takes). */
export async function readInputJson(sql: Sql, n: number): Promise<Record<string, unknown>> {
  const { head, parts } = await load(sql, n);
  const json = JSON.parse(head) as Record<string, unknown>;
  if (parts.length > 0) json.nodes = parts.flatMap((p) => JSON.parse(`[${p}]`) as unknown[]);
  return json;
}

/**
 * One node's input in epoch `n` (its wire form), or undefined when the epoch has no such node: read
 * from the one part that can hold it (parts are in node-id order and know their first id), so a
 * node page costs one part at any network size. Parts stored before `first_node` are searched.
 */
export async function readNodeInput(sql: Sql, n: number, nodeId: string): Promise<Record<string, unknown> | undefined> {
  const parts = await sql.query<{ nodes: string }>(
    `SELECT nodes FROM epoch_input_parts WHERE epoch = $1 AND (first_node IS NULL OR first_node COLLATE "C" <= $2)
      ORDER BY first_node IS NULL, part DESC LIMIT CASE WHEN EXISTS (SELECT 1 FROM epoch_input_parts WHERE epoch = $1 AND first_node IS NULL) THEN NULL ELSE 1 END`,
    [n, nodeId],
  );
  // no part: an input stored whole (before parts), or no such epoch (loadHead says so). The head —
  // stakes, attestations, the scarcity history: megabytes at 1M nodes — is read only then.
  if (parts.length === 0) return (JSON.parse((await loadHead(sql, n)).head) as { nodes: { id: string }[] }).nodes.find((x) => x.id === nodeId);
  for (const p of parts) {
    const found = nodeObjectIn(p.nodes, nodeId);
    if (found) return found;
  }
  return undefined;
}

/**
 * The node `id`'s object in a part (canonical JSON objects joined by commas), parsed alone: the
 * part is scanned once for its top-level objects (strings and nesting tracked) and only the one
 * whose own `"id"` key matches is parsed — not the other 9,999 nodes.
 */
export function nodeObjectIn(part: string, id: string): Record<string, unknown> | undefined {
  const key = `"id":${JSON.stringify(id)}`;
  let next = part.indexOf(key);
  if (next < 0) return undefined;
  let depth = 0;
  let inString = false;
  let start = 0;
  let found = false;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (next >= 0 && next < i) next = part.indexOf(key, i); // a match passed inside a string: the next one
    if (inString) {
      if (c === 92)
        i++; // a backslash: the next character is escaped
      else if (c === 34) inString = false;
      continue;
    }
    if (i === next) {
      if (depth === 1) found = true; // the key of a top-level object, not of one nested in it
      next = part.indexOf(key, i + 1);
    }
    if (c === 34) inString = true;
    else if (c === 123) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 125) {
      depth--;
      if (depth === 0) {
        if (found) return JSON.parse(part.slice(start, i + 1)) as Record<string, unknown>;
        if (next < 0) return undefined;
      }
    }
  }
  return undefined;
}

async function loadHead(sql: Sql, n: number): Promise<{ head: string }> {
  const r = (await sql.query<{ input: string }>('SELECT input FROM epochs WHERE epoch = $1', [n]))[0];
  if (!r) throw notFound('UNKNOWN_EPOCH', `epoch ${n} is not closed`, 'n');
  return { head: r.input };
}
