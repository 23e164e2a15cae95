import { serviceDownFrom } from '@swarm/core';
import { epochOf, epochStart, type Settings } from '../service/context.ts';
import type { Sql } from '../store/db.ts';

/**
 * The service's own liveness, slot by slot (SPEC §3.2: "it records its own liveness, minute by
 * minute, durably"): a timer of the running service marks every slot from its previous tick to this
 * one — the process was up throughout — or, on its first tick, the slot it is in. A slot without
 * the mark is one in which the service could not accept heartbeats, and it is excluded from every
 * node's expected time, as are its neighbours (the slots in which the service stopped or came back
 * part-way through, `serviceDownFrom`).
 */
export async function markServiceLive(sql: Sql, s: Settings, from: number, to: number): Promise<void> {
  const perEpoch = s.epochSeconds / s.slotSeconds;
  const first = Math.max(epochOf(s, from), 0);
  const last = epochOf(s, to);
  for (let n = first; n <= last; n++) {
    const start = epochStart(s, n);
    const a = Math.max(0, Math.floor((from - start) / s.slotSeconds));
    const b = Math.min(perEpoch - 1, Math.floor((to - start) / s.slotSeconds));
    if (b < a) continue;
    const mask = '0'.repeat(a) + '1'.repeat(b - a + 1) + '0'.repeat(perEpoch - 1 - b);
    await sql.query(
      `INSERT INTO service_slots (epoch, slots) VALUES ($1, $2::varbit)
       ON CONFLICT (epoch) DO UPDATE SET slots = service_slots.slots | excluded.slots`,
      [n, mask],
    );
  }
}

/**
 * Epoch `n`'s slots in which the service was down (SPEC §3.2; `serviceDownFrom` widens each gap by
 * a slot either side). An epoch without any record (the service never ran in it, or ran a version
 * that did not record itself) has none: the platform-outage rule still covers it.
 */
export async function serviceDownSlots(sql: Sql, n: number): Promise<boolean[] | null> {
  // epoch n + 1 is not read: its first slot may still be being marked while n closes, and the input must not depend on when
  const rows = await sql.query<{ epoch: string; slots: string }>(
    'SELECT epoch::text AS epoch, slots::text AS slots FROM service_slots WHERE epoch BETWEEN $1 AND $2',
    [n - 1, n],
  );
  const of = new Map(rows.map((r) => [Number(r.epoch), r.slots]));
  const here = of.get(n);
  if (here === undefined) return null;
  const before = of.get(n - 1);
  return serviceDownFrom(
    Array.from(here, (b) => b === '1'),
    before === undefined || before.endsWith('1'),
  );
}
