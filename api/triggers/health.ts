/**
 * GET /health: is the Partner Center sign-in still good, when did reconcile last run, and the
 * counters. The credential is known from a silent check when the host gives one, otherwise from
 * the last sync's outcome.
 */
import type { Metrics, MetricsSnapshot } from "../core/metrics";
import type { PairOutcome } from "../core/pipeline";

export interface HealthReport {
  status: "ok" | "degraded";
  partnerCenter: { credential: "ok" | "expired" | "unknown"; detail?: string };
  lastReconcile: MetricsSnapshot["lastReconcile"];
  counters: Omit<MetricsSnapshot, "lastReconcile">;
}

export class ServiceHealth {
  private credentialProblem: string | undefined;

  constructor(
    private readonly metrics: Metrics,
    private readonly credentialCheck?: () => Promise<unknown>,
  ) {}

  /** Every handled trigger passes through here: its latency, and what it says about the sign-in. */
  observe(trigger: string, started: number, outcome: PairOutcome): void {
    this.metrics.recordEvent(trigger, performance.now() - started);
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
    return { status: credential.credential === "expired" ? "degraded" : "ok", partnerCenter: credential, lastReconcile, counters };
  }
}
