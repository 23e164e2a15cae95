import { Worker } from 'node:worker_threads';

export type VerifyItem = { data: string; signature: string; publicKey: string };

/**
 * Ed25519 verification on worker threads, so a large batch is verified on another core while the
 * main thread parses the next request and writes to the store. Each worker caches public keys.
 * Inputs must already be well-formed hex (the API's schemas guarantee it).
 */
export class VerifyPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, (ok: Uint8Array) => void>();
  private next = 0;
  private rr = 0;
  private inFlight = 0;

  /** Signatures sent to the workers and not yet answered (the ingest queue's depth, for `/metrics`). */
  get queued(): number {
    return this.inFlight;
  }

  constructor(size: number) {
    this.workers = Array.from({ length: Math.max(1, size) }, () => {
      const w = new Worker(new URL('./verify-worker.mjs', import.meta.url));
      w.on('message', ({ id, ok }: { id: number; ok: Uint8Array }) => {
        this.pending.get(id)?.(ok);
        this.pending.delete(id);
      });
      w.unref();
      return w;
    });
  }

  /** One boolean per item: does its signature verify over its data? */
  async verify(items: readonly VerifyItem[]): Promise<boolean[]> {
    const chunk = Math.ceil(items.length / this.workers.length);
    const parts = await Promise.all(
      this.workers.map((w, k) => {
        const slice = items.slice(k * chunk, (k + 1) * chunk);
        if (slice.length === 0) return Promise.resolve(new Uint8Array(0));
        const id = this.next++;
        return new Promise<Uint8Array>((resolve) => {
          this.inFlight += slice.length;
          this.pending.set(id, (ok) => {
            this.inFlight -= slice.length;
            resolve(ok);
          });
          (this.workers[(this.rr + k) % this.workers.length] as Worker).postMessage({
            id,
            data: slice.map((x) => x.data),
            sigs: slice.map((x) => x.signature),
            pubs: slice.map((x) => x.publicKey),
          });
          void w;
        });
      }),
    );
    this.rr++;
    const out: boolean[] = [];
    for (const p of parts) for (const b of p) out.push(b === 1);
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
