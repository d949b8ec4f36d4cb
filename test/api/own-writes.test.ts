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

  test("moves only Partner Center's side of the fields we changed, and keeps the status", () => {
    const written = { ...before, name: "New name" } as Referral;
    const baseline = baselineAfterOwnWrite({ used, before, written }, mapping, written);
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
    const fields = snapshotFields(baselineAfterOwnWrite({ used, before, written }, mapping, now));
    expect(fields.dealName).toEqual({ dynamics: "Old name", partnerCenter: "New name" });
    expect(fields.notesForMicrosoft).toBeUndefined();
    // Nothing landed: the baseline is the old one.
    const unchanged = snapshotFields(baselineAfterOwnWrite({ used, before, written }, mapping, before));
    expect(unchanged.dealName).toEqual({ dynamics: "Old name", partnerCenter: "Old name" });
  });
});
