import { canonicalJson, contentHash, serializeEpochInput, syntheticEpoch } from '@swarm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeObjectIn, readInputJson, readInputPieces, readNodeInput, storeInputParts } from '../src/keepers/input-store.ts';
import { STORES, testService } from './helpers.ts';

describe('a node found in a part without parsing the others', () => {
  it('takes the object whose own id matches, not one nested in another or written in a string', () => {
    const a = { a: { id: 'x' }, id: 'y', s: '}{"id":"x"}\\' };
    const b = { id: 'x', b: [{ id: 'y' }], t: '{' };
    const part = [a, b].map((x) => canonicalJson(x)).join(',');
    expect(nodeObjectIn(part, 'x')).toEqual(b);
    expect(nodeObjectIn(part, 'y')).toEqual(a);
    expect(nodeObjectIn(part, 'z')).toBeUndefined();
  });
});

/** Epoch inputs stored in parts of 1,000 nodes and read back byte for byte (SPEC §8: verify replays them). */
describe.each(STORES)('stored epoch inputs on %s', (kind) => {
  let t: Awaited<ReturnType<typeof testService>>;
  afterEach(async () => t?.close());

  it('stores 2,500 nodes in three parts and reads back the canonical JSON, its hash and the parsed input', async () => {
    t = await testService(kind);
    const input = serializeEpochInput(syntheticEpoch({ seed: 3, nodes: 2_500 }));
    await t.db.tx(async (sql) => {
      const head = await storeInputParts(sql, 0, input);
      expect(head).toContain(',"nodes":[],');
      await sql.query(
        `INSERT INTO epochs (epoch, params_hash, input_hash, input, result, summary, closed_at, duration_ms) VALUES (0, 'h', $1, $2, '{}', '{}', 0, 0)`,
        [contentHash(input), head],
      );
    });
    expect((await t.db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM epoch_input_parts WHERE epoch = 0'))[0]?.n).toBe(3);
    const pieces = await readInputPieces(t.db, 0);
    expect(pieces.join('')).toBe(canonicalJson(input));
    expect(await readInputJson(t.db, 0)).toEqual(JSON.parse(canonicalJson(input)));
    // and through the API, streamed
    const r = await t.app.inject({ method: 'GET', url: '/v1/epochs/0/input' });
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(contentHash(JSON.parse(r.body))).toBe(contentHash(input));
    // one node read from its part alone: the first and last of each part, and one that is not there
    const nodes = JSON.parse(canonicalJson(input)).nodes as { id: string }[];
    for (const i of [0, 999, 1_000, 1_999, 2_000, 2_499]) expect(await readNodeInput(t.db, 0, (nodes[i] as { id: string }).id)).toEqual(nodes[i]);
    expect(await readNodeInput(t.db, 0, 'no-such-node')).toBeUndefined();
    // parts stored before they knew their first node are searched
    await t.db.query('UPDATE epoch_input_parts SET first_node = NULL WHERE epoch = 0');
    expect(await readNodeInput(t.db, 0, (nodes[1_500] as { id: string }).id)).toEqual(nodes[1_500]);
  }, 120_000);
});
