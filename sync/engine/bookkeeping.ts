/**
 * The opportunity's own co-sell columns (sync status, sync error) and the facts every effect
 * shares: which triggers a person started, and the error text a seller reads.
 */
import { OPPORTUNITY_COLUMNS as C, SYNC_STATUS, TEXT_LENGTHS, fitText, type OpportunityRecord, type SyncStatusName, type SyncTrigger } from "../schema/dynamics";
import type { ValidationProblem } from "./validation";
import type { SyncErrorCode } from "../schema/sync-errors";

const USER_TRIGGERS: ReadonlySet<SyncTrigger> = new Set(["syncNow", "respond"]);

/** A person asked (Sync now, Accept, Decline): they always get a sync event, even when nothing changed. */
export const isUserTrigger = (trigger: SyncTrigger): boolean => USER_TRIGGERS.has(trigger);

/**
 * The error text a seller reads in the panel: a first line saying what happened, then one line per
 * fix (the panel lists those lines under its own "fix the following" heading).
 */
export function problemsText(problems: readonly ValidationProblem[]): string {
  return ["Not sent to Partner Center: it would refuse this deal as it is.", ...problems.map((p) => p.message)].join("\n");
}

/** The sync error for Partner Center values that were not written. */
export function notWrittenText(reasons: readonly string[]): string {
  return `Not written from Partner Center: ${reasons.join("; ")}. The opportunity keeps its own value; ask the Microsoft seller to correct it in Partner Center.`;
}

/** The status, the error and the error's code (none without an error). */
export function statusColumns(status: SyncStatusName, error: string | null, code: SyncErrorCode | null = null): Record<string, unknown> {
  return { [C.syncStatus]: SYNC_STATUS[status], [C.syncError]: syncErrorText(error), [C.syncErrorCode]: error === null ? null : code };
}

/** The sync error as its column holds it (a long refusal is cut, not a failed write). */
export function syncErrorText<T extends string | null | undefined>(error: T): T {
  return (typeof error === "string" ? fitText(error, TEXT_LENGTHS[C.syncError]) : error) as T;
}

/** Only the columns whose value differs from the record's: an unchanged pair costs no write. */
export function changedColumns(current: OpportunityRecord, wanted: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(wanted)) {
    if (value === undefined) continue;
    if ((current[column] ?? null) !== (value ?? null)) out[column] = value;
  }
  return out;
}
