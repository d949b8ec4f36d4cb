/**
 * A seller's save reaches Partner Center in two round trips (issue #18): the Update step's
 * post-image carries the opportunity, the stored snapshot and ETag stand in for the referral, so
 * the service PATCHes Partner Center (If-Match on the stored ETag) and writes one `$batch` (If-Match
 * on the image's row version), reading nothing. Whenever that basis is not true any more, a 412
 * sends it back to reading both sides: Microsoft's edits and the seller's newer saves survive.
 */
import { installedHarness } from "../../emulators/world";
import type { Delivery } from "../../emulators/kit/dispatcher";
import { OPPORTUNITY_COLUMNS as C } from "../../sync/schema/dynamics";
import { createOpportunity, future, watchingRequests } from "./helpers";

const h = installedHarness(41);
const PC = "https://api.partner.microsoft.com/";

interface Seen {
  method: string;
  url: string;
  ifMatch: string | null;
  status?: number;
  /** A $batch request's body. */
  body?: Promise<string>;
}

/** Every request the service makes to Dataverse and Partner Center while `run` runs, with its answer's status. */
async function requestsDuring(run: () => Promise<unknown>): Promise<Seen[]> {
  const byId = new Map<string, Seen>();
  const seen: Seen[] = [];
  const onStart = ({ request, requestId }: { request: Request; requestId: string }) => {
    if (!request.url.startsWith(PC) && !request.url.startsWith(h.dvEmu.apiUrl)) return;
    const s: Seen = { method: request.method, url: request.url, ifMatch: request.headers.get("if-match") };
    if (request.url.endsWith("$batch")) s.body = request.clone().text();
    byId.set(requestId, s);
    seen.push(s);
  };
  const onEnd = ({ response, requestId }: { response: Response; requestId: string }) => {
    const s = byId.get(requestId);
    if (s) s.status = response.status;
  };
  await watchingRequests(h, { start: onStart, end: onEnd }, run);
  return seen;
}

/** The step deliveries Dataverse makes for `saves`, held back (as if queued) so the test sends them when it chooses. */
async function heldSteps(saves: () => Promise<unknown>): Promise<Delivery[]> {
  const from = h.dvEmu.dispatcher.log.length;
  h.dvEmu.dispatcher.faults = { dropRate: 1 };
  try {
    await saves();
  } finally {
    h.dvEmu.dispatcher.faults = {};
  }
  return h.dvEmu.dispatcher.log.slice(from).filter((d) => d.outcome === "dropped" && d.headers["x-ms-dynamics-request-name"] === "Update");
}

/** Sends a held step delivery as Dataverse would, Partner Center's echo webhooks held back. */
async function deliver(step: Delivery): Promise<void> {
  h.pcEmu.dispatcher.faults = { dropRate: 1 };
  try {
    const res = await fetch(step.url, { method: "POST", headers: step.headers, body: step.body });
    expect(res.status).toBe(204);
  } finally {
    h.pcEmu.dispatcher.faults = {};
  }
}

const seller = (id: string, values: Record<string, unknown>) => h.dvEmu.request("PATCH", `opportunities(${id})`, values);

async function sharedDeal(name: string): Promise<{ id: string; referralId: string; stored: string }> {
  const id = await createOpportunity(h.dataverse, { name });
  await h.settle();
  const opportunity = (await h.dataverse.getDeal(id)).deal.opportunity;
  return { id, referralId: opportunity[C.referralId]!, stored: opportunity[C.referralETag]! };
}

const isBatch = (s: Seen) => s.method === "POST" && s.url.endsWith("$batch");

test("a save is synced with one Partner Center PATCH and one Dataverse $batch, nothing read", async () => {
  const { id, referralId, stored } = await sharedDeal("Northwind expansion");
  const [step] = await heldSteps(() => seller(id, { estimatedvalue: 64_000, [C.notesForMicrosoft]: "Expansion to two sites" }));
  const row = await h.dvEmu.request("GET", `opportunities(${id})?$select=opportunityid`);
  const rowETag = (row.body as Record<string, unknown>)["@odata.etag"];

  const seen = await requestsDuring(() => deliver(step));

  expect(seen.map((s) => `${s.method} ${s.url.startsWith(PC) ? "pc" : "dv"}`)).toEqual(["PATCH pc", "POST dv"]);
  expect(seen[0]).toMatchObject({ url: expect.stringContaining(referralId), ifMatch: stored, status: 200 });
  expect(isBatch(seen[1])).toBe(true);
  // The change set updates the opportunity under the row version the image carried, and records the sync event.
  const batch = await seen[1].body!;
  expect(batch).toContain(`If-Match: ${rowETag}`);
  expect(batch).toContain("cosell_syncevents");
  const { referral } = await h.referrals.get(referralId);
  expect(referral.details.dealValue).toBe(64_000);
  expect(referral.details.notes).toBe("Expansion to two sites");
  expect((await h.dataverse.getDeal(id)).deal.opportunity[C.referralETag]).toBe((await h.referrals.get(referralId)).eTag);
  // Nothing is left to send: a Sync now finds both sides alike.
  const again = await requestsDuring(() => h.dataverse.callBoundAction(id, "cosell_SyncOpportunity", {}));
  expect(again.filter((s) => s.method === "PATCH" && s.url.startsWith(PC))).toEqual([]);
});

test("Microsoft's edit since the last sync: the PATCH meets 412, both sides are read, both changes are kept", async () => {
  const { id, referralId, stored } = await sharedDeal("Litware rollout");
  // Microsoft moves the closing date; its webhook has not reached the service yet.
  const closing = `${future(120)}T00:00:00Z`;
  h.pcEmu.dispatcher.faults = { dropRate: 1 };
  h.pcEmu.seller.update(referralId, { closingDateTime: closing });
  h.pcEmu.dispatcher.faults = {};
  const [step] = await heldSteps(() => seller(id, { estimatedvalue: 71_500 }));

  const seen = await requestsDuring(() => deliver(step));

  const patches = seen.filter((s) => s.method === "PATCH" && s.url.startsWith(PC));
  expect(patches[0]).toMatchObject({ ifMatch: stored, status: 412 });
  // After the 412 the referral was read and the merge sent only the seller's change.
  expect(seen.some((s) => s.method === "GET" && s.url.includes(referralId))).toBe(true);
  expect(patches[patches.length - 1].status).toBe(200);
  const { referral } = await h.referrals.get(referralId);
  expect(referral.details.dealValue).toBe(71_500);
  expect(referral.details.closingDateTime?.slice(0, 10)).toBe(closing.slice(0, 10));
  const deal = (await h.dataverse.getDeal(id)).deal.opportunity;
  expect(deal.estimatedvalue).toBe(71_500);
  expect(deal.estimatedclosedate).toBe(closing.slice(0, 10));
});

test("a stale image (the row changed after it) never overwrites the newer save: alone, or in either order", async () => {
  for (const order of ["older only", "older first", "newer first"] as const) {
    const { id, referralId } = await sharedDeal(`Contoso pilot, ${order}`);
    const [older, newer] = await heldSteps(async () => {
      await seller(id, { estimatedvalue: 11_100 });
      await seller(id, { estimatedvalue: 22_200 });
    });
    expect(newer).toBeDefined();
    const seen = await requestsDuring(async () => {
      // "older only": the newer save's delivery is lost; the older image is all the service hears of it.
      for (const step of order === "older only" ? [older] : order === "older first" ? [older, newer] : [newer, older]) await deliver(step);
    });
    const { referral } = await h.referrals.get(referralId);
    expect(referral.details.dealValue).toBe(22_200);
    const deal = (await h.dataverse.getDeal(id)).deal.opportunity;
    expect(deal.estimatedvalue).toBe(22_200);
    // The stale image's write was refused by an ETag it carried (412 on one side or the other) and the row read again.
    expect(seen.some((s) => s.method === "GET" && s.url.startsWith(`${h.dvEmu.apiUrl}opportunities(${id})`))).toBe(true);
    // Both sides agree and nothing is left pending: the next check sends nothing.
    const check = await requestsDuring(() => h.dataverse.callBoundAction(id, "cosell_SyncOpportunity", {}));
    expect(check.filter((s) => s.method === "PATCH" && s.url.startsWith(PC))).toEqual([]);
  }
});

test("a new contact on the opportunity is read, and its details reach Partner Center", async () => {
  const { id, referralId } = await sharedDeal("Adventure Works upgrade");
  const contactId = await h.dataverse.createContact({ firstname: "Rosa", lastname: "Ortega", emailaddress1: "rosa.ortega@adventure-works.example", telephone1: "+44 113 496 0000" });
  const [step] = await heldSteps(() =>
    seller(id, { "parentcontactid@odata.bind": `/contacts(${contactId})`, [C.notesForMicrosoft]: "Rosa leads the upgrade" }),
  );

  const seen = await requestsDuring(() => deliver(step));

  // The last sync knew no contact: the deal is read, not taken as last synced.
  expect(seen.some((s) => s.method === "GET" && s.url.startsWith(`${h.dvEmu.apiUrl}opportunities(${id})`))).toBe(true);
  const { referral } = await h.referrals.get(referralId);
  expect(referral.customerProfile.team?.[0]).toMatchObject({ firstName: "Rosa", lastName: "Ortega", email: "rosa.ortega@adventure-works.example" });
  expect(referral.details.notes).toBe("Rosa leads the upgrade");
  // Synced with the new contact, the next save of the same deal is back to two round trips.
  const [next] = await heldSteps(() => seller(id, { estimatedvalue: 58_000 }));
  const fast = await requestsDuring(() => deliver(next));
  expect(fast.map((s) => s.method)).toEqual(["PATCH", "POST"]);
  expect((await h.referrals.get(referralId)).referral.customerProfile.team?.[0]?.email).toBe("rosa.ortega@adventure-works.example");
});

test("Partner Center throttling the PATCH loses nothing: the failure is recorded and the save goes with the next sync", async () => {
  const { id, referralId } = await sharedDeal("Tailspin renewal");
  const [step] = await heldSteps(() => seller(id, { estimatedvalue: 33_300 }));
  h.pcEmu.faults.set([{ method: "PATCH", path: /referrals\//, throttleRate: 1, retryAfterSeconds: 0 }]);
  try {
    await deliver(step);
  } finally {
    h.pcEmu.faults.clear();
  }
  expect((await h.referrals.get(referralId)).referral.details.dealValue).not.toBe(33_300);
  await h.dataverse.callBoundAction(id, "cosell_SyncOpportunity", {});
  expect((await h.referrals.get(referralId)).referral.details.dealValue).toBe(33_300);
});

test("a deal made from Microsoft's referral and accepted: the seller's first save is two round trips too", async () => {
  const referral = h.pcEmu.seller.createIncoming({
    name: "Fabrikam from Microsoft", customerName: "Fabrikam Two Trips", country: "US", postalCode: "98004", dealValue: 15_000, currency: "USD",
    closingDateTime: `${future(60)}T00:00:00Z`, solutionIds: ["SOL-15974-MQF"], customerContact: { firstName: "Lee", lastName: "Park", email: "lee@fabrikam-two.example", phoneNumber: "+1 425 555 0101" },
  });
  await h.settle();
  const opportunity = await h.dataverse.findOpportunityByReferralId(referral.id);
  expect(opportunity).toBeTruthy();
  await h.dataverse.callBoundAction(opportunity!.opportunityid, "cosell_RespondToReferral", { Decision: "accept" });
  await h.settle();
  const [step] = await heldSteps(() => seller(opportunity!.opportunityid, { estimatedvalue: 18_000 }));

  const seen = await requestsDuring(() => deliver(step));

  expect(seen.map((s) => `${s.method} ${s.url.startsWith(PC) ? "pc" : "dv"}`)).toEqual(["PATCH pc", "POST dv"]);
  expect((await h.referrals.get(referral.id)).referral.details.dealValue).toBe(18_000);
});

test("choosing another contact, and nothing else, fires the step and sends that contact's details", async () => {
  const { id, referralId } = await sharedDeal("Proseware pilot");
  const contactId = await h.dataverse.createContact({ firstname: "Ines", lastname: "Duarte", emailaddress1: "ines.duarte@proseware.example", telephone1: "+351 21 000 0000" });
  const steps = await heldSteps(() => seller(id, { "parentcontactid@odata.bind": `/contacts(${contactId})` }));
  expect(steps).toHaveLength(1);
  await deliver(steps[0]);
  expect((await h.referrals.get(referralId)).referral.customerProfile.team?.[0]).toMatchObject({ firstName: "Ines", email: "ines.duarte@proseware.example" });
});
