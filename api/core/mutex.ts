/**
 * Per-pair serialization inside one process: work for the same key (an opportunity or referral)
 * runs one at a time, in arrival order; different keys run in parallel. Across processes the
 * If-Match ETags are the guard, not this.
 */
export class KeyedMutex {
  private tails = new Map<string, Promise<unknown>>();

  /** Runs `work` after every earlier holder of any of `keys` has finished; `waited` says whether it had to wait. */
  async run<T>(keys: string | string[], work: (waited: boolean) => Promise<T>): Promise<T> {
    // Sorted and unique, so two holders of {a,b} never wait on each other in opposite orders.
    const all = [...new Set(Array.isArray(keys) ? keys : [keys])].filter(Boolean).sort();
    const previous = all.map((k) => this.tails.get(k)).filter((p): p is Promise<unknown> => p !== undefined);
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = Promise.all(previous).then(() => done);
    for (const k of all) this.tails.set(k, tail);
    try {
      await Promise.all(previous.map((p) => p.catch(() => undefined)));
      return await work(previous.length > 0);
    } finally {
      release();
      for (const k of all) if (this.tails.get(k) === tail) this.tails.delete(k);
    }
  }

  /** Keys currently held or awaited (for health/debug). */
  get size(): number {
    return this.tails.size;
  }
}
