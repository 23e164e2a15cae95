import type { AttestedStatement, ReferralStatement, StakeStatement, ValidatorStatement } from './pools.ts';

export type Payout = { address: string; amount: bigint };

export type PayoutsParameters = {
  /** The nodes' payout addresses in order of first appearance (nodes in id order), each node's index into them, and the index by address. */
  owners: readonly string[];
  ownerOf: Int32Array;
  ownerIndex: ReadonlyMap<string, number>;
  /** Each node's compute and bond rewards, in id order. */
  nodeRewards: readonly bigint[];
  bondRewards: readonly bigint[];
  validators: readonly ValidatorStatement[];
  stakes: readonly StakeStatement[];
  attested: readonly AttestedStatement[];
  referrals: readonly ReferralStatement[];
};

/**
 * Every payout address's total for the epoch (SPEC §8: one claim leaf per address), in order of
 * first appearance — owners by their nodes' ids, then validators, stakes, attested entries and
 * referrers — which is deterministic because every list is in canonical order. Zero totals are left out.
 *
 * @example computePayouts({ owners: ['0xa…'], ownerOf: Int32Array.of(0), ownerIndex, nodeRewards: [5n], bondRewards: [1n], validators: [], stakes: [], attested: [], referrals: [] })
 *   // [{ address: '0xa…', amount: 6n }]
 */
export function computePayouts(p: PayoutsParameters): Payout[] {
  const owed = new Array<bigint>(p.owners.length).fill(0n);
  for (let i = 0; i < p.ownerOf.length; i++) {
    const x = (p.nodeRewards[i] as bigint) + (p.bondRewards[i] as bigint);
    if (x !== 0n) owed[p.ownerOf[i] as number] = (owed[p.ownerOf[i] as number] as bigint) + x;
  }
  const others = new Map<string, bigint>(); // everyone not an owner, in order of first appearance
  const add = (address: string, amount: bigint) => {
    if (amount === 0n) return;
    const k = p.ownerIndex.get(address);
    if (k !== undefined) owed[k] = (owed[k] as bigint) + amount;
    else others.set(address, (others.get(address) ?? 0n) + amount);
  };
  for (const v of p.validators) add(v.payout, v.reward);
  for (const s of p.stakes) add(s.payout, s.reward);
  for (const a of p.attested) add(a.payout, a.reward);
  for (const r of p.referrals) add(r.referrer, r.paid);
  const payouts: Payout[] = [];
  p.owners.forEach((address, k) => {
    if (owed[k] !== 0n) payouts.push({ address, amount: owed[k] as bigint });
  });
  for (const [address, amount] of others) payouts.push({ address, amount });
  return payouts;
}
