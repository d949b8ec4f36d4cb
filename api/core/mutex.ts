/**
 * Per-pair serialization inside one process: work for the same key (an opportunity or referral)
 * runs one at a time, in arrival order; different keys run in parallel. Across processes the
 * If-Match ETags are the guard, not this.
 */
export class KeyedMutex {
  private tails = new Map<string, Promise<unknown>>();
  /** Numbers each run's start, so a caller can ask whether any run began after its reads did. */
  private started = 0;
  /** Per key, the number of its latest run's start, oldest first. */
  private lastStart = new Map<string, number>();
  /** Any key no longer in `lastStart` may have run up to here (so "did it run?" errs on yes: one more read). */
  private floor = 0;
  /** Marks still in use, by number, oldest first: entries newer than the oldest are kept to answer them exactly. */
  private live = new Map<number, number>();

  /** `limit`: keys remembered once no mark needs them; ten times as many at most, whatever marks are open. */
  constructor(private readonly limit = 10_000) {}

  /**
   * A point to pass to `run` as `since`, taken before reading a pair outside its lock: reads made
   * after it are current unless a run on the pair starts after it too. Give it back with `unmark`
   * once those reads are no longer used.
   */
  mark(): number {
    const at = this.started;
    this.live.set(at, (this.live.get(at) ?? 0) + 1);
    return at;
  }

  unmark(at: number): void {
    const n = this.live.get(at) ?? 0;
    if (n <= 1) this.live.delete(at);
    else this.live.set(at, n - 1);
  }

  /**
   * Runs `work` after every earlier holder of any of `keys` has finished. `waited` says whether the
   * caller's earlier reads may be stale: it had to wait, or (given `since`) another run on one of
   * the keys started after that mark, e.g. one that came and went while the caller's reads were
   * still in flight.
   */
  async run<T>(keys: string | string[], work: (waited: boolean) => Promise<T>, since?: number): Promise<T> {
    // Sorted and unique, so two holders of {a,b} never wait on each other in opposite orders.
    const all = [...new Set(Array.isArray(keys) ? keys : [keys])].filter(Boolean).sort();
    const previous = all.map((k) => this.tails.get(k)).filter((p): p is Promise<unknown> => p !== undefined);
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = Promise.all(previous).then(() => done);
    for (const k of all) this.tails.set(k, tail);
    try {
      await Promise.all(previous.map((p) => p.catch(() => undefined)));
      const ranSince = since !== undefined && all.some((k) => (this.lastStart.get(k) ?? this.floor) > since);
      this.begin(all);
      return await work(previous.length > 0 || ranSince);
    } finally {
      release();
      for (const k of all) if (this.tails.get(k) === tail) this.tails.delete(k);
    }
  }

  private begin(keys: string[]): void {
    const at = ++this.started;
    for (const k of keys) {
      this.lastStart.delete(k);
      this.lastStart.set(k, at);
    }
    if (this.lastStart.size <= this.limit) return;
    const oldestMark = this.live.keys().next().value ?? Infinity;
    for (const [k, n] of this.lastStart) {
      // Forgetting a run newer than an open mark would make that mark's reads look stale: kept, up to the hard cap.
      if (this.lastStart.size <= this.limit || (n > oldestMark && this.lastStart.size <= this.limit * 10)) break;
      this.lastStart.delete(k);
      this.floor = Math.max(this.floor, n);
    }
  }

  /** Keys currently held or awaited (for health/debug). */
  get size(): number {
    return this.tails.size;
  }
}
