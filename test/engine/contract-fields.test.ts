/**
 * The engine on the fields Microsoft's artifacts changed (docs/contracts.md): create-only fields,
 * the country both ways, the visibility consent, GUID solution ids, Microsoft's CRM id.
 */
import { isPatchPath } from "../../sync/contracts/partner-center-referrals";
import { applyPatch, applyPlanToDeal, REFERRAL_VISIBILITY } from "../../sync/engine";
import { validateForPartnerCenter } from "../../sync/engine/validation-messages";
import { refuseSolutionId } from "../../controls/CoSellPanel/model/solutionIds";
import { matchingReferral, NOW, run, synced, validDeal } from "./fixtures";

test("every operation the engine plans for an edit names one of the referral PATCH paths", () => {
  const { deal, referral, snapshot } = synced(matchingReferral());
  const edited = { ...deal, opportunity: { ...deal.opportunity, estimatedvalue: 1, cosell_notesformicrosoft: "new", cosell_solutionids: "SOL-1-A" } };
  edited.contact = { ...edited.contact!, emailaddress1: "ada.l@contoso.example" };
  const p = run({ snapshot, deal: edited, referral });
  expect(p.referralPatch.map((op) => op.path).sort()).toEqual(["/customerProfile/team", "/details/dealValue", "/details/notes", "/details/requirements/solutions"]);
  expect(p.referralPatch.every((op) => isPatchPath(op.path))).toBe(true);
  expect(applyPatch(referral, p.referralPatch).customerProfile.team?.[0]).toMatchObject({ firstName: "Ada", email: "ada.l@contoso.example" });
});

test("a rename after the share stays in Dynamics: nothing sent, the seller's text kept, the timeline says why once", () => {
  const { deal, referral, snapshot } = synced(matchingReferral());
  const renamed = { ...deal, opportunity: { ...deal.opportunity, name: "Contoso cloud migration (EMEA)" } };
  const p = run({ snapshot, deal: renamed, referral });
  expect(p.referralPatch).toEqual([]);
  expect(p.dataverse.opportunity.name).toBeUndefined();
  expect(p.audit.map((a) => a.message)).toEqual(["Kept in Dynamics: Partner Center takes dealName only when the referral is created."]);
  const again = run({ snapshot: p.nextSnapshot, deal: applyPlanToDeal(renamed, p), referral });
  expect(again.audit).toEqual([]);
});

test("the country syncs both ways (Microsoft's connector maps address1_country to and from)", () => {
  const { deal, referral, snapshot } = synced(matchingReferral());
  const moved = matchingReferral({ updatedDateTime: "2025-06-10T00:00:00Z", customerProfile: { ...referral.customerProfile, address: { ...referral.customerProfile.address, country: "AT" } } });
  const p = run({ snapshot, deal, referral: moved });
  expect(p.dataverse.account).toEqual({ address1_country: "AT" });
});

test("a private deal is created with consentToShareReferralWithMicrosoftSellers false; a visible one true", () => {
  const deal = validDeal();
  deal.opportunity.cosell_howcanmicrosofthelp = null;
  const privateDeal = { ...deal, opportunity: { ...deal.opportunity, cosell_referralvisibility: REFERRAL_VISIBILITY.Private } };
  expect(run({ deal: privateDeal, referral: null }).createReferral?.consent?.consentToShareReferralWithMicrosoftSellers).toBe(false);
  expect(run({ deal, referral: null }).createReferral?.consent?.consentToShareReferralWithMicrosoftSellers).toBe(true);
});

test("a private deal that asks for Microsoft's help is a validation problem naming the visibility column", () => {
  const deal = validDeal();
  deal.opportunity.cosell_referralvisibility = REFERRAL_VISIBILITY.Private;
  expect(validateForPartnerCenter(deal, NOW, { isNew: true })).toContainEqual(expect.objectContaining({ code: "visibility.privateCoSell", column: "opportunity.cosell_referralvisibility" }));
});

test("GUID solution ids pass validation and the panel's chip input; a case-only difference plans nothing", () => {
  const guid = "3F2504E0-4F89-11D3-9A0C-0305E82C3301";
  const deal = validDeal();
  deal.opportunity.cosell_solutionids = ` ${guid.toLowerCase()} `;
  expect(validateForPartnerCenter(deal, NOW, { isNew: true })).toEqual([]);
  expect(refuseSolutionId(` ${guid} `, [])).toBeNull();
  expect(refuseSolutionId(guid, [guid.toLowerCase()])).toBe("duplicate");
  const referral = matchingReferral({ details: { ...matchingReferral().details, requirements: { solutions: [{ id: guid, type: "Name" }] } } });
  const { snapshot, deal: linked } = synced(referral);
  const p = run({ snapshot, deal: { ...linked, opportunity: { ...linked.opportunity, cosell_solutionids: guid.toLowerCase() } }, referral });
  expect(p.referralPatch).toEqual([]);
  expect(p.dataverse.opportunity.cosell_solutionids).toBeUndefined();
});

test("Microsoft's CRM id comes in, and never goes out", () => {
  const { deal, snapshot } = synced(matchingReferral());
  const tracked = matchingReferral({ updatedDateTime: "2025-06-10T00:00:00Z", trackingInfo: { microsoftMsxId: "7-1ABC" } });
  const p = run({ snapshot, deal, referral: tracked });
  expect(p.dataverse.opportunity.cosell_microsoftcrmid).toBe("7-1ABC");
  const after = applyPlanToDeal(deal, p);
  const edited = run({ snapshot: p.nextSnapshot, deal: { ...after, opportunity: { ...after.opportunity, cosell_microsoftcrmid: "typed" } }, referral: tracked });
  expect(edited.referralPatch).toEqual([]);
});
