/**
 * The daily Partner Center call budget (D.10): every request sent (retries included, since each
 * one counts against Microsoft's quota) is counted per UTC day, reads and writes apart. Crossing the
 * warning threshold, and later the budget itself, is reported once each per day. Nothing is ever
 * blocked here: whether an over-budget call is refused is Partner Center's decision, not ours.
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
}

const numberFormat = new Intl.NumberFormat("en-US");
const DAY_MS = 24 * 60 * 60 * 1000;

export class CallBudget {
  readonly dailyBudget: number;
  readonly warnAt: number;
  private readonly now: () => Date;
  private readonly onWarning?: (warning: CallBudgetWarning) => void;
  private day = "";
  private reads = 0;
  private writes = 0;
  private warned: { threshold: boolean; exhausted: boolean } = { threshold: false, exhausted: false };

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
  }

  /** Calls at which the threshold warning fires. */
  get warnAtCalls(): number {
    return Math.ceil(this.dailyBudget * this.warnAt);
  }

  /** Counts one request sent to Partner Center. Never throws, never blocks. */
  record(kind: CallKind): void {
    this.rollOver();
    if (kind === "read") this.reads++;
    else this.writes++;
    const total = this.reads + this.writes;
    // At 100% only the "exhausted" warning is sent, even if the threshold one never was (warnAt = 1).
    if (total >= this.dailyBudget && !this.warned.exhausted) {
      this.warned = { threshold: true, exhausted: true };
      this.warn("exhausted", total);
    } else if (total >= this.warnAtCalls && !this.warned.threshold) {
      this.warned.threshold = true;
      this.warn("threshold", total);
    }
  }

  /** Today's counts, for the service's /health. */
  snapshot(): CallBudgetSnapshot {
    this.rollOver();
    const total = this.reads + this.writes;
    return {
      day: this.day,
      reads: this.reads,
      writes: this.writes,
      total,
      dailyBudget: this.dailyBudget,
      warnAtCalls: this.warnAtCalls,
      percentUsed: percentOf(total, this.dailyBudget),
      remaining: Math.max(0, this.dailyBudget - total),
      state: total >= this.dailyBudget ? "exhausted" : total >= this.warnAtCalls ? "warning" : "ok",
      resetsAt: new Date(Date.parse(`${this.day}T00:00:00Z`) + DAY_MS).toISOString(),
    };
  }

  private rollOver(): void {
    const today = this.now().toISOString().slice(0, 10);
    if (today === this.day) return;
    this.day = today;
    this.reads = 0;
    this.writes = 0;
    this.warned = { threshold: false, exhausted: false };
  }

  private warn(level: CallBudgetWarning["level"], total: number): void {
    if (!this.onWarning) return;
    const used = `Partner Center calls today: ${numberFormat.format(total)} of ${numberFormat.format(this.dailyBudget)} (${percentOf(total, this.dailyBudget)}%)`;
    const message =
      level === "threshold"
        ? `${used} — approaching the daily budget (${count(this.reads, "read")}, ${count(this.writes, "write")}); the count resets at 00:00 UTC`
        : `${used} — the daily budget is used up; calls continue, but Partner Center may throttle them until 00:00 UTC`;
    try {
      this.onWarning({ level, day: this.day, total, dailyBudget: this.dailyBudget, message });
    } catch {
      // A failing warning sink must not fail a call that has already been sent.
    }
  }
}

function count(n: number, noun: string): string {
  return `${numberFormat.format(n)} ${noun}${n === 1 ? "" : "s"}`;
}

function percentOf(total: number, budget: number): number {
  return Math.floor((total * 100) / budget);
}
