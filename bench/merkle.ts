/**
 * Merkle settlement benchmark: build the tree and one proof per payee, ours (hash-wasm keccak,
 * flat byte array) against `@openzeppelin/merkle-tree`'s build and its raw proof walk (not
 * `getProof`, which re-verifies each proof) in the same run, identical roots checked,
 * with the process's peak resident memory after each (ours runs first, so OpenZeppelin's figure
 * is the peak of both).
 */
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
// the raw proof walk: StandardMerkleTree.getProof re-verifies every proof it returns (~97 % of its proof time)
import { getProof } from '@openzeppelin/merkle-tree/dist/core.js';
import { ClaimTree, loadKeccak } from '../packages/core/src/index.ts';

export type MerkleRow = { case: string; n: number; ms: number; peakMiB: number; root: string };

function claims(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    address: `0x${(i * 2654435761 + 12345).toString(16).padStart(40, '0').slice(-40)}`,
    amount: BigInt(i + 1) * 10n ** 15n,
  }));
}

/** Time, and the process's peak resident memory after the work (MiB; ours runs first). */
function measure<T>(f: () => T): { value: T; ms: number; peakMiB: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const t = performance.now();
  const value = f();
  const ms = performance.now() - t;
  return { value, ms, peakMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
}

export async function merkle(n: number, withOz: boolean): Promise<MerkleRow[]> {
  await loadKeccak();
  const cs = claims(n);
  // the tree is returned, so the memory it holds is still counted when measured
  const ours = measure(() => {
    const t = ClaimTree.build(cs);
    for (let k = 0; k < n; k++) t.proof(k);
    return t;
  });
  const rows: MerkleRow[] = [{ case: 'merkle: ours (hash-wasm)', n, ms: Math.round(ours.ms), peakMiB: ours.peakMiB, root: ours.value.root }];
  if (withOz) {
    const values = cs.map((c) => [c.address, c.amount.toString()]);
    const oz = measure(() => {
      const t = StandardMerkleTree.of(values, ['address', 'uint256']);
      const raw = t as unknown as { tree: string[]; values: { treeIndex: number }[] };
      for (let k = 0; k < n; k++) getProof(raw.tree, (raw.values[k] as { treeIndex: number }).treeIndex);
      return t;
    });
    if (oz.value.root !== ours.value.root) throw new Error(`roots differ at ${n}: ${oz.value.root} vs ${ours.value.root}`);
    rows.push({ case: 'peer: @openzeppelin/merkle-tree build + raw getProof', n, ms: Math.round(oz.ms), peakMiB: oz.peakMiB, root: oz.value.root });
  }
  return rows;
}

if (process.argv[1]?.endsWith('merkle.ts')) {
  for (const n of (process.env.BENCH_MERKLE_SIZES ?? '100000').split(',').map(Number)) console.log(await merkle(n, true));
}
