/**
 * A seller's save reaches Partner Center in fewer round trips: the Update step's post-image names
 * the linked referral, so the service reads the opportunity and the referral at once. The image
 * is a hint, never trusted over the opportunity itself: a wrong one costs a read, nothing else.
 */
import { installedHarness } from "../../emulators/world";
import { wireValue, type EntityValue } from "../../sync/dataverse/remote-execution-context";
import { OPPORTUNITY_COLUMNS as C } from "../../sync/schema/dynamics";
import { context, createOpportunity, postContext } from "./helpers";

const h = installedHarness(23);
const REFERRALS = "https://api.partner.microsoft.com/v1.0/engagements/referrals/";

/** When each of the service's reads started and ended while `run` ran: Dataverse opportunity reads and Partner Center referral reads. */
async function readTimes(run: () => Promise<unknown>): Promise<Array<{ what: "opportunity" | "referral"; start: number; end: number }>> {
  const open = new Map<string, { what: "opportunity" | "referral"; start: number; end: number }>();
  const done: Array<{ what: "opportunity" | "referral"; start: number; end: number }> = [];
  const kind = (r: Request) =>
    r.method !== "GET" ? undefined : r.url.startsWith(REFERRALS) ? "referral" : r.url.startsWith(`${h.dvEmu.apiUrl}opportunities(`) ? "opportunity" : undefined;
  const onStart = ({ request, requestId }: { request: Request; requestId: string }) => {
    const what = kind(request);
    if (what) open.set(requestId, { what, start: performance.now(), end: NaN });
  };
  const onEnd = ({ requestId }: { requestId: string }) => {
    const read = open.get(requestId);
    if (read) done.push({ ...read, end: performance.now() });
  };
  h.server.events.on("request:start", onStart);
  h.server.events.on("response:mocked", onEnd);
  try {
    await run();
  } finally {
    h.server.events.removeListener("request:start", onStart);
    h.server.events.removeListener("response:mocked", onEnd);
  }
  return done;
}

test("a save is sent with the opportunity and its referral read at the same time", async () => {
  const id = await createOpportunity(h.dataverse, { name: "Fabrikam renewal" });
  await h.settle();
  const referralId = (await h.dataverse.getDeal(id)).deal.opportunity[C.referralId]!;
  // Every read takes 40 ms, so reads one after the other cannot overlap.
  h.dvEmu.faults.set([{ method: "GET", path: /opportunities\(/, latencyMs: 40 }]);
  h.pcEmu.faults.set([{ method: "GET", path: /referrals\//, latencyMs: 40 }]);
  try {
    const reads = await readTimes(async () => {
      await h.dataverse.updateOpportunity(id, { [C.notesForMicrosoft]: "Renewal notes" }, "*");
      await h.settle();
    });
    const opportunity = reads.find((r) => r.what === "opportunity")!;
    const referral = reads.find((r) => r.what === "referral")!;
    expect(referral.start).toBeLessThan(opportunity.end);
  } finally {
    h.dvEmu.faults.clear();
    h.pcEmu.faults.clear();
  }
  const { referral } = await h.referrals.get(referralId);
  expect(referral.details.notes).toBe("Renewal notes");
});

test("a post-image naming another referral is not trusted: the opportunity's own referral gets the change", async () => {
  const mine = await createOpportunity(h.dataverse, { name: "Adatum pilot" });
  const other = await createOpportunity(h.dataverse, { name: "Other deal" });
  await h.settle();
  const myReferral = (await h.dataverse.getDeal(mine)).deal.opportunity[C.referralId]!;
  const otherReferral = (await h.dataverse.getDeal(other)).deal.opportunity[C.referralId]!;
  const before = (await h.referrals.get(otherReferral)).referral;
  // The seller's edit lands; the step's image (stale, or forged) names the other deal's referral.
  await h.dvEmu.request("PATCH", `opportunities(${mine})`, { [C.notesForMicrosoft]: "Pilot notes" });
  await h.settle();
  // Dataverse's own delivery of this save is lost; the one that arrives carries the wrong image.
  h.dvEmu.dispatcher.faults = { dropRate: 1 };
  await h.dvEmu.request("PATCH", `opportunities(${mine})`, { [C.notesForMicrosoft]: "Pilot notes v2" });
  await h.dvEmu.dispatcher.drain();
  const body = context("Update", mine, {
    input: { Target: wireValue.entity({ Id: mine, LogicalName: "opportunity", Attributes: { [C.notesForMicrosoft]: "Pilot notes v2" } } as EntityValue) },
  }) as Record<string, unknown>;
  body.PostEntityImages = [{ key: "PostImage", value: wireValue.entity({ Id: mine, LogicalName: "opportunity", Attributes: { [C.referralId]: otherReferral } } as EntityValue) }];
  h.dvEmu.dispatcher.faults = {};
  expect((await postContext(body)).status).toBeLessThan(300);
  await h.settle();
  expect((await h.referrals.get(myReferral)).referral.details.notes).toBe("Pilot notes v2");
  expect((await h.referrals.get(otherReferral)).referral).toEqual(before);
});
