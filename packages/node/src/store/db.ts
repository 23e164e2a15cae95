import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';

/** A row as the drivers return it. Numeric and bigint columns are read as text (cast in SQL). */
export type Row = Record<string, unknown>;

/** What repositories and keepers need from a database: queries, and queries inside a transaction. */
export interface Sql {
  query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Sql {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: all of it commits, or none of it. */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** PGlite: the whole store as a tarball, to open copies of it (`OpenDbParameters.from`). */
  dump?: () => Promise<Blob>;
}

export type OpenDbParameters = {
  url?: string | undefined;
  dataDir?: string | undefined;
  /** Refuse (`StoreMissingError`) rather than create a store where there is none: for tools that only read one. */
  mustExist?: boolean;
  /** PGlite in memory only: start from this dump of another store (`Db.dump`) instead of an empty one — tests make many stores. */
  from?: Blob;
};

/** `mustExist` was asked and there is no store there. */
export class StoreMissingError extends Error {
  override name = 'StoreMissingError';
}

/**
 * Opens the store: a PostgreSQL server when `url` is given, else PGlite (real PostgreSQL compiled
 * to WASM, in-process) on disk in `dataDir`, or in memory when `dataDir` is `memory://`. Applies
 * the migrations before returning. Both behave the same: one schema, one SQL dialect.
 */
export async function openDb(p: OpenDbParameters): Promise<Db> {
  if (p.mustExist && !p.url && !existsSync(join(p.dataDir ?? 'memory://', 'PG_VERSION'))) {
    throw new StoreMissingError(`there is no store in ${p.dataDir} (a store is created by swarm start)`);
  }
  const { db, raw } = p.url ? openPostgres(p.url) : await openPglite(p.dataDir ?? 'memory://', p.from);
  if (p.mustExist && (await db.query<{ t: string | null }>("SELECT to_regclass('meta')::text AS t"))[0]?.t == null) {
    await db.close();
    throw new StoreMissingError('the database holds no Swarm store (a store is created by swarm start)');
  }
  await migrate(db, raw);
  return db;
}

async function openPglite(dataDir: string, from?: Blob): Promise<{ db: Db; raw: PGlite }> {
  if (!dataDir.startsWith('memory://')) privateDir(dataDir);
  if (from && !dataDir.startsWith('memory://')) throw new Error('a store starts from a dump only in memory');
  const lite = from ? await PGlite.create({ loadDataDir: from }) : await PGlite.create(dataDir);
  if (!dataDir.startsWith('memory://')) privateTree(dataDir);
  const wrap = (q: { query: PGlite['query'] }): Sql => ({
    async query<T extends Row>(text: string, params?: unknown[]) {
      return (await q.query<T>(text, params)).rows;
    },
  });
  const base = wrap(lite);
  const db: Db = {
    kind: 'pglite',
    query: base.query,
    tx: (fn) => lite.transaction((t) => fn(wrap(t))),
    close: () => lite.close(),
    dump: () => lite.dumpDataDir('none'),
  };
  return { db, raw: lite };
}

/**
 * The ledger's files are the ledger: nobody but the service's user may read or write them. PGlite
 * creates its files 0666 and its directories 0777 (less the umask), so the data directory is made
 * 0700, the process's umask 077 (PGlite keeps creating files — WAL segments, relations — while it
 * runs, and this process owns the store while it is open), and files already there (a store made
 * before this rule) are made 0600 and directories 0700.
 */
function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  try {
    process.umask(0o077);
  } catch {
    // a worker thread cannot set the umask; the directory's 0700 still keeps other users out
  }
}

function privateTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      chmodSync(path, 0o700);
      privateTree(path);
    } else if (e.isFile()) chmodSync(path, 0o600);
  }
}

function openPostgres(url: string): { db: Db; raw: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // a pooled connection that errors while idle must not crash the process; the next query reconnects
  pool.on('error', () => {});
  const wrap = (c: pg.Pool | pg.PoolClient): Sql => ({
    async query<T extends Row>(text: string, params?: unknown[]) {
      return (await c.query(text, params as unknown[])).rows as T[];
    },
  });
  const base = wrap(pool);
  const db: Db = {
    kind: 'postgres',
    query: base.query,
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
  return { db, raw: pool };
}

const MIGRATIONS = fileURLToPath(new URL('../../drizzle/', import.meta.url));
const MIGRATION_LOCK = 0x5357524d; // 'SWRM'
const MIGRATIONS_TABLE = '__drizzle_migrations';

/**
 * Applies the drizzle-kit migrations (`packages/node/drizzle/`) with drizzle's own migrator, once
 * each, in journal order. Its bookkeeping table lives in the store's own schema (the search path's
 * first), so stores that share a PostgreSQL server in different schemas never see each other's;
 * on a server, a session advisory lock keeps two processes opening one store from both applying.
 * A store migrated before drizzle's migrator was used (a `swarm_migrations` table of tags) has
 * its applied migrations recorded in drizzle's table first, so nothing runs twice.
 */
export async function migrate(db: Db, raw: PGlite | pg.Pool): Promise<void> {
  if (raw instanceof PGlite) {
    await adoptLegacyMigrations(db, 'public');
    await migratePglite(drizzlePglite({ client: raw }), { migrationsFolder: MIGRATIONS, migrationsSchema: 'public', migrationsTable: MIGRATIONS_TABLE });
    return;
  }
  const client = await raw.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const schema = ((await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0] as { s: string }).s;
    await adoptLegacyMigrations(db, schema);
    await migratePg(drizzlePg({ client }), { migrationsFolder: MIGRATIONS, migrationsSchema: schema, migrationsTable: MIGRATIONS_TABLE });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

/** Records in drizzle's table the migrations the earlier runner applied (`swarm_migrations`), then drops its table. */
async function adoptLegacyMigrations(db: Db, schema: string): Promise<void> {
  const legacy = (await db.query<{ t: string | null }>("SELECT to_regclass('swarm_migrations')::text AS t"))[0]?.t;
  if (legacy == null) return;
  const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const files = readMigrationFiles({ migrationsFolder: MIGRATIONS });
  const table = `"${schema.replace(/"/g, '""')}"."${MIGRATIONS_TABLE}"`;
  await db.tx(async (sql) => {
    const done = new Set((await sql.query<{ tag: string }>('SELECT tag FROM swarm_migrations')).map((r) => r.tag));
    await sql.query(`CREATE TABLE IF NOT EXISTS ${table} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
    for (const [k, e] of journal.entries.entries()) {
      const f = files[k];
      if (f !== undefined && done.has(e.tag)) await sql.query(`INSERT INTO ${table} (hash, created_at) VALUES ($1, $2)`, [f.hash, f.folderMillis]);
    }
    await sql.query('DROP TABLE swarm_migrations');
  });
}
