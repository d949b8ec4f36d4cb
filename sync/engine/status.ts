/**
 * Referral status rules: the transition table (partner-center.md §2.3) and the status mapping of
 * D.6 between the opportunity state and the referral status/substatus.
 */
import { OPPORTUNITY_STATE, OPPORTUNITY_STATUS, closeReasonCode, type DynamicsDeal, type SyncStatusName } from "../schema/dynamics";
import type { DynamicsStatusAction } from "./convert";
import type { Mapping } from "./mapping";
import type { FieldChange } from "./audit";
import type { JsonPatchOp } from "./patch";
import { CLOSE_REASONS, isTerminal, type Referral, type ReferralStatus, type ReferralSubstatus } from "../schema/referral";
import type { SyncSnapshot } from "./snapshot";
import type { ValidationProblem } from "./validation";
import type { SyncErrorCode } from "../schema/sync-errors";

/** §2.3: where each status may go, and which substatus each status allows. */
export const STATUS_TRANSITIONS: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  None: ["New", "Active", "Closed"],
  New: ["New", "Active", "Closed"],
  Active: ["Active", "Closed"],
  Closed: ["Closed"],
};
export const ALLOWED_SUBSTATUS: Readonly<Record<ReferralStatus, readonly ReferralSubstatus[]>> = {
  None: ["None"],
  New: ["Pending", "Received"],
  Active: ["Accepted"],
  Closed: ["Won", "Lost", "Declined", "Expired", "Error"],
};

/** Whether Partner Center lets a referral in `from` move to `to`/`substatus`; a closed referral never moves. */
export function isLegalTransition(from: ReferralStatus, to: ReferralStatus, substatus: ReferralSubstatus): boolean {
  if (from === "Closed") return false;
  return STATUS_TRANSITIONS[from].includes(to) && ALLOWED_SUBSTATUS[to].includes(substatus);
}

/** An incoming referral nobody has answered yet: the only kind that can be accepted or declined. */
export function isAwaitingResponse(referral: Referral): boolean {
  return referral.direction === "Incoming" && referral.status === "New" && (referral.substatus === "Pending" || referral.substatus === "Received");
}

export function closeReasonText(code: number | undefined): string | undefined {
  return CLOSE_REASONS.find((r) => r.code === code)?.text;
}

/** The sync status the panel shows for a referral in this state. */
export function syncStatusFor(referral: Referral): SyncStatusName {
  if (isTerminal(referral)) return referral.substatus === "Expired" ? "ExpiredInPartnerCenter" : "ClosedInPartnerCenter";
  if (isAwaitingResponse(referral)) return "AwaitingResponse";
  return "Synced";
}

export function statusOps(status: ReferralStatus, substatus: ReferralSubstatus, reason?: string): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [
    { op: "replace", path: "/status", value: status },
    { op: "replace", path: "/substatus", value: substatus },
  ];
  // `add` sets a member whether or not the referral has one yet (RFC 6902 §4.1).
  if (reason !== undefined) ops.push({ op: "add", path: "/statusReason", value: reason });
  return ops;
}

export interface StatusPlan {
  referralOps: JsonPatchOp[];
  actions: DynamicsStatusAction[];
  problems: ValidationProblem[];
  /** Sentences for the audit trail. */
  messages: string[];
  /** A Dynamics-side status change that cannot be sent (the referral is closed). */
  rejected?: Refusal;
  conflict?: { dynamics: string; partnerCenter: string };
  next: { status: ReferralStatus; substatus: ReferralSubstatus; state: number };
}

const stateName = (state: number): string =>
  state === OPPORTUNITY_STATE.Won ? "won" : state === OPPORTUNITY_STATE.Lost ? "lost" : "open";
const STATE_LABELS: Readonly<Record<number, string>> = { [OPPORTUNITY_STATE.Open]: "Open", [OPPORTUNITY_STATE.Won]: "Won", [OPPORTUNITY_STATE.Lost]: "Lost" };

/** Where each status action leaves the referral (Partner Center side). */
const REFERRAL_AFTER: Readonly<Record<DynamicsStatusAction["action"], string>> = {
  accept: "Active/Accepted", decline: "Closed/Declined", win: "Closed/Won", lose: "Closed/Lost",
};

/**
 * Audit rows for the status changes a plan carries out, so the timeline shows what moved:
 * the referral's status/substatus (and the reason sent with it) for Partner Center actions, the
 * opportunity's state (and the reason given to the close) for Dynamics ones.
 */
export function statusChanges(
  referral: Pick<Referral, "status" | "substatus" | "statusReason"> | null,
  state: number,
  actions: readonly DynamicsStatusAction[],
): FieldChange[] {
  const rows: FieldChange[] = [];
  const row = (field: string, column: string, referralPath: string, before: string | null, after: string, side: FieldChange["side"]): void => {
    rows.push({ field, column, referralPath, before, after, side });
  };
  for (const action of actions) {
    if (action.side === "partnerCenter") {
      row("referralStatus", "opportunity.statecode", "status/substatus", referral ? `${referral.status}/${referral.substatus}` : null, REFERRAL_AFTER[action.action], "partnerCenter");
      if (action.reason) row("statusReason", "opportunity.cosell_closereason", "statusReason", referral?.statusReason ?? null, action.reason, "partnerCenter");
    } else {
      row("opportunityState", "opportunity.statecode", "status/substatus", STATE_LABELS[state] ?? String(state), action.action === "win" ? "Won" : "Lost", "dynamics");
      // Dynamics keeps a close's reason on the opportunity close activity (WinOpportunity / LoseOpportunity).
      if (action.reason) row("closeReason", "opportunityclose.description", "statusReason", null, action.reason, "dynamics");
    }
  }
  return rows;
}
/** The opportunity state a closed referral corresponds to (undefined: no Dynamics equivalent). */
const stateForClosed = (substatus: ReferralSubstatus): number | undefined =>
  substatus === "Won" ? OPPORTUNITY_STATE.Won : substatus === "Lost" || substatus === "Declined" ? OPPORTUNITY_STATE.Lost : undefined;

export const CLOSED_NOT_SENT = "Referral closed in Partner Center; change not sent";

/**
 * Why a change was refused, with the code it is recorded under. Under a FIXED_TEXT_CODES code the
 * panel words the sentence itself; a refusal that says more (which field, which state) is REJECTED,
 * so its own line is shown.
 */
export interface Refusal {
  text: string;
  code: SyncErrorCode;
}

/** A change a closed referral cannot take, with nothing more to say. */
export const CLOSED_REFUSAL: Refusal = { text: `${CLOSED_NOT_SENT}.`, code: "CLOSED_NOT_SENT" };

export const rejected = (text: string): Refusal => ({ text, code: "REJECTED" });

/** D.6 for an existing referral, comparing both sides with the snapshot. */
export function planStatus(deal: DynamicsDeal, referral: Referral, mapping: Mapping, snapshot: SyncSnapshot | null): StatusPlan {
  const state = deal.opportunity.statecode ?? OPPORTUNITY_STATE.Open;
  const plan: StatusPlan = {
    referralOps: [], actions: [], problems: [], messages: [],
    next: { status: referral.status, substatus: referral.substatus, state },
  };
  const field = mapping.status;
  if (!field) return plan;
  const toPartnerCenter = field.direction !== "toDynamics";
  const toDynamics = field.direction !== "toPartnerCenter";
  const terminal = isTerminal(referral);
  const knewStatus = snapshot?.status != null;
  const referralChanged = knewStatus
    ? snapshot!.status !== referral.status || snapshot!.substatus !== referral.substatus
    : terminal;
  const stateChanged = snapshot?.state != null ? state !== snapshot.state : state !== OPPORTUNITY_STATE.Open;

  if (terminal) {
    const matching = stateForClosed(referral.substatus);
    if (referralChanged && toDynamics && state === OPPORTUNITY_STATE.Open && matching !== undefined) {
      const reason = referral.statusReason ?? undefined;
      if (referral.substatus === "Won") {
        plan.actions.push({ side: "dynamics", action: "win", statuscode: OPPORTUNITY_STATUS.Won });
        plan.messages.push("Referral won in Partner Center; the opportunity is closed as won.");
      } else if (referral.substatus === "Lost") {
        plan.actions.push({ side: "dynamics", action: "lose", reason, statuscode: OPPORTUNITY_STATUS.OutSold });
        plan.messages.push(`Referral lost in Partner Center${reason ? ` (${reason})` : ""}; the opportunity is closed as lost.`);
      } else {
        plan.actions.push({ side: "dynamics", action: "decline", reason, statuscode: OPPORTUNITY_STATUS.Canceled });
        plan.messages.push(`Referral declined in Partner Center${reason ? ` (${reason})` : ""}; the opportunity is closed as canceled.`);
      }
      plan.next.state = matching;
      return plan;
    }
    if (referralChanged && referral.substatus === "Expired") plan.messages.push("Referral expired in Partner Center; syncing has stopped.");
    if (stateChanged && toPartnerCenter && state !== matching) {
      if (referralChanged && state !== OPPORTUNITY_STATE.Open) {
        plan.conflict = { dynamics: stateName(state), partnerCenter: `${referral.status}/${referral.substatus}` };
      }
      plan.rejected =
        state === OPPORTUNITY_STATE.Open && snapshot?.state != null && snapshot.state !== OPPORTUNITY_STATE.Open
          ? rejected(`${CLOSED_NOT_SENT}: the opportunity was reopened in Dynamics 365.`)
          : CLOSED_REFUSAL;
    }
    return plan;
  }

  if (state !== OPPORTUNITY_STATE.Open && stateChanged && toPartnerCenter && isAwaitingResponse(referral)) {
    // Nothing goes to an unanswered referral; the close is sent once it is accepted (the old state is kept so it still counts as a change).
    plan.next.state = snapshot?.state ?? OPPORTUNITY_STATE.Open;
    plan.messages.push("Accept or decline the referral first; the opportunity's close is sent after that.");
  } else if (state !== OPPORTUNITY_STATE.Open && stateChanged && toPartnerCenter) {
    const won = state === OPPORTUNITY_STATE.Won;
    const substatus: ReferralSubstatus = won ? "Won" : "Lost";
    const reason = won ? undefined : closeReasonText(closeReasonCode(deal.opportunity.cosell_closereason));
    if (!won && !reason) {
      plan.problems.push({
        code: "closeReason.missing",
        column: "opportunity.cosell_closereason",
        message: "Choose why the opportunity was lost; Partner Center needs a reason to close the referral.",
      });
    }
    if (!isLegalTransition(referral.status, "Closed", substatus)) return plan;
    plan.referralOps.push(...statusOps("Closed", substatus, won ? undefined : reason));
    plan.actions.push({ side: "partnerCenter", action: won ? "win" : "lose", reason });
    plan.messages.push(won ? "Opportunity won; the referral is closed as won in Partner Center." : `Opportunity lost; the referral is closed as lost in Partner Center (${reason ?? "no reason"}).`);
    plan.next.status = "Closed";
    plan.next.substatus = substatus;
  } else if (referralChanged && knewStatus && referral.status === "Active" && snapshot!.status === "New") {
    plan.messages.push("The referral was accepted in Partner Center.");
  }
  return plan;
}
