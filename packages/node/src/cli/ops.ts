import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTokens } from '@swarm/core';
import { SwarmClient } from '@swarm/sdk';
import { readEnv } from '../env.ts';
import { MIN_KEEP_EPOCHS, pruneEpochs } from '../keepers/retention.ts';
import { checkLedger, type LedgerReport } from '../ledger/ledger.ts';
import { openDb, StoreMissingError } from '../store/db.ts';
import { UsageError } from './io.ts';

export type OpsOptions = { server?: string; dataDir?: string; token?: string };

function token(o: OpsOptions): string {
  if (o.token) return o.token;
  const env = readEnv();
  if (env.operatorToken) return env.operatorToken;
  const file = join(o.dataDir ?? env.dataDir, 'operator-token');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new UsageError(`no operator token: pass --token, set SWARM_OPERATOR_TOKEN, or run where ${file} exists`);
  }
}

/** `swarm epoch close`: asks the running service to close every epoch whose time has come. */
export async function epochClose(o: OpsOptions): Promise<void> {
  const client = new SwarmClient({ baseUrl: o.server ?? 'http://127.0.0.1:8640', operatorToken: token(o) });
  const r = await client.closeEpochs();
  console.log(r.closed.length === 0 ? 'no epoch is due to close' : `closed epochs ${r.closed.join(', ')}`);
}

/**
 * `swarm check`: the ledger invariants. Through the running service (`--server`), or directly on
 * the store when the service is stopped (an embedded store is opened by one process at a time).
 */
export async function check(o: OpsOptions): Promise<void> {
  let report: LedgerReport;
  if (o.server) {
    const res = await fetch(`${o.server}/v1/operator/check`, { headers: { authorization: `Bearer ${token(o)}` } });
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new UsageError(`${res.status} ${body.code}: ${body.message}`);
    report = {
      ...(body as unknown as LedgerReport),
      minted: BigInt(body.minted as string),
      burned: BigInt(body.burned as string),
      supply: BigInt(body.supply as string),
    };
  } else {
    const env = readEnv();
    const db = await openDb({ url: env.databaseUrl, dataDir: env.databaseUrl ? undefined : (o.dataDir ?? env.dataDir), mustExist: true }).catch((e) => {
      throw e instanceof StoreMissingError ? new UsageError(e.message) : e;
    });
    try {
      report = await checkLedger(db);
    } finally {
      await db.close();
    }
  }
  console.log(
    `${report.postings} postings, ${report.accounts} accounts; minted ${formatTokens(report.minted)}, burned ${formatTokens(report.burned)}, supply ${formatTokens(report.supply)}`,
  );
  if (report.violations.length === 0) {
    console.log('all ledger invariants hold');
    return;
  }
  for (const v of report.violations) console.log(`VIOLATION: ${v}`);
  process.exitCode = 1;
}

/**
 * `swarm prune --keep-epochs N`: retention on the store (`keepers/retention.ts`): the heartbeat
 * bitmaps, receipts and refusals of closed epochs older than the last N, in one transaction. Runs
 * beside a running service (PostgreSQL) or on a stopped embedded store.
 */
export async function prune(o: { keepEpochs?: string; dataDir?: string }): Promise<void> {
  const keep = Number(o.keepEpochs);
  if (o.keepEpochs === undefined || !/^\d{1,9}$/.test(o.keepEpochs) || keep < MIN_KEEP_EPOCHS) {
    throw new UsageError(`--keep-epochs takes a whole number of closed epochs to keep, at least ${MIN_KEEP_EPOCHS}`);
  }
  const env = readEnv();
  const db = await openDb({ url: env.databaseUrl, dataDir: env.databaseUrl ? undefined : (o.dataDir ?? env.dataDir), mustExist: true }).catch((e) => {
    throw e instanceof StoreMissingError ? new UsageError(e.message) : e;
  });
  try {
    const r = await db.tx((sql) => pruneEpochs(sql, keep));
    console.log(
      `pruned the epochs before ${r.before}: ${r.slotPartitionsDropped.length} heartbeat partitions dropped (${r.slotRowsDeleted} bitmaps deleted from the default partition), ${r.receiptsDeleted} receipts and ${r.refusalsDeleted} refusals deleted`,
    );
  } finally {
    await db.close();
  }
}
