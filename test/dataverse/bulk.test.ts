/**
 * The bulk paths reconcile and backfill rely on: deals page by page with their lookups expanded,
 * opportunities by many referral ids at once (Microsoft.Dynamics.CRM.In), several change sets in
 * one $batch where one failing set rolls back only itself, and the small reads by id.
 */
import { ConcurrencyError, REFERRAL_IDS_PER_QUERY } from "../../sync/dataverse";
import { LEAD_COLUMNS, OPPORTUNITY_COLUMNS as OPP } from "../../sync/schema/dynamics";
import { tableBySet } from "../../emulators/dataverse/schema";
import { makeClient, makeEmulator, SEEDED, setupServer } from "./harness";

const emulator = makeEmulator();
const server = setupServer(...emulator.handlers);
const ACCOUNT = "11111111-1111-4111-8111-111111111111";
const opportunities = tableBySet("opportunities")!;
const rows = (set: string) => emulator.store.rows(tableBySet(set)!);
const { client } = makeClient(emulator.orgUrl);

/** Requests the client sends while `run` runs (method + decoded URL; a $batch with its parts' request lines). */
async function requestsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = ({ request }: { request: Request }) => {
    const i = seen.push(`${request.method} ${decodeURIComponent(request.url)}`) - 1;
    if (request.url.endsWith("$batch")) {
      void request.clone().text().then((body) => {
        seen[i] += "\n" + body.split(/\r?\n/).filter((l) => /^(GET|POST|PATCH|PUT|DELETE) /.test(l)).map(decodeURIComponent).join("\n");
      });
    }
  };
  server.events.on("request:start", listener);
  try {
    await run();
  } finally {
    server.events.removeListener("request:start", listener);
  }
  return seen;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** `n` linked co-sell opportunities of one account (referral ids ref-0 … ref-(n-1)). */
function seedLinked(n: number, extra: (i: number) => Record<string, unknown> = () => ({})) {
  emulator.seed({
    opportunities: Array.from({ length: n }, (_, i) => ({
      name: `Deal ${i}`,
      estimatedvalue: 1000 + i,
      _customerid_value: ACCOUNT,
      "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
      _transactioncurrencyid_value: SEEDED.currencies.USD,
      [OPP.syncWithPartnerCenter]: true,
      [OPP.referralId]: `ref-${i}`,
      ...extra(i),
    })),
  });
}

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  emulator.reset();
  emulator.faults.clear();
  emulator.seed({ accounts: [{ accountid: ACCOUNT, name: "Fabrikam", address1_postalcode: "98052", address1_country: "US" }] });
});

describe("bulk deal reads", () => {
  test("co-sell deals changed since a date come a page per request, with account and currency expanded", async () => {
    seedLinked(5);
    emulator.seed({ opportunities: [{ name: "Not co-sell", [OPP.syncWithPartnerCenter]: false }] });
    // Switched off but still linked: reconcile must see it to record "Not synced".
    emulator.seed({ opportunities: [{ name: "Linked, switched off", [OPP.syncWithPartnerCenter]: false, [OPP.referralId]: "ref-off" }] });
    let pages: Awaited<ReturnType<typeof collect>> = [];
    const requests = await requestsDuring(async () => (pages = await collect(client.listCoSellDealsChangedSince(null, 3))));
    expect(requests).toHaveLength(2);
    expect(requests.every((r) => r.includes("$expand=customerid_account"))).toBe(true);
    const deals = (pages as Array<Array<{ deal: { opportunity: Record<string, unknown>; account: unknown; currency: unknown }; etag: string }>>).flat();
    expect(deals.map((d) => d.deal.opportunity.name)).toEqual(["Deal 0", "Deal 1", "Deal 2", "Deal 3", "Deal 4", "Linked, switched off"]);
    expect(deals[0].etag).toMatch(/^W\/"\d+"$/);
    expect(deals[0].deal.account).toMatchObject({ accountid: ACCOUNT, name: "Fabrikam", address1_postalcode: "98052" });
    expect(deals[0].deal.currency).toEqual({ transactioncurrencyid: SEEDED.currencies.USD, isocurrencycode: "USD", currencyprecision: 2 });

    const since = String(rows("opportunities").find((o) => o.name === "Deal 3")!.modifiedon);
    const later = (await collect(client.listCoSellDealsChangedSince(since))).flat();
    expect(later.map((d) => d.deal.opportunity.name)).toEqual(["Deal 3", "Deal 4", "Linked, switched off"]);
    expect(() => client.listCoSellDealsChangedSince("yesterday")).toThrow("'yesterday' is not a date");
  });

  test("listDeals without a filter includes opportunities nobody has switched to Sync = Yes (backfill)", async () => {
    emulator.seed({ opportunities: [{ name: "Never synced", _customerid_value: ACCOUNT, "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account" }] });
    const deals = (await collect(client.listDeals(undefined))).flat();
    expect(deals.map((d) => [d.deal.opportunity.name, d.deal.account?.name])).toEqual([["Never synced", "Fabrikam"]]);
  });

  // A chunk's URL is long enough for dynamics-web-api to send it as a $batch part: its request line must still parse.
  test("deals by many referral ids: In() queries in chunks, unknown ids absent, case of the id as asked", async () => {
    const n = REFERRAL_IDS_PER_QUERY + 20;
    seedLinked(n);
    const asked = [...Array.from({ length: n }, (_, i) => (i === 7 ? "REF-7" : `ref-${i}`)), "ref-none", "it's"];
    let found = new Map<string, unknown>();
    const requests = await requestsDuring(async () => (found = await client.getDealsByReferralIds(asked)));
    expect(requests).toHaveLength(2);
    expect(requests[0]).toContain("Microsoft.Dynamics.CRM.In(PropertyName='cosell_referralid',PropertyValues=['ref-0','ref-1'");
    expect(found.size).toBe(n);
    expect(found.has("REF-7")).toBe(true);
    expect(found.has("ref-none")).toBe(false);
    expect((found.get("ref-42") as { deal: { opportunity: Record<string, unknown> } }).deal.opportunity.name).toBe("Deal 42");
    expect((await client.getDealsByReferralIds([])).size).toBe(0);
  });

  test("a lead's referral id and a user's full name by id; null when missing", async () => {
    const leadId = await client.createLead({ lastname: "Kim", [LEAD_COLUMNS.referralId]: "ref-lead" });
    expect(await client.getLeadReferralId(leadId)).toBe("ref-lead");
    expect(await client.getLeadReferralId("99999999-9999-4999-8999-999999999999")).toBeNull();
    expect(await client.getSystemUserFullName(SEEDED.sellerUserId)).toBe("Sam Seller");
    expect(await client.getSystemUserFullName("99999999-9999-4999-8999-999999999999")).toBeNull();
  });
});

describe("several change sets in one $batch", () => {
  test("one request; a stale ETag rolls back only its own change set", async () => {
    seedLinked(3);
    const [a, b, c] = ["ref-0", "ref-1", "ref-2"].map((r) => emulator.store.findByKey(opportunities, { [OPP.referralId]: r })!);
    const eventsBefore = rows("cosell_syncevents").length;
    const changeSet = (row: Record<string, unknown>, etag: string) => [
      { kind: "update" as const, entitySet: "opportunities", id: String(row.opportunityid), data: { estimatedvalue: 9 }, etag },
      { kind: "create" as const, entitySet: "cosell_syncevents", data: { cosell_name: `synced ${String(row.name)}`, "cosell_Opportunity@odata.bind": `/opportunities(${String(row.opportunityid)})` } },
    ];
    let results: Awaited<ReturnType<typeof client.executeChangeSets>> = [];
    const requests = await requestsDuring(async () => {
      results = await client.executeChangeSets([changeSet(a, `W/"${a.versionnumber}"`), changeSet(b, 'W/"1"'), changeSet(c, `W/"${c.versionnumber}"`)]);
    });
    expect(requests).toEqual([expect.stringMatching(/^POST .*\/\$batch\n/)]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(!results[1].ok && results[1].error).toBeInstanceOf(ConcurrencyError);
    expect(results[0].ok && results[0].ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    const value = (row: Record<string, unknown>) => emulator.store.get(opportunities, String(row.opportunityid))!.estimatedvalue;
    expect([value(a), value(b), value(c)]).toEqual([9, 1001, 9]);
    const events = rows("cosell_syncevents").slice(eventsBefore).map((e) => e.cosell_name);
    expect(events.sort()).toEqual(["synced Deal 0", "synced Deal 2"]);
  });

  test("a rolled-back insert frees its alternate key again (the undo log restores the key index)", async () => {
    const result = await client.executeChangeSets([
      [
        { kind: "create", entitySet: "opportunities", data: { name: "First", [OPP.referralId]: "ref-undo" } },
        { kind: "update", entitySet: "accounts", id: "99999999-9999-4999-8999-999999999999", data: { name: "x" }, etag: "*" },
      ],
    ]);
    expect(result[0].ok).toBe(false);
    expect(rows("opportunities")).toHaveLength(0);
    await client.createOpportunity({ name: "Second", [OPP.referralId]: "ref-undo" });
    expect(await client.findOpportunityByReferralId("REF-UNDO")).toMatchObject({ name: "Second" });
  });

  test("too many operations for one batch, or an empty change set, are refused before sending", async () => {
    const op = { kind: "update" as const, entitySet: "accounts", id: ACCOUNT, data: { name: "x" } };
    await expect(client.executeChangeSets([Array.from({ length: 1001 }, () => op)])).rejects.toThrow("at most 1000 operations per batch, got 1001");
    await expect(client.executeChangeSets([[op], []])).rejects.toThrow("a change set has no operations");
  });
});

describe("the emulator's In / NotIn query functions", () => {
  const api = (filter: string) =>
    fetch(`${emulator.apiUrl}opportunities?$select=name&$filter=${encodeURIComponent(filter)}`, { headers: { Authorization: "Bearer t" } });
  const names = async (res: Response) => ((await res.json()) as { value: Array<{ name: string }> }).value.map((r) => r.name).sort();

  test("In and NotIn select by a list of values; combined with other conditions", async () => {
    seedLinked(4);
    expect(await names(await api("Microsoft.Dynamics.CRM.In(PropertyName='cosell_referralid',PropertyValues=['ref-1','REF-3'])"))).toEqual(["Deal 1", "Deal 3"]);
    expect(await names(await api("Microsoft.Dynamics.CRM.NotIn(PropertyName='cosell_referralid',PropertyValues=['ref-1']) and estimatedvalue lt 1003"))).toEqual(["Deal 0", "Deal 2"]);
    expect(await names(await api("Microsoft.Dynamics.CRM.In(PropertyValues=['1000'],PropertyName='estimatedvalue')"))).toEqual(["Deal 0"]);
  });

  test.each([
    ["cosell_referralid in ('ref-1','ref-2')", /expected a comparison operator/],
    ["Microsoft.Dynamics.CRM.In(PropertyName='nosuch',PropertyValues=['a'])", /nosuch/],
    ["Microsoft.Dynamics.CRM.In(PropertyName='estimatedvalue',PropertyValues=['lots'])", /'lots' is not a valid Edm.Decimal value/],
    ["Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=[])", /at least one value/],
    ["Microsoft.Dynamics.CRM.In(PropertyName='name')", /needs both PropertyName and PropertyValues/],
    ["Microsoft.Dynamics.CRM.Between(PropertyName='estimatedvalue',PropertyValues=['1','2'])", /'Microsoft.Dynamics.CRM.Between' is not supported/],
  ])("%s is a 400 saying why", async (filter, why) => {
    const res = await api(filter);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(why);
  });
});

describe("the emulator's transactions", () => {
  test("a rolled-back write keeps what another request wrote to the same row meanwhile (as a row lock would)", async () => {
    seedLinked(1);
    const row = emulator.store.findByKey(opportunities, { [OPP.referralId]: "ref-0" })!;
    const id = String(row.opportunityid);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const failing = emulator.store.transaction(async () => {
      emulator.store.update(opportunities, id, { name: "Renamed, then rolled back" });
      await held;
      throw new Error("a later part of the change set failed");
    });
    // Meanwhile, outside that transaction, a seller saves another column of the same row.
    await emulator.store.transaction(async () => void emulator.store.update(opportunities, id, { description: "Saved meanwhile" }));
    release();
    await expect(failing).rejects.toThrow("a later part of the change set failed");
    expect(emulator.store.get(opportunities, id)).toMatchObject({ name: "Deal 0", description: "Saved meanwhile" });
  });
});
