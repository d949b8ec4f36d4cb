/**
 * What the seller reads when something is wrong with the service's Partner Center sign-in, and
 * who a sync event says started it: a person's name, not a GUID.
 */
import { SEEDED } from "../../emulators/dataverse";
import { tableBySet } from "../../emulators/dataverse/schema";
import { OPPORTUNITY_COLUMNS as C, SYNC_EVENT_COLUMNS as EV, SYNC_STATUS, syncResultValue } from "../../sync/schema/dynamics";
import { SIGN_IN_EXPIRED_TEXT } from "../../api/core/errors";
import { installedHarness } from "../../emulators/world";
import { context, createOpportunity, postContext, syncEvents } from "./helpers";

const h = installedHarness(23);
afterEach(() => h.pcEmu.state.rejectedTokens.clear());

/** An opportunity synced through its Create step, then edited by the seller without the service hearing of it. */
async function editedPair(name: string): Promise<string> {
  const opportunityId = await createOpportunity(h.dataverse, { name });
  await h.settle();
  expect((await h.dataverse.getDeal(opportunityId)).deal.opportunity[C.syncStatus]).toBe(SYNC_STATUS.Synced);
  h.dvEmu.dispatcher.faults = { dropRate: 1 };
  const { etag } = await h.dataverse.getDeal(opportunityId);
  await h.dataverse.updateOpportunity(opportunityId, { estimatedvalue: 88_000 }, etag);
  await h.settle();
  h.dvEmu.dispatcher.faults = {};
  return opportunityId;
}

test("a revoked Partner Center token: status Sign-in expired with what to do, event code SIGN_IN_EXPIRED; recovers after login", async () => {
  const opportunityId = await editedPair("Revoked token");
  h.pcEmu.state.rejectedTokens.add("pc-token");

  await h.dataverse.callBoundAction(opportunityId, "cosell_SyncOpportunity");
  const opp = (await h.dataverse.getDeal(opportunityId)).deal.opportunity;
  expect(opp[C.syncStatus]).toBe(SYNC_STATUS.SignInExpired);
  expect(opp[C.syncError]).toBe(SIGN_IN_EXPIRED_TEXT);
  // Events written in the same second have no order between them: pick the failure by its result.
  const failures = (await syncEvents(h.dataverse, opportunityId)).filter((e) => e[EV.result] === syncResultValue("error"));
  expect(failures).toHaveLength(1);
  expect(failures[0][EV.errorCode]).toBe("SIGN_IN_EXPIRED");
  expect(failures[0][EV.errorMessage]).toBe(SIGN_IN_EXPIRED_TEXT);
  expect(failures[0][EV.initiatedBy]).toBe("Sam Seller");
  expect((await h.service.health()).partnerCenter.credential).toBe("expired");

  // The admin signs in again: the next sync goes through and clears the status.
  h.pcEmu.state.rejectedTokens.clear();
  await h.dataverse.callBoundAction(opportunityId, "cosell_SyncOpportunity");
  const after = (await h.dataverse.getDeal(opportunityId)).deal.opportunity;
  expect([after[C.syncStatus], after[C.syncError] ?? null]).toEqual([SYNC_STATUS.Synced, null]);
  const referralId = after[C.referralId] as string;
  expect((await h.referrals.get(referralId)).referral.details.dealValue).toBe(88_000);
});

test("the sync event names the person who clicked Sync now, and falls back to the id of an unknown user", async () => {
  const opportunityId = await editedPair("Who synced");
  const bySeller = crypto.randomUUID();
  expect((await postContext(context("cosell_SyncOpportunity", opportunityId, { operationId: bySeller }))).status).toBe(204);
  const sellerEvent = (await syncEvents(h.dataverse, opportunityId)).find((e) => e[EV.operationId] === bySeller);
  expect(sellerEvent?.[EV.initiatedBy]).toBe("Sam Seller");

  const stranger = "5a1b0c3d-0000-4000-8000-0000000c0999";
  const operationId = crypto.randomUUID();
  const res = await postContext(context("cosell_SyncOpportunity", opportunityId, { operationId, initiatingUserId: stranger }));
  expect(res.status).toBe(204);
  const event = (await syncEvents(h.dataverse, opportunityId)).find((e) => e[EV.operationId] === operationId);
  expect(event?.[EV.initiatedBy]).toBe(stranger);
});

test("a user's name is read once per process, not on every event", async () => {
  const opportunityId = await editedPair("Name cached");
  const userReads: string[] = [];
  const listener = ({ request }: { request: Request }) => {
    if (request.url.includes("/systemusers(") && request.headers.get("authorization") === `Bearer ${SEEDED.applicationUserId}`) userReads.push(request.url);
  };
  h.server.events.on("request:start", listener);
  // A new user (so nothing is cached yet) syncs twice.
  const newcomer = h.dvEmu.store.insert(tableBySet("systemusers")!, { fullname: "Nia Newcomer", domainname: "nia@contoso.com" }).systemuserid as string;
  const operations = [crypto.randomUUID(), crypto.randomUUID()];
  for (const operationId of operations) {
    expect((await postContext(context("cosell_SyncOpportunity", opportunityId, { operationId, initiatingUserId: newcomer }))).status).toBe(204);
  }
  h.server.events.removeListener("request:start", listener);
  expect(userReads).toHaveLength(1);
  const events = await syncEvents(h.dataverse, opportunityId);
  expect(operations.map((op) => events.find((e) => e[EV.operationId] === op)?.[EV.initiatedBy])).toEqual(["Nia Newcomer", "Nia Newcomer"]);
});
