import { balanceOf, InsufficientBalanceError, type Posting, post } from '../ledger/ledger.ts';
import { paymentRequired } from '../service/errors.ts';
import type { Sql } from '../store/db.ts';

/**
 * Spending from a key's wallet (embedded mode): receipts reserve their price until the close pays
 * it; stakes and proposal deposits move tokens out at once. Every spend checks
 * `balance − reserved ≥ amount` and acts on it in one step under one lock, so concurrent spends by
 * one key — on a PostgreSQL server with many connections — can never overspend it. The lock is the
 * key's row in `consumers`, created if it does not exist yet: a key's first spend has a row to
 * lock too (locking a row that might not exist locks nothing, which is how 35 of 60 concurrent
 * first receipts once went through against wallets that covered 10, and the close could then never
 * post the fees).
 */

export type WalletFunds = { balance: bigint; reserved: bigint; available: bigint };

/** Locks a key's wallet for the rest of the transaction and returns what it holds. */
export async function lockWallet(sql: Sql, key: string): Promise<WalletFunds> {
  // INSERT … ON CONFLICT DO NOTHING waits for a concurrent inserter of the same key to finish, so
  // the SELECT … FOR UPDATE below always finds the row and every spender of this key queues on it
  await sql.query("INSERT INTO consumers (key, reserved) VALUES ($1, '0') ON CONFLICT (key) DO NOTHING", [key]);
  const row = (await sql.query<{ reserved: string }>('SELECT reserved::text AS reserved FROM consumers WHERE key = $1 FOR UPDATE', [key]))[0];
  const reserved = BigInt(row?.reserved ?? '0');
  // read after the lock: under READ COMMITTED each statement sees what committed before it began
  const balance = await balanceOf(sql, `wallet:${key}`);
  return { balance, reserved, available: balance - reserved };
}

/** Reserves `amount` of a key's wallet (paid when the epoch closes), or refuses with 402 naming `field`. */
export async function reserveFunds(sql: Sql, key: string, amount: bigint, field: string, what: string): Promise<void> {
  const w = await lockWallet(sql, key);
  if (w.available < amount) throw paymentRequired(`the wallet holds ${w.available} available; ${what} needs ${amount}`, field);
  await sql.query('UPDATE consumers SET reserved = reserved + $2::numeric WHERE key = $1', [key, amount.toString()]);
}

/** Posts `postings` that take `amount` out of a key's wallet now, or refuses with 402 naming `field`. */
export async function spendFromWallet(sql: Sql, key: string, amount: bigint, field: string, what: string, postings: readonly Posting[]): Promise<void> {
  const w = await lockWallet(sql, key);
  if (w.available < amount) throw paymentRequired(`the wallet holds ${w.available} available; ${what} needs ${amount}`, field);
  try {
    await post(sql, postings);
  } catch (e) {
    if (e instanceof InsufficientBalanceError) throw paymentRequired(e.message, field);
    throw e;
  }
}
