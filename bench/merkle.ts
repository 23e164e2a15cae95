/**
 * Merkle settlement benchmark: build the tree and one proof per payee, ours (hash-wasm keccak,
 * flat byte array) against `@openzeppelin/merkle-tree` in the same run, identical roots checked,
 * with peak memory (RSS growth) reported.
 */
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { ClaimTree, loadKeccak } from '../packages/core/src/index.ts';

export type MerkleRow = { case: string; n: number; ms: number; peakMiB: number; root: string };

function claims(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    address: `0x${(i * 2654435761 + 12345).toString(16).padStart(40, '0').slice(-40)}`,
    amount: BigInt(i + 1) * 10n ** 15n,
  }));
}

/** Time, and memory held at the end of the work (heap + array buffers, before any collection). */
function measure<T>(f: () => T): { value: T; ms: number; peakMiB: number } {
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const t = performance.now();
  const value = f();
  const ms = performance.now() - t;
  return { value, ms, peakMiB: Math.max(0, Math.round((used() - before) / 2 ** 20)) };
}

export async function merkle(n: number, withOz: boolean): Promise<MerkleRow[]> {
  await loadKeccak();
  const cs = claims(n);
  const ours = measure(() => {
    const t = ClaimTree.build(cs);
    for (let k = 0; k < n; k++) t.proof(k);
    return t.root;
  });
  const rows: MerkleRow[] = [{ case: 'merkle: ours (hash-wasm)', n, ms: Math.round(ours.ms), peakMiB: ours.peakMiB, root: ours.value }];
  if (withOz) {
    const values = cs.map((c) => [c.address, c.amount.toString()]);
    const oz = measure(() => {
      const t = StandardMerkleTree.of(values, ['address', 'uint256']);
      for (let k = 0; k < n; k++) t.getProof(k);
      return t.root;
    });
    if (oz.value !== ours.value) throw new Error(`roots differ at ${n}: ${oz.value} vs ${ours.value}`);
    rows.push({ case: 'peer: @openzeppelin/merkle-tree', n, ms: Math.round(oz.ms), peakMiB: oz.peakMiB, root: oz.value });
  }
  return rows;
}

if (process.argv[1]?.endsWith('merkle.ts')) {
  for (const n of (process.env.BENCH_MERKLE_SIZES ?? '100000').split(',').map(Number)) console.log(await merkle(n, true));
}
