/**
 * Two service instances behind one URL (a load balancer taking turns), sharing their state in one
 * Azure Table storage (Azurite, started on a free loopback port): a webhook Partner Center delivers
 * to both syncs once, the daily call count holds every call once, one reconcile runs per window, and
 * storage going down answers "deliver again" and loses nothing.
 */
import { createHarness } from "../../emulators/world";
import { tableBySet } from "../../emulators/dataverse/schema";
import { DEFAULT_BASE_URL as REFERRALS_URL } from "../../emulators/partner-center/emulator";
import type { DeliveryRecord } from "../../emulators/kit/dispatcher";
import { OPPORTUNITY_COLUMNS as C } from "../../sync/schema/dynamics";
import { startAzurite, type Azurite } from "../support/azurite";
import { watchingRequests } from "./helpers";

let azurite: Azurite;
let h: ReturnType<typeof createHarness>;

beforeAll(async () => {
  // Persisted: a storage outage keeps what the storage held, as Azure's does.
  azurite = await startAzurite({ persist: true });
  h = createHarness(18, { instances: 2, state: { connectionString: azurite.connectionString, tablePrefix: "cosellTest" } });
  h.server.listen({ onUnhandledRequest: "error" });
  await h.install();
}, 60_000);

afterEach(() => {
  h.pcEmu.dispatcher.faults = {};
});

afterAll(async () => {
  await Promise.all(h.services.map((s) => s.close()));
  h.server.close();
  await azurite.stop();
});

const rows = (set: string) => h.dvEmu.store.rows(tableBySet(set)!);
const eventsOf = (opportunityId: string) => rows("cosell_syncevents").filter((e) => e._cosell_opportunity_value === opportunityId);
/** Partner Center webhooks synced, by every instance. */
const webhookSyncs = async () => (await Promise.all(h.services.map((s) => s.health()))).reduce((n, r) => n + (r.counters.eventsByTrigger.partnerCenterWebhook ?? 0), 0);
const webhookDeliveries = (): DeliveryRecord[] => h.pcEmu.dispatcher.log.filter((d) => d.url.includes("/partner-center/webhook"));

let n = 0;
/** A referral from Microsoft, taken up by the service: the linked opportunity. */
async function linkedPair() {
  n++;
  const referral = h.pcEmu.seller.createIncoming({
    name: `Shared ${n}`, customerName: `Shared customer ${n}`, country: "US", postalCode: `981${10 + n}`,
    dealValue: 10_000, currency: "USD", closingDateTime: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    customerContact: { firstName: "Kim", lastName: `Buyer ${n}`, email: `kim${n}@shared${n}.example`, phoneNumber: "+1 425 555 0100" },
  });
  await h.settle();
  const [opportunity] = rows("opportunities").filter((r) => r[C.referralId] === referral.id);
  expect(opportunity).toBeDefined();
  return { referral, opportunityId: opportunity.opportunityid as string };
}

/** Partner Center calls while `run` runs (every instance's, by the Referrals API's URL). */
async function partnerCenterCalls(run: () => Promise<unknown>): Promise<number> {
  let calls = 0;
  const listener = ({ request }: { request: Request }) => {
    if (request.url.startsWith(REFERRALS_URL)) calls++;
  };
  await watchingRequests(h, { start: listener }, run);
  return calls;
}

test("the same webhook delivered to both instances makes one sync and one sync-event row, and its calls are counted once", async () => {
  const { referral, opportunityId } = await linkedPair();
  const eventsBefore = eventsOf(opportunityId).length;
  const syncsBefore = await webhookSyncs();
  // Every instance's calls so far in the shared count first (each flushes its own), then the count.
  await Promise.all(h.services.map((s) => s.callBudget()));
  const budgetBefore = await h.services[0].callBudget();

  // Partner Center delivers the one event twice at once; the load balancer hands one copy to each instance.
  h.pcEmu.dispatcher.faults = { duplicateRate: 1 };
  const deliveriesBefore = webhookDeliveries().length;
  let syncs = 0;
  // Every Partner Center call from here on, /health's own check included (the sandbox's fixed token is checked by using it).
  const calls = await partnerCenterCalls(async () => {
    h.pcEmu.seller.update(referral.id, { dealValue: 12_500 });
    await h.settle();
    syncs = (await webhookSyncs()) - syncsBefore;
  });

  const copies = webhookDeliveries().slice(deliveriesBefore);
  expect(copies).toHaveLength(2);
  expect(copies[0].body).toBe(copies[1].body);
  // Both answered 200 (one handled it, the other found it handled): Partner Center delivers neither again.
  expect(copies.map((d) => d.status)).toEqual([200, 200]);
  expect(syncs).toBe(1);
  expect(eventsOf(opportunityId)).toHaveLength(eventsBefore + 1);
  expect(rows("opportunities").find((r) => r.opportunityid === opportunityId)!.estimatedvalue).toBe(12_500);

  // The daily count both instances read is the calls that were made, once each.
  expect(calls).toBeGreaterThan(0);
  await Promise.all(h.services.map((s) => s.callBudget()));
  for (const budget of [await h.services[0].callBudget(), await h.services[1].callBudget()]) expect(budget!.total - budgetBefore!.total).toBe(calls);
});

test("two reconcile timers firing at once: one instance reconciles, the other skips, and the next tick runs", async () => {
  const passes = await Promise.all(h.services.map((s) => s.scheduledReconcile()));
  expect(passes.filter((p) => p.ran)).toHaveLength(1);
  const skipped = passes.find((p) => !p.ran);
  expect(skipped).toMatchObject({ ran: false, reason: "leaseHeld", message: expect.stringMatching(/another instance \(instance-\d\) is reconciling/) });
  // The lease is given back after the pass: the next window is reconciled.
  expect((await h.services[1].scheduledReconcile()).ran).toBe(true);
});

test("storage down: the webhook is answered 503 + Retry-After (deliver again), nothing is synced or lost, and it syncs once storage is back", async () => {
  const { referral, opportunityId } = await linkedPair();
  const eventsBefore = eventsOf(opportunityId).length;
  await azurite.stop();
  let down = true;
  try {
    const deliveriesBefore = webhookDeliveries().length;
    h.pcEmu.seller.update(referral.id, { dealValue: 33_000 });
    await h.settle();
    const [refused] = webhookDeliveries().slice(deliveriesBefore);
    expect(refused.status).toBe(503);
    // The opportunity waits for the redelivery, untouched, and no timeline row says otherwise.
    expect(rows("opportunities").find((r) => r.opportunityid === opportunityId)!.estimatedvalue).toBe(10_000);
    expect(eventsOf(opportunityId)).toHaveLength(eventsBefore);

    // Its answer, as Partner Center gets it, and the other paths: a timer skips, /health still answers.
    const answer = await h.services[0].fetch(new Request("https://cosell.example/api/partner-center/webhook", { method: "POST", headers: refused.headers, body: refused.body }));
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("30");
    expect(await answer.json()).toMatchObject({ error: { code: "STATE_UNAVAILABLE", message: expect.stringMatching(/shared state .*cannot be reached.*try again later/) } });
    expect(await h.services[1].scheduledReconcile()).toMatchObject({ ran: false, reason: "stateUnavailable" });
    const health = await h.services[0].health();
    expect(health.counters.errorsByCode).toMatchObject({ STATE_UNAVAILABLE: expect.any(Number) });

    // Partner Center delivers the event again once the storage is back: synced, once.
    await azurite.restart();
    down = false;
    const redelivered = await h.pcEmu.dispatcher.deliverNow(refused);
    expect(redelivered.status).toBe(200);
    expect(rows("opportunities").find((r) => r.opportunityid === opportunityId)!.estimatedvalue).toBe(33_000);
    expect(eventsOf(opportunityId)).toHaveLength(eventsBefore + 1);
    // A further redelivery (Partner Center's own retry of the 503) finds it handled.
    expect((await h.pcEmu.dispatcher.deliverNow(refused)).status).toBe(200);
    expect(eventsOf(opportunityId)).toHaveLength(eventsBefore + 1);
  } finally {
    if (down) await azurite.restart();
  }
});
