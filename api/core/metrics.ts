/**
 * In-memory counters for GET /health: events processed, latency percentiles over a sliding
 * window, errors by stable code, and the last reconcile. Lost on restart by design — the durable
 * record is the sync-event table in Dataverse.
 */
export interface ReconcileSummary {
  startedAt: string;
  finishedAt: string;
  watermark: string | null;
  pairs: number;
  written: number;
  failed: number;
}

export interface MetricsSnapshot {
  eventsProcessed: number;
  eventsByTrigger: Record<string, number>;
  latencyMs: { p50: number | null; p99: number | null; samples: number };
  errorsByCode: Record<string, number>;
  lastReconcile: ReconcileSummary | null;
}

/** Nearest-rank percentile of an unsorted sample; null when empty. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export class Metrics {
  private processed = 0;
  private byTrigger: Record<string, number> = {};
  private latencies: number[] = [];
  private errors: Record<string, number> = {};
  lastReconcile: ReconcileSummary | null = null;

  constructor(private readonly window = 2000) {}

  recordEvent(trigger: string, latencyMs: number): void {
    this.processed++;
    this.byTrigger[trigger] = (this.byTrigger[trigger] ?? 0) + 1;
    this.latencies.push(latencyMs);
    if (this.latencies.length > this.window) this.latencies.splice(0, this.latencies.length - this.window);
  }

  recordError(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  snapshot(): MetricsSnapshot {
    return {
      eventsProcessed: this.processed,
      eventsByTrigger: { ...this.byTrigger },
      latencyMs: {
        p50: percentile(this.latencies, 50),
        p99: percentile(this.latencies, 99),
        samples: this.latencies.length,
      },
      errorsByCode: { ...this.errors },
      lastReconcile: this.lastReconcile,
    };
  }
}
