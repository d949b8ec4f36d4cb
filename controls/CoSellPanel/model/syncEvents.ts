/**
 * One row of the audit table `cosell_syncevent`, read for the timeline. The JSON columns are
 * parsed here so a malformed row still shows what it can, and says which part it could not read.
 */
import {
  SYNC_DIRECTIONS, SYNC_EVENT_COLUMNS, SYNC_RESULTS, SYNC_TRIGGERS,
  syncDirectionValue, syncResultValue, syncTriggerValue,
  type SyncDirection, type SyncResult, type SyncTrigger,
} from "../../../sync/schema/dynamics";

/** One entry of `cosell_changes`: a field's value before and after, and the side it was written to. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
  side?: string;
}

/** One entry of `cosell_conflicts` (the engine's Conflict): both sides changed a field; which side won, by which policy. */
export interface ConflictView {
  field: string;
  dynamics: unknown;
  partnerCenter: unknown;
  winner?: string;
  policy?: string;
}

/** A choice value that maps to a known name, or the raw number when the solution has a newer option. */
export type Choice<T extends string> = { name: T } | { unknown: number } | null;

export interface SyncEventView {
  id: string;
  occurredOn: Date | null;
  direction: Choice<SyncDirection>;
  trigger: Choice<SyncTrigger>;
  result: Choice<SyncResult>;
  initiatedBy: string | null;
  changes: FieldChange[];
  conflicts: ConflictView[];
  errorCode: string | null;
  errorMessage: string | null;
  /** Columns whose content could not be read (malformed JSON, wrong shape). */
  unreadable: string[];
}

/** The columns the timeline reads (a `$select`). */
export const SYNC_EVENT_SELECT = [
  SYNC_EVENT_COLUMNS.id, SYNC_EVENT_COLUMNS.occurredOn, SYNC_EVENT_COLUMNS.direction,
  SYNC_EVENT_COLUMNS.trigger, SYNC_EVENT_COLUMNS.result, SYNC_EVENT_COLUMNS.initiatedBy,
  SYNC_EVENT_COLUMNS.changes, SYNC_EVENT_COLUMNS.conflicts, SYNC_EVENT_COLUMNS.errorCode,
  SYNC_EVENT_COLUMNS.errorMessage,
] as const;

function choice<T extends string>(raw: unknown, names: readonly T[], valueOf: (n: T) => number): Choice<T> {
  if (typeof raw !== "number") return null;
  const name = names.find((n) => valueOf(n) === raw);
  return name ? { name } : { unknown: raw };
}

const text = (raw: unknown): string | null => (typeof raw === "string" && raw.trim() !== "" ? raw : null);
/** The same for an optional part of a JSON entry. */
const optionalText = (raw: unknown): string | undefined => text(raw) || undefined;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses a JSON array column; a column that is not an array of objects with a `field` is reported, not guessed at. */
function jsonList<T>(raw: unknown, column: string, unreadable: string[], toItem: (o: Record<string, unknown>) => T): T[] {
  if (raw == null || raw === "") return [];
  let parsed: unknown;
  try {
    parsed = typeof raw === "string" ? JSON.parse(raw) : raw;
  } catch {
    unreadable.push(column);
    return [];
  }
  if (!Array.isArray(parsed) || !parsed.every((o) => isObject(o) && typeof o.field === "string")) {
    unreadable.push(column);
    return [];
  }
  return (parsed as Record<string, unknown>[]).map(toItem);
}

export function parseSyncEventRow(row: Record<string, unknown>): SyncEventView {
  const unreadable: string[] = [];
  const occurred = text(row[SYNC_EVENT_COLUMNS.occurredOn]);
  const occurredOn = occurred ? new Date(occurred) : null;
  if (occurredOn && Number.isNaN(occurredOn.getTime())) unreadable.push(SYNC_EVENT_COLUMNS.occurredOn);
  return {
    id: String(row[SYNC_EVENT_COLUMNS.id] || ""),
    occurredOn: occurredOn && !Number.isNaN(occurredOn.getTime()) ? occurredOn : null,
    direction: choice(row[SYNC_EVENT_COLUMNS.direction], SYNC_DIRECTIONS, syncDirectionValue),
    trigger: choice(row[SYNC_EVENT_COLUMNS.trigger], SYNC_TRIGGERS, syncTriggerValue),
    result: choice(row[SYNC_EVENT_COLUMNS.result], SYNC_RESULTS, syncResultValue),
    initiatedBy: text(row[SYNC_EVENT_COLUMNS.initiatedBy]),
    changes: jsonList(row[SYNC_EVENT_COLUMNS.changes], SYNC_EVENT_COLUMNS.changes, unreadable, (o) => ({
      field: o.field as string,
      before: o.before,
      after: o.after,
      side: optionalText(o.side),
    })),
    conflicts: jsonList(row[SYNC_EVENT_COLUMNS.conflicts], SYNC_EVENT_COLUMNS.conflicts, unreadable, (o) => ({
      field: o.field as string,
      dynamics: o.dynamicsValue,
      partnerCenter: o.partnerCenterValue,
      winner: optionalText(o.winner),
      policy: optionalText(o.policy),
    })),
    errorCode: text(row[SYNC_EVENT_COLUMNS.errorCode]),
    errorMessage: text(row[SYNC_EVENT_COLUMNS.errorMessage]),
    unreadable,
  };
}
