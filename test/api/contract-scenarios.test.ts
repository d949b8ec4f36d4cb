/**
 * End to end through both emulators, on what Microsoft's artifacts changed: a private deal (not
 * shared with Microsoft sellers), GUID solution ids both ways, Microsoft's CRM id coming in, and a
 * field Partner Center takes only in the create (the deal name) staying as the seller wrote it.
 */
import { SEEDED } from "../../emulators/dataverse";
import { REFERRAL_VISIBILITY, SYNC_STATUS } from "../../sync/schema/dynamics";
import { createHarness } from "../../emulators/world";
import { future, syncEvents } from "./helpers";

const h = createHarness(7);
beforeAll(async () => {
  h.server.listen({ onUnhandledRequest: "error" });
  await h.install();
});
afterAll(() => h.server.close());

const GUID_A = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const GUID_B = "9B2E6C1A-7D44-4F0E-A1C3-5E8F2D6B4A90";

async function opportunity(extra: Record<string, unknown>): Promise<string> {
  const accountId = await h.dataverse.createAccount({ name: "Wingtip Toys", address1_city: "Leeds", address1_postalcode: "LS1 4AP", address1_country: "GB" });
  return h.dataverse.createOpportunity({
    name: "Wingtip portal",
    estimatedvalue: 40_000,
    estimatedclosedate: future(45),
    "customerid_account@odata.bind": `/accounts(${accountId})`,
    "transactioncurrencyid@odata.bind": `/transactioncurrencies(${SEEDED.currencies.GBP})`,
    cosell_solutionids: "SOL-15974-MQF",
    cosell_syncwithpartnercenter: true,
    ...extra,
  });
}

test("a private deal: the referral is not shared with Microsoft sellers, and syncs like any other", async () => {
  const id = await opportunity({ cosell_referralvisibility: REFERRAL_VISIBILITY.Private });
  await h.settle();
  const { deal } = await h.dataverse.getDeal(id);
  expect([deal.opportunity.cosell_syncstatus, deal.opportunity.cosell_syncerror ?? null]).toEqual([SYNC_STATUS.Synced, null]);
  const { referral, eTag } = await h.referrals.get(deal.opportunity.cosell_referralid!);
  expect(referral.consent?.consentToShareReferralWithMicrosoftSellers).toBe(false);
  expect(referral.type).toBe("Independent");

  // Made visible later: the consent is patched (an allowed PATCH path), nothing else.
  const current = await h.dataverse.getDeal(id);
  await h.dataverse.updateOpportunity(id, { cosell_referralvisibility: REFERRAL_VISIBILITY.MicrosoftSellers }, current.etag);
  await h.settle();
  const after = await h.referrals.get(referral.id);
  expect(after.referral.consent?.consentToShareReferralWithMicrosoftSellers).toBe(true);
  expect(after.eTag).not.toBe(eTag);
});

test("a private deal that asks for Microsoft's help is refused with the fix, and nothing reaches Partner Center", async () => {
  const id = await opportunity({ cosell_referralvisibility: REFERRAL_VISIBILITY.Private, cosell_howcanmicrosofthelp: 731500005 });
  await h.settle();
  const { deal } = await h.dataverse.getDeal(id);
  expect(deal.opportunity.cosell_syncstatus).toBe(SYNC_STATUS.Error);
  expect(deal.opportunity.cosell_syncerror).toContain("A private referral cannot ask for Microsoft's help");
  expect(deal.opportunity.cosell_referralid ?? null).toBeNull();
});

test("GUID solution ids sync both ways with no validation error; a case-only difference is no change", async () => {
  const id = await opportunity({ cosell_solutionids: GUID_A });
  await h.settle();
  let { deal } = await h.dataverse.getDeal(id);
  expect([deal.opportunity.cosell_syncstatus, deal.opportunity.cosell_syncerror ?? null]).toEqual([SYNC_STATUS.Synced, null]);
  const referralId = deal.opportunity.cosell_referralid!;
  expect((await h.referrals.get(referralId)).referral.details.requirements?.solutions).toEqual([{ id: GUID_A, type: "Name" }]);

  // Microsoft's seller adds a GUID (upper case) and sends the first back in upper case too.
  h.pcEmu.seller.update(referralId, { solutionIds: [GUID_A.toUpperCase(), GUID_B] });
  await h.settle();
  ({ deal } = await h.dataverse.getDeal(id));
  expect(deal.opportunity.cosell_solutionids).toBe(`${GUID_A}; ${GUID_B.toLowerCase()}`);
  expect([deal.opportunity.cosell_syncstatus, deal.opportunity.cosell_syncerror ?? null]).toEqual([SYNC_STATUS.Synced, null]);

  // Sync now finds nothing to send: the ids match whatever their case.
  const before = (await h.referrals.get(referralId)).eTag;
  await h.dataverse.callBoundAction(id, "cosell_SyncOpportunity");
  await h.settle();
  expect((await h.referrals.get(referralId)).eTag).toBe(before);
  const names = (await syncEvents(h.dataverse, id)).map((e) => String(e.cosell_name));
  expect(names).toContainEqual(expect.stringContaining("nothing to send"));
  expect(names.filter((n) => /Updated 1 field from Partner Center/.test(n))).toHaveLength(1);
});

test("Microsoft's CRM id arrives in its read-only column; a rename after the share stays in Dynamics and says why", async () => {
  const id = await opportunity({});
  await h.settle();
  let { deal, etag } = await h.dataverse.getDeal(id);
  const referralId = deal.opportunity.cosell_referralid!;
  h.pcEmu.seller.update(referralId, { microsoftMsxId: "7-2XYZ0001" });
  await h.settle();
  ({ deal, etag } = await h.dataverse.getDeal(id));
  expect(deal.opportunity.cosell_microsoftcrmid).toBe("7-2XYZ0001");

  await h.dataverse.updateOpportunity(id, { name: "Wingtip portal (phase 2)" }, etag);
  await h.settle();
  ({ deal } = await h.dataverse.getDeal(id));
  expect(deal.opportunity.name).toBe("Wingtip portal (phase 2)");
  expect([deal.opportunity.cosell_syncstatus, deal.opportunity.cosell_syncerror ?? null]).toEqual([SYNC_STATUS.Synced, null]);
  // Partner Center's PATCH takes no /name: the referral keeps the name it was created with.
  expect((await h.referrals.get(referralId)).referral.name).toBe("Wingtip portal");
  const events = await syncEvents(h.dataverse, id);
  expect(events.map((e) => String(e.cosell_name))).toContainEqual(expect.stringContaining("Partner Center takes dealName only when the referral is created"));
});
