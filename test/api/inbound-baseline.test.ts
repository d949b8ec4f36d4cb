/**
 * An opportunity the service creates from an incoming referral carries its baseline from the
 * first moment. Here the service's first sync after the create fails, the seller then renames the
 * opportunity, and Dataverse's clock runs behind Partner Center's: with no baseline the rename
 * would be settled by timestamps (Partner Center "newer") and undone.
 */
import { http, HttpResponse } from "msw";
import { createHarness } from "../../emulators/world";
import { SEEDED } from "../../emulators/dataverse";
import { tableBySet } from "../../emulators/dataverse/schema";
import { OPPORTUNITY_COLUMNS as C, syncDirectionValue, syncResultValue } from "../../sync/schema/dynamics";

const SKEW_MS = 60_000;
const h = createHarness(5, { dataverseNow: () => new Date(Date.now() - SKEW_MS) });
beforeAll(async () => {
  h.server.listen({ onUnhandledRequest: "error" });
  await h.install();
});
afterEach(() => h.server.resetHandlers());
afterAll(() => h.server.close());

test("an edit right after the service created the opportunity survives a failed first sync", async () => {
  // The service cannot read an opportunity back (the first sync after its create fails).
  h.server.use(
    http.get(`${h.dvEmu.apiUrl}*`, ({ request }) =>
      /\/opportunities\([0-9a-f-]{36}\)/.test(request.url) && request.headers.get("authorization") === `Bearer ${SEEDED.applicationUserId}`
        ? HttpResponse.json({ error: { code: "0x80040216", message: "unavailable" } }, { status: 503 })
        : undefined,
    ),
  );
  const referral = h.pcEmu.seller.createIncoming({
    name: "Adatum expansion", customerName: "Adatum", country: "US", postalCode: "98052",
    dealValue: 80_000, currency: "USD", closingDateTime: new Date(Date.now() + 40 * 86_400_000).toISOString(), solutionIds: ["SOL-15974-MQF"],
  });
  await h.settle();
  const row = h.dvEmu.store.rows(tableBySet("opportunities")!).find((r) => r[C.referralId] === referral.id);
  expect(row).toBeDefined();
  h.server.resetHandlers();

  const id = String(row!.opportunityid);
  const res = await h.dvEmu.request("PATCH", `opportunities(${id})`, { cosell_notesformicrosoft: "EMEA rollout first" });
  expect(res.status).toBe(204);
  await h.settle();

  expect(h.dvEmu.store.get(tableBySet("opportunities")!, id)!.cosell_notesformicrosoft).toBe("EMEA rollout first");

  // Edits wait while the referral awaits an answer; accepting it sends the edit.
  const accepted = await h.dvEmu.request("POST", `opportunities(${id})/Microsoft.Dynamics.CRM.cosell_RespondToReferral`, { Decision: "accept" });
  expect(accepted.status).toBe(204);
  await h.settle();
  expect(h.pcEmu.state.get(referral.id).status).toBe("Active");
  expect(h.dvEmu.store.get(tableBySet("opportunities")!, id)!.cosell_notesformicrosoft).toBe("EMEA rollout first");
  expect(h.pcEmu.state.get(referral.id).details.notes).toBe("EMEA rollout first");
});

test("the first timeline row of an opportunity made from a referral lists what was made, not \"no data sent\"", async () => {
  const referral = h.pcEmu.seller.createIncoming({
    name: "Litware analytics", customerName: "Litware", country: "US", postalCode: "10001",
    dealValue: 12_500, currency: "USD", closingDateTime: new Date(Date.now() + 30 * 86_400_000).toISOString(), solutionIds: ["SOL-15974-MQF"],
  });
  await h.settle();
  const row = h.dvEmu.store.rows(tableBySet("opportunities")!).find((r) => r[C.referralId] === referral.id)!;
  const events = h.dvEmu.store.rows(tableBySet("cosell_syncevents")!).filter((e) => e._cosell_opportunity_value === row.opportunityid);
  expect(events).toHaveLength(1);
  const changes = JSON.parse(String(events[0].cosell_changes)) as Array<{ field: string; before: unknown; after: unknown; side: string }>;
  expect(changes[0]).toMatchObject({ field: "referralId", before: null, after: referral.id, side: "dynamics" });
  expect(changes).toEqual(expect.arrayContaining([
    expect.objectContaining({ field: "dealName", after: "Litware analytics", side: "dynamics" }),
    expect.objectContaining({ field: "dealValue", after: 12_500, side: "dynamics" }),
  ]));
  expect(events[0].cosell_direction).toBe(syncDirectionValue("toDynamics"));
  expect(events[0].cosell_result).toBe(syncResultValue("success"));
});
