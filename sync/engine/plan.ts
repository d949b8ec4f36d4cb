/**
 * The sync planner: given what both sides look like now and after the last sync (the snapshot),
 * decide what to write where. Three-way merge per mapped field, status rules (D.6), validation
 * before anything goes to Partner Center, and audit entries. Deterministic: same input, same plan.
 */
import {
  OPPORTUNITY_COLUMNS as C, OPPORTUNITY_STATE, SYNC_STATUS, closeReasonValue,
  type DynamicsDeal, type SyncDirection, type SyncResult, type SyncStatusName, type SyncTrigger,
} from "./dynamics";
import { applyDataverseChanges, referralFromDeal, valueAt, type DataverseChanges, type DynamicsStatusAction } from "./convert";
import type { ConflictPolicy, MappedField, Mapping } from "./mapping";
import { applyPatch, patchForWrites, type JsonPatchOp } from "./patch";
import { getColumn } from "./paths";
import { isTerminal, referralLink, type CloseReasonCode, type NewReferral, type Referral } from "./referral";
import {
  emptySnapshot, serializeSnapshot, snapshotsEqual, snapshotText, type FieldSnapshot, type SyncSnapshot,
} from "./snapshot";
import {
  CLOSED_NOT_SENT, closeReasonText, isAwaitingResponse, planStatus, statusOps, syncStatusFor, type StatusPlan,
} from "./status";
import { canonicalEqual, type Canonical } from "./transforms";
import { validateForPartnerCenter, type ValidationProblem } from "./validation";

export interface PlanInput {
  snapshot: SyncSnapshot | null;
  deal: DynamicsDeal;
  referral: Referral | null;
  mapping: Mapping;
  now: Date;
  trigger: SyncTrigger;
  request?: { action: "accept" | "decline"; reason?: CloseReasonCode };
}

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

export type StatusAction = DynamicsStatusAction;

export interface Plan {
  outcome: "write" | "noChange" | "invalid" | "rejected";
  createReferral?: NewReferral;
  referralPatch: JsonPatchOp[];
  /** A value is cleared: send the patched referral with PUT (If-Match, links stripped) instead of PATCH (D.1). */
  needsPut: boolean;
  dataverse: DataverseChanges;
  statusActions: StatusAction[];
  conflicts: Conflict[];
  problems: ValidationProblem[];
  reason?: string;
  syncStatus: SyncStatusName;
  nextSnapshot: SyncSnapshot;
  audit: AuditEntry[];
}

const USER_TRIGGERS: ReadonlySet<SyncTrigger> = new Set(["syncNow", "respond"]);

export function plan(input: PlanInput): Plan {
  if (input.request) return planResponse(input, input.request);
  if (!input.referral) return planCreate(input);
  return planUpdate(input, input.referral);
}

/* ---------- building blocks ---------- */

interface Draft {
  referralOps: JsonPatchOp[];
  dataverse: DataverseChanges;
  actions: StatusAction[];
  conflicts: Conflict[];
  changes: FieldChange[];
  messages: string[];
}
const emptyDraft = (): Draft => ({
  referralOps: [], dataverse: { opportunity: {}, account: {}, contact: {} }, actions: [], conflicts: [], changes: [], messages: [],
});

function readSides(field: MappedField, deal: DynamicsDeal, referral: unknown): { d: Canonical; p: Canonical } {
  return {
    d: field.transform.fromDynamics(getColumn(deal, field.columnRef)),
    p: field.transform.fromReferral(valueAt(referral, field)),
  };
}

function newestSide(deal: DynamicsDeal, referral: Referral): Side {
  const time = (t: string | null | undefined): number => {
    const ms = t ? Date.parse(t) : NaN;
    return Number.isNaN(ms) ? -Infinity : ms;
  };
  // A tie goes to Dynamics: the seller's record is the system of record for their own deal.
  return time(referral.updatedDateTime) > time(deal.opportunity.modifiedon) ? "partnerCenter" : "dynamics";
}

function winnerBy(policy: ConflictPolicy, deal: DynamicsDeal, referral: Referral): Side {
  if (policy === "dynamicsWins") return "dynamics";
  if (policy === "partnerCenterWins") return "partnerCenter";
  return newestSide(deal, referral);
}

/** Bookkeeping columns on the opportunity that differ from what it holds now. */
function bookkeeping(
  input: PlanInput,
  referral: { id?: string } | null,
  syncStatus: SyncStatusName,
  /** undefined: leave the stored message as it is. */
  error: string | null | undefined,
  next: SyncSnapshot,
): Record<string, unknown> {
  const opp = input.deal.opportunity;
  const previous = input.snapshot;
  const wanted: Record<string, unknown> = {
    [C.syncStatus]: SYNC_STATUS[syncStatus],
    [C.syncSnapshot]: previous && snapshotsEqual(previous, next) ? snapshotText(previous) : serializeSnapshot(next),
  };
  if (error !== undefined) wanted[C.syncError] = error;
  if (referral?.id) {
    wanted[C.referralId] = referral.id;
    wanted[C.referralLink] = referralLink(referral.id);
  }
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(wanted)) {
    if ((opp[column] ?? null) !== value) out[column] = value;
  }
  return out;
}

function directionOf(draft: Draft, created: boolean): SyncDirection {
  const toPc = created || draft.referralOps.length > 0 || draft.actions.some((a) => a.side === "partnerCenter");
  const toD =
    Object.keys(draft.dataverse.account).length + Object.keys(draft.dataverse.contact).length > 0 ||
    draft.changes.some((c) => c.side === "dynamics") ||
    draft.actions.some((a) => a.side === "dynamics");
  return toPc && toD ? "both" : toPc ? "toPartnerCenter" : toD ? "toDynamics" : "none";
}

function describe(draft: Draft, created: boolean): string {
  const parts: string[] = [];
  if (created) parts.push("Shared the opportunity with Partner Center.");
  const toPc = draft.changes.filter((c) => c.side === "partnerCenter").length;
  const toD = draft.changes.filter((c) => c.side === "dynamics").length;
  if (toPc) parts.push(`Sent ${toPc} change${toPc === 1 ? "" : "s"} to Partner Center.`);
  if (toD) parts.push(`Updated ${toD} field${toD === 1 ? "" : "s"} from Partner Center.`);
  if (draft.conflicts.length) parts.push(`Resolved ${draft.conflicts.length} conflict${draft.conflicts.length === 1 ? "" : "s"}.`);
  parts.push(...draft.messages);
  return parts.join(" ");
}

const problemsText = (problems: ValidationProblem[]): string =>
  `Not sent to Partner Center. Fix ${problems.length === 1 ? "this" : `these ${problems.length}`} first: ${problems.map((p) => p.message).join(" ")}`;

function assemble(
  input: PlanInput,
  draft: Draft,
  outcomeHint: "sync" | "invalid" | "rejected",
  syncStatus: SyncStatusName,
  next: SyncSnapshot,
  extra: { createReferral?: NewReferral; problems?: ValidationProblem[]; reason?: string; referral: Referral | null },
): Plan {
  const at = input.now.toISOString();
  const problems = extra.problems ?? [];
  if (outcomeHint !== "sync") {
    const error = outcomeHint === "invalid" ? problemsText(problems) : extra.reason!;
    const opportunity = bookkeeping(input, extra.referral, syncStatus, error, next);
    const result: SyncResult = outcomeHint === "invalid" ? "validationFailed" : "rejected";
    return {
      outcome: outcomeHint,
      referralPatch: [], needsPut: false,
      dataverse: { opportunity, account: {}, contact: {} },
      statusActions: [], conflicts: draft.conflicts, problems, reason: error, syncStatus, nextSnapshot: next,
      audit: [{
        at, direction: "none", trigger: input.trigger, fields: draft.changes, conflicts: draft.conflicts, result,
        message: error, level: outcomeHint === "invalid" ? "error" : "warning",
      }],
    };
  }
  const created = !!extra.createReferral;
  const real = created || draft.referralOps.length > 0 || draft.actions.length > 0 ||
    Object.values(draft.dataverse).some((t) => Object.keys(t).length > 0);
  // The last error stays until a sync actually carries something across.
  const opportunity = { ...draft.dataverse.opportunity, ...bookkeeping(input, extra.referral, syncStatus, real ? null : undefined, next) };
  if (real) opportunity[C.lastSyncedOn] = at;
  const dataverse = { ...draft.dataverse, opportunity };
  const anyWrite = real || Object.keys(opportunity).length > 0;
  const audit: AuditEntry[] = [];
  if (real || draft.messages.length > 0 || draft.conflicts.length > 0) {
    audit.push({
      at, direction: directionOf(draft, created), trigger: input.trigger, fields: draft.changes, conflicts: draft.conflicts,
      result: real ? "success" : "noChange", message: describe(draft, created), level: "info",
    });
  } else if (USER_TRIGGERS.has(input.trigger)) {
    audit.push({ at, direction: "none", trigger: input.trigger, fields: [], conflicts: [], result: "noChange", message: "Already in sync; nothing to send.", level: "info" });
  }
  return {
    outcome: anyWrite ? "write" : "noChange",
    ...(created ? { createReferral: extra.createReferral } : {}),
    referralPatch: draft.referralOps,
    needsPut: draft.referralOps.some((op) => op.value === null),
    dataverse,
    statusActions: draft.actions,
    conflicts: draft.conflicts,
    problems: [],
    syncStatus,
    nextSnapshot: next,
    audit,
  };
}

function snapshotOf(referral: Referral | null, status: StatusPlan["next"] | null, fields: Record<string, FieldSnapshot>, state: number): SyncSnapshot {
  return {
    version: 1,
    referralId: referral?.id ?? null,
    status: status?.status ?? referral?.status ?? null,
    substatus: status?.substatus ?? referral?.substatus ?? null,
    state,
    fields,
  };
}

/* ---------- outbound create ---------- */

function planCreate(input: PlanInput): Plan {
  const { deal, mapping, now, snapshot } = input;
  const draft = emptyDraft();
  const state = deal.opportunity.statecode ?? OPPORTUNITY_STATE.Open;
  const keep = snapshot ?? emptySnapshot();
  if (deal.opportunity[C.syncWithPartnerCenter] !== true) {
    return assemble(input, draft, "sync", "NotSynced", keep, { referral: null });
  }
  if (state !== OPPORTUNITY_STATE.Open) {
    return assemble(input, draft, "rejected", "Error", keep, {
      referral: null, reason: "Only an open opportunity can be shared with Partner Center; this one is already closed.",
    });
  }
  const problems = validateForPartnerCenter(deal, now, { isNew: true });
  if (problems.length > 0) return assemble(input, draft, "invalid", "Error", keep, { referral: null, problems });

  const createReferral = referralFromDeal(deal, mapping);
  const fields: Record<string, FieldSnapshot> = {};
  for (const field of mapping.fields) {
    const { d, p } = readSides(field, deal, createReferral);
    fields[field.name] = { dynamics: d, partnerCenter: p };
  }
  // Partner Center answers an outgoing create with Active/Accepted (D.6).
  const next: SyncSnapshot = { version: 1, referralId: null, status: "Active", substatus: "Accepted", state, fields };
  return assemble(input, draft, "sync", "Synced", next, { referral: null, createReferral });
}

/* ---------- accept / decline ---------- */

function planResponse(input: PlanInput, request: NonNullable<PlanInput["request"]>): Plan {
  const { deal, referral, snapshot, mapping } = input;
  const draft = emptyDraft();
  const state = deal.opportunity.statecode ?? OPPORTUNITY_STATE.Open;
  const keep = snapshot ?? emptySnapshot();
  const verb = request.action === "accept" ? "accepted" : "declined";
  if (!referral) {
    return assemble(input, draft, "rejected", deal.opportunity[C.syncStatus] != null ? "Error" : "NotSynced", keep, {
      referral: null, reason: `There is no Partner Center referral for this opportunity, so nothing can be ${verb}.`,
    });
  }
  if (isTerminal(referral)) {
    return assemble(input, draft, "rejected", syncStatusFor(referral), keep, {
      referral, reason: `${CLOSED_NOT_SENT}: the referral is already ${referral.substatus.toLowerCase()}, so it cannot be ${verb}.`,
    });
  }
  if (!isAwaitingResponse(referral)) {
    const why = referral.direction !== "Incoming"
      ? "it was shared by you, not sent to you"
      : `it has already been answered (${referral.status}/${referral.substatus})`;
    return assemble(input, draft, "rejected", syncStatusFor(referral), keep, {
      referral, reason: `Only a new referral sent to you can be ${verb}; ${why}.`,
    });
  }
  if (request.action === "accept") {
    draft.referralOps.push(...statusOps("Active", "Accepted"));
    draft.actions.push({ side: "partnerCenter", action: "accept" });
    draft.messages.push("Referral accepted.");
    const next = snapshotOf(referral, { status: "Active", substatus: "Accepted", state }, keep.fields, state);
    return assemble(input, draft, "sync", "Synced", next, { referral });
  }
  const reason = closeReasonText(request.reason);
  if (!reason) {
    return assemble(input, draft, "rejected", syncStatusFor(referral), keep, {
      referral, reason: "Choose a reason for declining the referral; Partner Center needs one.",
    });
  }
  draft.referralOps.push(...statusOps("Closed", "Declined", reason));
  draft.actions.push(
    { side: "partnerCenter", action: "decline", reason },
    { side: "dynamics", action: "decline", reason, statuscode: 4 /* Canceled */ },
  );
  draft.dataverse.opportunity[C.closeReason] = closeReasonValue(request.reason!);
  draft.messages.push(`Referral declined (${reason}); the opportunity is closed as canceled.`);
  // The referral is final: what both sides hold now is the last agreed state.
  const fields: Record<string, FieldSnapshot> = {};
  for (const field of mapping.fields) {
    const { d, p } = readSides(field, deal, referral);
    fields[field.name] = { dynamics: d, partnerCenter: p };
  }
  const next = snapshotOf(referral, { status: "Closed", substatus: "Declined", state: OPPORTUNITY_STATE.Lost }, fields, OPPORTUNITY_STATE.Lost);
  return assemble(input, draft, "sync", "ClosedInPartnerCenter", next, { referral });
}

/* ---------- existing referral ---------- */

function planUpdate(input: PlanInput, referral: Referral): Plan {
  const { deal, mapping, snapshot, now } = input;
  const draft = emptyDraft();
  const terminal = isTerminal(referral);
  const awaiting = isAwaitingResponse(referral);
  const oppOpen = (deal.opportunity.statecode ?? OPPORTUNITY_STATE.Open) === OPPORTUNITY_STATE.Open;
  const fields: Record<string, FieldSnapshot> = {};
  // Insert in snapshot order so serialising needs no sort.
  for (const name of mapping.snapshotOrder) fields[name] = undefined as unknown as FieldSnapshot;
  const toPc: Array<{ field: MappedField; value: Canonical }> = [];
  const toD: Array<{ field: MappedField; value: Canonical; before: Canonical }> = [];
  const blocked: FieldChange[] = [];
  const held: Array<{ field: MappedField; prev: FieldSnapshot | undefined }> = [];

  for (const field of mapping.fields) {
    const { d, p } = readSides(field, deal, referral);
    const prev = snapshot?.fields[field.name];
    const dChanged = !prev || !canonicalEqual(d, prev.dynamics);
    const pChanged = !prev || !canonicalEqual(p, prev.partnerCenter);
    // The common case, nothing changed: keep the snapshot entry itself (cheap to compare later).
    fields[field.name] = dChanged || pChanged ? { dynamics: d, partnerCenter: p } : prev!;
    if (canonicalEqual(d, p)) continue;
    let winner: Side | null = dChanged ? "dynamics" : pChanged ? "partnerCenter" : null;
    if (dChanged && pChanged) {
      winner = winnerBy(field.policy, deal, referral);
      draft.conflicts.push({
        field: field.name, column: field.column, referralPath: field.referralPath,
        dynamicsValue: d, partnerCenterValue: p, policy: field.policy, winner,
      });
    }
    if (winner === "dynamics" && field.direction !== "toDynamics") {
      if (terminal) {
        blocked.push({ field: field.name, column: field.column, referralPath: field.referralPath, before: p, after: d, side: "partnerCenter" });
      } else if (awaiting) {
        held.push({ field, prev });
      } else {
        toPc.push({ field, value: d });
        fields[field.name] = { dynamics: d, partnerCenter: d };
      }
    } else if (winner === "partnerCenter" && field.direction !== "toPartnerCenter") {
      if (!oppOpen) held.push({ field, prev });
      else {
        toD.push({ field, value: p, before: d });
        fields[field.name] = { dynamics: p, partnerCenter: p };
      }
    }
  }
  // A change that cannot go yet keeps its old snapshot, so it still counts as a change next time.
  const holdBack = (entries: Array<{ field: MappedField; prev: FieldSnapshot | undefined }>): void => {
    for (const { field, prev } of entries) {
      if (prev) fields[field.name] = prev;
      else delete fields[field.name];
    }
  };
  holdBack(held);

  const status = planStatus(deal, referral, mapping, snapshot);
  let syncStatus = syncStatusFor(referral);
  const state = status.next.state;

  // Closed referral: Dynamics-side changes are not sent.
  if (blocked.length > 0 || status.rejected) {
    draft.changes.push(...blocked);
    if (status.conflict) {
      draft.conflicts.push({
        field: "status", column: "opportunity.statecode", referralPath: "status",
        dynamicsValue: status.conflict.dynamics, partnerCenterValue: status.conflict.partnerCenter,
        policy: mapping.status?.policy ?? "partnerCenterWins", winner: "partnerCenter",
      });
    }
    // Incoming values wait for the next sync; the refused ones are recorded so the warning is given once.
    holdBack(toD.map(({ field }) => ({ field, prev: snapshot?.fields[field.name] })));
    const next = snapshotOf(referral, null, fields, deal.opportunity.statecode ?? OPPORTUNITY_STATE.Open);
    return assemble(input, draft, "rejected", syncStatus, next, { referral, reason: status.rejected ?? `${CLOSED_NOT_SENT}.` });
  }

  // Validation before anything goes to Partner Center.
  if (toPc.length > 0 || status.referralOps.length > 0) {
    const problems = [...validateForPartnerCenter(deal, now, { isNew: false }), ...status.problems];
    if (problems.length > 0) {
      return assemble(input, draft, "invalid", "Error", snapshot ?? emptySnapshot(), { referral, problems });
    }
  }

  // Partner Center writes.
  if (toPc.length > 0) {
    for (const { field, value } of toPc) {
      draft.changes.push({
        field: field.name, column: field.column, referralPath: field.referralPath,
        before: field.transform.fromReferral(valueAt(referral, field)), after: value, side: "partnerCenter",
      });
    }
    draft.referralOps.push(...patchForWrites(referral, toPc.map(({ field, value }) => ({ segments: field.segments, value: field.transform.toReferral(value) }))));
  }
  draft.referralOps.push(...status.referralOps);

  // Dynamics writes.
  for (const { field, value, before } of toD) {
    const table = field.columnRef.table as keyof DataverseChanges;
    draft.dataverse[table][field.columnRef.column] = field.transform.toDynamics!(value);
    draft.changes.push({ field: field.name, column: field.column, referralPath: field.referralPath, before, after: value, side: "dynamics" });
  }
  draft.actions.push(...status.actions);
  draft.messages.push(...status.messages);

  if (status.referralOps.length > 0) {
    syncStatus = syncStatusFor(applyPatch(referral, status.referralOps));
  }
  const next = snapshotOf(referral, status.next, fields, state);
  return assemble(input, draft, "sync", syncStatus, next, { referral });
}

/** Convenience for callers and tests: the deal after a plan's Dynamics side is carried out. */
export function applyPlanToDeal(deal: DynamicsDeal, thePlan: Plan): DynamicsDeal {
  return applyDataverseChanges(deal, thePlan.dataverse, thePlan.statusActions);
}
