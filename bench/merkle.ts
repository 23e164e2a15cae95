/**
 * Merkle settlement benchmark, at each size, in one process:
 * - **keccak floor**: the 3n − 1 keccak256 calls a tree of n payees needs (hash-wasm, 64-byte
 *   inputs) and nothing else — the hashing alone;
 * - **ours**: the tree and its proof store (every node in one binary array, each payee's leaf
 *   index), what the service keeps; then proofs formatted on request (hex), timed per proof;
 * - **OpenZeppelin**: `@openzeppelin/merkle-tree`'s build, and its build plus the raw proof walk of
 *   every payee (not `getProof`, which re-verifies each proof), identical roots checked.
 * With the process's peak resident memory after each (ours runs first).
 */
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
// the raw proof walk: StandardMerkleTree.getProof re-verifies every proof it returns (~97 % of its proof time)
import { getProof } from '@openzeppelin/merkle-tree/dist/core.js';
import { createKeccak } from 'hash-wasm';
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
  const keccak = await createKeccak(256);
  const input = new Uint8Array(64).fill(7);
  // the floor and ours alternately, three times each (the machine is shared and a collection can land
  // in either): the medians are compared, and the first (cold) build reported beside them
  const floors: { ms: number; peakMiB: number }[] = [];
  const builds: { value: ClaimTree; ms: number; peakMiB: number }[] = [];
  for (let run = 0; run < 3; run++) {
    floors.push(
      measure(() => {
        for (let i = 0; i < 3 * n - 1; i++) keccak.init().update(input).digest('binary');
        return null;
      }),
    );
    // the tree is returned, so the memory it holds is still counted when measured
    builds.push(measure(() => ClaimTree.build(cs)));
  }
  const mid = <T>(xs: T[], key: (x: T) => number) => [...xs].sort((a, b) => key(a) - key(b))[1] as T;
  const floor = mid(floors, (x) => x.ms);
  const ours = mid(builds, (x) => x.ms);
  const coldMs = (builds[0] as { ms: number }).ms;
  const tree = ours.value;
  const sample = Math.min(n, 10_000);
  const proofs = measure(() => {
    for (let k = 0; k < sample; k++) tree.proof((k * 7919) % n);
    return null;
  });
  const rows: MerkleRow[] = [
    { case: 'peer: keccak floor (3n − 1 hash-wasm keccak256 calls, median of 3)', n, ms: Math.round(floor.ms), peakMiB: floor.peakMiB, root: '' },
    {
      case: `merkle: ours, tree + binary proof store (median of 3: ${(ours.ms / floor.ms).toFixed(2)}× the floor's median; the first build ${Math.round(coldMs)} ms)`,
      n,
      ms: Math.round(ours.ms),
      peakMiB: ours.peakMiB,
      root: tree.root,
    },
    {
      case: `merkle: ours, a proof formatted on request (µs each, ${sample.toLocaleString('en')} drawn)`,
      n,
      ms: Math.round(((proofs.ms * 1000) / sample) * 10) / 10,
      peakMiB: proofs.peakMiB,
      root: tree.root,
    },
  ];
  if (withOz) {
    const values = cs.map((c) => [c.address, c.amount.toString()]);
    const built = measure(() => StandardMerkleTree.of(values, ['address', 'uint256']));
    if (built.value.root !== tree.root) throw new Error(`roots differ at ${n}: ${built.value.root} vs ${tree.root}`);
    rows.push({ case: 'peer: @openzeppelin/merkle-tree build', n, ms: Math.round(built.ms), peakMiB: built.peakMiB, root: built.value.root });
    const oz = measure(() => {
      const t = StandardMerkleTree.of(values, ['address', 'uint256']);
      const raw = t as unknown as { tree: string[]; values: { treeIndex: number }[] };
      for (let k = 0; k < n; k++) getProof(raw.tree, (raw.values[k] as { treeIndex: number }).treeIndex);
      return t;
    });
    rows.push({
      case: 'peer: @openzeppelin/merkle-tree build + raw getProof of every payee',
      n,
      ms: Math.round(oz.ms),
      peakMiB: oz.peakMiB,
      root: oz.value.root,
    });
  }
  return rows;
}

if (process.argv[1]?.endsWith('merkle.ts')) {
  for (const n of (process.env.BENCH_MERKLE_SIZES ?? '100000').split(',').map(Number)) console.log(await merkle(n, true));
}
