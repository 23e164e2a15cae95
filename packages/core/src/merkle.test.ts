import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Claim, ClaimTree, loadKeccak, verifyClaim } from './merkle.ts';

beforeAll(loadKeccak);

const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString('hex')}`);
const amount = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.constantFrom(0n, 1n, 10n ** 18n, (1n << 256n) - 1n));

function claimsOf(addrs: string[], amounts: bigint[]): Claim[] {
  const seen = new Set<string>();
  const out: Claim[] = [];
  addrs.forEach((a, i) => {
    if (seen.has(a)) return;
    seen.add(a);
    out.push({ address: a, amount: amounts[i % amounts.length] as bigint });
  });
  return out;
}

function sameAsOpenZeppelin(claims: Claim[]): void {
  const ours = ClaimTree.build(claims);
  const oz = StandardMerkleTree.of(
    claims.map((c) => [c.address, c.amount.toString()]),
    ['address', 'uint256'],
  );
  expect(ours.root).toBe(oz.root);
  claims.forEach((c, k) => {
    const proof = ours.proof(k);
    expect(proof).toEqual(oz.getProof(k));
    expect(verifyClaim(ours.root, c.address, c.amount, proof)).toBe(true);
  });
  expect(ours.dump().tree).toEqual(oz.dump().tree);
  expect(ours.dump().values.map((v) => v.treeIndex)).toEqual(oz.dump().values.map((v) => v.treeIndex));
  expect(StandardMerkleTree.load(ours.dump() as never).root).toBe(oz.root);
}

describe('ClaimTree (OpenZeppelin standard format)', () => {
  it('gives the same root and proofs as @openzeppelin/merkle-tree on random claims', () => {
    fc.assert(
      fc.property(fc.array(address, { minLength: 1, maxLength: 40 }), fc.array(amount, { minLength: 1, maxLength: 5 }), (addrs, amounts) => {
        sameAsOpenZeppelin(claimsOf(addrs, amounts));
      }),
      { numRuns: 60 },
    );
  });

  it.each([1, 2, 3, 4, 5, 8, 9, 16, 17, 32, 33, 64, 65])('matches with %i leaves (2^k and 2^k+1) and duplicate amounts', (n) => {
    const claims = Array.from({ length: n }, (_, i) => ({ address: `0x${(i + 1).toString(16).padStart(40, '0')}`, amount: BigInt(i % 3) * 10n ** 18n }));
    sameAsOpenZeppelin(claims);
  });

  it('refuses a wrong amount, a wrong address, a tampered proof', () => {
    const claims = Array.from({ length: 9 }, (_, i) => ({ address: `0x${(i + 7).toString(16).padStart(40, 'a')}`, amount: BigInt(i + 1) }));
    const t = ClaimTree.build(claims);
    const p = t.proof(3);
    const c = claims[3] as Claim;
    expect(verifyClaim(t.root, c.address, c.amount, p)).toBe(true);
    expect(verifyClaim(t.root, c.address, c.amount + 1n, p)).toBe(false);
    expect(verifyClaim(t.root, (claims[4] as Claim).address, c.amount, p)).toBe(false);
    const bad = [...p];
    bad[0] = `0x${'00'.repeat(32)}`;
    expect(verifyClaim(t.root, c.address, c.amount, bad)).toBe(false);
    expect(() => ClaimTree.build([c, c])).toThrow(/once/);
    // the same address in another case, among many whose first bytes tie (one bucket of the sort)
    const many = Array.from({ length: 300 }, (_, i) => ({ address: `0xabcd${(i + 1).toString(16).padStart(36, '0')}`, amount: 1n }));
    expect(() => ClaimTree.build([...many, { address: (many[150] as Claim).address.toUpperCase().replace('0X', '0x'), amount: 2n }])).toThrow(
      /claims\[\d+\]\.address.*once|once/,
    );
    sameAsOpenZeppelin(many);
    expect(() => ClaimTree.build([])).toThrow(/at least one/);
    for (const address of [`0x${'1'.repeat(39)}g`, `0x${'1'.repeat(38)}`, `1x${'1'.repeat(40)}`, `0x${'1'.repeat(41)}`])
      expect(() => ClaimTree.build([{ address, amount: 1n }])).toThrow(/not an address/);
  });
});
