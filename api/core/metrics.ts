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

/** One minute of the service's work, for the health view's charts. */
export interface MinuteFigures {
  /** The minute's start (ISO). */
  minute: string;
  events: number;
  errors: number;
  p50: number | null;
  p99: number | null;
}

export interface MetricsSnapshot {
  eventsProcessed: number;
  eventsByTrigger: Record<string, number>;
  latencyMs: { p50: number | null; p99: number | null; samples: number };
  errorsByCode: Record<string, number>;
  lastReconcile: ReconcileSummary | null;
  /** The last hour, a row per minute that saw work, oldest first. */
  perMinute: MinuteFigures[];
}

const MINUTE = 60_000;
/** Minutes of figures kept for the charts. */
const MINUTES_KEPT = 60;

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
  private minutes = new Map<number, { events: number; errors: number; latencies: number[] }>();
  lastReconcile: ReconcileSummary | null = null;

  constructor(private readonly window = 2000, private readonly now: () => number = Date.now) {}

  /** This minute's bucket; buckets older than the kept hour are dropped. */
  private bucket() {
    const minute = Math.floor(this.now() / MINUTE) * MINUTE;
    let b = this.minutes.get(minute);
    if (!b) {
      b = { events: 0, errors: 0, latencies: [] };
      this.minutes.set(minute, b);
      for (const key of this.minutes.keys()) if (key <= minute - MINUTES_KEPT * MINUTE) this.minutes.delete(key);
    }
    return b;
  }

  recordEvent(trigger: string, latencyMs: number): void {
    const b = this.bucket();
    b.events++;
    b.latencies.push(latencyMs);
    this.processed++;
    this.byTrigger[trigger] = (this.byTrigger[trigger] ?? 0) + 1;
    this.latencies.push(latencyMs);
    if (this.latencies.length > this.window) this.latencies.splice(0, this.latencies.length - this.window);
  }

  recordError(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
    this.bucket().errors++;
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
      perMinute: [...this.minutes.entries()].sort(([a], [b]) => a - b).map(([minute, b]) => ({
        minute: new Date(minute).toISOString(), events: b.events, errors: b.errors, p50: percentile(b.latencies, 50), p99: percentile(b.latencies, 99),
      })),
    };
  }
}
