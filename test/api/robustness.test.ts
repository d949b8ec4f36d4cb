/**
 * What goes wrong in real life, end to end through both emulators: webhooks duplicated, reordered
 * or lost; a concurrent edit between the service's read and write (412); a crash between the
 * referral create and the Dataverse write-back; Dataverse replaying a Custom API call; reconcile
 * on pairs that did not change; closing through the Win/Lose messages.
 */
import { http, HttpResponse } from "msw";
import { SEEDED } from "../../emulators/dataverse";
import { OPPORTUNITY_COLUMNS as C, SETTING_NAMES, SYNC_EVENT_COLUMNS as EV, closeReasonValue, SYNC_STATUS, syncResultValue } from "../../sync/schema/dynamics";
import { wireValue } from "../../sync/dataverse/remote-execution-context";
import { installedHarness } from "../../emulators/world";
import { tableBySet } from "../../emulators/dataverse/schema";
import { REFERRALS_BASE_URL } from "../../sync/contracts/partner-center-referrals";
import { collect, context, createOpportunity, future, postContext, serviceDataverseRequests, syncEvents } from "./helpers";

const h = installedHarness(11);

const apiUrl = () => h.dvEmu.apiUrl;
const success = syncResultValue("success");

/** A synced pair made through the Create step: opportunity id and referral id. */
async function syncedPair(name: string): Promise<{ opportunityId: string; referralId: string }> {
  const opportunityId = await createOpportunity(h.dataverse, { name });
  await h.settle();
  const { deal } = await h.dataverse.getDeal(opportunityId);
  expect(deal.opportunity[C.syncStatus]).toBe(SYNC_STATUS.Synced);
  return { opportunityId, referralId: deal.opportunity[C.referralId] as string };
}

/** An incoming referral the service has already turned into an opportunity. */
async function incomingPair(name: string, postalCode = "10001"): Promise<{ opportunityId: string; referralId: string }> {
  const r = h.pcEmu.seller.createIncoming({ name, customerName: `${name} Inc`, country: "US", postalCode, dealValue: 10_000, currency: "USD", closingDateTime: `${future(45)}T00:00:00Z`, solutionIds: ["SOL-15974-MQF"] });
  await h.settle();
  const opp = await h.dataverse.findOpportunityByReferralId(r.id);
  expect(opp).not.toBeNull();
  return { opportunityId: opp!.opportunityid, referralId: r.id };
}

const dataverseRequestsDuring = (run: () => Promise<unknown>) => serviceDataverseRequests(h, run);
const writesIn = (requests: string[]) => requests.filter((r) => !r.startsWith("GET ") && !r.includes("cosell_settings"));

describe("Partner Center webhooks", () => {
  test("a duplicated webhook changes the opportunity once and writes one sync event", async () => {
    const { opportunityId, referralId } = await incomingPair("Dup webhook");
    const before = (await syncEvents(h.dataverse, opportunityId)).length;
    h.pcEmu.dispatcher.faults = { duplicateRate: 1 };
    const sentBefore = h.pcEmu.dispatcher.log.length;
    h.pcEmu.seller.update(referralId, { dealValue: 21_000 });
    await h.settle();
    const deliveries = h.pcEmu.dispatcher.log.slice(sentBefore).filter((d) => d.outcome === "delivered");
    expect(deliveries.length).toBe(2);
    const { deal } = await h.dataverse.getDeal(opportunityId);
    expect(deal.opportunity.estimatedvalue).toBe(21_000);
    const events = await syncEvents(h.dataverse, opportunityId);
    expect(events.length - before).toBe(1);
  });

  test("Partner Center busy on the first read: the webhook is answered 503 with Retry-After, and a redelivery syncs", async () => {
    const busy = http.get(`${REFERRALS_BASE_URL}/:id`, () => HttpResponse.json({ code: "ServiceUnavailable", message: "busy" }, { status: 503 }));
    h.server.use(busy);
    const sentBefore = h.pcEmu.dispatcher.log.length;
    const r = h.pcEmu.seller.createIncoming({ name: "Busy read", customerName: "Busy read Inc", country: "US", postalCode: "10001", dealValue: 10_000, currency: "USD", closingDateTime: `${future(45)}T00:00:00Z`, solutionIds: ["SOL-15974-MQF"] });
    await h.settle();
    const [delivery] = h.pcEmu.dispatcher.log.slice(sentBefore);
    expect(delivery).toMatchObject({ status: 503, outcome: "failed" });
    // Partner Center delivers it again, as it would: still busy, then back.
    const again = () => fetch(delivery.url, { method: "POST", headers: delivery.headers, body: delivery.body });
    const refused = await again();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.json()).toMatchObject({ error: { code: "PC_TRANSIENT" } });
    expect(await h.dataverse.findOpportunityByReferralId(r.id)).toBeNull();
    h.server.resetHandlers();
    expect((await again()).status).toBe(200);
    expect(await h.dataverse.findOpportunityByReferralId(r.id)).not.toBeNull();
  });

  test("Partner Center busy until the first delivery has failed: Partner Center's own redelivery syncs the referral, into one opportunity", async () => {
    const sentBefore = h.pcEmu.dispatcher.log.length;
    const failedYet = () => h.pcEmu.dispatcher.log.slice(sentBefore).some((d) => d.outcome === "failed");
    // Busy for every read of the first delivery (the client's own retries included); then the emulator answers.
    h.server.use(http.get(`${REFERRALS_BASE_URL}/:id`, () => (failedYet() ? undefined : HttpResponse.json({ code: "ServiceUnavailable", message: "busy" }, { status: 503 }))));
    const r = h.pcEmu.seller.createIncoming({ name: "Busy then back", customerName: "Busy then back Inc", country: "US", postalCode: "10001", dealValue: 10_000, currency: "USD", closingDateTime: `${future(45)}T00:00:00Z`, solutionIds: ["SOL-15974-MQF"] });
    await h.settle();
    h.server.resetHandlers();
    const attempts = h.pcEmu.dispatcher.log.slice(sentBefore).filter((d) => d.body.includes(r.id));
    expect(attempts.map((d) => [d.attempt, d.status])).toEqual([[1, 503], [2, 200]]);
    const opp = await h.dataverse.findOpportunityByReferralId(r.id);
    expect(opp).not.toBeNull();
    expect((await syncEvents(h.dataverse, opp!.opportunityid)).length).toBe(1);
  });

  test("reordered webhooks leave the latest value, with one write", async () => {
    const { opportunityId, referralId } = await incomingPair("Reordered webhook");
    const before = (await syncEvents(h.dataverse, opportunityId)).length;
    h.pcEmu.dispatcher.faults = { reorderRate: 1 };
    h.pcEmu.seller.update(referralId, { dealValue: 30_000 });
    h.pcEmu.seller.update(referralId, { dealValue: 31_000 });
    await h.settle();
    const { deal } = await h.dataverse.getDeal(opportunityId);
    expect(deal.opportunity.estimatedvalue).toBe(31_000);
    const events = await syncEvents(h.dataverse, opportunityId);
    expect(events.filter((e) => e[EV.result] === success).length).toBeGreaterThanOrEqual(1);
    // Both deliveries read the referral as it is now: the second one finds nothing to do.
    expect(events.length - before).toBe(1);
  });

  test("a dropped webhook is caught by reconcile", async () => {
    const { opportunityId, referralId } = await incomingPair("Dropped webhook");
    h.pcEmu.dispatcher.faults = { dropRate: 1 };
    h.pcEmu.seller.update(referralId, { dealValue: 44_000, notes: "Customer wants a pilot first" });
    await h.settle();
    expect(h.pcEmu.dispatcher.log.at(-1)?.outcome).toBe("dropped");
    expect((await h.dataverse.getDeal(opportunityId)).deal.opportunity.estimatedvalue).toBe(10_000);

    const result = await h.service.reconcile();
    expect(result.failed).toBe(0);
    const { deal } = await h.dataverse.getDeal(opportunityId);
    expect(deal.opportunity.estimatedvalue).toBe(44_000);
    expect(deal.opportunity.cosell_notesfrommicrosoft).toBe("Customer wants a pilot first");
  });
});

describe("concurrency and crashes", () => {
  test("a seller's edit between the service's read and write (412) converges: both changes survive", async () => {
    const { opportunityId, referralId } = await incomingPair("Concurrent edit");
    await h.dataverse.callBoundAction(opportunityId, "cosell_RespondToReferral", { Decision: "accept" });
    await h.settle();
    let bumped = false;
    // The first write the service sends for this opportunity: the seller saves the form just before it lands.
    const bump = async ({ request }: { request: Request }) => {
      if (bumped || request.headers.get("authorization") !== `Bearer ${SEEDED.applicationUserId}`) return undefined;
      const body = await request.clone().text();
      if (!body.includes(opportunityId) && !request.url.includes(opportunityId)) return undefined;
      bumped = true;
      const res = await h.dvEmu.request("PATCH", `opportunities(${opportunityId})`, { cosell_notesformicrosoft: "Edited by the seller meanwhile" });
      expect(res.status).toBe(204);
      return undefined;
    };
    h.server.use(http.post(`${apiUrl()}$batch`, bump), http.patch(`${apiUrl()}opportunities(:id)`, bump));
    h.pcEmu.seller.update(referralId, { dealValue: 77_000 });
    await h.settle();
    expect(bumped).toBe(true);

    const { deal } = await h.dataverse.getDeal(opportunityId);
    expect(deal.opportunity.estimatedvalue).toBe(77_000);
    expect(deal.opportunity.cosell_notesformicrosoft).toBe("Edited by the seller meanwhile");
    expect(deal.opportunity[C.syncStatus]).toBe(SYNC_STATUS.Synced);
    const { referral } = await h.referrals.get(referralId);
    expect(referral.details.notes).toBe("Edited by the seller meanwhile");
    expect(referral.details.dealValue).toBe(77_000);
  });

  test("a crash between the referral create and the write-back makes no duplicate on rerun", async () => {
    // Partner Center's own referral-created webhook would repair the link; drop it to test the rerun alone.
    h.pcEmu.dispatcher.faults = { dropRate: 1 };
    let failed = false;
    h.server.use(
      http.post(`${apiUrl()}$batch`, () => {
        if (failed) return undefined;
        failed = true;
        return HttpResponse.error();
      }),
    );
    const opportunityId = await createOpportunity(h.dataverse, { name: "Crash after create" });
    await h.settle();
    expect(failed).toBe(true);
    const mine = () => collect(h.referrals.listAll({ filter: `externalReferenceId eq '${opportunityId}'` }));
    expect(await mine()).toHaveLength(1);
    let { deal } = await h.dataverse.getDeal(opportunityId);
    expect(deal.opportunity[C.referralId] ?? null).toBeNull();

    await h.dataverse.callBoundAction(opportunityId, "cosell_SyncOpportunity");
    await h.settle();
    const referrals = await mine();
    expect(referrals).toHaveLength(1);
    ({ deal } = await h.dataverse.getDeal(opportunityId));
    expect(deal.opportunity[C.referralId]).toBe(referrals[0].id);
    expect(deal.opportunity[C.syncStatus]).toBe(SYNC_STATUS.Synced);
  });
});

describe("Dataverse endpoint", () => {
  test("a replayed Custom API call (same OperationId) is handled once", async () => {
    const { opportunityId } = await syncedPair("Replayed sync now");
    const operationId = crypto.randomUUID();
    const body = context("cosell_SyncOpportunity", opportunityId, { operationId });
    const first = await postContext(body);
    const second = await postContext(body);
    expect([first.status, second.status]).toEqual([204, 204]);
    const events = (await syncEvents(h.dataverse, opportunityId)).filter((e) => e[EV.operationId] === operationId);
    expect(events).toHaveLength(1);
  });

  test("two saves of a new co-sell deal handled at once make one referral and one sync event", async () => {
    const opportunityId = await createOpportunity(h.dataverse, { name: "Saved twice", sync: false });
    await h.settle();
    // The seller turned sync on; both saves' Update steps reach the service together.
    h.dvEmu.store.update(tableBySet("opportunities")!, opportunityId, { [C.syncWithPartnerCenter]: true });
    const saves = await Promise.all([1, 2].map(() => postContext(context("Update", opportunityId))));
    expect(saves.map((r) => r.status)).toEqual([204, 204]);
    const mine = await collect(h.referrals.listAll({ filter: `externalReferenceId eq '${opportunityId}'` }));
    expect(mine).toHaveLength(1);
    const shared = (await syncEvents(h.dataverse, opportunityId)).filter((e) => e[EV.result] === success);
    expect(shared).toHaveLength(1);
  });

  test("Sync now clicked three times while it runs makes one sync and one timeline row", async () => {
    const opportunityId = await createOpportunity(h.dataverse, { name: "Clicked thrice", sync: false });
    await h.settle();
    await h.dataverse.updateOpportunity(opportunityId, { [C.syncWithPartnerCenter]: true }, "*");
    await h.settle();
    const before = (await syncEvents(h.dataverse, opportunityId)).length;
    const clicks = await Promise.all([1, 2, 3].map(() => postContext(context("cosell_SyncOpportunity", opportunityId))));
    expect(clicks.map((r) => r.status)).toEqual([204, 204, 204]);
    const events = await syncEvents(h.dataverse, opportunityId);
    expect(events.length - before).toBe(1);
    const mine = await collect(h.referrals.listAll({ filter: `externalReferenceId eq '${opportunityId}'` }));
    expect(mine).toHaveLength(1);
  });

  test.each(["Win", "Lose"] as const)("closing with %s reaches Partner Center without Sync now", async (message) => {
    const { opportunityId, referralId } = await syncedPair(`Closed by ${message}`);
    if (message === "Lose") {
      // Partner Center needs a reason to close a referral as lost; the seller picks one on the form.
      const { etag } = await h.dataverse.getDeal(opportunityId);
      await h.dataverse.updateOpportunity(opportunityId, { [C.closeReason]: closeReasonValue(2) }, etag);
    }
    // The opportunity is closed as WinOpportunity/LoseOpportunity would; then Dataverse posts the message.
    const close = message === "Win" ? h.dataverse.winOpportunity(opportunityId, { statuscode: 3 }) : h.dataverse.loseOpportunity(opportunityId, { statuscode: 5 });
    await close;
    await h.settle();
    const res = await postContext(
      context(message, opportunityId, {
        primaryEntityId: "00000000-0000-0000-0000-000000000000",
        input: {
          OpportunityClose: wireValue.entity({
            Id: crypto.randomUUID(),
            LogicalName: "opportunityclose",
            Attributes: { opportunityid: wireValue.entityReference({ Id: opportunityId, LogicalName: "opportunity" }), subject: message },
          }),
          Status: wireValue.optionSet(message === "Win" ? 3 : 5),
        },
      }),
    );
    expect(res.status).toBe(204);
    const { referral } = await h.referrals.get(referralId);
    expect([referral.status, referral.substatus]).toEqual(["Closed", message === "Win" ? "Won" : "Lost"]);
  });

  test("a decline with a 500 KB reason is refused with the list of reasons, quoted short, and recorded", async () => {
    const { opportunityId } = await incomingPair("Huge reason", "10002");
    const res = await postContext(context("cosell_RespondToReferral", opportunityId, { input: { Target: wireValue.entityReference({ Id: opportunityId, LogicalName: "opportunity" }), Decision: "decline", Reason: "x".repeat(500_000) } }));
    expect(res.status).toBe(204); // recorded on the opportunity: Dataverse shows no error, the panel shows the fix
    const { deal } = await h.dataverse.getDeal(opportunityId);
    const error = deal.opportunity[C.syncError] as string;
    expect(error).toMatch(/^Declining needs a reason: one of 1 \(.*; "x{79}…" is not one of them\.$/);
    const event = (await syncEvents(h.dataverse, opportunityId)).find((e) => e[EV.errorCode] === "INVALID_REQUEST");
    expect(event?.[EV.errorMessage]).toBe(error);
    expect(error.length).toBeLessThan(1_000);
  });

  test("a Win message naming no opportunity is refused with a reason", async () => {
    const res = await postContext(
      context("Win", "00000000-0000-0000-0000-000000000000", { input: { Status: wireValue.optionSet(3) } }),
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/OpportunityClose\.opportunityid/);
  });
});

describe("reconcile", () => {
  test("unchanged pairs cost no writes; the watermark stops before a pair that failed and moves on once it is done", async () => {
    const a = await syncedPair("Reconcile A");
    const b = await incomingPair("Reconcile B");
    await h.service.reconcile({ full: true });

    const quiet = await dataverseRequestsDuring(() => h.service.reconcile({ full: true }));
    expect(quiet.length).toBeGreaterThan(0);
    expect(writesIn(quiet)).toEqual([]);
    const watermarkBefore = await h.dataverse.getSetting(SETTING_NAMES.reconcileWatermark);

    // Changes the webhooks never deliver; Partner Center refuses to take A's for now.
    h.dvEmu.dispatcher.faults = { dropRate: 1 };
    h.pcEmu.dispatcher.faults = { dropRate: 1 };
    const { etag } = await h.dataverse.getDeal(a.opportunityId);
    await h.dataverse.updateOpportunity(a.opportunityId, { estimatedvalue: 61_000 }, etag);
    h.pcEmu.seller.update(b.referralId, { dealValue: 12_345 });
    const changedA = (await h.dataverse.getDeal(a.opportunityId)).deal.opportunity.modifiedon as string;
    h.server.use(
      http.patch(`https://api.partner.microsoft.com/v1.0/engagements/referrals/${a.referralId}`, () =>
        HttpResponse.json({ error: { code: "serviceNotAvailable", message: "down" } }, { status: 503, headers: { "Retry-After": "0" } }),
      ),
    );
    const failed = await h.service.reconcile();
    expect(failed.failed).toBe(1);
    expect(failed.failures[0].opportunityId).toBe(a.opportunityId);
    expect((await h.dataverse.getDeal(b.opportunityId)).deal.opportunity.estimatedvalue).toBe(12_345);
    // modifiedon has whole seconds, so A's change may sort before the last watermark: it must simply not move.
    expect(await h.dataverse.getSetting(SETTING_NAMES.reconcileWatermark)).toBe(watermarkBefore);

    h.server.resetHandlers();
    const retried = await h.service.reconcile();
    expect(retried.failed).toBe(0);
    expect((await h.referrals.get(a.referralId)).referral.details.dealValue).toBe(61_000);
    const after = new Date((await h.dataverse.getSetting(SETTING_NAMES.reconcileWatermark))!);
    expect(after.getTime()).toBeGreaterThan(new Date(changedA).getTime());
  });
});
