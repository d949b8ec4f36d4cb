/** Audit entries → `cosell_syncevent` rows (SYNC_EVENT_COLUMNS). */
import {
  SYNC_EVENT_COLUMNS as E, TEXT_LENGTHS, fitText, syncDirectionValue, syncResultValue, syncTriggerValue, type SyncDirection, type SyncResult, type SyncTrigger,
} from "../schema/dynamics";
import type { ConflictPolicy } from "./mapping";
import type { Canonical } from "./transforms";

export type Side = "dynamics" | "partnerCenter";

export interface Conflict {
  field: string;
  column: string;
  referralPath: string;
  dynamicsValue: Canonical;
  partnerCenterValue: Canonical;
  policy: ConflictPolicy;
  winner: Side;
}

export interface FieldChange {
  field: string;
  column: string;
  referralPath: string;
  before: Canonical;
  after: Canonical;
  /** The side that is (or, for a change not sent, would have been) written. */
  side: Side;
}

/** One timeline row as the engine decides it; auditToSyncEventRow gives its columns. */
export interface AuditEntry {
  at: string;
  direction: SyncDirection;
  trigger: SyncTrigger;
  fields: FieldChange[];
  conflicts: Conflict[];
  result: SyncResult;
  message: string;
  level: "info" | "warning" | "error";
}

export interface SyncEventExtra {
  referralId?: string | null;
  operationId?: string | null;
  correlationId?: string | null;
  initiatedBy?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

/** The event's primary name column holds a short title; the full text goes to the message column. */

export function auditToSyncEventRow(entry: AuditEntry, opportunityId: string, extra: SyncEventExtra = {}): Record<string, unknown> {
  const row: Record<string, unknown> = {
    [E.name]: fitText(entry.message, TEXT_LENGTHS[E.name]),
    // The lookup's navigation property is its schema name (cosell_Opportunity).
    "cosell_Opportunity@odata.bind": `/opportunities(${opportunityId})`,
    [E.occurredOn]: entry.at,
    [E.direction]: syncDirectionValue(entry.direction),
    [E.trigger]: syncTriggerValue(entry.trigger),
    [E.result]: syncResultValue(entry.result),
    [E.changes]: JSON.stringify(entry.fields),
    [E.conflicts]: JSON.stringify(entry.conflicts),
  };
  const errorMessage = extra.errorMessage ?? (entry.level === "info" ? null : entry.message);
  const optional: Array<[string, string | null | undefined]> = [
    [E.referralId, extra.referralId],
    [E.operationId, extra.operationId],
    [E.correlationId, extra.correlationId],
    [E.initiatedBy, extra.initiatedBy],
    [E.errorCode, extra.errorCode],
    [E.errorMessage, errorMessage],
  ];
  for (const [column, value] of optional) if (value) row[column] = fitText(value, TEXT_LENGTHS[column as keyof typeof TEXT_LENGTHS]);
  return row;
}
