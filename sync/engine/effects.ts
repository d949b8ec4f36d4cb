/**
 * Every effect of one sync, decided here: the Partner Center write (at most one), then — from
 * Partner Center's answer — the Dataverse change set (mapped columns, bookkeeping, Win/Lose, the
 * sync-event rows) and the outcome the user is shown. The service loads both sides, executes
 * `partnerCenter`, passes the answer to `complete`, and writes what comes back; it decides nothing.
 */
import {
  OPPORTUNITY_COLUMNS as C, OPPORTUNITY_STATUS, SYNC_STATUS,
  type DynamicsDeal, type SyncResult, type SyncStatusName, type SyncTrigger,
} from "../schema/dynamics";
import { referralLink, type CloseReasonCode, type NewReferral, type Referral } from "../schema/referral";
import { auditToSyncEventRow, type AuditEntry, type FieldChange } from "./audit";
import { changedColumns, isUserTrigger, statusColumns } from "./bookkeeping";
import { syncErrorCodeOf, type SyncErrorCode } from "../schema/sync-errors";
import { applyDataverseChanges, type DynamicsStatusAction } from "./convert";
import type { Mapping } from "./mapping";
import { applyPatch, type JsonPatchOp } from "./patch";
import { plan, type Plan, type RelatedRows } from "./plan";
import { serializeSnapshot, type SyncSnapshot } from "./snapshot";

export interface ReferralWithETag {
  referral: Referral;
  eTag: string;
}

export interface DealWithETag {
  deal: DynamicsDeal;
  etag: string;
}

/** One write in a Dataverse change set (atomic: all or none). */
export type DataverseWrite =
  | { kind: "update"; entitySet: "opportunities" | "accounts" | "contacts"; id: string; changes: Record<string, unknown>; etag?: string }
  | { kind: "create"; entitySet: "cosell_syncevents"; record: Record<string, unknown> }
  | { kind: "win"; opportunityId: string; description?: string }
  | { kind: "lose"; opportunityId: string; statuscode: number; description?: string };

/** The one Partner Center write of a sync. `expected` is the referral as it will read once written. */
export type PartnerCenterWrite =
  | { kind: "create"; referral: NewReferral; expected: NewReferral }
  | { kind: "patch"; id: string; ops: JsonPatchOp[]; eTag: string; expected: Referral }
  /** PATCH cannot clear a value (no `remove`): then the whole referral goes back with PUT (D.1). */
  | { kind: "put"; referral: Referral; eTag: string; expected: Referral };

/** Who asked and how to find the call again: columns on every sync-event row. */
export interface EventTrace {
  trigger: SyncTrigger;
  operationId?: string;
  correlationId?: string;
  initiatedBy?: string;
}

export interface SyncInput {
  loaded: DealWithETag;
  /** The referral as read (null: none linked, or Partner Center has no such referral). */
  referral: ReferralWithETag | null;
  /** The baseline to merge against (the stored snapshot, or our own write still in flight). */
  snapshot: SyncSnapshot | null;
  mapping: Mapping;
  now: Date;
  trace: EventTrace;
  request?: { action: "accept" | "decline"; reason?: CloseReasonCode };
  /**
   * The columns the opportunity was just created with from its referral (createdChanges), when
   * this is its first sync: its timeline row then says what was made, not "nothing sent".
   */
  created?: FieldChange[];
  /** The deal's account, contact and currency were not read: taken as last synced (PlanInput.related). */
  related?: RelatedRows;
}

/** What an opportunity made from a referral was created with, as timeline changes (written to Dynamics 365). */
export function createdChanges(
  mapping: Mapping,
  written: Partial<Record<"opportunity" | "account" | "contact" | "currency", Record<string, unknown>>>,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of mapping.fields) {
    const table = written[field.columnRef.table as keyof typeof written];
    const value = table ? field.transform.fromDynamics(table[field.columnRef.column] ?? null) : null;
    if (value !== null && value !== undefined) {
      changes.push({ field: field.name, column: field.column, referralPath: field.referralPath, before: null, after: value, side: "dynamics" });
    }
  }
  return changes;
}

export interface EffectOutcome {
  result: SyncResult | "skipped";
  syncStatus?: SyncStatusName;
  /** What the user is told when the answer is not simply "synced". */
  message?: string;
  referralId: string | null;
}

export interface Effects {
  dataverse: DataverseWrite[];
  outcome: EffectOutcome;
}

export interface SyncEffects {
  partnerCenter: PartnerCenterWrite | null;
  /** The rest, once Partner Center answered `partnerCenter` (pass null when there was nothing to send). */
  complete(answer: ReferralWithETag | null): Effects;
}

/** Sync effects with no Partner Center write: the Dataverse side is known now. */
const settled = (effects: Effects): SyncEffects => ({ partnerCenter: null, complete: () => effects });

export function referralIdOf(deal: DynamicsDeal, known: ReferralWithETag | null): string | null {
  return (deal.opportunity[C.referralId] as string | null | undefined) || known?.referral.id || null;
}

/** Whether planning this deal needs its referral read: one with sync off is only answered, not synced. */
export function needsReferral(deal: DynamicsDeal, trigger: SyncTrigger): boolean {
  return deal.opportunity[C.syncWithPartnerCenter] === true || (!!referralIdOf(deal, null) && isUserTrigger(trigger));
}

export function planEffects(input: SyncInput): SyncEffects {
  const { loaded, trace } = input;
  const opp = loaded.deal.opportunity;
  const referralId = referralIdOf(loaded.deal, input.referral);
  const syncOn = opp[C.syncWithPartnerCenter] === true;

  if (!syncOn && !referralId) {
    // Not a co-sell deal. Only a person asking gets an answer recorded.
    if (!isUserTrigger(trace.trigger)) return settled({ dataverse: [], outcome: { result: "skipped", referralId: null } });
    return settled(refusal(input, "NotSynced", "Turn on “Sync with Partner Center” first, then sync again.", "SYNC_OFF"));
  }
  if (!syncOn && !isUserTrigger(trace.trigger)) {
    // Linked but switched off: keep the link, stop syncing, say so once.
    const columns = changedColumns(opp, statusColumns("NotSynced", null));
    return settled({ dataverse: opportunityUpdate(loaded, columns), outcome: { result: "skipped", syncStatus: "NotSynced", referralId } });
  }
  if (!input.referral && referralId) {
    const message = `Partner Center has no referral ${referralId}; it may have been deleted. Clear the referral id to share the deal again.`;
    return settled(refusal(input, "Error", message, "PC_NOT_FOUND"));
  }

  const first = plan({
    snapshot: input.snapshot, deal: loaded.deal, referral: input.referral?.referral ?? null,
    mapping: input.mapping, now: input.now, trigger: trace.trigger, request: input.request, related: input.related,
  });
  // An invalid plan's reason is problemsText of its problems: the fix list the panel shows.
  if (first.outcome === "invalid" || first.outcome === "rejected") {
    return settled(planRefused(input, first));
  }

  const partnerCenter = first.outcome === "write" ? partnerCenterWrite(first, input.referral) : null;
  return {
    partnerCenter,
    complete: (answer) => {
      const current = answer ?? input.referral;
      const final = answer && answer !== input.referral ? settle(first, input, answer.referral) : first;
      return { dataverse: writeBack(input, final, current), outcome: { result: first.outcome === "write" ? "success" : "noChange", syncStatus: final.syncStatus, referralId: current?.referral.id ?? null } };
    },
  };
}

/** The Dataverse side of a sync that failed with `failure` (last writer wins: no ETag). */
export function failureEffects(input: {
  opportunityId: string;
  referralId: string | null;
  failure: { code: string; message: string; retryable: boolean };
  now: Date;
  trace: EventTrace;
}): { dataverse: DataverseWrite[]; syncStatus: SyncStatusName; message: string } {
  const { failure } = input;
  const syncStatus: SyncStatusName = failure.code === "SIGN_IN_EXPIRED" ? "SignInExpired" : "Error";
  const message = failure.retryable ? `${failure.message} (it will be retried automatically)` : failure.message;
  const entry = plainEntry(input.now, input.trace.trigger, "error", message);
  return {
    syncStatus,
    message,
    dataverse: [
      { kind: "update", entitySet: "opportunities", id: input.opportunityId, changes: statusColumns(syncStatus, message, syncErrorCodeOf(failure.code)) },
      eventRow(entry, input.opportunityId, input.trace, { referralId: input.referralId, errorCode: failure.code, errorMessage: message }),
    ],
  };
}

/* ---------- building blocks ---------- */

function opportunityUpdate(loaded: DealWithETag, columns: Record<string, unknown>): DataverseWrite[] {
  return Object.keys(columns).length > 0
    ? [{ kind: "update", entitySet: "opportunities", id: loaded.deal.opportunity.opportunityid, changes: columns, etag: loaded.etag }]
    : [];
}

function eventRow(entry: AuditEntry, opportunityId: string, trace: EventTrace, extra: { referralId?: string | null; errorCode?: string; errorMessage?: string } = {}): DataverseWrite {
  return {
    kind: "create",
    entitySet: "cosell_syncevents",
    record: auditToSyncEventRow(entry, opportunityId, { ...extra, operationId: trace.operationId, correlationId: trace.correlationId, initiatedBy: trace.initiatedBy }),
  };
}

function plainEntry(now: Date, trigger: SyncTrigger, result: SyncResult, message: string): AuditEntry {
  const level = result === "success" || result === "noChange" ? "info" : result === "error" ? "error" : "warning";
  return { at: now.toISOString(), direction: "none", trigger, fields: [], conflicts: [], result, message, level };
}

/** A request refused before planning (sync off, referral gone): status and message, an event when it is news. */
function refusal(input: SyncInput, status: SyncStatusName, message: string, code: SyncErrorCode): Effects {
  const opp = input.loaded.deal.opportunity;
  const columns = changedColumns(opp, statusColumns(status, message, code));
  const dataverse = opportunityUpdate(input.loaded, columns);
  if (dataverse.length > 0 || isUserTrigger(input.trace.trigger)) {
    const entry = plainEntry(input.now, input.trace.trigger, "rejected", message);
    dataverse.push(eventRow(entry, opp.opportunityid, input.trace, { referralId: opp[C.referralId] as string | null, errorCode: code, errorMessage: message }));
  }
  return { dataverse, outcome: { result: "rejected", syncStatus: status, message, referralId: referralIdOf(input.loaded.deal, input.referral) } };
}

/** An invalid or rejected plan: status and error on the opportunity, an event when it is news, both under the plan's code. */
function planRefused(input: SyncInput, thePlan: Plan): Effects {
  const opp = input.loaded.deal.opportunity;
  const message = thePlan.reason ?? "Change not sent.";
  const code: SyncErrorCode = thePlan.reasonCode ?? (thePlan.outcome === "invalid" ? "VALIDATION_FAILED" : "REJECTED");
  const wanted: Record<string, unknown> = { ...statusColumns(thePlan.syncStatus, message, code) };
  // A rejected plan still keeps its snapshot current (e.g. the referral expired); an invalid one agreed nothing.
  // The stored ETag is the version of the referral the stored snapshot describes: a save planned
  // from the snapshot alone (relatedAsLastSynced) PATCHes with it, so it moves only with the snapshot.
  if (thePlan.outcome === "rejected") {
    wanted[C.syncSnapshot] = serializeSnapshot(thePlan.nextSnapshot);
    if (input.referral) wanted[C.referralETag] = input.referral.eTag;
  }
  const columns = changedColumns(opp, wanted);
  const dataverse = opportunityUpdate(input.loaded, columns);
  const news = columns[C.syncStatus] !== undefined || columns[C.syncError] !== undefined;
  if (news || isUserTrigger(input.trace.trigger)) {
    for (const entry of eventEntries(thePlan, input.now, input.trace.trigger)) {
      dataverse.push(eventRow(entry, opp.opportunityid, input.trace, { referralId: input.referral?.referral.id, errorCode: code, errorMessage: message }));
    }
  }
  const result: SyncResult = thePlan.outcome === "invalid" ? "validationFailed" : "rejected";
  return { dataverse, outcome: { result, syncStatus: thePlan.syncStatus, message, referralId: referralIdOf(input.loaded.deal, input.referral) } };
}

/** D.6: status actions on the Partner Center side, unless the plan's patch already carries them. */
function partnerCenterStatusOps(thePlan: Plan): JsonPatchOp[] {
  if (thePlan.referralPatch.some((op) => op.path === "/status")) return [];
  const ops: JsonPatchOp[] = [];
  for (const action of thePlan.statusActions) {
    if (action.side !== "partnerCenter") continue;
    const [status, substatus] =
      action.action === "accept" ? ["Active", "Accepted"] :
      action.action === "decline" ? ["Closed", "Declined"] :
      action.action === "win" ? ["Closed", "Won"] : ["Closed", "Lost"];
    ops.push({ op: "replace", path: "/status", value: status }, { op: "replace", path: "/substatus", value: substatus });
    if (action.reason) ops.push({ op: "replace", path: "/statusReason", value: action.reason });
  }
  return ops;
}

function partnerCenterWrite(thePlan: Plan, referral: ReferralWithETag | null): PartnerCenterWrite | null {
  if (thePlan.createReferral) return { kind: "create", referral: thePlan.createReferral, expected: thePlan.createReferral };
  const ops = [...thePlan.referralPatch, ...partnerCenterStatusOps(thePlan)];
  if (ops.length === 0 || !referral) return null;
  const expected = applyPatch(referral.referral, ops);
  return thePlan.needsPut
    ? { kind: "put", referral: expected, eTag: referral.eTag, expected }
    : { kind: "patch", id: referral.referral.id, ops, eTag: referral.eTag, expected };
}

/**
 * After writing Partner Center, plan once more against what it answered (it assigns values, e.g.
 * an outgoing referral comes back Active/Accepted), so the snapshot we store matches both sides
 * and the next trigger plans nothing. Only the Dataverse side of that second plan is used.
 */
function settle(first: Plan, input: SyncInput, answer: Referral): Plan {
  const after = applyDataverseChanges(input.loaded.deal, first.dataverse, first.statusActions);
  const second = plan({ snapshot: first.nextSnapshot, deal: after, referral: answer, mapping: input.mapping, now: input.now, trigger: input.trace.trigger, related: input.related });
  if (second.outcome !== "write" || second.referralPatch.length > 0 || second.createReferral) return first;
  const opportunity = { ...first.dataverse.opportunity, ...second.dataverse.opportunity };
  // The first plan's message is the one that says what happened (e.g. edits a closed referral refused).
  for (const column of [C.syncError, C.syncErrorCode]) {
    if (first.dataverse.opportunity[column] !== undefined) opportunity[column] = first.dataverse.opportunity[column];
  }
  return {
    ...first,
    dataverse: {
      opportunity,
      account: { ...first.dataverse.account, ...second.dataverse.account },
      contact: { ...first.dataverse.contact, ...second.dataverse.contact },
    },
    statusActions: [...first.statusActions, ...second.statusActions.filter((a) => a.side === "dynamics")],
    syncStatus: second.syncStatus,
    nextSnapshot: second.nextSnapshot,
    // The second plan only tidies up after Partner Center's answer: its "already in sync" is not news.
    audit: [...first.audit, ...second.audit.filter((entry) => entry.result !== "noChange")],
  };
}

/** The change set of a planned pair: mapped columns, bookkeeping, the close, the sync events. */
function writeBack(input: SyncInput, thePlan: Plan, referral: ReferralWithETag | null): DataverseWrite[] {
  const { deal } = input.loaded;
  const opp = deal.opportunity;
  const id = opp.opportunityid;
  const wrote = thePlan.outcome === "write";
  const wanted: Record<string, unknown> = {
    ...thePlan.dataverse.opportunity,
    [C.syncStatus]: SYNC_STATUS[thePlan.syncStatus],
    [C.syncSnapshot]: serializeSnapshot(thePlan.nextSnapshot),
  };
  // A sync that got this far clears an earlier failure's text, unless the plan says what to keep.
  if (wanted[C.syncError] === undefined) wanted[C.syncError] = wanted[C.syncErrorCode] = null;
  if (referral) {
    wanted[C.referralId] = referral.referral.id;
    wanted[C.referralLink] = referralLink(referral.referral.id);
    wanted[C.referralETag] = referral.eTag;
  }
  // Last synced is stamped below by one rule, not only when the plan carried a value: anything
  // written, or a person's Sync now that found both sides alike (they were checked in sync just now,
  // and the open panel re-reads its timeline when the time changes, so the check's row shows).
  delete wanted[C.lastSyncedOn];
  const columns = changedColumns(opp, wanted);
  const checked = isUserTrigger(input.trace.trigger) && wanted[C.syncError] === null;
  if (Object.keys(columns).length > 0 || wrote || checked) columns[C.lastSyncedOn] = input.now.toISOString();

  const writes = opportunityUpdate(input.loaded, columns);
  const { account, contact } = thePlan.dataverse;
  if (deal.account && Object.keys(account).length > 0) writes.push({ kind: "update", entitySet: "accounts", id: deal.account.accountid, changes: account });
  if (deal.contact && Object.keys(contact).length > 0) writes.push({ kind: "update", entitySet: "contacts", id: deal.contact.contactid, changes: contact });
  writes.push(...closeActions(thePlan.statusActions, id));
  if (wrote || isUserTrigger(input.trace.trigger) || input.created) {
    const entries = [...eventEntries(thePlan, input.now, input.trace.trigger)];
    const link = (id: string): FieldChange => ({ field: "referralId", column: `opportunity.${C.referralId}`, referralPath: "id", before: null, after: id, side: "dynamics" });
    if (input.created && referral) {
      // The first sync of a deal made from a referral: its row says what was made (the timeline's "Created from Microsoft's referral").
      entries[0] = { ...entries[0], direction: "toDynamics", result: "success", fields: [link(referral.referral.id), ...input.created, ...entries[0].fields] };
    } else if (referral && C.referralId in columns && !opp[C.referralId]) {
      // The sync that first links the deal to its referral says so on its row: the timeline's "Shared with Microsoft".
      entries[0] = { ...entries[0], fields: [link(referral.referral.id), ...entries[0].fields] };
    }
    for (const entry of entries) {
      writes.push(eventRow(entry, id, input.trace, { referralId: referral?.referral.id }));
    }
  }
  return writes;
}

/** D.6: closing the opportunity goes through WinOpportunity / LoseOpportunity, never a PATCH of statecode. */
function closeActions(actions: readonly DynamicsStatusAction[], opportunityId: string): DataverseWrite[] {
  const out: DataverseWrite[] = [];
  for (const action of actions) {
    if (action.side !== "dynamics") continue;
    if (action.action === "win") out.push({ kind: "win", opportunityId, description: action.reason });
    if (action.action === "lose" || action.action === "decline") {
      // A declined referral is Canceled (D.6); one Microsoft reports lost is Out-Sold.
      const statuscode = action.statuscode ?? (action.action === "decline" ? OPPORTUNITY_STATUS.Canceled : OPPORTUNITY_STATUS.OutSold);
      out.push({ kind: "lose", opportunityId, statuscode, description: action.reason });
    }
  }
  return out;
}

/** The plan's audit entries, or one plain entry when it has none: every recorded sync has a row. */
function eventEntries(thePlan: Plan, now: Date, trigger: SyncTrigger): AuditEntry[] {
  if (thePlan.audit.length > 0) return thePlan.audit;
  const result: SyncResult =
    thePlan.outcome === "write" ? "success" : thePlan.outcome === "noChange" ? "noChange" : thePlan.outcome === "invalid" ? "validationFailed" : "rejected";
  return [plainEntry(now, trigger, result, thePlan.reason ?? (result === "noChange" ? "Already in sync; nothing to send." : "Synced."))];
}
