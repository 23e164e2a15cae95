import { canonicalJson } from './canonical.ts';
import { InvalidArgumentError } from './errors.ts';
import type { Claim } from './merkle.ts';
import { ROLES, type Role } from './params.ts';
import type { EpochResult } from './process-epoch.ts';

/**
 * The settlement manifest of a closed epoch (SPEC §8): what a chain pays out against, and what
 * anyone can check from the published input. The operator signs `manifestMessage(body)` with
 * EIP-191 (`personal_sign`); the signature lives beside the body, not in it.
 */
export type ManifestBody = {
  version: 1;
  epoch: number;
  paramsHash: string;
  inputHash: string;
  /** The root of the previous epoch's tree (cumulative claims build on it); null for the first. */
  previousRoot: string | null;
  root: string;
  payees: number;
  /**
   * What each pool paid out this epoch, and what went to the treasury (base units); of the compute
   * rewards, what was locked to vest, what vested from earlier epochs and what was forfeited (SPEC §6.1).
   */
  totals: Record<Role | 'treasury' | 'locked' | 'vested' | 'forfeited', string>;
  /** The operator's address: the signer. */
  operator: string;
};
export type Manifest = { body: ManifestBody; signature: string };

/** The exact text the operator signs. */
export function manifestMessage(body: ManifestBody): string {
  return `swarm-rewards manifest\n${canonicalJson(body)}`;
}

/** Pool totals of a result, for the manifest. */
export function manifestTotals(r: EpochResult): ManifestBody['totals'] {
  const out = {} as ManifestBody['totals'];
  for (const role of ROLES) out[role] = r.pools[role].paid.toString();
  out.treasury = r.treasury.toString();
  out.locked = r.vesting.locked.toString();
  out.vested = r.vesting.vested.toString();
  out.forfeited = r.vesting.forfeited.toString();
  return out;
}

/**
 * Cumulative claims after an epoch: each address's total to date (the previous epoch's claims plus
 * this epoch's claimable amounts, `EpochResult.claims`: the payouts less what was locked to vest,
 * plus what vested), ascending by address. A claim on chain pays the difference between this
 * total and what the address already claimed, so one proof claims everything to date.
 */
export function cumulativeClaims(previous: readonly Claim[], payouts: readonly { address: string; amount: bigint }[]): Claim[] {
  const totals = new Map<string, bigint>();
  for (const c of previous) {
    if (totals.has(c.address)) throw new InvalidArgumentError('previous', `address ${c.address} appears twice`);
    totals.set(c.address, c.amount);
  }
  for (const p of payouts) totals.set(p.address, (totals.get(p.address) ?? 0n) + p.amount);
  return [...totals]
    .filter(([, amount]) => amount > 0n)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([address, amount]) => ({ address, amount }));
}
