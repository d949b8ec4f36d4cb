/**
 * Reconcile at scale costs a few Dataverse requests, not a few per pair: deals come a page at a
 * time, the writes of all changed pairs share `$batch` requests (one change set per pair), and a
 * pair that went stale in the meantime is re-run alone without undoing the others. Backfill sees
 * opportunities nobody has switched to Sync = Yes.
 */
import { http } from "msw";
import { SEEDED } from "../../emulators/dataverse";
import { OPPORTUNITY_COLUMNS as C, SYNC_STATUS } from "../../sync/schema/dynamics";
import { installedHarness } from "../../emulators/world";
import { createOpportunity, serviceDataverseRequests } from "./helpers";

const h = installedHarness(31);

test("changed pairs share one $batch; a pair edited meanwhile is re-run alone; unchanged pairs cost nothing", async () => {
  const pairs: Array<{ opportunityId: string; referralId: string }> = [];
  for (let i = 0; i < 6; i++) {
    const opportunityId = await createOpportunity(h.dataverse, { name: `Batch pair ${i}`, value: 10_000 + i });
    await h.settle();
    pairs.push({ opportunityId, referralId: (await h.dataverse.getDeal(opportunityId)).deal.opportunity[C.referralId] as string });
  }
  await h.service.reconcile({ full: true });

  // Three sellers' edits the service never hears about.
  h.dvEmu.dispatcher.faults = { dropRate: 1 };
  const changed = pairs.slice(0, 3);
  for (const [i, p] of changed.entries()) {
    const { etag } = await h.dataverse.getDeal(p.opportunityId);
    await h.dataverse.updateOpportunity(p.opportunityId, { estimatedvalue: 70_000 + i }, etag);
  }
  // The seller saves pair 1 again just before the service's batch lands: its ETag goes stale.
  const stale = changed[1];
  let bumped = false;
  h.server.use(
    http.post(`${h.dvEmu.apiUrl}$batch`, async ({ request }) => {
      if (bumped || request.headers.get("authorization") !== `Bearer ${SEEDED.applicationUserId}`) return undefined;
      bumped = true;
      const res = await h.dvEmu.request("PATCH", `opportunities(${stale.opportunityId})`, { cosell_notesformicrosoft: "Saved again meanwhile" });
      expect(res.status).toBe(204);
      return undefined;
    }),
  );

  let result: Awaited<ReturnType<typeof h.service.reconcile>> | undefined;
  const requests = await serviceDataverseRequests(h, async () => (result = await h.service.reconcile({ full: true })));
  expect(bumped).toBe(true);
  expect(result).toMatchObject({ pairs: 6, written: 3, unchanged: 3, failed: 0 });
  // One batch for the three pairs, then the stale pair's own re-read and write.
  expect(requests.filter((r) => r === "POST $batch")).toHaveLength(2);
  expect(requests.filter((r) => r.startsWith("GET opportunities("))).toEqual([`GET opportunities(${stale.opportunityId})`]);
  for (const [i, p] of changed.entries()) {
    expect((await h.referrals.get(p.referralId)).referral.details.dealValue).toBe(70_000 + i);
    expect((await h.dataverse.getDeal(p.opportunityId)).deal.opportunity[C.syncStatus]).toBe(SYNC_STATUS.Synced);
  }
  const staleNow = (await h.dataverse.getDeal(stale.opportunityId)).deal.opportunity;
  expect(staleNow.cosell_notesformicrosoft).toBe("Saved again meanwhile");
  expect((await h.referrals.get(stale.referralId)).referral.details.notes).toBe("Saved again meanwhile");

  // Nothing changed since: reads only.
  const quiet = await serviceDataverseRequests(h, () => h.service.reconcile({ full: true }));
  expect(quiet.filter((r) => !r.startsWith("GET ") && !r.includes("cosell_settings"))).toEqual([]);
});

test("a referral changed only in Partner Center is paired with its opportunity by one In() query, not one lookup per referral", async () => {
  const ids: Array<{ opportunityId: string; referralId: string }> = [];
  for (let i = 0; i < 3; i++) {
    const opportunityId = await createOpportunity(h.dataverse, { name: `PC side ${i}` });
    await h.settle();
    ids.push({ opportunityId, referralId: (await h.dataverse.getDeal(opportunityId)).deal.opportunity[C.referralId] as string });
  }
  await h.service.reconcile({ full: true });
  const before = await h.service.reconcile();
  expect(before.failed).toBe(0);
  // The opportunities last changed an hour ago: outside the watermark's window, only Partner Center names them.
  const state = h.dvEmu.snapshot();
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  for (const p of ids) state.tables.opportunities[p.opportunityId].modifiedon = hourAgo;
  h.dvEmu.load(state);

  h.pcEmu.dispatcher.faults = { dropRate: 1 };
  for (const p of ids) h.pcEmu.seller.update(p.referralId, { dealValue: 33_000 });
  const seen: string[] = [];
  const listener = ({ request }: { request: Request }) => {
    if (request.url.startsWith(`${h.dvEmu.apiUrl}opportunities`) && request.method === "GET") seen.push(decodeURIComponent(request.url));
  };
  h.server.events.on("request:start", listener);
  const requests = await serviceDataverseRequests(h, () => h.service.reconcile());
  h.server.events.removeListener("request:start", listener);
  expect(requests.filter((r) => r.startsWith("GET opportunities(")).length).toBe(0);
  const byReferral = seen.filter((u) => u.includes("Microsoft.Dynamics.CRM.In(PropertyName='cosell_referralid'"));
  expect(byReferral).toHaveLength(1);
  for (const p of ids) expect(byReferral[0]).toContain(`'${p.referralId}'`);
  for (const p of ids) expect((await h.dataverse.getDeal(p.opportunityId)).deal.opportunity.estimatedvalue).toBe(33_000);
});

test("backfill links an opportunity that was never switched to Sync = Yes", async () => {
  h.dvEmu.dispatcher.faults = { dropRate: 1 };
  h.pcEmu.dispatcher.faults = { dropRate: 1 };
  const opportunityId = await createOpportunity(h.dataverse, { name: "Contoso pilot", customer: "Contoso Pharma", postalCode: "10001", sync: false });
  const referralId = h.pcEmu.seller.createIncoming({ name: "Contoso Pilot", customerName: "Contoso Pharma", country: "US", postalCode: "10001" }).id;
  await h.settle();
  h.dvEmu.dispatcher.faults = {};
  h.pcEmu.dispatcher.faults = {};

  const dry = await h.service.backfill();
  expect(dry.items.find((i) => i.referralId === referralId)).toMatchObject({ action: "link", opportunityId, matchedBy: "customerAndName" });
  await h.service.backfill({ apply: true });
  const opp = (await h.dataverse.getDeal(opportunityId)).deal.opportunity;
  expect([opp[C.referralId], opp[C.syncWithPartnerCenter]]).toEqual([referralId, true]);
});
