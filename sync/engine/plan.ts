/**
 * The sync planner: given what both sides look like now and after the last sync (the snapshot),
 * decide what to write where. Three-way merge per mapped field, status rules (D.6), validation
 * before anything goes to Partner Center, and audit entries. Deterministic: same input, same plan.
 */
import {
  OPPORTUNITY_COLUMNS as C, OPPORTUNITY_STATE, SYNC_STATUS, closeReasonValue,
  type DynamicsDeal, type SyncDirection, type SyncResult, type SyncStatusName, type SyncTrigger,
} from "../schema/dynamics";
import { applyDataverseChanges, referralFromDeal, valueAt, type DataverseChanges, type DynamicsStatusAction } from "./convert";
import type { ConflictPolicy, MappedField, Mapping } from "./mapping";
import { patchForWrites, type JsonPatchOp } from "./patch";
import { getColumn } from "./paths";
import { isTerminal, referralLink, type CloseReasonCode, type NewReferral, type Referral } from "../schema/referral";
import {
  emptySnapshot, linksOf, serializeSnapshot, snapshotsEqual, snapshotText, type DealLinks, type SnapshotLayout, type SnapshotValue, type SyncSnapshot,
} from "./snapshot";
import {
  CLOSED_NOT_SENT, CLOSED_REFUSAL, rejected, type Refusal, closeReasonText, isAwaitingResponse, planStatus, statusChanges, statusOps, syncStatusFor, type StatusPlan,
} from "./status";
import { canonicalEqual, type Canonical } from "./transforms";
import type { ValidationProblem } from "./validation";
import { validateForPartnerCenter } from "./validation-messages";
import type { AuditEntry, Conflict, FieldChange, Side } from "./audit";
import { isUserTrigger, notWrittenText, problemsText, syncErrorText } from "./bookkeeping";
import type { SyncErrorCode } from "../schema/sync-errors";

export type { AuditEntry, Conflict, FieldChange, Side } from "./audit";

export interface PlanInput {
  snapshot: SyncSnapshot | null;
  deal: DynamicsDeal;
  referral: Referral | null;
  mapping: Mapping;
  now: Date;
  trigger: SyncTrigger;
  request?: { action: "accept" | "decline"; reason?: CloseReasonCode };
  /**
   * "lastSynced": the deal's account, contact and currency were not read (a plan from the step's
   * post-image, which carries the opportunity row only); their mapped values are taken as the
   * snapshot has them and the rules on those rows are left to the next full read. See relatedAsLastSynced.
   */
  related?: RelatedRows;
}

/** Whether the plan read the deal's related rows ("read", the default) or takes them as last synced. */
export type RelatedRows = "read" | "lastSynced";

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
  /** What `reason` says, as the code recorded beside it (`cosell_syncerrorcode`). */
  reasonCode?: SyncErrorCode;
  syncStatus: SyncStatusName;
  nextSnapshot: SyncSnapshot;
  audit: AuditEntry[];
}

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
  /** Mapped fields carried across (counted in the audit message). */
  changes: FieldChange[];
  /** Dynamics edits a closed referral refused: a warning entry of their own. */
  notSent: FieldChange[];
  /** Partner Center values Dynamics cannot hold as they are (refused, never rounded): the sync error says which. */
  notWritten: string[];
  messages: string[];
}
const emptyDraft = (): Draft => ({
  referralOps: [], dataverse: { opportunity: {}, account: {}, contact: {} }, actions: [], conflicts: [], changes: [], notSent: [], notWritten: [], messages: [],
});

type SnapshotValues = Pick<SyncSnapshot, "layout" | "dynamics" | "partnerCenter">;

/** `size` slots without a value, filled up front (not `new Array(size)`): arrays without holes stay on V8's fast paths. */
function noValues(size: number): SnapshotValue[] {
  const values: SnapshotValue[] = [];
  for (let i = 0; i < size; i++) values.push(undefined);
  return values;
}

/** What both sides hold now for every mapped field, as snapshot values. */
function readAll(mapping: Mapping, deal: DynamicsDeal, referral: unknown): SnapshotValues {
  const dynamics = noValues(mapping.layout.names.length);
  const partnerCenter = noValues(mapping.layout.names.length);
  mapping.fields.forEach((field, i) => {
    dynamics[mapping.slots[i]] = field.transform.fromDynamics(getColumn(deal, field.columnRef));
    partnerCenter[mapping.slots[i]] = field.transform.fromReferral(valueAt(referral, field));
  });
  return { layout: mapping.layout, dynamics, partnerCenter };
}

/** For each mapping field, its position in a snapshot of `layout` (-1: the snapshot does not have it). */
function slotsIn(layout: SnapshotLayout, mapping: Mapping): readonly number[] {
  if (layout === mapping.layout) return mapping.slots;
  const at = new Map(layout.names.map((name, i) => [name, i]));
  return mapping.fields.map((f) => at.get(f.name) ?? -1);
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
  /** undefined: leave the stored message as it is; with its code (null when there is no message). */
  error: { text: string | null; code: SyncErrorCode | null } | undefined,
  next: SyncSnapshot,
  /** Where the columns that differ go. */
  out: Record<string, unknown>,
): Record<string, unknown> {
  const opp = input.deal.opportunity;
  const previous = input.snapshot;
  setIfDifferent(out, opp, C.syncStatus, SYNC_STATUS[syncStatus]);
  setIfDifferent(out, opp, C.syncSnapshot, previous && snapshotsEqual(previous, next) ? snapshotText(previous) : serializeSnapshot(next));
  if (error !== undefined) {
    setIfDifferent(out, opp, C.syncError, syncErrorText(error.text));
    setIfDifferent(out, opp, C.syncErrorCode, error.code);
  }
  if (referral?.id) {
    setIfDifferent(out, opp, C.referralId, referral.id);
    setIfDifferent(out, opp, C.referralLink, referralLink(referral.id));
  }
  return out;
}

function setIfDifferent(out: Record<string, unknown>, current: Record<string, unknown>, column: string, value: unknown): void {
  if ((current[column] ?? null) !== value) out[column] = value;
}

const isEmpty = (record: Record<string, unknown>): boolean => {
  for (const key in record) if (Object.prototype.hasOwnProperty.call(record, key)) return false;
  return true;
};

function directionOf(draft: Draft, created: boolean): SyncDirection {
  const toPc = created || draft.referralOps.length > 0 || draft.actions.some((a) => a.side === "partnerCenter");
  const toD =
    !isEmpty(draft.dataverse.account) || !isEmpty(draft.dataverse.contact) ||
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

/** The last instant formatted: a reconcile pass plans many pairs with one `now`. */
let lastTime = { ms: NaN, text: "" };
function isoTime(now: Date): string {
  const ms = now.getTime();
  if (ms !== lastTime.ms) lastTime = { ms, text: now.toISOString() };
  return lastTime.text;
}

function assemble(
  input: PlanInput,
  draft: Draft,
  outcomeHint: "sync" | "invalid" | "rejected",
  syncStatus: SyncStatusName,
  next: SyncSnapshot,
  extra: { createReferral?: NewReferral; problems?: ValidationProblem[]; refusal?: Refusal; referral: Referral | null },
): Plan {
  const problems = extra.problems ?? [];
  if (outcomeHint !== "sync") {
    const { text: error, code: reasonCode }: Refusal = outcomeHint === "invalid" ? { text: problemsText(problems), code: "VALIDATION_FAILED" } : extra.refusal!;
    const opportunity = bookkeeping(input, extra.referral, syncStatus, { text: error, code: reasonCode }, next, {});
    const result: SyncResult = outcomeHint === "invalid" ? "validationFailed" : "rejected";
    return {
      outcome: outcomeHint,
      referralPatch: [], needsPut: false,
      dataverse: { opportunity, account: {}, contact: {} },
      statusActions: [], conflicts: draft.conflicts, problems, reason: error, reasonCode, syncStatus, nextSnapshot: next,
      audit: [{
        at: isoTime(input.now), direction: "none", trigger: input.trigger, fields: draft.notSent, conflicts: draft.conflicts, result,
        message: error, level: outcomeHint === "invalid" ? "error" : "warning",
      }],
    };
  }
  const created = !!extra.createReferral;
  const real = created || draft.referralOps.length > 0 || draft.actions.length > 0 ||
    !isEmpty(draft.dataverse.opportunity) || !isEmpty(draft.dataverse.account) || !isEmpty(draft.dataverse.contact);
  const noted = real || draft.messages.length > 0 || draft.conflicts.length > 0;
  // Formatting the time is not free; a plan that changes and records nothing needs no time stamp.
  const refused = draft.notSent.length > 0;
  const at = noted || refused || isUserTrigger(input.trigger) ? isoTime(input.now) : "";
  // The last error stays until a sync actually carries something across; edits a closed referral refused are the new one.
  const error = refused ? CLOSED_REFUSAL.text : draft.notWritten.length > 0 ? notWrittenText(draft.notWritten) : real ? null : undefined;
  if (draft.notWritten.length > 0) syncStatus = "Error";
  const errorCode: SyncErrorCode | null = refused ? CLOSED_REFUSAL.code : draft.notWritten.length > 0 ? "NOT_WRITTEN" : null;
  const opportunity = bookkeeping(input, extra.referral, syncStatus, error === undefined ? undefined : { text: error, code: errorCode }, next, { ...draft.dataverse.opportunity });
  if (real) opportunity[C.lastSyncedOn] = at;
  const dataverse = { ...draft.dataverse, opportunity };
  const anyWrite = real || !isEmpty(opportunity);
  const audit: AuditEntry[] = [];
  if (noted) {
    const status = draft.actions.length > 0 ? statusChanges(extra.referral, input.deal.opportunity.statecode ?? OPPORTUNITY_STATE.Open, draft.actions) : [];
    audit.push({
      at, direction: directionOf(draft, created), trigger: input.trigger, fields: status.length > 0 ? [...status, ...draft.changes] : draft.changes,
      conflicts: draft.conflicts, result: real ? "success" : "noChange", message: describe(draft, created), level: "info",
    });
  }
  if (refused) {
    audit.push({ at, direction: "none", trigger: input.trigger, fields: draft.notSent, conflicts: [], result: "rejected", message: CLOSED_REFUSAL.text, level: "warning" });
  } else if (draft.notWritten.length > 0 && input.deal.opportunity[C.syncError] !== error) {
    // Once on the timeline; later syncs that refuse the same value only keep the error in place.
    audit.push({ at: at || isoTime(input.now), direction: "none", trigger: input.trigger, fields: [], conflicts: [], result: "rejected", message: error!, level: "warning" });
  } else if (!noted && isUserTrigger(input.trigger)) {
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

/**
 * `links`: the related rows the Dynamics values were read from; pass the previous snapshot's when
 * the values are the previous ones.
 */
function snapshotOf(referral: Referral | null, status: StatusPlan["next"] | null, values: SnapshotValues, state: number, links: DealLinks | undefined): SyncSnapshot {
  return {
    version: 1,
    referralId: referral?.id ?? null,
    status: status?.status ?? referral?.status ?? null,
    substatus: status?.substatus ?? referral?.substatus ?? null,
    state,
    layout: values.layout,
    dynamics: values.dynamics,
    partnerCenter: values.partnerCenter,
    ...(links ? { links } : {}),
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
      referral: null, refusal: rejected("Only an open opportunity can be shared with Partner Center; this one is already closed."),
    });
  }
  const problems = validateForPartnerCenter(deal, now, { isNew: true });
  if (problems.length > 0) return assemble(input, draft, "invalid", "Error", keep, { referral: null, problems });

  const createReferral = referralFromDeal(deal, mapping);
  // Partner Center answers an outgoing create with Active/Accepted (D.6).
  const next: SyncSnapshot = { version: 1, referralId: null, status: "Active", substatus: "Accepted", state, ...readAll(mapping, deal, createReferral), links: linksOf(deal.opportunity) };
  // The timeline lists what the new referral carries.
  mapping.fields.forEach((field, i) => {
    const after = next.partnerCenter[mapping.slots[i]];
    if (field.direction !== "toDynamics" && after !== null && after !== undefined && after !== "") {
      draft.changes.push({ field: field.name, column: field.column, referralPath: field.referralPath, before: null, after, side: "partnerCenter" });
    }
  });
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
      referral: null, refusal: rejected(`There is no Partner Center referral for this opportunity, so nothing can be ${verb}.`),
    });
  }
  if (isTerminal(referral)) {
    return assemble(input, draft, "rejected", syncStatusFor(referral), keep, {
      referral, refusal: rejected(`${CLOSED_NOT_SENT}: the referral is already ${referral.substatus.toLowerCase()}, so it cannot be ${verb}.`),
    });
  }
  if (!isAwaitingResponse(referral)) {
    const why = referral.direction !== "Incoming"
      ? "it was shared by you, not sent to you"
      : `it has already been answered (${referral.status}/${referral.substatus})`;
    return assemble(input, draft, "rejected", syncStatusFor(referral), keep, {
      referral, refusal: rejected(`Only a new referral sent to you can be ${verb}; ${why}.`),
    });
  }
  if (request.action === "accept") {
    draft.referralOps.push(...statusOps("Active", "Accepted"));
    draft.actions.push({ side: "partnerCenter", action: "accept" });
    draft.messages.push("Referral accepted.");
    const next = snapshotOf(referral, { status: "Active", substatus: "Accepted", state }, keep, state, keep.links);
    return assemble(input, draft, "sync", "Synced", next, { referral });
  }
  const reason = closeReasonText(request.reason);
  if (!reason) {
    return assemble(input, draft, "rejected", syncStatusFor(referral), keep, {
      referral, refusal: rejected("Choose a reason for declining the referral; Partner Center needs one."),
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
  const next = snapshotOf(referral, { status: "Closed", substatus: "Declined", state: OPPORTUNITY_STATE.Lost }, readAll(mapping, deal, referral), OPPORTUNITY_STATE.Lost, linksOf(deal.opportunity));
  return assemble(input, draft, "sync", "ClosedInPartnerCenter", next, { referral });
}

/* ---------- existing referral ---------- */

/**
 * The next snapshot's values. They start as the previous snapshot's own arrays when it has the
 * mapping's layout, and an array is copied only when a value in it changes: a pair where nothing
 * changed allocates nothing here and keeps its snapshot.
 */
class NextValues implements SnapshotValues {
  readonly layout: SnapshotLayout;
  dynamics: SnapshotValue[];
  partnerCenter: SnapshotValue[];
  /** Not built on the previous snapshot's arrays: every value has to be set. */
  readonly fresh: boolean;
  private readonly owned = { dynamics: false, partnerCenter: false };

  constructor(previous: SyncSnapshot | null, private readonly mapping: Mapping) {
    this.layout = mapping.layout;
    if (previous && previous.layout === mapping.layout) {
      this.dynamics = previous.dynamics as SnapshotValue[];
      this.partnerCenter = previous.partnerCenter as SnapshotValue[];
      this.fresh = false;
    } else {
      this.fresh = true;
      // Fields the mapping no longer has are dropped; new ones start without a baseline.
      this.dynamics = noValues(mapping.layout.names.length);
      this.partnerCenter = noValues(mapping.layout.names.length);
      this.owned.dynamics = this.owned.partnerCenter = true;
    }
  }

  set(side: Side, slot: number, value: SnapshotValue): void {
    if (this[side][slot] === value) return;
    if (!this.owned[side]) {
      this[side] = this[side].slice();
      this.owned[side] = true;
    }
    this[side][slot] = value;
  }

  /** Puts field `i`'s previous values back (none: no baseline), so a change that cannot go yet still counts next time. */
  holdBack(i: number, previous: SyncSnapshot | null, prevSlots: readonly number[] | null): void {
    const at = prevSlots ? prevSlots[i] : -1;
    this.set("dynamics", this.mapping.slots[i], at >= 0 ? previous!.dynamics[at] : undefined);
    this.set("partnerCenter", this.mapping.slots[i], at >= 0 ? previous!.partnerCenter[at] : undefined);
  }
}

/** The referral's status and substatus once `ops` apply: what syncStatusFor reads, without cloning the whole referral. */
function statusAfter(referral: Referral, ops: readonly JsonPatchOp[]): Referral {
  const next = { ...referral };
  for (const op of ops) {
    if (op.path === "/status") next.status = op.value as Referral["status"];
    else if (op.path === "/substatus") next.substatus = op.value as Referral["substatus"];
  }
  return next;
}

const isBlank = (c: Canonical): boolean => c === null || c === "" || (Array.isArray(c) && c.length === 0);

function planUpdate(input: PlanInput, referral: Referral): Plan {
  const { deal, mapping, snapshot, now } = input;
  const draft = emptyDraft();
  const terminal = isTerminal(referral);
  const awaiting = isAwaitingResponse(referral);
  const oppOpen = (deal.opportunity.statecode ?? OPPORTUNITY_STATE.Open) === OPPORTUNITY_STATE.Open;
  const next = new NextValues(snapshot, mapping);
  const prevSlots = snapshot ? slotsIn(snapshot.layout, mapping) : null;
  const toPc: Array<{ field: MappedField; value: Canonical }> = [];
  const toD: Array<{ index: number; value: Canonical; before: Canonical }> = [];
  const blocked: FieldChange[] = [];
  const held: number[] = [];
  /** Fields Partner Center takes only in the create: a later Dynamics edit stays in Dynamics. */
  const createOnly: string[] = [];
  /** Dynamics values a mapped field cannot carry as they are (never rounded on the way). */
  const outRefused: ValidationProblem[] = [];

  const unread = input.related === "lastSynced";
  // The rows the Dynamics values come from: read now, or (not read) the ones the snapshot's values came from.
  const linksRead = unread ? snapshot?.links : linksOf(deal.opportunity);
  const fieldList = mapping.fields;
  for (let i = 0; i < fieldList.length; i++) {
    const field = fieldList[i];
    const slot = mapping.slots[i];
    const { transform } = field;
    const at = prevSlots ? prevSlots[i] : -1;
    const prevD = at >= 0 ? snapshot!.dynamics[at] : undefined;
    const prevP = at >= 0 ? snapshot!.partnerCenter[at] : undefined;
    const lastSynced = unread && field.columnRef.table !== "opportunity";
    if (lastSynced && prevD === undefined) {
      // Not read and no baseline: nothing is known of it now; the next full read plans it.
      next.holdBack(i, snapshot, prevSlots);
      continue;
    }
    const rawD = lastSynced ? undefined : getColumn(deal, field.columnRef);
    const rawP = valueAt(referral, field);
    const d = lastSynced ? prevD! : transform.fromDynamics(rawD);
    // Both sides usually hold the very same text: one read serves both when the reading is the same too.
    const p = !lastSynced && rawP === rawD && transform.fromReferral === transform.fromDynamics ? d : transform.fromReferral(rawP);
    const dChanged = prevD === undefined || !canonicalEqual(d, prevD);
    const pChanged = prevP === undefined || !canonicalEqual(p, prevP);
    // Unchanged values stay as they were (so an unchanged snapshot is the old one).
    if (dChanged || next.fresh) next.set("dynamics", slot, d);
    if (pChanged || next.fresh) next.set("partnerCenter", slot, p);
    if (d === p || canonicalEqual(d, p)) continue;
    // The inbound half of a split field: our own text coming back from Partner Center is not Microsoft's.
    if (field.outboundTwin && (unread && field.outboundTwin.columnRef.table !== "opportunity" ? p === prevP || canonicalEqual(p, prevP ?? null) :
      canonicalEqual(p, field.outboundTwin.transform.fromDynamics(getColumn(deal, field.outboundTwin.columnRef))))) continue;
    let winner: Side | null = dChanged ? "dynamics" : pChanged ? "partnerCenter" : null;
    if (prevD === undefined && prevP === undefined && (isBlank(d) || isBlank(p))) {
      // No baseline (a first link, a field new to the mapping): fill the empty side, never erase the other.
      winner = isBlank(d) ? "partnerCenter" : "dynamics";
    } else if (dChanged && pChanged) {
      winner = winnerBy(field.policy, deal, referral);
      draft.conflicts.push({
        field: field.name, column: field.column, referralPath: field.referralPath,
        dynamicsValue: d, partnerCenterValue: p, policy: field.policy, winner,
      });
    }
    if (winner === "dynamics" && field.direction !== "toDynamics") {
      if (field.sendOn === "create") {
        createOnly.push(field.name);
      } else if (terminal) {
        blocked.push({ field: field.name, column: field.column, referralPath: field.referralPath, before: p, after: d, side: "partnerCenter" });
      } else if (awaiting) {
        held.push(i);
      } else {
        const refusal = field.transform.refuse?.(rawD);
        if (refusal) outRefused.push({ code: "value.refused", column: field.column, message: `${field.column}: ${refusal}.` });
        toPc.push({ field, value: d });
        next.set("partnerCenter", slot, d);
      }
    } else if (winner === "partnerCenter" && field.direction !== "toPartnerCenter") {
      const refusal = field.transform.refuse?.(rawP);
      if (refusal) {
        // Held back, so it is refused again (and stays in the sync error) until Partner Center's value changes.
        draft.notWritten.push(`${field.referralPath} ${refusal}`);
        held.push(i);
      } else if (!oppOpen) held.push(i);
      else {
        toD.push({ index: i, value: p, before: d });
        next.set("dynamics", slot, p);
      }
    }
  }
  for (const i of held) next.holdBack(i, snapshot, prevSlots);
  // What we send is what Partner Center holds next, for the split field's inbound half too: left at
  // its old value, our own text would look like Microsoft's new note once the seller edits again.
  for (const { field, value } of toPc) {
    const twin = field.inboundTwin;
    if (twin) next.set("partnerCenter", mapping.slots[fieldList.indexOf(twin)], twin.transform.fromReferral(field.transform.toReferral(value)));
  }
  if (createOnly.length > 0) {
    draft.messages.push(`Kept in Dynamics: Partner Center takes ${createOnly.join(", ")} only when the referral is created.`);
  }

  const status = planStatus(deal, referral, mapping, snapshot);
  let syncStatus = syncStatusFor(referral);
  const state = status.next.state;

  // Closed referral: Dynamics-side changes are not sent. When Partner Center closed it since the
  // last sync, the opportunity still closes with it (D.6), whatever the seller edited meanwhile.
  draft.notSent = blocked;
  const closesOpportunity = status.actions.length > 0 && terminal;
  if (status.rejected || (blocked.length > 0 && !closesOpportunity)) {
    if (status.conflict) {
      draft.conflicts.push({
        field: "status", column: "opportunity.statecode", referralPath: "status",
        dynamicsValue: status.conflict.dynamics, partnerCenterValue: status.conflict.partnerCenter,
        policy: mapping.status?.policy ?? "partnerCenterWins", winner: "partnerCenter",
      });
    }
    // Incoming values wait for the next sync; the refused ones are recorded so the warning is given once.
    for (const { index } of toD) next.holdBack(index, snapshot, prevSlots);
    const kept = snapshotOf(referral, null, next, deal.opportunity.statecode ?? OPPORTUNITY_STATE.Open, linksRead);
    return assemble(input, draft, "rejected", syncStatus, kept, { referral, refusal: status.rejected ?? CLOSED_REFUSAL });
  }

  // Validation before anything goes to Partner Center.
  if (toPc.length > 0 || status.referralOps.length > 0) {
    const checked = validateForPartnerCenter(deal, now, { isNew: false, related: input.related });
    // A column validation already names needs no second line.
    const problems = [...checked, ...outRefused.filter((r) => !checked.some((c) => c.column === r.column)), ...status.problems];
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
  for (const { index, value, before } of toD) {
    const field = fieldList[index];
    const table = field.columnRef.table as keyof DataverseChanges;
    draft.dataverse[table][field.columnRef.column] = field.transform.toDynamics!(value);
    draft.changes.push({ field: field.name, column: field.column, referralPath: field.referralPath, before, after: value, side: "dynamics" });
  }
  draft.actions.push(...status.actions);
  draft.messages.push(...status.messages);

  if (status.referralOps.length > 0) {
    syncStatus = syncStatusFor(statusAfter(referral, status.referralOps));
  }
  const nextSnapshot = snapshotOf(referral, status.next, next, state, linksRead);
  // Nothing moved: hand back the previous snapshot itself, so its stored text is reused as it is.
  return assemble(input, draft, "sync", syncStatus, snapshot && snapshotsEqual(snapshot, nextSnapshot) ? snapshot : nextSnapshot, { referral });
}

/** Convenience for callers and tests: the deal after a plan's Dynamics side is carried out. */
export function applyPlanToDeal(deal: DynamicsDeal, thePlan: Plan): DynamicsDeal {
  return applyDataverseChanges(deal, thePlan.dataverse, thePlan.statusActions);
}
