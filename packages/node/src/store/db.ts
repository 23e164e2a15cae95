import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
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
  const db = p.url ? openPostgres(p.url) : await openPglite(p.dataDir ?? 'memory://', p.from);
  if (p.mustExist && (await db.query<{ t: string | null }>("SELECT to_regclass('meta')::text AS t"))[0]?.t == null) {
    await db.close();
    throw new StoreMissingError('the database holds no Swarm store (a store is created by swarm start)');
  }
  await migrate(db);
  return db;
}

async function openPglite(dataDir: string, from?: Blob): Promise<Db> {
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
  return {
    kind: 'pglite',
    query: base.query,
    tx: (fn) => lite.transaction((t) => fn(wrap(t))),
    close: () => lite.close(),
    dump: () => lite.dumpDataDir('none'),
  };
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

function openPostgres(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // a pooled connection that errors while idle must not crash the process; the next query reconnects
  pool.on('error', () => {});
  const wrap = (c: pg.Pool | pg.PoolClient): Sql => ({
    async query<T extends Row>(text: string, params?: unknown[]) {
      return (await c.query(text, params as unknown[])).rows as T[];
    },
  });
  const base = wrap(pool);
  return {
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
}

const MIGRATIONS = new URL('../../drizzle/', import.meta.url);
const MIGRATION_LOCK = 0x5357524d; // 'SWRM'

/** Applies the drizzle-kit migrations in journal order, once each, under an advisory lock. */
export async function migrate(db: Db): Promise<void> {
  const journal = JSON.parse(readFileSync(new URL('meta/_journal.json', MIGRATIONS), 'utf8')) as { entries: { tag: string }[] };
  await db.tx(async (sql) => {
    await sql.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await sql.query('CREATE TABLE IF NOT EXISTS swarm_migrations (tag text PRIMARY KEY, applied_at bigint NOT NULL)');
    const done = new Set((await sql.query<{ tag: string }>('SELECT tag FROM swarm_migrations')).map((r) => r.tag));
    for (const { tag } of journal.entries) {
      if (done.has(tag)) continue;
      const text = readFileSync(new URL(`${tag}.sql`, MIGRATIONS), 'utf8');
      for (const statement of text.split('--> statement-breakpoint')) {
        if (statement.trim() !== '') await sql.query(statement);
      }
      await sql.query('INSERT INTO swarm_migrations (tag, applied_at) VALUES ($1, $2)', [tag, Math.floor(Date.now() / 1000)]);
    }
  });
}
