/**
 * Interns payout addresses to small integers: `indexOf` returns the same index for equal strings,
 * assigning the next one to a new address. An open-addressing table keyed by the address's own
 * leading hex digits (addresses are validated lower-case hex, so those digits are uniformly
 * spread): at a million nodes this is several times cheaper than a `Map<string, number>`, which
 * must hash every distinct string object JSON.parse produced.
 */
export class AddressTable {
  readonly addresses: string[] = [];
  private slots: Int32Array;
  private mask: number;

  constructor(expected = 1024) {
    let size = 1024;
    while (size < expected * 2) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  get size(): number {
    return this.addresses.length;
  }

  indexOf(address: string): number {
    let h = hash(address) & this.mask;
    for (;;) {
      const k = this.slots[h] as number;
      if (k < 0) break;
      if (this.addresses[k] === address) return k;
      h = (h + 1) & this.mask;
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

/** 32 bits mixed from the characters after `0x` (any string works; addresses spread best). */
function hash(s: string): number {
  let h = 0x811c9dc5;
  const end = Math.min(s.length, 14);
  for (let i = 2; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}
