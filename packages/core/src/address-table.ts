/**
 * Interns payout addresses to small integers: `indexOf` returns the same index for equal strings,
 * assigning the next one to a new address, so indices follow first appearance. A `Map` keyed by
 * the string: V8 caches a string's hash in the string, and its tables are seeded per process, so
 * chosen addresses cannot force collisions. (An open-addressing table over FNV-1a was tried: at
 * a million nodes it was slower than the Map, on JSON-parsed addresses by half.)
 */
export class AddressTable {
  readonly addresses: string[] = [];
  private readonly index = new Map<string, number>();

  get size(): number {
    return this.addresses.length;
  }

  indexOf(address: string): number {
    let k = this.index.get(address);
    if (k === undefined) {
      k = this.addresses.length;
      this.addresses.push(address);
      this.index.set(address, k);
    }
    return k;
  }
}
