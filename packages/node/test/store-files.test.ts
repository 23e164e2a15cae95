import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnv } from '../src/env.ts';
import { startService } from '../src/service/run.ts';
import { openDb } from '../src/store/db.ts';

/** Every file under a directory with its permission bits. */
function modes(dir: string): { path: string; mode: number; dir: boolean }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    const here = { path, mode: statSync(path).mode & 0o777, dir: e.isDirectory() };
    return e.isDirectory() ? [here, ...modes(path)] : [here];
  });
}

describe('the store on disk', () => {
  it('is private: the data directory 0700, every file PGlite writes 0600, every directory 0700', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'swarm-files-')), 'store');
    const db = await openDb({ dataDir: dir });
    await db.query('CREATE TABLE written_after_open (x int)'); // files made while the store is open count too
    await db.query('INSERT INTO written_after_open SELECT generate_series(1, 1000)');
    await db.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const all = modes(dir);
    expect(all.length).toBeGreaterThan(100);
    const open = all.filter((f) => (f.mode & 0o077) !== 0);
    expect(open.map((f) => `${f.path} ${f.mode.toString(8)}`)).toEqual([]);
  });

  it('memory:// writes nothing to disk, not even its keys', async () => {
    const cwd = process.cwd();
    const running = await startService({ env: { ...readEnv({}), dataDir: 'memory://files-test', port: 0, logLevel: 'silent' } });
    await running.stop();
    expect(existsSync(join(cwd, 'memory:', 'files-test'))).toBe(false);
    expect(running.operatorToken).toMatch(/^[0-9a-f]{48}$/);
  });
});
