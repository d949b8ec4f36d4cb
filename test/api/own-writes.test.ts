/**
 * A seller saves the opportunity while the service is between its Partner Center write and its
 * Dataverse write-back. The write-back fails (412) and the pair is planned again: the value the
 * service just sent to Partner Center is its own echo, not a Partner Center edit, so the seller's
 * newer save must win and reach Partner Center, whatever the timestamps say.
 */
import { http, HttpResponse } from "msw";
import { installedHarness } from "../../emulators/world";
import { createOpportunity, future } from "./helpers";
import { SYNC_STATUS } from "../../sync/schema/dynamics";
import { baselineAfterOwnWrite } from "../../api/core/own-writes";
import { defaultMapping } from "../../sync/engine";
import { snapshotFields, snapshotWithFields } from "../../sync/engine/snapshot";
import { applyPatch, type JsonPatchOp } from "../../sync/engine/patch";
import type { Referral } from "../../sync/schema/referral";
import type { DynamicsDeal } from "../../sync/schema/dynamics";

const h = installedHarness(11);

const referralsUrl = "https://api.partner.microsoft.com/v1.0/engagements/referrals";

/** Runs `save` once, just before the service's first matching Partner Center write reaches the emulator. */
function sellerSavesDuringServiceWrite(method: "PATCH" | "POST", save: () => Promise<void>): { fired: () => boolean } {
  let fired = false;
  const handler = async ({ request }: { request: Request }) => {
    if (fired || request.method !== method) return undefined;
    fired = true;
    await save();
    return undefined; // fall through: the write itself goes to the emulator
  };
  h.server.use(method === "PATCH" ? http.patch(`${referralsUrl}/:id`, handler) : http.post(referralsUrl, handler));
  return { fired: () => fired };
}

async function sellerEdits(opportunityId: string, changes: Record<string, unknown>): Promise<void> {
  const res = await h.dvEmu.request("PATCH", `opportunities(${opportunityId})`, changes);
  if (res.status >= 300) throw new Error(`seller edit failed: ${res.status} ${JSON.stringify(res.body)}`);
}

test("notes saved while the service patches Partner Center are not overwritten by the service's echo", async () => {
  const id = await createOpportunity(h.dataverse, { name: "Northwind pilot" });
  await h.settle();
  const referralId = (await h.dataverse.getDeal(id)).deal.opportunity.cosell_referralid!;
  expect(referralId).toBeTruthy();

  const race = sellerSavesDuringServiceWrite("PATCH", () => sellerEdits(id, { cosell_notesformicrosoft: "Pilot notes v3" }));
  await sellerEdits(id, { cosell_notesformicrosoft: "Pilot notes v2" });
  await h.settle();
  expect(race.fired()).toBe(true);

  const { deal } = await h.dataverse.getDeal(id);
  const { referral } = await h.referrals.get(referralId);
  expect(deal.opportunity.cosell_notesformicrosoft).toBe("Pilot notes v3");
  expect(referral.details.notes).toBe("Pilot notes v3");
  expect(deal.opportunity.cosell_syncstatus).toBe(SYNC_STATUS.Synced);
});

test("a write that landed but whose answer was lost is still known as the service's own on the re-plan", async () => {
  const id = await createOpportunity(h.dataverse, { name: "Litware upgrade" });
  await h.settle();
  const referralId = (await h.dataverse.getDeal(id)).deal.opportunity.cosell_referralid!;
  let fired = false;
  h.server.use(
    http.patch(`${referralsUrl}/:id`, async ({ request }) => {
      if (fired) return undefined;
      fired = true;
      // The seller saves again; then the service's PATCH is applied, and its answer never arrives.
      await sellerEdits(id, { cosell_notesformicrosoft: "Upgrade notes v3" });
      const ops = (await request.json()) as JsonPatchOp[];
      h.pcEmu.state.replace(referralId, applyPatch(h.pcEmu.state.get(referralId), ops) as never);
      return HttpResponse.json({ error: { code: "serviceNotAvailable", message: "lost answer" } }, { status: 503 });
    }),
  );
  await sellerEdits(id, { cosell_notesformicrosoft: "Upgrade notes v2" });
  await h.settle();
  expect(fired).toBe(true);

  const { deal } = await h.dataverse.getDeal(id);
  const { referral } = await h.referrals.get(referralId);
  expect(deal.opportunity.cosell_notesformicrosoft).toBe("Upgrade notes v3");
  expect(referral.details.notes).toBe("Upgrade notes v3");
});

test("a close date saved while the service creates the referral is sent, not replaced by the create's copy", async () => {
  const first = future(45);
  const later = future(75);
  // Created with Sync = No, then switched on: the service shares it on that update.
  const id = await createOpportunity(h.dataverse, { name: "Tailspin rollout", sync: false });
  const race = sellerSavesDuringServiceWrite("POST", () => sellerEdits(id, { estimatedclosedate: later }));
  await sellerEdits(id, { estimatedclosedate: first, cosell_syncwithpartnercenter: true });
  await h.settle();
  expect(race.fired()).toBe(true);

  const { deal } = await h.dataverse.getDeal(id);
  expect(deal.opportunity.estimatedclosedate).toBe(later);
  const { referral } = await h.referrals.get(deal.opportunity.cosell_referralid!);
  expect(referral.details.closingDateTime?.slice(0, 10)).toBe(later);
});

test("a deal value Microsoft changes while the service links the referral it just created is kept, however new the seller's save", async () => {
  const id = await createOpportunity(h.dataverse, { name: "Proseware expansion", sync: false });
  // The referral is made; before its link reaches Dataverse the Microsoft seller changes the deal
  // value, then the Dynamics seller saves another field: the link's change set meets a newer row (412).
  let created = false;
  let fired = false;
  h.server.use(
    http.post(referralsUrl, () => {
      created = true;
      return undefined;
    }),
    http.post(/\/\$batch$/, async () => {
      if (!created || fired) return undefined;
      fired = true;
      const referral = [...h.pcEmu.state.referrals.values()].find((r) => r.externalReferenceId === id)!;
      h.pcEmu.seller.update(referral.id, { dealValue: 93_000 });
      // Dataverse stamps modifiedon to the second: the save lands in the next one, so it is the newer.
      await new Promise((resolve) => setTimeout(resolve, 1_010 - (Date.now() % 1_000)));
      await sellerEdits(id, { name: "Proseware expansion (phase 2)" });
      return undefined;
    }),
  );
  await sellerEdits(id, { cosell_syncwithpartnercenter: true });
  await h.settle();
  expect(fired).toBe(true);

  const { deal } = await h.dataverse.getDeal(id);
  const { referral } = await h.referrals.get(deal.opportunity.cosell_referralid!);
  // The deal value was Microsoft's only edit: it comes across, and nothing sends the old one back.
  expect(referral.details.dealValue).toBe(93_000);
  expect(deal.opportunity.estimatedvalue).toBe(93_000);
  expect(deal.opportunity.name).toBe("Proseware expansion (phase 2)");

});

describe("the baseline after our own write", () => {
  const mapping = defaultMapping();
  const before = {
    id: "r1", name: "Old name", status: "Active", substatus: "Accepted",
    details: { dealValue: 1000, currency: "USD", closingDateTime: "2030-01-01T00:00:00Z", notes: "n" },
  } as unknown as Referral;
  const used = snapshotWithFields(
    { referralId: "r1", status: "New", substatus: "Pending", state: 0 },
    { dealName: { dynamics: "Old name", partnerCenter: "Old name" }, dealValue: { dynamics: 900, partnerCenter: 1000 } },
  );
  const deal = {
    opportunity: { opportunityid: "o1", name: "Old name", estimatedvalue: 900, statecode: 0 },
    account: null, contact: null, currency: { isocurrencycode: "USD" },
  } as unknown as DynamicsDeal;

  test("moves only Partner Center's side of the fields we changed, and keeps the status", () => {
    const written = { ...before, name: "New name" } as Referral;
    const baseline = baselineAfterOwnWrite({ used, before, written, deal }, mapping, written);
    const fields = snapshotFields(baseline);
    expect(fields.dealName).toEqual({ dynamics: "Old name", partnerCenter: "New name" });
    // Not written by us: the old baseline, so a Partner Center change we meant to bring across still counts.
    expect(fields.dealValue).toEqual({ dynamics: 900, partnerCenter: 1000 });
    // A close Dataverse has not carried out yet still shows as a change.
    expect([baseline.status, baseline.substatus, baseline.state]).toEqual(["New", "Pending", 0]);
  });

  test("a write whose answer was lost counts as ours only where Partner Center holds what we sent", () => {
    const written = { ...before, name: "New name", details: { ...before.details, notes: "ours" } } as Referral;
    // The name landed; the notes were changed by someone else after it.
    const now = { ...written, details: { ...written.details, notes: "theirs" } } as Referral;
    const fields = snapshotFields(baselineAfterOwnWrite({ used, before, written, deal }, mapping, now));
    expect(fields.dealName).toEqual({ dynamics: "Old name", partnerCenter: "New name" });
    expect(fields.notesForMicrosoft).toBeUndefined();
    // Nothing landed: the baseline is the old one.
    const unchanged = snapshotFields(baselineAfterOwnWrite({ used, before, written, deal }, mapping, before));
    expect(unchanged.dealName).toEqual({ dynamics: "Old name", partnerCenter: "Old name" });
  });

  test("after a create, every value Partner Center holds is ours and Dynamics' side is what the create was sent from", () => {
    const written = { ...before, name: "Old name", details: { ...before.details, dealValue: 900 } } as Referral;
    // Microsoft changed the deal value before the link reached Dataverse: a change made in Partner Center.
    const now = { ...written, details: { ...written.details, dealValue: 93_000 } } as Referral;
    const baseline = baselineAfterOwnWrite({ used: null, before: null, written, deal }, mapping, now);
    const fields = snapshotFields(baseline);
    expect(fields.dealValue).toEqual({ dynamics: 900, partnerCenter: 900 });
    expect(fields.dealName).toEqual({ dynamics: "Old name", partnerCenter: "Old name" });
    expect([baseline.referralId, baseline.status, baseline.substatus, baseline.state]).toEqual(["r1", "Active", "Accepted", 0]);
  });
});
