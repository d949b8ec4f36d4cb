/**
 * Reconcile finds the opportunities of referrals changed on Partner Center only with one bulk
 * lookup (Microsoft.Dynamics.CRM.In). With forty GUID referral ids that URL is long enough for the
 * client to send it as a `$batch` part, whose request line must not carry a raw space; and when the
 * bulk lookup fails anyway, the pass goes on referral by referral instead of stopping.
 */
import { http, HttpResponse } from "msw";
import { OPPORTUNITY_COLUMNS as C } from "../../sync/schema/dynamics";
import { installedHarness } from "../../emulators/world";
import { future } from "./helpers";

const h = installedHarness(41);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `n` referrals from Microsoft whose webhooks were lost: the service has not heard of them. */
function lostIncoming(n: number, tag: string): string[] {
  h.pcEmu.dispatcher.faults = { dropRate: 1 };
  const ids = Array.from({ length: n }, (_, i) =>
    h.pcEmu.seller.createIncoming({
      name: `${tag} ${i}`, customerName: `${tag} customer ${i}`, country: "US", postalCode: "98052",
      dealValue: 1_000 + i, currency: "USD", closingDateTime: `${future(30)}T00:00:00Z`,
    }).id,
  );
  h.pcEmu.dispatcher.faults = {};
  return ids;
}

/** The request lines of the `$batch` parts the service sends while `run` runs. */
async function batchedRequestLines(run: () => Promise<unknown>): Promise<string[]> {
  const lines: Promise<string[]>[] = [];
  const listener = ({ request }: { request: Request }) => {
    if (!request.url.endsWith("$batch")) return;
    lines.push(request.clone().text().then((body) => body.split(/\r\n/).filter((l) => /^(GET|POST|PATCH|DELETE) /.test(l))));
  };
  h.server.events.on("request:start", listener);
  try {
    await run();
  } finally {
    h.server.events.removeListener("request:start", listener);
  }
  return (await Promise.all(lines)).flat();
}

test("forty referrals with GUID ids changed on Partner Center only: the bulk lookup goes through $batch and every one becomes an opportunity", async () => {
  await h.service.reconcile({ full: true });
  const ids = lostIncoming(40, "Lost webhook");
  expect(ids.every((id) => GUID.test(id))).toBe(true);

  let result: Awaited<ReturnType<typeof h.service.reconcile>> | undefined;
  const lines = await batchedRequestLines(async () => (result = await h.service.reconcile({ full: true })));
  const lookup = lines.find((l) => l.includes("Microsoft.Dynamics.CRM.In"));
  expect(lookup).toBeDefined();
  // Method, URL, version: the URL itself has no raw space.
  expect(lookup!.split(" ")).toHaveLength(3);
  expect(result).toMatchObject({ failed: 0, created: 40 });
  for (const id of ids) expect(await h.dataverse.findOpportunityByReferralId(id)).not.toBeNull();
});

test("the bulk lookup refused: reconcile looks each referral up on its own and finishes the pass", async () => {
  await h.service.reconcile({ full: true });
  const ids = lostIncoming(5, "Lookup refused");
  // Dataverse refuses the one bulk query (as it did the raw space); single lookups still work.
  let refused = 0;
  h.server.use(
    http.get(`${h.dvEmu.apiUrl}opportunities`, ({ request }) => {
      if (!decodeURIComponent(request.url).includes("Microsoft.Dynamics.CRM.In(")) return undefined;
      refused++;
      return HttpResponse.json({ error: { code: "0x80060888", message: "Bad request line" } }, { status: 400 });
    }),
    http.post(`${h.dvEmu.apiUrl}$batch`, async ({ request }) => {
      if (!(await request.clone().text()).includes("Microsoft.Dynamics.CRM.In(")) return undefined;
      refused++;
      return HttpResponse.json({ error: { code: "0x80060888", message: "Bad request line" } }, { status: 400 });
    }),
  );
  const result = await h.service.reconcile({ full: true });
  expect(refused).toBeGreaterThan(0);
  expect(result).toMatchObject({ failed: 0, created: 5 });
  for (const id of ids) {
    const opp = await h.dataverse.findOpportunityByReferralId(id);
    expect(opp?.[C.referralId]).toBe(id);
  }
  // Already linked ones are found one by one too, not created twice.
  const again = await h.service.reconcile({ full: true });
  expect(again).toMatchObject({ failed: 0, created: 0 });
});
