/**
 * The service's own bookkeeping on the opportunity (sync status, error text, link, ETag,
 * snapshot) and the sync-event rows it writes when there is no engine audit entry to convert
 * (failures, refused requests).
 */
import {
  OPPORTUNITY_COLUMNS as C,
  SYNC_EVENT_COLUMNS as E,
  SYNC_STATUS,
  syncDirectionValue,
  syncResultValue,
  syncTriggerValue,
  type OpportunityRecord,
  type SyncResult,
  type SyncStatusName,
  type SyncTrigger,
} from "../../sync/schema/dynamics";
import type { ValidationProblem } from "../../sync/engine/validation";

/** Only the columns whose value differs from the record's: an unchanged pair costs no write. */
export function changedColumns(current: OpportunityRecord, wanted: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(wanted)) {
    if (value === undefined) continue;
    if ((current[column] ?? null) !== (value ?? null)) out[column] = value;
  }
  return out;
}

/**
 * The error text a seller reads in the panel: a first line saying what happened, then one line per
 * fix (the panel lists those lines under its own "fix the following" heading).
 */
export function problemsText(problems: readonly ValidationProblem[]): string {
  return ["Not sent to Partner Center: it would refuse this deal as it is.", ...problems.map((p) => p.message)].join("\n");
}

export function statusColumns(status: SyncStatusName, error: string | null): Record<string, unknown> {
  return { [C.syncStatus]: SYNC_STATUS[status], [C.syncError]: error };
}

/** Sync-event columns the service adds to every row: who asked and how to find the call again. */
export interface EventTrace {
  trigger: SyncTrigger;
  operationId?: string;
  correlationId?: string;
  initiatedBy?: string;
}

/** The trace fields in the engine's SyncEventExtra shape. */
export function traceOf(trace: EventTrace): { operationId?: string; correlationId?: string; initiatedBy?: string } {
  return { operationId: trace.operationId, correlationId: trace.correlationId, initiatedBy: trace.initiatedBy };
}

/** A sync event written by the service itself (a failure, a refused request, a lead link). */
export function serviceEventRow(input: {
  opportunityId: string;
  referralId?: string | null;
  at: Date;
  result: SyncResult;
  message: string;
  errorCode?: string;
  trace: EventTrace;
}): Record<string, unknown> {
  const row: Record<string, unknown> = {
    [E.name]: input.message.slice(0, 100),
    // The lookup's navigation property is its schema name (as the engine's audit rows write it).
    "cosell_Opportunity@odata.bind": `/opportunities(${input.opportunityId})`,
    [E.occurredOn]: input.at.toISOString(),
    [E.direction]: syncDirectionValue("none"),
    [E.trigger]: syncTriggerValue(input.trace.trigger),
    [E.result]: syncResultValue(input.result),
    [E.errorMessage]: input.message,
  };
  const trace = traceOf(input.trace);
  if (trace.operationId) row[E.operationId] = trace.operationId;
  if (trace.correlationId) row[E.correlationId] = trace.correlationId;
  if (trace.initiatedBy) row[E.initiatedBy] = trace.initiatedBy;
  if (input.errorCode) row[E.errorCode] = input.errorCode;
  if (input.referralId) row[E.referralId] = input.referralId;
  return row;
}
