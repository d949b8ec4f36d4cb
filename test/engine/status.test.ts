import {
  ALLOWED_SUBSTATUS, applyPatch, applyPlanToDeal, CLOSED_NOT_SENT, closeReasonValue, isLegalTransition, OPPORTUNITY_COLUMNS as C, OPPORTUNITY_STATE, OPPORTUNITY_STATUS, REFERRAL_STATUSES, SYNC_STATUS, type Referral, type ReferralStatus,
} from "../../sync/engine";
import { matchingReferral, run, synced, validDeal } from "./fixtures";

const incoming = (over: Partial<Referral> = {}): Referral =>
  matchingReferral({ direction: "Incoming", status: "New", substatus: "Pending", ...over });

describe("transition table (§2.3)", () => {
  const legal: Array<[ReferralStatus, ReferralStatus, string]> = [
    ["New", "New", "Pending"], ["New", "New", "Received"], ["New", "Active", "Accepted"], ["New", "Closed", "Declined"],
    ["New", "Closed", "Won"], ["Active", "Active", "Accepted"], ["Active", "Closed", "Won"], ["Active", "Closed", "Lost"],
    ["Active", "Closed", "Expired"], ["Active", "Closed", "Error"],
  ];
  it.each(legal)("allows %s → %s/%s", (from, to, sub) => {
    expect(isLegalTransition(from, to, sub as never)).toBe(true);
  });
  const illegal: Array<[ReferralStatus, ReferralStatus, string]> = [
    ["Active", "New", "Pending"], ["Closed", "Active", "Accepted"], ["Closed", "Closed", "Won"], ["New", "Active", "Pending"],
    ["New", "Closed", "Accepted"], ["Active", "Active", "Won"],
  ];
  it.each(illegal)("refuses %s → %s/%s", (from, to, sub) => {
    expect(isLegalTransition(from, to, sub as never)).toBe(false);
  });
  it("names a substatus list for every status", () => {
    for (const s of REFERRAL_STATUSES) expect(ALLOWED_SUBSTATUS[s].length).toBeGreaterThan(0);
  });
});

describe("accept / decline (D.6)", () => {
  it("accepts a new incoming referral", () => {
    const { deal, referral, snapshot } = synced(incoming());
    const p = run({ snapshot, deal, referral, trigger: "respond", request: { action: "accept" } });
    expect(p.outcome).toBe("write");
    expect(p.referralPatch).toEqual([{ op: "replace", path: "/status", value: "Active" }, { op: "replace", path: "/substatus", value: "Accepted" }]);
    expect(p.statusActions).toEqual([{ side: "partnerCenter", action: "accept" }]);
    expect(p.syncStatus).toBe("Synced");
    const after = run({ snapshot: p.nextSnapshot, deal: applyPlanToDeal(deal, p), referral: applyPatch(referral, p.referralPatch) });
    expect(after.outcome).toBe("noChange");
  });

  it("accepts a referral already marked Received", () => {
    const { deal, referral, snapshot } = synced(incoming({ substatus: "Received" }));
    expect(run({ snapshot, deal, referral, request: { action: "accept" } }).outcome).toBe("write");
  });

  it("declines with the reason text and closes the opportunity as canceled", () => {
    const { deal, referral, snapshot } = synced(incoming());
    const p = run({ snapshot, deal, referral, trigger: "respond", request: { action: "decline", reason: 3 } });
    expect(p.referralPatch).toEqual([
      { op: "replace", path: "/status", value: "Closed" },
      { op: "replace", path: "/substatus", value: "Declined" },
      { op: "add", path: "/statusReason", value: "Customer chose another vendor" },
    ]);
    expect(p.statusActions).toEqual([
      { side: "partnerCenter", action: "decline", reason: "Customer chose another vendor" },
      { side: "dynamics", action: "decline", reason: "Customer chose another vendor", statuscode: OPPORTUNITY_STATUS.Canceled },
    ]);
    expect(p.dataverse.opportunity[C.closeReason]).toBe(closeReasonValue(3));
    expect(p.syncStatus).toBe("ClosedInPartnerCenter");
    const deal2 = applyPlanToDeal(deal, p);
    expect(deal2.opportunity).toMatchObject({ statecode: OPPORTUNITY_STATE.Lost, statuscode: OPPORTUNITY_STATUS.Canceled });
    expect(run({ snapshot: p.nextSnapshot, deal: deal2, referral: applyPatch(referral, p.referralPatch) }).outcome).toBe("noChange");
  });

  it.each<[string, Partial<Referral>, "accept" | "decline", RegExp]>([
    ["an outgoing referral", { direction: "Outgoing", status: "Active", substatus: "Accepted" }, "accept", /shared by you/],
    ["an answered referral", { status: "Active", substatus: "Accepted" }, "decline", /already been answered \(Active\/Accepted\)/],
    ["a closed referral", { status: "Closed", substatus: "Won" }, "accept", /already won, so it cannot be accepted/],
  ])("refuses to respond to %s", (_label, over, action, reason) => {
    const referral = incoming(over);
    const p = run({ deal: validDeal(), referral, request: { action, reason: 1 } });
    expect(p.outcome).toBe("rejected");
    expect(p.reason).toMatch(reason);
    expect(p.referralPatch).toEqual([]);
    expect(p.statusActions).toEqual([]);
  });

  it("refuses to decline without a reason, and to respond without a referral", () => {
    expect(run({ deal: validDeal(), referral: incoming(), request: { action: "decline" } }).reason).toMatch(/Choose a reason/);
    expect(run({ deal: validDeal(), referral: null, request: { action: "accept" } }).reason).toMatch(/no Partner Center referral/);
  });
});

describe("won / lost in Dynamics", () => {
  it("closes the referral as won", () => {
    const { deal, referral, snapshot } = synced(matchingReferral());
    deal.opportunity.statecode = OPPORTUNITY_STATE.Won;
    const p = run({ snapshot, deal, referral, trigger: "dataverseChange" });
    expect(p.referralPatch).toEqual([{ op: "replace", path: "/status", value: "Closed" }, { op: "replace", path: "/substatus", value: "Won" }]);
    expect(p.statusActions).toEqual([{ side: "partnerCenter", action: "win" }]);
    expect(p.syncStatus).toBe("ClosedInPartnerCenter");
    const again = run({ snapshot: p.nextSnapshot, deal: applyPlanToDeal(deal, p), referral: applyPatch(referral, p.referralPatch) });
    expect(again.outcome).toBe("noChange");
  });

  it("closes the referral as lost with the close reason", () => {
    const { deal, referral, snapshot } = synced(matchingReferral());
    deal.opportunity.statecode = OPPORTUNITY_STATE.Lost;
    deal.opportunity.cosell_closereason = closeReasonValue(1);
    const p = run({ snapshot, deal, referral });
    expect(p.referralPatch).toContainEqual({ op: "add", path: "/statusReason", value: "Project budget isn't adequate" });
    expect(p.statusActions).toEqual([{ side: "partnerCenter", action: "lose", reason: "Project budget isn't adequate" }]);
  });

  it("needs a close reason before closing the referral as lost", () => {
    const { deal, referral, snapshot } = synced(matchingReferral());
    deal.opportunity.statecode = OPPORTUNITY_STATE.Lost;
    const p = run({ snapshot, deal, referral });
    expect(p.outcome).toBe("invalid");
    expect(p.problems).toEqual([expect.objectContaining({ code: "closeReason.missing", column: "opportunity.cosell_closereason" })]);
  });
});

describe("closed in Partner Center", () => {
  it.each<[string, Partial<Referral>, object]>([
    ["won", { substatus: "Won" }, { side: "dynamics", action: "win", statuscode: OPPORTUNITY_STATUS.Won }],
    ["lost", { substatus: "Lost", statusReason: "Customer didn't respond" }, { side: "dynamics", action: "lose", reason: "Customer didn't respond", statuscode: OPPORTUNITY_STATUS.OutSold }],
    ["declined", { substatus: "Declined", statusReason: "Others" }, { side: "dynamics", action: "decline", reason: "Others", statuscode: OPPORTUNITY_STATUS.Canceled }],
  ])("closes the opportunity when the referral is %s", (_label, over, action) => {
    const { deal, referral, snapshot } = synced(matchingReferral());
    const closed = { ...referral, status: "Closed" as const, ...over };
    const p = run({ snapshot, deal, referral: closed, trigger: "partnerCenterWebhook" });
    expect(p.outcome).toBe("write");
    expect(p.statusActions).toEqual([action]);
    expect(p.referralPatch).toEqual([]);
    expect(p.syncStatus).toBe("ClosedInPartnerCenter");
    expect(run({ snapshot: p.nextSnapshot, deal: applyPlanToDeal(deal, p), referral: closed }).outcome).toBe("noChange");
  });

  it("marks an expired referral and leaves the opportunity open", () => {
    const { deal, referral, snapshot } = synced(matchingReferral());
    const expired = { ...referral, status: "Closed" as const, substatus: "Expired" as const };
    const p = run({ snapshot, deal, referral: expired });
    expect(p.statusActions).toEqual([]);
    expect(p.syncStatus).toBe("ExpiredInPartnerCenter");
    expect(p.dataverse.opportunity[C.syncStatus]).toBe(SYNC_STATUS.ExpiredInPartnerCenter);
    expect(p.audit[0].message).toMatch(/expired/);
  });

  it("does not send a Dynamics edit to a closed referral, and warns once", () => {
    const { deal, referral, snapshot } = synced(matchingReferral({ status: "Closed", substatus: "Won" }));
    deal.opportunity.statecode = OPPORTUNITY_STATE.Won;
    const s2 = run({ snapshot, deal, referral }).nextSnapshot;
    deal.opportunity.estimatedvalue = 1;
    const p = run({ snapshot: s2, deal, referral, trigger: "dataverseChange" });
    expect(p.outcome).toBe("rejected");
    expect(p.reason).toBe(`${CLOSED_NOT_SENT}.`);
    expect(p.referralPatch).toEqual([]);
    expect(p.audit[0]).toMatchObject({ result: "rejected", level: "warning", fields: [{ field: "dealValue", after: 1, side: "partnerCenter" }] });
    expect(run({ snapshot: p.nextSnapshot, deal: applyPlanToDeal(deal, p), referral }).outcome).toBe("noChange");
  });

  it("warns when the opportunity is reopened after the referral closed", () => {
    const { deal, referral } = synced(matchingReferral());
    deal.opportunity.statecode = OPPORTUNITY_STATE.Won;
    const won = run({ snapshot: run({ deal: validDeal(), referral }).nextSnapshot, deal, referral });
    const closed = applyPatch(referral, won.referralPatch);
    const reopened = { ...deal, opportunity: { ...deal.opportunity, statecode: OPPORTUNITY_STATE.Open } };
    const p = run({ snapshot: won.nextSnapshot, deal: reopened, referral: closed });
    expect(p.outcome).toBe("rejected");
    expect(p.reason).toMatch(/reopened/);
    expect(p.referralPatch).toEqual([]);
  });
});

describe("incoming referral awaiting a response", () => {
  it("shows Awaiting your response and holds Dynamics edits until it is accepted", () => {
    const { deal, referral, snapshot } = synced(incoming());
    expect(run({ snapshot, deal, referral }).syncStatus).toBe("AwaitingResponse");
    deal.opportunity.estimatedvalue = 999;
    const held = run({ snapshot, deal, referral });
    expect(held.referralPatch).toEqual([]);
    const accepted = { ...referral, status: "Active" as const, substatus: "Accepted" as const };
    const later = run({ snapshot: held.nextSnapshot, deal, referral: accepted });
    expect(later.referralPatch).toEqual([{ op: "replace", path: "/details/dealValue", value: 999 }]);
  });

  it("still takes Partner Center's edits in", () => {
    const { deal, referral, snapshot } = synced(incoming());
    const edited = { ...referral, details: { ...referral.details, notes: "More detail" } };
    expect(run({ snapshot, deal, referral: edited }).dataverse.opportunity.cosell_notesfrommicrosoft).toBe("More detail");
  });
});
