/**
 * GET /health: is the Partner Center sign-in still good, when did reconcile last run, and the
 * counters. The credential is known from a silent check when the host gives one, otherwise from
 * the last sync's outcome.
 */
import type { CallBudgetSnapshot } from "../../sync/partner-center/call-budget";
import type { Metrics, MetricsSnapshot } from "../core/metrics";
import type { PairOutcome } from "../core/pipeline";
import type { StuckDeal } from "../ports";

export interface HealthReport {
  status: "ok" | "degraded";
  partnerCenter: { credential: "ok" | "expired" | "unknown"; detail?: string };
  lastReconcile: MetricsSnapshot["lastReconcile"];
  counters: Omit<MetricsSnapshot, "lastReconcile">;
  /** Co-sell deals that need someone (Error, Sign-in expired, Pending too long), all of them; null when Dataverse did not answer in time. */
  stuck: number | null;
  /** Today's Partner Center calls against the daily budget (D.10), of all instances when they share state. */
  callBudget?: CallBudgetSnapshot;
}

/** The call budget as /health reads it: brought up to date with the other instances first, where it can be. */
export interface CallBudgetSource {
  sync(): Promise<void>;
  snapshot(): CallBudgetSnapshot;
}

/** One deal that needs someone, for the admin: what, since when, and the fix. */
export interface StuckRecord {
  opportunityId: string;
  topic: string | null;
  status: StuckDeal["syncStatus"];
  since: string;
  fix: string;
}

/** The fix of a deal that is Pending with nothing recorded: the service never finished its sync. */
const PENDING_FIX = "The service has not finished syncing this deal. The next reconcile retries it; if it stays Pending, check the service's log for this opportunity.";

/** /health waits this long for Dataverse's count: a health probe must answer even when Dataverse is slow. */
export const STUCK_COUNT_WAIT_MS = 3_000;

export interface StuckSource {
  list(pendingBefore: Date): Promise<{ deals: StuckDeal[]; total: number }>;
  /** How long a deal may stay Pending before it counts as stuck (the reconcile interval). */
  pendingMs: number;
  now: () => Date;
}

export class ServiceHealth {
  private credentialProblem: string | undefined;

  constructor(
    private readonly metrics: Metrics,
    private readonly credentialCheck?: () => Promise<unknown>,
    private readonly stuckSource?: StuckSource,
    private readonly budget?: CallBudgetSource,
  ) {}

  /** A failure that ended a trigger before any sync (the shared state out of reach), counted with the others. */
  recordError(code: string): void {
    this.metrics.recordError(code);
  }

  /** Today's call budget; when the other instances' counts cannot be read, this instance's view of them. */
  async callBudget(): Promise<CallBudgetSnapshot | undefined> {
    if (!this.budget) return undefined;
    // As long as the stuck count may take: a health probe answers even when the shared state is slow.
    await withinMs(this.budget.sync(), STUCK_COUNT_WAIT_MS).catch(() => undefined);
    return this.budget.snapshot();
  }

  /**
   * Every handled trigger passes through here: its latency, what it says about the sign-in, and
   * a deal Partner Center would refuse as it is, counted with the API errors (it needs a fix too).
   */
  observe(trigger: string, started: number, outcome: PairOutcome): void {
    this.metrics.recordEvent(trigger, performance.now() - started);
    if (outcome.result === "validationFailed") this.metrics.recordError("VALIDATION_FAILED");
    else if (outcome.result === "rejected") this.metrics.recordError(outcome.failure?.code ?? "REJECTED");
    if (outcome.failure?.kind === "credential") this.credentialProblem = outcome.failure.message;
    else if (outcome.result !== "error") this.credentialProblem = undefined;
  }

  async report(): Promise<HealthReport> {
    let credential: HealthReport["partnerCenter"] = this.credentialProblem ? { credential: "expired", detail: this.credentialProblem } : { credential: "unknown" };
    if (this.credentialCheck) {
      try {
        await this.credentialCheck();
        credential = { credential: "ok" };
      } catch (e) {
        credential = { credential: "expired", detail: (e as Error).message };
      }
    } else if (!this.credentialProblem && this.metrics.snapshot().eventsProcessed > 0) credential = { credential: "ok" };
    const { lastReconcile, ...counters } = this.metrics.snapshot();
    const [stuck, callBudget] = await Promise.all([withinMs(this.stuckCount(), STUCK_COUNT_WAIT_MS).catch(() => null), this.callBudget()]);
    return { status: credential.credential === "expired" ? "degraded" : "ok", partnerCenter: credential, lastReconcile, counters, stuck, ...(callBudget ? { callBudget } : {}) };
  }

  private async stuckCount(): Promise<number | null> {
    return this.stuckSource ? (await this.listStuck()).total : null;
  }

  private listStuck(): Promise<{ deals: StuckDeal[]; total: number }> {
    const { list, pendingMs, now } = this.stuckSource!;
    return list(new Date(now().getTime() - pendingMs));
  }

  /** The deals that need someone, longest-waiting first (undefined without a source to ask). */
  async stuckRecords(): Promise<StuckRecord[] | undefined> {
    if (!this.stuckSource) return undefined;
    const { deals } = await this.listStuck();
    return deals.map((d) => ({
      opportunityId: d.opportunityId, topic: d.name, status: d.syncStatus, since: d.since,
      fix: d.syncError?.trim() || (d.syncStatus === "Pending" ? PENDING_FIX : "Open the opportunity: its Co-sell section says what to fix."),
    }));
  }
}

/** `work`'s answer, or a rejection after `ms` (the timer does not keep the process alive). */
function withinMs<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
