import {
  applyPatch, applyPlanToDeal, defaultMapping, defaultMappingDocument, loadMapping, OPPORTUNITY_COLUMNS as C,
  OPPORTUNITY_STATE, parseSnapshot, plan, snapshotFields,
  type ConflictPolicy, type DynamicsDeal, type Mapping, type Plan, type PlanInput, type Referral, type SyncSnapshot,
} from "../../sync/engine";
import { matchingReferral, NOW, validDeal } from "./fixtures";

const mapping = defaultMapping();
const run = (over: Partial<PlanInput> & Pick<PlanInput, "deal" | "referral">): Plan =>
  plan({ snapshot: null, mapping, now: NOW, trigger: "reconcile", ...over });

/** The state right after a clean sync of validDeal() with matchingReferral(). */
function synced(referral: Referral = matchingReferral()): { deal: DynamicsDeal; referral: Referral; snapshot: SyncSnapshot } {
  const deal = validDeal();
  const first = run({ deal, referral });
  expect(first.referralPatch).toEqual([]);
  return { deal: applyPlanToDeal(deal, first), referral, snapshot: first.nextSnapshot };
}

function withPolicy(policy: ConflictPolicy): Mapping {
  const doc = defaultMappingDocument() as { fields: Array<{ name: string; policy: string }> };
  doc.fields.find((f) => f.name === "dealValue")!.policy = policy;
  return loadMapping(doc);
}

describe("three-way merge of a field (deal value ↔ details.dealValue)", () => {
  const cases: Array<[ConflictPolicy, "older" | "newer", number]> = [
    ["dynamicsWins", "older", 111], ["dynamicsWins", "newer", 111],
    ["partnerCenterWins", "older", 222], ["partnerCenterWins", "newer", 222],
    ["newestWins", "older", 111], ["newestWins", "newer", 222],
  ];

  describe.each(["dynamicsWins", "partnerCenterWins", "newestWins"] as ConflictPolicy[])("with policy %s", (policy) => {
    const m = withPolicy(policy);
    it("plans nothing when neither side changed", () => {
      const { deal, referral, snapshot } = synced();
      const p = plan({ snapshot, deal, referral, mapping: m, now: NOW, trigger: "reconcile" });
      expect(p).toMatchObject({ outcome: "noChange", referralPatch: [], conflicts: [], audit: [] });
      expect(p.dataverse).toEqual({ opportunity: {}, account: {}, contact: {} });
    });
    it("sends a Dynamics change to Partner Center", () => {
      const { deal, referral, snapshot } = synced();
      deal.opportunity.estimatedvalue = 111;
      const p = plan({ snapshot, deal, referral, mapping: m, now: NOW, trigger: "dataverseChange" });
      expect(p.referralPatch).toEqual([{ op: "replace", path: "/details/dealValue", value: 111 }]);
      expect(p.conflicts).toEqual([]);
      expect(p.audit[0]).toMatchObject({ direction: "toPartnerCenter", result: "success", fields: [{ field: "dealValue", before: 125000, after: 111, side: "partnerCenter" }] });
    });
    it("brings a Partner Center change into Dynamics", () => {
      const { deal, referral, snapshot } = synced();
      referral.details.dealValue = 222;
      const p = plan({ snapshot, deal, referral, mapping: m, now: NOW, trigger: "partnerCenterWebhook" });
      expect(p.referralPatch).toEqual([]);
      expect(p.dataverse.opportunity.estimatedvalue).toBe(222);
      expect(p.audit[0]).toMatchObject({ direction: "toDynamics", fields: [{ field: "dealValue", side: "dynamics", after: 222 }] });
    });
  });

  it.each(cases)("resolves a change on both sides with %s when Partner Center's edit is %s", (policy, pcEdit, expected) => {
    const { deal, referral, snapshot } = synced();
    deal.opportunity.estimatedvalue = 111;
    deal.opportunity.modifiedon = "2025-06-10T12:00:00Z";
    referral.details.dealValue = 222;
    referral.updatedDateTime = pcEdit === "newer" ? "2025-06-10T12:00:01Z" : "2025-06-10T11:59:59Z";
    const p = plan({ snapshot, deal, referral, mapping: withPolicy(policy), now: NOW, trigger: "reconcile" });
    expect(p.conflicts).toEqual([{
      field: "dealValue", column: "opportunity.estimatedvalue", referralPath: "details.dealValue",
      dynamicsValue: 111, partnerCenterValue: 222, policy, winner: expected === 111 ? "dynamics" : "partnerCenter",
    }]);
    if (expected === 111) {
      expect(p.referralPatch).toEqual([{ op: "replace", path: "/details/dealValue", value: 111 }]);
      expect(p.dataverse.opportunity.estimatedvalue).toBeUndefined();
    } else {
      expect(p.referralPatch).toEqual([]);
      expect(p.dataverse.opportunity.estimatedvalue).toBe(222);
    }
    expect(p.audit[0].conflicts).toHaveLength(1);
  });

  it("records no conflict when both sides made the same change", () => {
    const { deal, referral, snapshot } = synced();
    deal.opportunity.estimatedvalue = 5;
    referral.details.dealValue = 5;
    const p = run({ snapshot, deal, referral });
    expect(p.conflicts).toEqual([]);
    expect(p.referralPatch).toEqual([]);
  });
});

describe("echo suppression", () => {
  it("plans nothing for the webhook that reports our own write", () => {
    const { deal, referral, snapshot } = synced();
    deal.opportunity.description = "New notes";
    const out = run({ snapshot, deal, referral, trigger: "dataverseChange" });
    const echoed = { ...applyPatch(referral, out.referralPatch), updatedDateTime: "2025-06-15T10:00:05Z", eTag: "\"2\"" };
    const after = applyPlanToDeal(deal, out);
    const again = run({ snapshot: parseSnapshot(after.opportunity[C.syncSnapshot] as string), deal: after, referral: echoed, trigger: "partnerCenterWebhook" });
    expect(again.outcome).toBe("noChange");
    expect(again.referralPatch).toEqual([]);
    expect(again.dataverse).toEqual({ opportunity: {}, account: {}, contact: {} });
  });

  it("does not write back a value only formatted differently (country name vs code, date vs date-time)", () => {
    const { deal, referral, snapshot } = synced();
    deal.account!.address1_country = "DE";
    referral.details.closingDateTime = "2025-09-30T17:45:00Z";
    expect(run({ snapshot, deal, referral }).outcome).toBe("noChange");
  });
});

describe("first link (no snapshot)", () => {
  it("takes equal fields as the baseline and stores the snapshot", () => {
    const p = run({ deal: validDeal(), referral: matchingReferral() });
    expect(p.referralPatch).toEqual([]);
    expect(p.conflicts).toEqual([]);
    expect(p.dataverse.opportunity[C.syncSnapshot]).toEqual(expect.any(String));
    expect(snapshotFields(p.nextSnapshot).dealValue).toEqual({ dynamics: 125000, partnerCenter: 125000 });
  });
  it("settles differing fields with the policy and records the conflict", () => {
    const referral = matchingReferral();
    referral.details.notes = "Microsoft's notes"; // notesForMicrosoft: dynamicsWins
    const p = run({ deal: validDeal(), referral });
    expect(p.referralPatch).toEqual([{ op: "replace", path: "/details/notes", value: "Move 40 servers to Azure" }]);
    expect(p.conflicts.map((c) => c.field)).toEqual(["notesForMicrosoft"]);
    // Microsoft's text is not lost: it lands in its own column, and the seller's Description is untouched.
    expect(p.dataverse.opportunity.cosell_notesfrommicrosoft).toBe("Microsoft's notes");
    expect(p.dataverse.opportunity.description).toBeUndefined();
  });
  it("adds a customer contact Partner Center does not have yet", () => {
    const referral = matchingReferral();
    referral.customerProfile.team = [];
    const p = run({ deal: validDeal(), referral });
    // The referral PATCH takes the customer's team only as a whole (`/customerProfile/team`).
    expect(p.referralPatch).toEqual([
      { op: "replace", path: "/customerProfile/team", value: [{ firstName: "Ada", lastName: "Lovelace", email: "ada@contoso.example" }] },
    ]);
    expect(applyPatch(referral, p.referralPatch).customerProfile.team).toHaveLength(1);
  });
});

describe("directions", () => {
  it("never writes a toPartnerCenter field into Dynamics", () => {
    const { deal, referral, snapshot } = synced();
    referral.customerProfile.name = "Renamed by Microsoft";
    const p = run({ snapshot, deal, referral });
    expect(p.dataverse.account).toEqual({});
    expect(p.outcome).toBe("write"); // only the snapshot moves
    expect(snapshotFields(p.nextSnapshot).customerName).toEqual({ dynamics: "Contoso Ltd", partnerCenter: "Renamed by Microsoft" });
    const again = run({ snapshot: p.nextSnapshot, deal: applyPlanToDeal(deal, p), referral });
    expect(again.outcome).toBe("noChange");
  });
  it("asks for PUT when a value is cleared", () => {
    const { deal, referral, snapshot } = synced();
    deal.opportunity.cosell_notesformicrosoft = null;
    const p = run({ snapshot, deal, referral });
    expect(p.referralPatch).toEqual([{ op: "replace", path: "/details/notes", value: null }]);
    expect(p.needsPut).toBe(true);
  });
});

describe("validation before sending", () => {
  it("sends nothing and reports the problems when the deal is not valid", () => {
    const { deal, referral, snapshot } = synced();
    deal.opportunity.estimatedvalue = 10;
    deal.opportunity.cosell_solutionids = "";
    const p = run({ snapshot, deal, referral });
    expect(p.outcome).toBe("invalid");
    expect(p.referralPatch).toEqual([]);
    expect(p.syncStatus).toBe("Error");
    expect(p.problems.map((x) => x.code)).toEqual(["solutions.missing"]);
    expect(p.dataverse.opportunity[C.syncError]).toMatch(/Add at least one solution ID/);
    expect(p.nextSnapshot).toEqual(snapshot);
    expect(p.audit[0]).toMatchObject({ result: "validationFailed", level: "error" });
  });
  it("refuses to create a referral for an invalid deal", () => {
    const deal = validDeal();
    deal.opportunity.estimatedclosedate = "2025-01-01";
    const p = run({ deal, referral: null, trigger: "syncNow" });
    expect(p.outcome).toBe("invalid");
    expect(p.createReferral).toBeUndefined();
    expect(p.problems[0].code).toBe("closeDate.past");
  });
});

describe("outbound create", () => {
  it("creates a referral carrying the opportunity id", () => {
    const p = run({ deal: validDeal(), referral: null, trigger: "syncNow" });
    expect(p.outcome).toBe("write");
    expect(p.createReferral).toMatchObject({
      name: "Contoso cloud migration", externalReferenceId: "11111111-1111-1111-1111-111111111111",
      status: "New", substatus: "Pending", type: "Shared",
      details: { dealValue: 125000, currency: "EUR", closingDateTime: "2025-09-30T00:00:00Z", requirements: { solutions: [{ id: "SOL-15974-MQF", type: "Name" }, { id: "SOL-20001-ABC", type: "Name" }] } },
      customerProfile: { address: { country: "DE" }, size: "251to1000employees" },
      inviteContext: { assistanceRequestCode: "CustomerTechnicalArchitecture" },
    });
    expect(p.syncStatus).toBe("Synced");
    expect(p.audit[0]).toMatchObject({ direction: "toPartnerCenter", message: expect.stringContaining("Shared") });
  });
  it("lists in the audit what the new referral carries", () => {
    const p = run({ deal: validDeal(), referral: null, trigger: "syncNow" });
    const fields = Object.fromEntries(p.audit[0].fields.map((f) => [f.referralPath, f]));
    expect(fields.name).toMatchObject({ column: "opportunity.name", before: null, after: "Contoso cloud migration", side: "partnerCenter" });
    expect(fields["details.dealValue"]).toMatchObject({ after: 125000, side: "partnerCenter" });
    expect(p.audit[0].fields.every((f) => f.after !== null && f.after !== "")).toBe(true);
  });
  it("does nothing while Sync with Partner Center is off", () => {
    const deal = validDeal();
    deal.opportunity.cosell_syncwithpartnercenter = false;
    const p = run({ deal, referral: null });
    expect(p.createReferral).toBeUndefined();
    expect(p.syncStatus).toBe("NotSynced");
  });
  it("will not share a closed opportunity", () => {
    const deal = validDeal();
    deal.opportunity.statecode = OPPORTUNITY_STATE.Won;
    expect(run({ deal, referral: null }).outcome).toBe("rejected");
  });
});

describe("determinism", () => {
  it("gives the same plan for the same input", () => {
    const { deal, referral, snapshot } = synced();
    deal.opportunity.name = "Renamed";
    referral.details.notes = "changed";
    expect(run({ snapshot, deal, referral })).toEqual(run({ snapshot, deal, referral }));
  });
});
