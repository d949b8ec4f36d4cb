/**
 * The Update step's post-image, as Dataverse delivers it and as the service uses it. The current
 * image (DEAL_IMAGE) carries the whole opportunity, so a save is planned without reading
 * (outbound-two-trips.test.ts); an image the service cannot plan from (an org still on an older
 * registration, or one that names another referral) is a hint at most: the service then reads the
 * opportunity and the referral at once, and a wrong hint costs a read, nothing else.
 */
import { installedHarness } from "../../emulators/world";
import { DEAL_IMAGE } from "../../sync/dataverse/opportunity-image";
import { parseRemoteExecutionContext, wireValue, type EntityValue } from "../../sync/dataverse/remote-execution-context";
import { OPPORTUNITY_COLUMNS as C } from "../../sync/schema/dynamics";
import { context, createOpportunity, postContext, watchingRequests } from "./helpers";

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
  await watchingRequests(h, { start: onStart, end: onEnd }, run);
  return done;
}

/** The Update step's image row, re-registered as `values` while `run` runs (an org on an older registration). */
async function withImageRegistered<T>(values: Record<string, unknown>, run: () => Promise<T>): Promise<T> {
  const { value } = (await h.dvEmu.request("GET", "sdkmessageprocessingstepimages")).body as { value: Array<Record<string, unknown>> };
  const image = value.find((i) => i.entityalias === DEAL_IMAGE.alias)!;
  const put = (v: Record<string, unknown>) => h.dvEmu.request("PATCH", `sdkmessageprocessingstepimages(${String(image.sdkmessageprocessingstepimageid)})`, v);
  expect((await put(values)).status).toBe(204);
  try {
    return await run();
  } finally {
    await put({ name: image.name, entityalias: image.entityalias, attributes: image.attributes });
  }
}

test("Dataverse delivers the image as registered: the listed columns as the save left them, lookups by logical name, null ones left out", async () => {
  const id = await createOpportunity(h.dataverse, { name: "Image shape" });
  await h.settle();
  const from = h.dvEmu.dispatcher.log.length;
  h.dvEmu.dispatcher.faults = { dropRate: 1 };
  await h.dvEmu.request("PATCH", `opportunities(${id})`, { [C.notesForMicrosoft]: "Shape notes", description: null });
  h.dvEmu.dispatcher.faults = {};
  const [delivery] = h.dvEmu.dispatcher.log.slice(from);
  const rec = parseRemoteExecutionContext(JSON.parse(delivery.body));
  // Microsoft's webhook sample: an async step also gets the platform's primary-name image, first.
  expect(Object.keys(rec.PostEntityImages)).toEqual(["AsynchronousStepPrimaryName", DEAL_IMAGE.alias]);
  const image = rec.PostEntityImages[DEAL_IMAGE.alias];
  const row = (await h.dvEmu.request("GET", `opportunities(${id})`)).body as Record<string, unknown>;
  expect(image.RowVersion).toBeNull();
  expect(image.Attributes.versionnumber).toBe(Number(String(row["@odata.etag"]).replace(/\D/g, "")));
  expect(image.Attributes[C.notesForMicrosoft]).toBe("Shape notes");
  expect(image.Attributes).not.toHaveProperty("description");
  expect(image.Attributes.customerid).toMatchObject({ Id: row._customerid_value, LogicalName: "account" });
  expect(image.Attributes).not.toHaveProperty("_customerid_value");
  expect(Object.keys(image.Attributes).every((k) => (DEAL_IMAGE.attributes as readonly string[]).includes(k))).toBe(true);
});

test("with an older image (the referral id only), a save reads the opportunity and its referral at the same time", async () => {
  const id = await createOpportunity(h.dataverse, { name: "Fabrikam renewal" });
  await h.settle();
  const referralId = (await h.dataverse.getDeal(id)).deal.opportunity[C.referralId]!;
  await withImageRegistered({ name: "PostImage", entityalias: "PostImage", attributes: C.referralId }, async () => {
    // Every read takes 40 ms, so reads one after the other cannot overlap.
    h.dvEmu.faults.set([{ method: "GET", path: /opportunities\(/, latencyMs: 40 }]);
    h.pcEmu.faults.set([{ method: "GET", path: /referrals\//, latencyMs: 40 }]);
    try {
      const reads = await readTimes(async () => {
        h.pcEmu.dispatcher.faults = { dropRate: 1 }; // Partner Center's echo webhook reads too: not this path's
        await h.dataverse.updateOpportunity(id, { [C.notesForMicrosoft]: "Renewal notes" }, "*");
        await h.settle();
      });
      const opportunity = reads.find((r) => r.what === "opportunity")!;
      const referral = reads.find((r) => r.what === "referral")!;
      expect(referral.start).toBeLessThan(opportunity.end);
    } finally {
      h.dvEmu.faults.clear();
      h.pcEmu.faults.clear();
      h.pcEmu.dispatcher.faults = {};
    }
  });
  const { referral } = await h.referrals.get(referralId);
  expect(referral.details.notes).toBe("Renewal notes");
});

test("a post-image naming another referral, or imaging another row, is not trusted: the opportunity's own referral gets the change", async () => {
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
  // A hint-only image naming the other referral, and a full image of the other row under the current alias.
  const otherRow = (await h.dvEmu.request("GET", `opportunities(${other})`)).body as Record<string, unknown>;
  body.PostEntityImages = [
    { key: "PostImage", value: wireValue.entity({ Id: mine, LogicalName: "opportunity", Attributes: { [C.referralId]: otherReferral } } as EntityValue) },
    {
      key: DEAL_IMAGE.alias,
      value: wireValue.entity({
        Id: other, LogicalName: "opportunity",
        Attributes: { [C.referralId]: otherReferral, [C.referralETag]: otherRow[C.referralETag], [C.syncSnapshot]: otherRow[C.syncSnapshot], [C.syncWithPartnerCenter]: true, versionnumber: 1 },
      } as EntityValue),
    },
  ];
  h.dvEmu.dispatcher.faults = {};
  expect((await postContext(body)).status).toBeLessThan(300);
  await h.settle();
  expect((await h.referrals.get(myReferral)).referral.details.notes).toBe("Pilot notes v2");
  expect((await h.referrals.get(otherReferral)).referral).toEqual(before);
});
