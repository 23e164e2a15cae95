/**
 * Interns payout addresses to small integers: `indexOf` returns the same index for equal strings,
 * assigning the next one to a new address (so indices follow first appearance, whatever the hash).
 * An open-addressing table over an FNV-1a hash of the whole string: at a million nodes cheaper
 * than a `Map<string, number>`. Payout addresses are chosen by users, so collisions can be forced:
 * if a probe ever runs long, the table hands over to a `Map` (V8's is seeded per process), so the
 * worst case is the Map's, never quadratic.
 */
export class AddressTable {
  readonly addresses: string[] = [];
  private slots: Int32Array;
  private mask: number;

  constructor(
    expected = 1024,
    private readonly maxProbes = 64,
  ) {
    let size = 1024;
    while (size < expected * 2) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  get size(): number {
    return this.addresses.length;
  }

  private fallback: Map<string, number> | undefined;

  indexOf(address: string): number {
    if (this.fallback !== undefined) {
      let k = this.fallback.get(address);
      if (k === undefined) {
        k = this.addresses.length;
        this.addresses.push(address);
        this.fallback.set(address, k);
      }
      return k;
    }
    let h = hash(address) & this.mask;
    let probes = 0;
    for (;;) {
      const k = this.slots[h] as number;
      if (k < 0) break;
      if (this.addresses[k] === address) return k;
      h = (h + 1) & this.mask;
      if (++probes > this.maxProbes) {
        this.fallback = new Map(this.addresses.map((a, i) => [a, i]));
        return this.indexOf(address);
      }
    }
    const k = this.addresses.length;
    this.addresses.push(address);
    this.slots[h] = k;
    if (this.addresses.length * 2 > this.slots.length) this.grow();
    return k;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let k = 0; k < this.addresses.length; k++) {
      let h = hash(this.addresses[k] as string) & mask;
      while ((slots[h] as number) >= 0) h = (h + 1) & mask;
      slots[h] = k;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** FNV-1a over every character, finalised with a mix so nearby strings spread. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
