/**
 * GET /health: is the Partner Center sign-in still good, when did reconcile last run, and the
 * counters. The credential is known from a silent check when the host gives one, otherwise from
 * the last sync's outcome.
 */
import type { Metrics, MetricsSnapshot } from "../core/metrics";
import type { PairOutcome } from "../core/pipeline";
import type { StuckDeal } from "../ports";

export interface HealthReport {
  status: "ok" | "degraded";
  partnerCenter: { credential: "ok" | "expired" | "unknown"; detail?: string };
  lastReconcile: MetricsSnapshot["lastReconcile"];
  counters: Omit<MetricsSnapshot, "lastReconcile">;
  /** Co-sell deals that need someone (Error, Sign-in expired, Pending too long); null when Dataverse could not be asked. */
  stuck: number | null;
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

export interface StuckSource {
  list(pendingBefore: Date): Promise<StuckDeal[]>;
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
  ) {}

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
    const stuck = await this.stuckRecords().then((records) => records?.length ?? null, () => null);
    return { status: credential.credential === "expired" ? "degraded" : "ok", partnerCenter: credential, lastReconcile, counters, stuck };
  }

  /** The deals that need someone, longest-waiting first (undefined without a source to ask). */
  async stuckRecords(): Promise<StuckRecord[] | undefined> {
    if (!this.stuckSource) return undefined;
    const { list, pendingMs, now } = this.stuckSource;
    const deals = await list(new Date(now().getTime() - pendingMs));
    return deals.map((d) => ({
      opportunityId: d.opportunityId, topic: d.name, status: d.syncStatus, since: d.since,
      fix: d.syncError?.trim() || (d.syncStatus === "Pending" ? PENDING_FIX : "Open the opportunity: its Co-sell section says what to fix."),
    }));
  }
}
