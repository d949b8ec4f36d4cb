/**
 * The daily Partner Center call budget (D.10): every request sent (retries included, since each
 * one counts against Microsoft's quota) is counted per UTC day, reads and writes apart. Crossing the
 * warning threshold, and later the budget itself, is reported once each per day. Nothing is ever
 * blocked here: whether an over-budget call is refused is Partner Center's decision, not ours.
 *
 * Several instances spend one budget when given a CallCountStore (api/shared-state): each call is
 * counted here at once and added to the shared count of the day a moment later (a flush), so no
 * call waits on the store. The warnings are then decided on the shared count, and the store keeps
 * which were sent, so each still goes out once a day in all.
 */

/** Microsoft's paid connector quota (D.10). */
export const DEFAULT_DAILY_CALL_BUDGET = 10_000;
/** Warn when this share of the budget has been used. */
export const DEFAULT_WARN_AT = 0.8;

export type CallKind = "read" | "write";

export interface CallBudgetWarning {
  /** `threshold`: the warning share was reached; `exhausted`: the whole budget is used. */
  level: "threshold" | "exhausted";
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  total: number;
  dailyBudget: number;
  message: string;
}

/** One UTC day's count, and which warnings were sent for it. */
export interface DayCount {
  reads: number;
  writes: number;
  warned: { threshold: boolean; exhausted: boolean };
}

/** The count instances share (api/shared-state implements it on Azure Table storage). */
export interface CallCountStore {
  /** The day's count, or undefined when nothing was counted that day. */
  read(day: string): Promise<DayCount | undefined>;
  /**
   * Applies `change` to the day's count (starting from zero counts when there is none) and
   * answers what was stored. `change` may run more than once: again on a count another instance
   * changed meanwhile.
   */
  update(day: string, change: (count: DayCount) => DayCount): Promise<DayCount>;
}

export interface CallBudgetSnapshot {
  /** UTC day the counts belong to, `YYYY-MM-DD`. */
  day: string;
  reads: number;
  writes: number;
  total: number;
  dailyBudget: number;
  /** Call count at which the first warning fires. */
  warnAtCalls: number;
  /** Whole percent of the budget used (may exceed 100). */
  percentUsed: number;
  remaining: number;
  state: "ok" | "warning" | "exhausted";
  /** When the counts start again from zero (next UTC midnight), ISO 8601. */
  resetsAt: string;
  /** With a shared store: calls counted here and not yet added to the shared count (the store was not reached yet). */
  unflushed?: number;
}

export interface CallBudgetOptions {
  /** Calls per UTC day; default 10,000. */
  dailyBudget?: number;
  /** Share of the budget (0 < warnAt ≤ 1) at which to warn; default 0.8. */
  warnAt?: number;
  /** Injected clock; the UTC day of its answer is the counting window. */
  now?: () => Date;
  /** Called at most twice a day: at the threshold and at 100%. */
  onWarning?: (warning: CallBudgetWarning) => void;
  /** The count shared with other instances; without it this process's count is the whole count. */
  store?: CallCountStore;
  /** How long after a call its count is added to the store, so a burst of calls costs one write; default 1 s. */
  flushMs?: number;
  /** A flush that failed (the counts are kept and tried again later). */
  onStoreError?: (error: unknown) => void;
}

const numberFormat = new Intl.NumberFormat("en-US");
const DAY_MS = 24 * 60 * 60 * 1000;
/** Flushes that fail are tried again, waiting twice as long each time, up to this. */
const MAX_FLUSH_RETRY_MS = 60_000;

type Calls = { reads: number; writes: number };
const zeroCount = (): DayCount => ({ reads: 0, writes: 0, warned: { threshold: false, exhausted: false } });

export class CallBudget {
  readonly dailyBudget: number;
  readonly warnAt: number;
  private readonly now: () => Date;
  private readonly onWarning?: (warning: CallBudgetWarning) => void;
  private readonly store?: CallCountStore;
  private readonly flushMs: number;
  private readonly onStoreError?: (error: unknown) => void;
  private day = "";
  /** Today's count as last known: this process's own, or the shared one as the store last answered. */
  private known: DayCount = zeroCount();
  /** With a store: calls not yet added to it, by day (a flush may still be due for yesterday). */
  private pending = new Map<string, Calls>();
  private flushTimer?: ReturnType<typeof setTimeout>;
  private flushing?: Promise<void>;
  private failedFlushes = 0;
  /** Store reads and flushes a sync() started, until they end. */
  private readonly syncing = new Set<Promise<void>>();
  private closed = false;

  constructor(options: CallBudgetOptions = {}) {
    const dailyBudget = options.dailyBudget ?? DEFAULT_DAILY_CALL_BUDGET;
    const warnAt = options.warnAt ?? DEFAULT_WARN_AT;
    if (!Number.isInteger(dailyBudget) || dailyBudget < 1) {
      throw new RangeError(`CallBudget: dailyBudget must be a whole number of calls ≥ 1; got ${String(dailyBudget)}`);
    }
    if (!(warnAt > 0 && warnAt <= 1)) {
      throw new RangeError(`CallBudget: warnAt must be a share of the budget in (0, 1], e.g. 0.8 for 80%; got ${String(warnAt)}`);
    }
    this.dailyBudget = dailyBudget;
    this.warnAt = warnAt;
    this.now = options.now ?? (() => new Date());
    this.onWarning = options.onWarning;
    this.store = options.store;
    this.flushMs = options.flushMs ?? 1000;
    this.onStoreError = options.onStoreError;
  }

  /** Calls at which the threshold warning fires. */
  get warnAtCalls(): number {
    return Math.ceil(this.dailyBudget * this.warnAt);
  }

  /** Counts one request sent to Partner Center. Never throws, never blocks. */
  record(kind: CallKind): void {
    this.rollOver();
    if (this.store) {
      const calls = this.pending.get(this.day) ?? { reads: 0, writes: 0 };
      if (kind === "read") calls.reads++;
      else calls.writes++;
      this.pending.set(this.day, calls);
      this.scheduleFlush(this.flushMs);
      return;
    }
    const counted = kind === "read" ? { ...this.known, reads: this.known.reads + 1 } : { ...this.known, writes: this.known.writes + 1 };
    const { count, level } = this.withWarning(counted);
    this.known = count;
    if (level) this.warn(level, this.day, count);
  }

  /** Today's counts, for the service's /health: with a store, the shared count as last known plus this process's unflushed calls. */
  snapshot(): CallBudgetSnapshot {
    this.rollOver();
    const unflushed = this.pending.get(this.day) ?? { reads: 0, writes: 0 };
    const reads = this.known.reads + unflushed.reads;
    const writes = this.known.writes + unflushed.writes;
    const total = reads + writes;
    return {
      day: this.day,
      reads,
      writes,
      total,
      dailyBudget: this.dailyBudget,
      warnAtCalls: this.warnAtCalls,
      percentUsed: percentOf(total, this.dailyBudget),
      remaining: Math.max(0, this.dailyBudget - total),
      state: total >= this.dailyBudget ? "exhausted" : total >= this.warnAtCalls ? "warning" : "ok",
      resetsAt: new Date(Date.parse(`${this.day}T00:00:00Z`) + DAY_MS).toISOString(),
      ...(this.store ? { unflushed: unflushed.reads + unflushed.writes } : {}),
    };
  }

  /**
   * Brings the shared count up to date now: adds this process's unflushed calls, or else reads
   * what the other instances counted. Throws what the store throws (the calls stay counted here).
   */
  async sync(): Promise<void> {
    if (!this.store || this.closed) return;
    // Kept until it ends, also when a caller stopped waiting (/health waits 3 s): close() waits for it.
    const work = this.syncNow();
    this.syncing.add(work);
    try {
      await work;
    } finally {
      this.syncing.delete(work);
    }
  }

  /**
   * Adds what is still unflushed to the store, waits for the store calls in flight, and stops:
   * no timer, no further call (the process is ending; a store call after it would outlive it).
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.store) return;
    await Promise.allSettled([...this.syncing, this.flushing]);
    if (this.pending.size > 0) await this.flushPending().catch((e: unknown) => this.onStoreError?.(e));
  }

  private async syncNow(): Promise<void> {
    this.rollOver();
    if (this.pending.size > 0) {
      // A flush in flight carries only the calls made before it began: the rest go in the next one.
      for (let round = 0; round < 3 && this.pending.size > 0; round++) await this.flush();
      return;
    }
    const day = this.day;
    const shared = await this.store!.read(day);
    if (day === this.day && this.pending.size === 0 && shared) this.known = shared;
  }

  private rollOver(): void {
    const today = this.now().toISOString().slice(0, 10);
    if (today === this.day) return;
    this.day = today;
    this.known = zeroCount();
  }

  /**
   * The warning a count has reached and not yet had, and the count marking it sent. At 100% only
   * the "exhausted" warning is sent, even if the threshold one never was (warnAt = 1, or a
   * flush that carried the count past both at once).
   */
  private withWarning(count: DayCount): { count: DayCount; level?: CallBudgetWarning["level"] } {
    const total = count.reads + count.writes;
    if (total >= this.dailyBudget && !count.warned.exhausted) return { count: { ...count, warned: { threshold: true, exhausted: true } }, level: "exhausted" };
    if (total >= this.warnAtCalls && !count.warned.threshold) return { count: { ...count, warned: { ...count.warned, threshold: true } }, level: "threshold" };
    return { count };
  }

  private scheduleFlush(afterMs: number): void {
    if (this.flushTimer || this.flushing || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush().catch((e: unknown) => this.onStoreError?.(e));
    }, afterMs);
    // A pending flush must not keep a finished process (a command, a test) alive; close() flushes.
    this.flushTimer.unref?.();
  }

  /** One flush at a time; calls made meanwhile, or kept by a failure, are flushed later (backing off while the store is down). */
  private flush(): Promise<void> {
    this.flushing ??= this.flushPending().finally(() => {
      this.flushing = undefined;
      if (this.pending.size > 0) this.scheduleFlush(Math.min(this.flushMs * 2 ** this.failedFlushes, MAX_FLUSH_RETRY_MS));
    });
    return this.flushing;
  }

  /** Adds each day's unflushed calls to the store; a day that fails is kept whole for the next flush. */
  private async flushPending(): Promise<void> {
    for (const [day, calls] of [...this.pending]) {
      this.pending.delete(day);
      let level: CallBudgetWarning["level"] | undefined;
      let stored: DayCount;
      try {
        stored = await this.store!.update(day, (current) => {
          // Decided on every attempt: only the attempt that is stored counts.
          const decided = this.withWarning({ ...current, reads: current.reads + calls.reads, writes: current.writes + calls.writes });
          level = decided.level;
          return decided.count;
        });
      } catch (e) {
        const later = this.pending.get(day) ?? { reads: 0, writes: 0 };
        this.pending.set(day, { reads: later.reads + calls.reads, writes: later.writes + calls.writes });
        this.failedFlushes++;
        throw e;
      }
      this.failedFlushes = 0;
      if (day === this.day) this.known = stored;
      if (level) this.warn(level, day, stored);
    }
  }

  private warn(level: CallBudgetWarning["level"], day: string, count: DayCount): void {
    if (!this.onWarning) return;
    const total = count.reads + count.writes;
    const used = `Partner Center calls today: ${numberFormat.format(total)} of ${numberFormat.format(this.dailyBudget)} (${percentOf(total, this.dailyBudget)}%)`;
    const message =
      level === "threshold"
        ? `${used} — approaching the daily budget (${countOf(count.reads, "read")}, ${countOf(count.writes, "write")}); the count resets at 00:00 UTC`
        : `${used} — the daily budget is used up; calls continue, but Partner Center may throttle them until 00:00 UTC`;
    try {
      this.onWarning({ level, day, total, dailyBudget: this.dailyBudget, message });
    } catch {
      // A failing warning sink must not fail a call that has already been sent.
    }
  }
}

function countOf(n: number, noun: string): string {
  return `${numberFormat.format(n)} ${noun}${n === 1 ? "" : "s"}`;
}

function percentOf(total: number, budget: number): number {
  return Math.floor((total * 100) / budget);
}
