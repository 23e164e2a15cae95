/**
 * Grow-only scratch memory for the reward engine's per-call temporaries (a million-node epoch
 * needs ~40 MB of them). Allocating them afresh on every call counts towards V8's external-memory
 * budget, and crossing it starts a full mark of the heap — with a million input objects live,
 * ~0.4 s. So one buffer is kept for the process and carved up again by each call; nothing a
 * result keeps may live here.
 */
export class Scratch {
  private buffer = new ArrayBuffer(0);
  private at = 0;

  /** Counts the resets: what was taken before a reset may since have been overwritten. */
  generation = 0;

  /** Starts a call: everything taken before is free again. */
  reset(): this {
    this.at = 0;
    this.generation++;
    return this;
  }

  private take(bytes: number): [ArrayBuffer, number] {
    const size = Math.ceil(bytes / 8) * 8;
    if (this.at + size > this.buffer.byteLength) {
      // earlier views keep the old buffer alive until the call ends; later calls use the new one
      this.buffer = new ArrayBuffer(Math.max(2 * this.buffer.byteLength, this.at + size, 1 << 16));
    }
    const at = this.at;
    this.at += size;
    return [this.buffer, at];
  }

  /** `n` doubles (contents undefined: fill them). */
  f64(n: number): Float64Array {
    const [b, at] = this.take(8 * n);
    return new Float64Array(b, at, n);
  }
  i32(n: number): Int32Array {
    const [b, at] = this.take(4 * n);
    return new Int32Array(b, at, n);
  }
  u32(n: number): Uint32Array {
    const [b, at] = this.take(4 * n);
    return new Uint32Array(b, at, n);
  }
  u8(n: number): Uint8Array {
    const [b, at] = this.take(n);
    return new Uint8Array(b, at, n);
  }
  i64(n: number): BigInt64Array {
    const [b, at] = this.take(8 * n);
    return new BigInt64Array(b, at, n);
  }
}

/** The process's scratch memory (the engine is synchronous: one call uses it at a time). */
export const scratch = new Scratch();

/**
 * Where `processEpoch` converts a list of node objects to columns: reused by the next such call
 * (a million nodes' columns are ~250 MB of typed arrays; allocating them afresh with the objects
 * live set off several full marks of the heap). A result whose columns were overwritten converts
 * its nodes again, once, when a statement is asked for.
 */
export const inputScratch = new Scratch();
