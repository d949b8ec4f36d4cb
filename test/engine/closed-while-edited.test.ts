/**
 * D.6: a referral closed in Partner Center closes the opportunity, whether or not the seller also
 * edited the opportunity since the last sync; those edits are not sent, and the warning says so once.
 */
import {
  applyPlanToDeal, CLOSED_NOT_SENT, OPPORTUNITY_COLUMNS as C, OPPORTUNITY_STATE, OPPORTUNITY_STATUS, type DynamicsDeal, type Plan, type Referral, type ReferralSubstatus, type SyncSnapshot,
} from "../../sync/engine";
import { matchingReferral, run, synced as syncedPair } from "./fixtures";

/** A synced pair whose first sync sent nothing to Partner Center. */
function synced(referral: Referral) {
  const pair = syncedPair(referral);
  expect(pair.first.referralPatch).toEqual([]);
  return pair;
}

interface Case {
  substatus: ReferralSubstatus;
  /** The referral before Microsoft closed it. */
  before: Partial<Referral>;
  reason?: string;
  /** The Dynamics action the close should plan; null: the opportunity stays open. */
  action: Plan["statusActions"][number] | null;
  state: number;
  syncStatus: string;
}

const cases: Case[] = [
  {
    substatus: "Won", before: {}, action: { side: "dynamics", action: "win", statuscode: OPPORTUNITY_STATUS.Won },
    state: OPPORTUNITY_STATE.Won, syncStatus: "ClosedInPartnerCenter",
  },
  {
    substatus: "Lost", before: {}, reason: "Customer didn't respond",
    action: { side: "dynamics", action: "lose", reason: "Customer didn't respond", statuscode: OPPORTUNITY_STATUS.OutSold },
    state: OPPORTUNITY_STATE.Lost, syncStatus: "ClosedInPartnerCenter",
  },
  {
    substatus: "Declined", before: { direction: "Incoming", status: "New", substatus: "Pending" }, reason: "Others",
    action: { side: "dynamics", action: "decline", reason: "Others", statuscode: OPPORTUNITY_STATUS.Canceled },
    state: OPPORTUNITY_STATE.Lost, syncStatus: "ClosedInPartnerCenter",
  },
  { substatus: "Expired", before: {}, action: null, state: OPPORTUNITY_STATE.Open, syncStatus: "ExpiredInPartnerCenter" },
  { substatus: "Error", before: {}, action: null, state: OPPORTUNITY_STATE.Open, syncStatus: "ClosedInPartnerCenter" },
];

function closedAfterSync(c: Case): { deal: DynamicsDeal; closed: Referral; snapshot: SyncSnapshot } {
  const { deal, referral, snapshot } = synced(matchingReferral(c.before));
  const closed: Referral = { ...referral, status: "Closed", substatus: c.substatus, ...(c.reason ? { statusReason: c.reason } : {}) };
  return { deal, closed, snapshot };
}

/** Carries the plan out, then plans again: nothing may be left to do, and no warning repeated. */
function expectSettled(c: Case, deal: DynamicsDeal, closed: Referral, p: Plan): DynamicsDeal {
  const after = applyPlanToDeal(deal, p);
  expect(after.opportunity.statecode).toBe(c.state);
  const again = run({ snapshot: p.nextSnapshot, deal: after, referral: closed });
  expect(again.outcome).toBe("noChange");
  expect(again.statusActions).toEqual([]);
  expect(again.audit).toEqual([]);
  return after;
}

describe.each(cases)("referral closed $substatus in Partner Center", (c) => {
  it("without Dynamics edits: follows the close on the opportunity", () => {
    const { deal, closed, snapshot } = closedAfterSync(c);
    const p = run({ snapshot, deal, referral: closed, trigger: "partnerCenterWebhook" });
    expect(p.referralPatch).toEqual([]);
    expect(p.statusActions).toEqual(c.action ? [c.action] : []);
    expect(p.syncStatus).toBe(c.syncStatus);
    expect(p.audit.filter((a) => a.level === "warning")).toEqual([]);
    expectSettled(c, deal, closed, p);
  });

  it("with the opportunity's revenue edited in Dynamics: still follows the close, sends nothing, warns once", () => {
    const { deal, closed, snapshot } = closedAfterSync(c);
    deal.opportunity.estimatedvalue = 150000;
    deal.opportunity.modifiedon = "2025-06-10T09:00:00Z";
    const p = run({ snapshot, deal, referral: closed, trigger: "partnerCenterWebhook" });
    expect(p.referralPatch).toEqual([]);
    expect(p.createReferral).toBeUndefined();
    expect(p.statusActions).toEqual(c.action ? [c.action] : []);
    expect(p.syncStatus).toBe(c.syncStatus);
    expect(p.dataverse.opportunity[C.syncError]).toBe(`${CLOSED_NOT_SENT}.`);
    const warning = p.audit.find((a) => a.level === "warning");
    expect(warning).toMatchObject({
      result: "rejected", direction: "none", message: `${CLOSED_NOT_SENT}.`,
      fields: [{ field: "dealValue", before: 125000, after: 150000, side: "partnerCenter" }],
    });
    if (c.action) {
      expect(p.outcome).toBe("write");
      expect(p.audit[0]).toMatchObject({ result: "success", direction: "toDynamics", level: "info" });
      expect(p.audit[0].fields).toContainEqual(expect.objectContaining({ field: "opportunityState", before: "Open", side: "dynamics" }));
    } else {
      expect(p.outcome).toBe("rejected");
      expect(p.audit).toEqual([warning]);
    }
    const after = expectSettled(c, deal, closed, p);
    // The refused edit stays in Dynamics: the seller's value is not overwritten.
    expect(after.opportunity.estimatedvalue).toBe(150000);
  });
});

// Expired / Error leave the opportunity open and take no edits at all (covered above).
describe.each(cases.filter((c) => c.action))("referral closed $substatus in Partner Center, edited on both sides", (c) => {
  it("with a Dynamics edit and a Partner Center edit of another field: takes Microsoft's edit in before closing", () => {
    const { deal, closed, snapshot } = closedAfterSync(c);
    deal.opportunity.estimatedvalue = 1;
    closed.details = { ...closed.details, notes: "Microsoft's closing notes" };
    const p = run({ snapshot, deal, referral: closed });
    expect(p.statusActions).toEqual([c.action]);
    expect(p.dataverse.opportunity.cosell_notesfrommicrosoft).toBe("Microsoft's closing notes");
    expect(p.dataverse.opportunity.description).toBeUndefined();
    expect(p.audit[0].fields).toContainEqual(expect.objectContaining({ field: "notesFromMicrosoft", after: "Microsoft's closing notes", side: "dynamics" }));
    expect(p.audit[1].fields).toEqual([expect.objectContaining({ field: "dealValue", after: 1, side: "partnerCenter" })]);
    expectSettled(c, deal, closed, p);
  });
});

it("closes the opportunity when Microsoft declines a referral the seller edited while it awaited a response", () => {
  const { deal, referral, snapshot } = synced(matchingReferral({ direction: "Incoming", status: "New", substatus: "Pending" }));
  deal.opportunity.estimatedvalue = 999;
  const held = run({ snapshot, deal, referral });
  expect(held.referralPatch).toEqual([]);
  const declined: Referral = { ...referral, status: "Closed", substatus: "Declined", statusReason: "Others" };
  const p = run({ snapshot: held.nextSnapshot, deal, referral: declined });
  expect(p.statusActions).toEqual([{ side: "dynamics", action: "decline", reason: "Others", statuscode: OPPORTUNITY_STATUS.Canceled }]);
  expect(p.audit[1]).toMatchObject({ level: "warning", fields: [{ field: "dealValue", after: 999 }] });
  expect(applyPlanToDeal(deal, p).opportunity).toMatchObject({ statecode: OPPORTUNITY_STATE.Lost, statuscode: OPPORTUNITY_STATUS.Canceled });
});
