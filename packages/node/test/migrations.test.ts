import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../src/store/db.ts';
import { freshSchemaUrl } from './helpers.ts';

const journal = (await import('../drizzle/meta/_journal.json', { with: { type: 'json' } })).default as { entries: { tag: string; when: number }[] };
const applied = async (db: Awaited<ReturnType<typeof openDb>>) =>
  (await db.query<{ created_at: string }>('SELECT created_at::text FROM __drizzle_migrations ORDER BY id')).map((r) => Number(r.created_at));

describe('migrations, by drizzle’s migrator', () => {
  it('applies every migration once, and a reopened store applies none again', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'swarm-migrate-')), 'store');
    const db = await openDb({ dataDir: dir });
    expect(await applied(db)).toEqual(journal.entries.map((e) => e.when));
    await db.query("INSERT INTO meta (key, value) VALUES ('kept', 'yes')");
    await db.close();
    const again = await openDb({ dataDir: dir });
    expect(await applied(again)).toEqual(journal.entries.map((e) => e.when));
    expect((await again.query<{ value: string }>("SELECT value FROM meta WHERE key = 'kept'"))[0]?.value).toBe('yes');
    await again.close();
  });

  it('adopts a store the earlier runner migrated (swarm_migrations): nothing runs twice, nothing is lost', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'swarm-migrate-')), 'store');
    const db = await openDb({ dataDir: dir });
    // the earlier runner's bookkeeping: its table of tags, no drizzle table
    await db.query('DROP TABLE __drizzle_migrations');
    await db.query('CREATE TABLE swarm_migrations (tag text PRIMARY KEY, applied_at bigint NOT NULL)');
    for (const e of journal.entries) await db.query('INSERT INTO swarm_migrations VALUES ($1, 0)', [e.tag]);
    await db.query("INSERT INTO meta (key, value) VALUES ('kept', 'yes')");
    await db.close();
    const adopted = await openDb({ dataDir: dir }); // re-running 0000_init would fail: its tables exist
    expect(await applied(adopted)).toEqual(journal.entries.map((e) => e.when));
    expect((await adopted.query<{ t: string | null }>("SELECT to_regclass('swarm_migrations')::text AS t"))[0]?.t).toBeNull();
    expect((await adopted.query<{ value: string }>("SELECT value FROM meta WHERE key = 'kept'"))[0]?.value).toBe('yes');
    await adopted.close();
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    'on a PostgreSQL server: four processes opening one new store at once migrate it once, in its own schema',
    async () => {
      const url = await freshSchemaUrl();
      const dbs = await Promise.all(Array.from({ length: 4 }, () => openDb({ url })));
      expect(await applied(dbs[0] as Awaited<ReturnType<typeof openDb>>)).toEqual(journal.entries.map((e) => e.when));
      const schema = new URL(url).searchParams.get('options')?.split('=')[1];
      const where = await (dbs[0] as Awaited<ReturnType<typeof openDb>>).query<{ s: string }>(
        "SELECT table_schema AS s FROM information_schema.tables WHERE table_name = '__drizzle_migrations'",
      );
      expect(where.map((r) => r.s)).toContain(schema);
      expect(where.map((r) => r.s)).not.toContain('drizzle');
      await Promise.all(dbs.map((d) => d.close()));
    },
  );
});
