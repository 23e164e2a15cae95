import { createKeccak, type IHasher } from 'hash-wasm';
import { InvalidArgumentError, InvariantError } from './errors.ts';

/**
 * The cumulative-claim Merkle tree in OpenZeppelin's standard format (SPEC §8): leaves
 * `["address","uint256"]`, each hashed as keccak256(keccak256(abi.encode(address, amount))),
 * sorted by hash; inner nodes keccak256 of the sorted pair. Roots and proofs are identical to
 * `@openzeppelin/merkle-tree`'s `StandardMerkleTree` (a property test checks it), so the same
 * contracts (OpenZeppelin's `MerkleProof`) verify them — but built on `hash-wasm`'s keccak in one
 * flat byte array, which at a million payees is many times faster and smaller.
 *
 * Keccak comes from WebAssembly, loaded once: call `await loadKeccak()` before building a tree.
 */
export const LEAF_ENCODING = ['address', 'uint256'] as const;

let hasher: IHasher | undefined;

/** Loads the keccak256 implementation (once per process). */
export async function loadKeccak(): Promise<void> {
  hasher ??= await createKeccak(256);
}

function h(): IHasher {
  if (hasher === undefined) throw new InvariantError('keccak not loaded: await loadKeccak() first');
  return hasher;
}

/** keccak256 of bytes. */
export function keccak256(data: Uint8Array): Uint8Array {
  return h().init().update(data).digest('binary');
}

const MAX_UINT256 = (1n << 256n) - 1n;

/** abi.encode(address, uint256): two 32-byte words. */
export function encodeLeaf(address: string, amount: bigint, out = new Uint8Array(64)): Uint8Array {
  if (amount < 0n || amount > MAX_UINT256) throw new InvalidArgumentError('amount', 'not a uint256');
  const view = Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, 64);
  out.fill(0);
  // hex decoding stops at the first character that is not hex: 20 bytes written is a whole address
  if (address.length !== 42 || !address.startsWith('0x') || view.write(address.slice(2), 12, 20, 'hex') !== 20) {
    throw new InvalidArgumentError('address', `not an address: ${address}`);
  }
  const digits = amount.toString(16);
  const even = digits.length % 2 === 0 ? digits : `0${digits}`;
  view.write(even, 64 - even.length / 2, even.length / 2, 'hex');
  return out;
}

/** The standard leaf hash: keccak256(keccak256(abi.encode(address, amount))). */
export function leafHash(address: string, amount: bigint): Uint8Array {
  return keccak256(keccak256(encodeLeaf(address, amount)));
}

function compareBytes(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  for (let k = 0; k < 32; k++) {
    const d = (a[ai + k] as number) - (b[bi + k] as number);
    if (d !== 0) return d;
  }
  return 0;
}

const pairBuf = new Uint8Array(64);

/** keccak256 of the two 32-byte nodes in ascending order, written into `out` at `oi`. */
function hashPair(a: Uint8Array, ai: number, b: Uint8Array, bi: number, out: Uint8Array, oi: number): void {
  const lo = compareBytes(a, ai, b, bi) <= 0 ? 0 : 32;
  for (let k = 0; k < 32; k++) {
    pairBuf[lo + k] = a[ai + k] as number;
    pairBuf[32 - lo + k] = b[bi + k] as number;
  }
  out.set(h().init().update(pairBuf).digest('binary'), oi);
}

/**
 * The order of `n` 32-byte words by their bytes: a counting sort on the first two bytes, then each
 * of the 65,536 buckets (a handful of words each at a million) sorted by the whole word. No
 * comparison sort over all of them, and no garbage per word.
 */
function sortedWords(words: Uint8Array, n: number): Int32Array {
  const start = new Int32Array(65_537);
  for (let k = 0; k < n; k++) {
    const b = (((words[32 * k] as number) << 8) | (words[32 * k + 1] as number)) + 1;
    start[b] = (start[b] as number) + 1;
  }
  for (let b = 1; b <= 65_536; b++) start[b] = (start[b] as number) + (start[b - 1] as number);
  const at = start.slice(0, 65_536);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const b = ((words[32 * k] as number) << 8) | (words[32 * k + 1] as number);
    order[at[b] as number] = k;
    at[b] = (at[b] as number) + 1;
  }
  // each bucket by insertion: a handful of words (hashes spread evenly), no comparator calls
  // through the sort builtin; a crowded bucket (addresses can be chosen to share a prefix) by the builtin
  const byWord = (x: number, y: number) => compareBytes(words, 32 * x, words, 32 * y);
  for (let b = 0; b < 65_536; b++) {
    const from = start[b] as number;
    const to = start[b + 1] as number;
    if (to - from > 16) {
      order.subarray(from, to).sort(byWord);
      continue;
    }
    for (let i = from + 1; i < to; i++) {
      const x = order[i] as number;
      let j = i - 1;
      while (j >= from && compareBytes(words, 32 * (order[j] as number), words, 32 * x) > 0) {
        order[j + 1] = order[j] as number;
        j--;
      }
      order[j + 1] = x;
    }
  }
  return order;
}

export type Claim = { address: string; amount: bigint };

/** A built tree: nodes in one array (node i at bytes 32·i…), and where each claim's leaf sits. */
export class ClaimTree {
  private constructor(
    readonly claims: readonly Claim[],
    /** 32-byte nodes, OpenZeppelin's array layout: root at 0, children of i at 2i+1 and 2i+2. */
    readonly nodes: Uint8Array,
    /** treeIndex[k]: the node index of claims[k]'s leaf. */
    readonly treeIndex: Int32Array,
  ) {}

  /**
   * Builds the tree of `claims` (each address once; order does not matter).
   *
   * @example await loadKeccak(); const tree = ClaimTree.build([{ address: '0x…', amount: 10n }])
   */
  static build(claims: readonly Claim[]): ClaimTree {
    const n = claims.length;
    if (n === 0) throw new InvalidArgumentError('claims', 'a tree needs at least one claim');
    const leaves = new Uint8Array(32 * n);
    const addresses = new Uint8Array(32 * n); // each address's 20 bytes at the start of a 32-byte word, for the duplicate check
    const buf = Buffer.alloc(64);
    for (let k = 0; k < n; k++) {
      const c = claims[k] as Claim;
      encodeLeaf(c.address, c.amount, buf);
      for (let b = 0; b < 20; b++) addresses[32 * k + b] = buf[12 + b] as number;
      leaves.set(keccak256(keccak256(buf)), 32 * k);
    }
    // each address once: sorted, no two neighbours alike (deterministic, and bounded however the addresses were chosen)
    const byAddress = sortedWords(addresses, n);
    for (let i = 1; i < n; i++)
      if (compareBytes(addresses, 32 * (byAddress[i - 1] as number), addresses, 32 * (byAddress[i] as number)) === 0)
        throw new InvalidArgumentError(`claims[${byAddress[i]}].address`, 'an address may appear once');
    const order = sortedWords(leaves, n);
    const size = 2 * n - 1;
    const nodes = new Uint8Array(32 * size);
    // the leaves into their places, eight 32-bit words a node
    const from = new Int32Array(leaves.buffer);
    const to = new Int32Array(nodes.buffer);
    const treeIndex = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = order[i] as number;
      const at = size - 1 - i;
      for (let w = 0; w < 8; w++) to[8 * at + w] = from[8 * k + w] as number;
      treeIndex[k] = at;
    }
    for (let i = size - 1 - n; i >= 0; i--) hashPair(nodes, 32 * (2 * i + 1), nodes, 32 * (2 * i + 2), nodes, 32 * i);
    return new ClaimTree(claims, nodes, treeIndex);
  }

  get root(): string {
    return hex(this.nodes, 0);
  }

  /** The proof of claims[k]: sibling hashes from the leaf up. */
  proof(k: number): string[] {
    let i = this.treeIndex[k];
    if (i === undefined) throw new InvalidArgumentError('index', 'no such claim');
    const out: string[] = [];
    while (i > 0) {
      const sibling = i % 2 === 1 ? i + 1 : i - 1;
      out.push(hex(this.nodes, sibling));
      i = Math.floor((i - 1) / 2);
    }
    return out;
  }

  /** OpenZeppelin's dump format (`StandardMerkleTree.load` accepts it). */
  dump(): { format: 'standard-v1'; leafEncoding: string[]; tree: string[]; values: { value: [string, string]; treeIndex: number }[] } {
    const size = this.nodes.length / 32;
    const tree = new Array<string>(size);
    for (let i = 0; i < size; i++) tree[i] = hex(this.nodes, i);
    return {
      format: 'standard-v1',
      leafEncoding: [...LEAF_ENCODING],
      tree,
      values: this.claims.map((c, k) => ({ value: [c.address, c.amount.toString()], treeIndex: this.treeIndex[k] as number })),
    };
  }
}

/** Does `proof` show that (address, amount) is a leaf of the tree with `root`? */
export function verifyClaim(root: string, address: string, amount: bigint, proof: readonly string[]): boolean {
  let node = leafHash(address, amount);
  const out = new Uint8Array(32);
  for (const p of proof) {
    if (!/^0x[0-9a-f]{64}$/i.test(p)) return false;
    const sib = Buffer.from(p.slice(2), 'hex');
    hashPair(node, 0, sib, 0, out, 0);
    node = out.slice();
  }
  return hex(node, 0) === root.toLowerCase();
}

function hex(bytes: Uint8Array, node: number): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset + 32 * node, 32).toString('hex')}`;
}
