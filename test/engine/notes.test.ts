/**
 * Microsoft's notes never overwrite what the seller wrote: the referral's one notes field is split
 * into the seller's "Notes for Microsoft" (sent) and a read-only "Notes from Microsoft" (filled),
 * and the opportunity's Description is never written by the default mapping.
 */
import { applyPlanToDeal, defaultMappingDocument, loadMapping, MappingError } from "../../sync/engine";
import { matchingReferral, run, synced } from "./fixtures";

const withNotes = (referral: ReturnType<typeof matchingReferral>, notes: string | null, at = "2025-06-10T00:00:00Z") =>
  ({ ...referral, details: { ...referral.details, notes }, updatedDateTime: at });

test("a note the Microsoft seller writes lands in Notes from Microsoft; Description and the seller's notes stay", () => {
  const { deal, referral, snapshot } = synced(matchingReferral());
  const p = run({ deal, referral: withNotes(referral, "Customer wants a workshop in May"), snapshot, trigger: "partnerCenterWebhook" });
  expect(p.dataverse.opportunity).toMatchObject({ cosell_notesfrommicrosoft: "Customer wants a workshop in May" });
  expect(p.dataverse.opportunity.description).toBeUndefined();
  expect(p.dataverse.opportunity.cosell_notesformicrosoft).toBeUndefined();
  expect(p.referralPatch).toEqual([]);
});

test("the seller's Notes for Microsoft go out, and coming back they are not taken for Microsoft's", () => {
  const { deal, referral, snapshot } = synced(matchingReferral());
  deal.opportunity.cosell_notesformicrosoft = "Pilot signed";
  const sent = run({ deal, referral, snapshot, trigger: "dataverseChange" });
  expect(sent.referralPatch).toEqual([{ op: "replace", path: "/details/notes", value: "Pilot signed" }]);
  // Partner Center now holds our text; the webhook about our own write changes nothing.
  const echoed = run({ deal: applyPlanToDeal(deal, sent), referral: withNotes(referral, "Pilot signed"), snapshot: sent.nextSnapshot, trigger: "partnerCenterWebhook" });
  expect(echoed.dataverse.opportunity.cosell_notesfrommicrosoft).toBeUndefined();
  expect(echoed.referralPatch).toEqual([]);
});

test("our text coming back after the seller wrote again is still ours, not Microsoft's (the fault run's case)", () => {
  const { deal, referral, snapshot } = synced(matchingReferral());
  deal.opportunity.cosell_notesformicrosoft = "Pilot signed";
  const sent = run({ deal, referral, snapshot, trigger: "dataverseChange" });
  expect(sent.referralPatch).toEqual([{ op: "replace", path: "/details/notes", value: "Pilot signed" }]);
  // The seller writes again before the webhook about our first write arrives.
  const edited = applyPlanToDeal(deal, sent);
  edited.opportunity.cosell_notesformicrosoft = "Pilot signed, rollout in June";
  const late = run({ deal: edited, referral: withNotes(referral, "Pilot signed"), snapshot: sent.nextSnapshot, trigger: "partnerCenterWebhook" });
  expect(late.dataverse.opportunity.cosell_notesfrommicrosoft).toBeUndefined();
  expect(late.referralPatch).toEqual([{ op: "replace", path: "/details/notes", value: "Pilot signed, rollout in June" }]);
});

test("both write at once: the seller's text is sent, Microsoft's is kept in its own column", () => {
  const { deal, referral, snapshot } = synced(matchingReferral());
  deal.opportunity.cosell_notesformicrosoft = "Seller: pilot signed";
  const p = run({ deal, referral: withNotes(referral, "Microsoft: budget moved to Q3"), snapshot, trigger: "reconcile" });
  expect(p.referralPatch).toEqual([{ op: "replace", path: "/details/notes", value: "Seller: pilot signed" }]);
  expect(p.dataverse.opportunity.cosell_notesfrommicrosoft).toBe("Microsoft: budget moved to Q3");
  expect(p.dataverse.opportunity.description).toBeUndefined();
});

describe("the mapping checker", () => {
  const doc = () => defaultMappingDocument() as { fields: Array<Record<string, unknown>> };

  test("a third field on a split referral field is refused", () => {
    const d = doc();
    d.fields.push({ name: "notesAgain", column: "opportunity.description", referralPath: "details.notes", direction: "both", transform: "text", policy: "dynamicsWins" });
    expect(() => loadMapping(d)).toThrow(MappingError);
    expect(() => loadMapping(d)).toThrow(/\$\.fields\[\d+\]\.referralPath: "details\.notes" is already mapped by field \d+; one referral field takes one field, or two that split it/);
  });

  test("free text written from both sides where Partner Center can win is loaded with a warning naming the fix", () => {
    const d = doc();
    d.fields = d.fields.filter((f) => f.referralPath !== "details.notes");
    d.fields.push({ name: "notes", column: "opportunity.description", referralPath: "details.notes", direction: "both", transform: "text", policy: "newestWins" });
    const m = loadMapping(d);
    expect(m.warnings).toEqual([{
      path: `$.fields[${d.fields.length - 1}].policy`,
      message: expect.stringMatching(/^opportunity\.description is free text written from both sides, and with "newestWins" Partner Center's text can replace what the seller wrote\. Use "dynamicsWins", or split it/),
    }]);
    d.fields[d.fields.length - 1].policy = "dynamicsWins";
    expect(loadMapping(d).warnings).toEqual([]);
  });
});
