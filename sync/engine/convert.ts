/**
 * Whole-record conversions: a new referral from a deal (outbound create), column values from a
 * referral (inbound create), and applying planned column changes to a deal.
 */
import {
  OPPORTUNITY_COLUMNS as C, OPPORTUNITY_STATE, OPPORTUNITY_STATUS, SYNC_STATUS,
  type AccountRecord, type ContactRecord, type DynamicsDeal,
} from "../schema/dynamics";
import { notWrittenText } from "./bookkeeping";
import type { Mapping, MappedField } from "./mapping";
import { getColumn, setIn, type DealTable } from "./paths";
import { referralLink, type NewReferral, type Referral } from "../schema/referral";

export type WritableTable = Exclude<DealTable, "currency">;
export interface DataverseChanges {
  opportunity: Record<string, unknown>;
  account: Record<string, unknown>;
  contact: Record<string, unknown>;
}

export interface DynamicsStatusAction {
  side: "partnerCenter" | "dynamics";
  action: "accept" | "decline" | "win" | "lose";
  reason?: string;
  /** For a Dynamics close: the opportunity statuscode it should end in. */
  statuscode?: number;
}

/** The referral to create for a deal (Sync = Yes, no referral yet); `externalReferenceId` is the opportunity id. */
export function referralFromDeal(deal: DynamicsDeal, mapping: Mapping): NewReferral {
  const coSell = deal.opportunity[C.howCanMicrosoftHelp] != null;
  const referral: Record<string, unknown> = {
    name: "",
    externalReferenceId: deal.opportunity.opportunityid,
    // Partner Center answers Active/Accepted for an outgoing create (D.6).
    status: "New",
    substatus: "Pending",
    // Asking for Microsoft's help makes it a co-sell deal, shared with Microsoft sellers (§2.4 deal types).
    type: coSell ? "Shared" : "Independent",
    qualification: "SalesQualified",
    direction: "Outgoing",
    customerProfile: { name: "", address: {} },
    consent: { consentToShareReferralWithMicrosoftSellers: true },
    details: {},
  };
  for (const field of mapping.fields) {
    if (field.direction === "toDynamics") continue;
    const value = field.transform.fromDynamics(getColumn(deal, field.columnRef));
    if (value === null) continue;
    setIn(referral, field.segments, field.transform.toReferral(value));
  }
  return referral as unknown as NewReferral;
}

/**
 * Column values for an opportunity (and its account and contact) created from an incoming
 * referral. Every field that can be written to Dynamics is filled, whatever its direction: a new
 * record starts from what Partner Center knows.
 */
export function dealFromReferral(referral: Referral, mapping: Mapping): DataverseChanges {
  const out: DataverseChanges = { opportunity: {}, account: {}, contact: {} };
  const notWritten: string[] = [];
  for (const field of mapping.fields) {
    const write = field.transform.toDynamics;
    // A split field starts in its read-only inbound column: the seller's own column starts empty.
    if (!write || field.columnRef.table === "currency" || field.inboundTwin) continue;
    const raw = valueAt(referral, field);
    const refusal = field.transform.refuse?.(raw);
    if (refusal) {
      notWritten.push(`${field.referralPath} ${refusal}`);
      continue;
    }
    const value = field.transform.fromReferral(raw);
    if (value === null) continue;
    out[field.columnRef.table][field.columnRef.column] = write(value);
  }
  const awaiting = referral.direction === "Incoming" && referral.status === "New";
  Object.assign(out.opportunity, {
    [C.syncWithPartnerCenter]: true,
    [C.referralId]: referral.id,
    [C.referralLink]: referralLink(referral.id),
    [C.syncStatus]: notWritten.length > 0 ? SYNC_STATUS.Error : awaiting ? SYNC_STATUS.AwaitingResponse : SYNC_STATUS.Synced,
    ...(notWritten.length > 0 ? { [C.syncError]: notWrittenText(notWritten), [C.syncErrorCode]: "NOT_WRITTEN" } : {}),
  });
  if (typeof out.opportunity.name !== "string" || out.opportunity.name === "") out.opportunity.name = referral.name;
  return out;
}

export function valueAt(referral: unknown, field: MappedField): unknown {
  let node: unknown = referral;
  const segments = field.segments;
  for (let i = 0; i < segments.length; i++) {
    if (node == null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[segments[i] as string];
  }
  return node;
}

/**
 * The deal as it is after the planned column writes and Dynamics close actions. A related record
 * that does not exist yet is created without an id (the caller creates and links it).
 */
export function applyDataverseChanges(
  deal: DynamicsDeal,
  changes: Partial<DataverseChanges>,
  statusActions: readonly DynamicsStatusAction[] = [],
): DynamicsDeal {
  const opportunity = { ...deal.opportunity, ...(changes.opportunity ?? {}) };
  for (const action of statusActions) {
    if (action.side !== "dynamics") continue;
    if (action.action === "win") {
      opportunity.statecode = OPPORTUNITY_STATE.Won;
      opportunity.statuscode = action.statuscode ?? OPPORTUNITY_STATUS.Won;
    } else if (action.action === "lose" || action.action === "decline") {
      opportunity.statecode = OPPORTUNITY_STATE.Lost;
      opportunity.statuscode = action.statuscode ?? OPPORTUNITY_STATUS.Canceled;
    }
  }
  const merge = <R>(record: R | null, patch: Record<string, unknown> | undefined, empty: () => R): R | null =>
    patch && Object.keys(patch).length > 0 ? { ...(record ?? empty()), ...patch } : record;
  return {
    opportunity,
    account: merge<AccountRecord>(deal.account, changes.account, () => ({ accountid: "" })),
    contact: merge<ContactRecord>(deal.contact, changes.contact, () => ({ contactid: "" })),
    currency: deal.currency,
  };
}

export type ReferralClass = "marketplaceLead" | "qualifiedLead" | "coSellOpportunity";

/** partner-center.md §2.4 "Classification". */
export function classifyReferral(referral: Pick<Referral, "type" | "qualification" | "inviteContext">): ReferralClass {
  const invitedBy = referral.inviteContext?.invitedBy?.organizationId ?? null;
  const byMicrosoft = invitedBy === null || invitedBy.toLowerCase() === "msft";
  if (referral.type === "Independent" && referral.qualification === "Direct" && byMicrosoft) return "marketplaceLead";
  if (
    referral.type === "Independent" &&
    (referral.qualification === "SalesQualified" || referral.qualification === "MarketingQualified") &&
    invitedBy?.toLowerCase() === "msft"
  ) {
    return "qualifiedLead";
  }
  return "coSellOpportunity";
}
