import { ConcurrencyError, DataverseClient, DataverseError } from "../../sync/dataverse";
import { OPPORTUNITY_COLUMNS as OPP, OPPORTUNITY_STATUS, SETTING_NAMES, SYNC_EVENT_COLUMNS, syncResultValue } from "../../sync/schema/dynamics";
import { tableBySet } from "../../emulators/dataverse/schema";
import { makeClient, makeEmulator, SEEDED, setupServer } from "./harness";

const emulator = makeEmulator();
const server = setupServer(...emulator.handlers);
const ACCOUNT = "11111111-1111-4111-8111-111111111111";
const CONTACT = "22222222-2222-4222-8222-222222222222";
const OPPORTUNITY = "33333333-3333-4333-8333-333333333333";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  emulator.reset();
  emulator.faults.clear();
  emulator.seed({
    accounts: [{ accountid: ACCOUNT, name: "Fabrikam", address1_postalcode: "98052", address1_country: "US" }],
    contacts: [{ contactid: CONTACT, firstname: "Ana", lastname: "Lopez", emailaddress1: "ana@fabrikam.com" }],
    opportunities: [
      {
        opportunityid: OPPORTUNITY,
        name: "Fabrikam migration",
        estimatedvalue: 50000,
        _customerid_value: ACCOUNT,
        "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
        _parentcontactid_value: CONTACT,
        _transactioncurrencyid_value: SEEDED.currencies.EUR,
        [OPP.syncWithPartnerCenter]: true,
        [OPP.referralId]: "ref-001",
      },
    ],
  });
});

const rows = (set: string) => emulator.store.rows(tableBySet(set)!);

describe("DataverseClient against the emulator", () => {
  const { client, sleeps } = makeClient(emulator.orgUrl);
  beforeEach(() => (sleeps.length = 0));

  test("getDeal returns the opportunity with its account, contact and currency, and the ETag", async () => {
    const { deal, etag } = await client.getDeal(OPPORTUNITY);
    expect(etag).toMatch(/^W\/"\d+"$/);
    expect(deal.opportunity).toMatchObject({ opportunityid: OPPORTUNITY, name: "Fabrikam migration", estimatedvalue: 50000, [OPP.referralId]: "ref-001" });
    expect(typeof deal.opportunity.modifiedon).toBe("string");
    expect(deal.account).toMatchObject({ accountid: ACCOUNT, name: "Fabrikam", address1_postalcode: "98052" });
    expect(deal.contact).toMatchObject({ contactid: CONTACT, lastname: "Lopez" });
    expect(deal.currency).toEqual({ transactioncurrencyid: SEEDED.currencies.EUR, isocurrencycode: "EUR", currencyprecision: 2 });
  });

  test("getDeal of a missing opportunity is a notFound DataverseError with the platform code", async () => {
    const err = await client.getDeal("99999999-9999-4999-8999-999999999999").catch((e) => e);
    expect(err).toBeInstanceOf(DataverseError);
    expect(err).toMatchObject({ kind: "notFound", status: 404, code: "0x80040217" });
  });

  test("updateOpportunity writes with If-Match and returns the new ETag; a stale ETag is a ConcurrencyError", async () => {
    const { etag } = await client.getDeal(OPPORTUNITY);
    const updated = await client.updateOpportunity(OPPORTUNITY, { [OPP.syncError]: "fix the postal code" }, etag);
    expect(updated.etag).not.toBe(etag);
    const stale = await client.updateOpportunity(OPPORTUNITY, { [OPP.syncError]: "lost update" }, etag).catch((e) => e);
    expect(stale).toBeInstanceOf(ConcurrencyError);
    expect(stale).toMatchObject({ kind: "concurrency", status: 412 });
    expect(rows("opportunities")[0][OPP.syncError]).toBe("fix the postal code");
  });

  test("a 429 is retried after the Retry-After the server asked for", async () => {
    emulator.faults.set([{ path: /opportunities/, throttleRate: 1, retryAfterSeconds: 7 }]);
    const { client: c, sleeps: waits } = makeClient(emulator.orgUrl, {
      retryEnv: { sleep: async (ms) => { waits.push(ms); emulator.faults.clear(); }, random: () => 0 },
    });
    const { deal } = await c.getDeal(OPPORTUNITY);
    expect(deal.opportunity.opportunityid).toBe(OPPORTUNITY);
    expect(waits).toEqual([7000]);
    expect(emulator.faults.stats.throttled).toBeGreaterThanOrEqual(1);
  });

  test("throttling that never ends gives up after the attempt budget with kind 'throttled'", async () => {
    emulator.faults.set([{ path: /opportunities/, throttleRate: 1, retryAfterSeconds: 2 }]);
    const { client: c, sleeps: waits } = makeClient(emulator.orgUrl, { retry: { maxAttempts: 3 } });
    const err = await c.getDeal(OPPORTUNITY).catch((e) => e);
    expect(err).toMatchObject({ kind: "throttled", status: 429 });
    expect(waits).toEqual([2000, 2000]);
  });

  test("a 500 on a create is not retried (it may have committed); on a read it is", async () => {
    emulator.faults.set([{ method: "POST", path: /accounts$/, serverErrorRate: 1 }]);
    const err = await client.createAccount({ name: "Contoso" }).catch((e) => e);
    expect(err).toMatchObject({ kind: "transient", status: 500 });
    expect(sleeps).toEqual([]);
  });

  test("a token provider that fails or gives nothing is a credential error; a 401 answer too", async () => {
    const { client: noSignIn } = makeClient(emulator.orgUrl, { tokens: { getToken: async () => { throw new Error("AADSTS7000215: Invalid client secret"); } } });
    await expect(noSignIn.getDeal(OPPORTUNITY)).rejects.toMatchObject({ kind: "credential", message: expect.stringContaining("AADSTS7000215") });
    const { client: empty } = makeClient(emulator.orgUrl, { tokens: { getToken: async () => "" } });
    await expect(empty.getDeal(OPPORTUNITY)).rejects.toMatchObject({ kind: "credential", message: expect.stringContaining("empty token") });
    const res = await fetch(`${emulator.apiUrl}opportunities`);
    expect(res.status).toBe(401);
  });

  test("findOpportunityByReferralId uses the alternate key and answers null when there is none", async () => {
    expect(await client.findOpportunityByReferralId("ref-001")).toMatchObject({ opportunityid: OPPORTUNITY });
    expect(await client.findOpportunityByReferralId("ref-404")).toBeNull();
    expect(await client.findOpportunityByReferralId("it's")).toBeNull();
  });

  test("creates for an inbound referral: account, contact, opportunity bound to them", async () => {
    const accountId = await client.createAccount({ name: "Northwind", address1_postalcode: "10001" });
    const contactId = await client.createContact({ firstname: "Li", lastname: "Wei", "parentcustomerid_account@odata.bind": `/accounts(${accountId})` });
    const opportunityId = await client.createOpportunity({
      name: "Northwind referral",
      [OPP.referralId]: "ref-777",
      "customerid_account@odata.bind": `/accounts(${accountId})`,
      "parentcontactid@odata.bind": `/contacts(${contactId})`,
      "transactioncurrencyid@odata.bind": `/transactioncurrencies(${SEEDED.currencies.USD})`,
    });
    const { deal } = await client.getDeal(opportunityId);
    expect(deal.account?.name).toBe("Northwind");
    expect(deal.contact?.lastname).toBe("Wei");
    expect(deal.currency?.isocurrencycode).toBe("USD");
    expect(await client.findAccountByNameAndPostalCode("northwind", "10001")).toMatchObject({ accountid: accountId });
    expect(await client.findAccountByNameAndPostalCode("Northwind", "99999")).toBeNull();
  });

  test("a second opportunity with the same referral id is refused by the alternate key", async () => {
    const err = await client.createOpportunity({ name: "dup", [OPP.referralId]: "ref-001" }).catch((e) => e);
    expect(err).toMatchObject({ kind: "validation", status: 412 });
  });

  test("leads: create and find by referral id", async () => {
    const id = await client.createLead({ subject: "Referral lead", lastname: "Kim", cosell_referralid: "ref-lead-1" });
    expect(await client.findLeadByReferralId("ref-lead-1")).toMatchObject({ leadid: id, fullname: "Kim" });
    expect(await client.findLeadByReferralId("nope")).toBeNull();
  });

  test("winOpportunity closes through the action; closing again is refused; loseOpportunity sets the lost reason", async () => {
    await client.winOpportunity(OPPORTUNITY, { statuscode: OPPORTUNITY_STATUS.Won, actualRevenue: 48000, actualEnd: "2025-03-01" });
    expect(rows("opportunities")[0]).toMatchObject({ statecode: 1, statuscode: 3, actualvalue: 48000, actualclosedate: "2025-03-01" });
    expect(rows("opportunitycloses")).toHaveLength(1);
    await expect(client.loseOpportunity(OPPORTUNITY, { statuscode: OPPORTUNITY_STATUS.OutSold })).rejects.toMatchObject({ kind: "validation", status: 400 });

    const other = await client.createOpportunity({ name: "Lost one" });
    await client.loseOpportunity(other, { statuscode: OPPORTUNITY_STATUS.Canceled, description: "Customer chose another vendor" });
    const lost = emulator.store.get(tableBySet("opportunities")!, other)!;
    expect(lost).toMatchObject({ statecode: 2, statuscode: 4 });
  });

  test("listOpportunitiesChangedSince follows every nextLink and keeps only co-sell rows changed since the watermark", async () => {
    emulator.store.update(tableBySet("opportunities")!, OPPORTUNITY, { name: "touched" });
    for (let i = 0; i < 6; i++) await client.createOpportunity({ name: `co-sell ${i}`, [OPP.syncWithPartnerCenter]: true });
    await client.createOpportunity({ name: "not co-sell", [OPP.syncWithPartnerCenter]: false });
    const seen: string[] = [];
    server.events.on("request:start", ({ request }) => void seen.push(request.url));
    const changed = await client.listOpportunitiesChangedSince("2000-01-01T00:00:00Z", 3);
    server.events.removeAllListeners();
    expect(changed.map((o) => o.name)).toEqual(["touched", ...[0, 1, 2, 3, 4, 5].map((i) => `co-sell ${i}`)]);
    expect(seen.filter((u) => decodeURIComponent(u).includes("$skiptoken"))).toHaveLength(2);
    const later = await client.listOpportunitiesChangedSince(String(rows("opportunities").find((o) => o.name === "co-sell 5")!.modifiedon));
    expect(later.map((o) => o.name)).toEqual(["co-sell 5"]);
  });

  test("sync events: create, find by OperationId (handled once), list newest first with paging", async () => {
    for (let i = 0; i < 5; i++) {
      await client.createSyncEvent({
        name: `event ${i}`, opportunityId: OPPORTUNITY, occurredOn: `2025-03-0${i + 1}T08:00:00Z`,
        direction: "toPartnerCenter", trigger: "syncNow", result: i === 4 ? "validationFailed" : "success", operationId: `op-${i}`,
      });
    }
    const found = await client.findSyncEventByOperationId("op-4");
    expect(found).toMatchObject({ [SYNC_EVENT_COLUMNS.name]: "event 4", [SYNC_EVENT_COLUMNS.result]: syncResultValue("validationFailed"), _cosell_opportunity_value: OPPORTUNITY });
    expect(await client.findSyncEventByOperationId("op-unknown")).toBeNull();
    const first = await client.listSyncEvents(OPPORTUNITY, { top: 2 });
    expect(first.items.map((e) => e[SYNC_EVENT_COLUMNS.name])).toEqual(["event 4", "event 3"]);
    const second = await client.listSyncEvents(OPPORTUNITY, { top: 2, next: first.next });
    const third = await client.listSyncEvents(OPPORTUNITY, { top: 2, next: second.next });
    expect([...second.items, ...third.items].map((e) => e[SYNC_EVENT_COLUMNS.name])).toEqual(["event 2", "event 1", "event 0"]);
    expect(third.next).toBeUndefined();
  });

  test("settings: a missing one is null; setSetting upserts by name", async () => {
    expect(await client.getSetting(SETTING_NAMES.reconcileWatermark)).toBeNull();
    await client.setSetting(SETTING_NAMES.reconcileWatermark, "2025-03-01T00:00:00Z");
    await client.setSetting(SETTING_NAMES.reconcileWatermark, "2025-03-02T00:00:00Z");
    expect(await client.getSetting(SETTING_NAMES.reconcileWatermark)).toBe("2025-03-02T00:00:00Z");
    expect(rows("cosell_settings")).toHaveLength(1);
  });

  test("retrieveCurrencyByIsoCode finds seeded currencies", async () => {
    expect(await client.retrieveCurrencyByIsoCode("gbp")).toMatchObject({ isocurrencycode: "GBP", transactioncurrencyid: SEEDED.currencies.GBP });
    expect(await client.retrieveCurrencyByIsoCode("XXX")).toBeNull();
  });

  test("whoAmI names the application user behind the token", async () => {
    expect(await client.whoAmI()).toMatchObject({ UserId: SEEDED.applicationUserId });
  });

  test("executeBatch applies a change set with Content-ID references", async () => {
    const [accountId, , ] = await client.executeBatch([
      { kind: "create", entitySet: "accounts", data: { name: "Batch Co" }, contentId: "1" },
      { kind: "create", entitySet: "contacts", data: { lastname: "Batcher", "parentcustomerid_account@odata.bind": "$1" } },
      { kind: "update", entitySet: "opportunities", id: OPPORTUNITY, data: { [OPP.syncError]: null } },
    ]);
    expect(accountId).toMatch(/^[0-9a-f-]{36}$/);
    const contact = rows("contacts").find((c) => c.lastname === "Batcher")!;
    expect(contact._parentcustomerid_value).toBe(accountId);
  });

  test("executeBatch is atomic: one failing operation rolls back the others", async () => {
    const accountsBefore = rows("accounts").length;
    const err = await client
      .executeBatch([
        { kind: "create", entitySet: "accounts", data: { name: "Ghost" } },
        { kind: "update", entitySet: "opportunities", id: OPPORTUNITY, data: { name: "renamed" }, etag: 'W/"1"' },
      ])
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect(rows("accounts")).toHaveLength(accountsBefore);
    expect(rows("opportunities")[0].name).toBe("Fabrikam migration");
  });

  test("the concurrency cap holds: never more than maxConcurrency requests in flight", async () => {
    emulator.faults.set([{ path: /opportunities/, latencyMs: 30 }]);
    const capped = new DataverseClient({ orgUrl: emulator.orgUrl, tokens: { getToken: async () => SEEDED.applicationUserId }, maxConcurrency: 3 });
    let inFlight = 0;
    let peak = 0;
    server.events.on("request:start", () => void (peak = Math.max(peak, ++inFlight)));
    server.events.on("response:mocked", () => void inFlight--);
    await Promise.all(Array.from({ length: 12 }, () => capped.getDeal(OPPORTUNITY)));
    server.events.removeAllListeners();
    expect(peak).toBe(3);
  });
});

describe("DataverseClient with a path prefix over http", () => {
  const prefixed = makeEmulator({ orgUrl: "http://127.0.0.1:5555/orgs/contoso" });
  const prefixServer = setupServer(...prefixed.handlers);
  beforeAll(() => {
    server.close();
    prefixServer.listen({ onUnhandledRequest: "error" });
  });
  afterAll(() => {
    prefixServer.close();
    server.listen({ onUnhandledRequest: "error" });
  });

  test("requests go to <prefix>/api/data/v9.2/", async () => {
    const { client } = makeClient(prefixed.orgUrl);
    const id = await client.createAccount({ name: "Prefixed" });
    expect(prefixed.store.get(tableBySet("accounts")!, id)).toMatchObject({ name: "Prefixed" });
  });
});
