/**
 * The daily Partner Center call count instances share (D.10): one entity per UTC day, changed by
 * read → add → replace with If-Match, again on 412 when another instance added meanwhile. The
 * CallBudget of each instance flushes its calls here (sync/partner-center/call-budget.ts).
 */
import type { CallCountStore, DayCount } from "../../sync/partner-center/call-budget";
import type { EntityKey, EntityTable, EntityValue } from "./entity-table";

/** A day's count is kept a little past its day, for whoever looks at yesterday; then pruned. */
const KEEP_MS = 3 * 24 * 60 * 60_000;
/** Enough for every instance adding at once; each lost round means another instance's flush landed. */
const MAX_ROUNDS = 20;

interface DayCountEntity extends EntityValue {
  reads: number;
  writes: number;
  warnedThreshold: boolean;
  warnedExhausted: boolean;
}

const keyOf = (day: string): EntityKey => ({ partition: "callBudget", row: day });

const countOf = (e: DayCountEntity): DayCount => ({ reads: e.reads, writes: e.writes, warned: { threshold: e.warnedThreshold, exhausted: e.warnedExhausted } });

export class SharedCallCounts implements CallCountStore {
  constructor(private readonly table: EntityTable) {}

  async read(day: string): Promise<DayCount | undefined> {
    const stored = await this.table.read<DayCountEntity>(keyOf(day));
    return stored && countOf(stored.value);
  }

  async update(day: string, change: (count: DayCount) => DayCount): Promise<DayCount> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const stored = await this.table.read<DayCountEntity>(keyOf(day));
      const next = change(stored ? countOf(stored.value) : { reads: 0, writes: 0, warned: { threshold: false, exhausted: false } });
      const entity = this.entityOf(day, next);
      const written = stored ? await this.table.replace(keyOf(day), entity, stored.etag) : await this.table.insert(keyOf(day), entity);
      if (written) return next;
    }
    throw new Error(`The call count of ${day} changed under every one of ${MAX_ROUNDS} attempts to add to it`);
  }

  private entityOf(day: string, count: DayCount): DayCountEntity {
    return {
      reads: count.reads,
      writes: count.writes,
      warnedThreshold: count.warned.threshold,
      warnedExhausted: count.warned.exhausted,
      expiresAt: new Date(Date.parse(`${day}T00:00:00Z`) + KEEP_MS),
    };
  }
}
