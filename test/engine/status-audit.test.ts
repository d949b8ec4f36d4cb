/**
 * Status changes show up as rows in the audit entry, so the panel's timeline says what moved
 * (not just "Record saved · Succeeded" with nothing under it).
 */
import {
  applyPatch, auditToSyncEventRow, closeReasonValue, OPPORTUNITY_STATE, SYNC_EVENT_COLUMNS as E, type FieldChange, type Referral,
} from "../../sync/engine";
import { matchingReferral, run, synced } from "./fixtures";

const incoming = (): Referral => matchingReferral({ direction: "Incoming", status: "New", substatus: "Pending" });

const referralStatus = (before: string, after: string): FieldChange =>
  ({ field: "referralStatus", column: "opportunity.statecode", referralPath: "status/substatus", before, after, side: "partnerCenter" });
const opportunityState = (before: string, after: string): FieldChange =>
  ({ field: "opportunityState", column: "opportunity.statecode", referralPath: "status/substatus", before, after, side: "dynamics" });
const statusReason = (after: string, before: string | null = null): FieldChange =>
  ({ field: "statusReason", column: "opportunity.cosell_closereason", referralPath: "statusReason", before, after, side: "partnerCenter" });
const closeReason = (after: string): FieldChange =>
  ({ field: "closeReason", column: "opportunityclose.description", referralPath: "statusReason", before: null, after, side: "dynamics" });

describe("audit rows for status changes", () => {
  it("accept: the referral's move to Active/Accepted", () => {
    const { deal, referral, snapshot } = synced(incoming());
    const p = run({ snapshot, deal, referral, trigger: "respond", request: { action: "accept" } });
    expect(p.audit).toHaveLength(1);
    expect(p.audit[0]).toMatchObject({ result: "success", direction: "toPartnerCenter", message: "Referral accepted." });
    expect(p.audit[0].fields).toEqual([referralStatus("New/Pending", "Active/Accepted")]);
  });

  it("decline: the referral's close with the reason, and the opportunity's close with it", () => {
    const { deal, referral, snapshot } = synced(incoming());
    const p = run({ snapshot, deal, referral, trigger: "respond", request: { action: "decline", reason: 3 } });
    expect(p.audit[0].direction).toBe("both");
    expect(p.audit[0].fields).toEqual([
      referralStatus("New/Pending", "Closed/Declined"),
      statusReason("Customer chose another vendor"),
      opportunityState("Open", "Lost"),
      closeReason("Customer chose another vendor"),
    ]);
    // The message counts mapped fields only; the status rows do not turn into "Sent 2 changes".
    expect(p.audit[0].message).toBe("Referral declined (Customer chose another vendor); the opportunity is closed as canceled.");
  });

  it("won in Dynamics: the referral closes as won", () => {
    const { deal, referral, snapshot } = synced(matchingReferral());
    deal.opportunity.statecode = OPPORTUNITY_STATE.Won;
    const p = run({ snapshot, deal, referral, trigger: "dataverseChange" });
    expect(p.audit[0].fields).toEqual([referralStatus("Active/Accepted", "Closed/Won")]);
  });

  it("lost in Dynamics: the referral closes as lost with the close reason, next to a field change", () => {
    const { deal, referral, snapshot } = synced(matchingReferral());
    deal.opportunity.statecode = OPPORTUNITY_STATE.Lost;
    deal.opportunity.cosell_closereason = closeReasonValue(1);
    deal.opportunity.estimatedvalue = 99000;
    const p = run({ snapshot, deal, referral });
    expect(p.audit[0].fields).toEqual([
      referralStatus("Active/Accepted", "Closed/Lost"),
      statusReason("Project budget isn't adequate"),
      expect.objectContaining({ field: "dealValue", before: 125000, after: 99000, side: "partnerCenter" }),
    ]);
    expect(p.audit[0].message).toMatch(/^Sent 1 change to Partner Center\./);
  });

  it.each<[string, Partial<Referral>, FieldChange[]]>([
    ["won", { substatus: "Won" }, [opportunityState("Open", "Won")]],
    ["lost", { substatus: "Lost", statusReason: "Customer didn't respond" }, [opportunityState("Open", "Lost"), closeReason("Customer didn't respond")]],
  ])("%s in Partner Center: the opportunity's close", (_label, over, rows) => {
    const { deal, referral, snapshot } = synced(matchingReferral());
    const p = run({ snapshot, deal, referral: { ...referral, status: "Closed", ...over }, trigger: "partnerCenterWebhook" });
    expect(p.audit[0]).toMatchObject({ direction: "toDynamics", result: "success" });
    expect(p.audit[0].fields).toEqual(rows);
  });

  it("records no status rows when nothing about the status changes", () => {
    const { deal, referral, snapshot } = synced(matchingReferral());
    deal.opportunity.estimatedvalue = 1000;
    const p = run({ snapshot, deal, referral });
    expect(p.audit[0].fields.map((f) => f.field)).toEqual(["dealValue"]);
  });

  it("carries the rows into the sync event's changes column", () => {
    const { deal, referral, snapshot } = synced(matchingReferral());
    deal.opportunity.statecode = OPPORTUNITY_STATE.Won;
    const p = run({ snapshot, deal, referral });
    const row = auditToSyncEventRow(p.audit[0], deal.opportunity.opportunityid);
    expect(JSON.parse(row[E.changes] as string)).toEqual([referralStatus("Active/Accepted", "Closed/Won")]);
    // The status reached is what the rows claim.
    expect(applyPatch(referral, p.referralPatch)).toMatchObject({ status: "Closed", substatus: "Won" });
  });
});
