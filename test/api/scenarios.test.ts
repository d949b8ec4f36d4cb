/** End to end at HTTP level: both emulators + the service in one msw server. */
import { createHarness, SERVICE_URL, WEBHOOK_KEY } from "../../emulators/world";
import { SEEDED } from "../../emulators/dataverse";
import { SYNC_STATUS } from "../../sync/schema/dynamics";

const h = createHarness(3);
beforeAll(() => h.server.listen({ onUnhandledRequest: "error" }));
afterAll(() => h.server.close());

const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function newSyncedOpportunity(name: string): Promise<string> {
  const accountId = await h.dataverse.createAccount({ name: `${name} Ltd`, address1_city: "Leeds", address1_postalcode: "LS1 4AP", address1_country: "GB" });
  return h.dataverse.createOpportunity({
    name,
    estimatedvalue: 50_000,
    estimatedclosedate: future(60),
    "customerid_account@odata.bind": `/accounts(${accountId})`,
    "transactioncurrencyid@odata.bind": `/transactioncurrencies(${SEEDED.currencies.GBP})`,
    cosell_solutionids: "SOL-15974-MQF",
    cosell_syncwithpartnercenter: true,
  });
}

describe("co-sell service end to end", () => {
  beforeAll(() => h.install());

  test("Sync = Yes creates one referral; edits of value and close date reach Partner Center; won closes it", async () => {
    const id = await newSyncedOpportunity("Fabrikam rollout");
    await h.settle();
    let { deal } = await h.dataverse.getDeal(id);
    expect(deal.opportunity.cosell_syncstatus).toBe(SYNC_STATUS.Synced);
    const referralId = deal.opportunity.cosell_referralid!;
    expect(referralId).toBeTruthy();
    expect(deal.opportunity.cosell_referrallink).toMatch(/^https:\/\/partner\.microsoft\.com\//);
    const mine = [...(await collect(h.referrals.listAll({ filter: `externalReferenceId eq '${id}'` })))];
    expect(mine).toHaveLength(1);

    const { etag } = await h.dataverse.getDeal(id);
    await h.dataverse.updateOpportunity(id, { estimatedvalue: 72_500, estimatedclosedate: future(90) }, etag);
    await h.settle();
    const { referral } = await h.referrals.get(referralId);
    expect(referral.details.dealValue).toBe(72_500);
    expect(referral.details.closingDateTime?.slice(0, 10)).toBe(future(90));

    await h.dataverse.winOpportunity(id, { statuscode: 3 });
    // Closing runs the Win message, not Update: the seller's "Sync now" carries it.
    await h.dataverse.callBoundAction(id, "cosell_SyncOpportunity");
    await h.settle();
    const closed = await h.referrals.get(referralId);
    expect([closed.referral.status, closed.referral.substatus]).toEqual(["Closed", "Won"]);
    ({ deal } = await h.dataverse.getDeal(id));
    expect(deal.opportunity.cosell_syncstatus).not.toBe(SYNC_STATUS.Error);
  });

  test("a Microsoft seller's referral becomes an opportunity with account and contact; accept, updates, decline", async () => {
    const incoming = h.pcEmu.seller.createIncoming({
      name: "Contoso migration", customerName: "Contoso Pharma", country: "US", city: "Boston", postalCode: "02110",
      dealValue: 120_000, currency: "USD", closingDateTime: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      assistanceRequestCode: "ProofOfConceptOrDemo", solutionIds: ["SOL-15974-MQF"],
      customerContact: { firstName: "Ana", lastName: "Diaz", email: "ana@contoso.example" },
    });
    await h.settle();
    const oppId = await h.dataverse.findOpportunityByReferralId(incoming.id);
    expect(oppId).not.toBeNull();
    let { deal } = await h.dataverse.getDeal(oppId!.opportunityid);
    expect(deal.account?.name).toBe("Contoso Pharma");
    expect(deal.contact?.emailaddress1).toBe("ana@contoso.example");
    expect(deal.opportunity.cosell_syncstatus).toBe(SYNC_STATUS.AwaitingResponse);

    await h.dataverse.callBoundAction(deal.opportunity.opportunityid, "cosell_RespondToReferral", { Decision: "accept" });
    await h.settle();
    expect((await h.referrals.get(incoming.id)).referral.substatus).toBe("Accepted");

    h.pcEmu.seller.update(incoming.id, { dealValue: 150_000 });
    await h.settle();
    ({ deal } = await h.dataverse.getDeal(deal.opportunity.opportunityid));
    expect(deal.opportunity.estimatedvalue).toBe(150_000);

    const second = h.pcEmu.seller.createIncoming({ name: "Contoso phase 2", customerName: "Contoso Pharma", country: "US", postalCode: "02110", solutionIds: ["SOL-15974-MQF"] });
    await h.settle();
    const secondOpp = (await h.dataverse.findOpportunityByReferralId(second.id))!;
    expect(secondOpp._customerid_value).toBe(deal.account?.accountid);
    await h.dataverse.callBoundAction(secondOpp.opportunityid, "cosell_RespondToReferral", { Decision: "decline", Reason: "3" });
    await h.settle();
    const declined = await h.referrals.get(second.id);
    expect([declined.referral.status, declined.referral.substatus]).toEqual(["Closed", "Declined"]);
    expect((await h.dataverse.getDeal(secondOpp.opportunityid)).deal.opportunity.statecode).toBe(2);
  });

  test("forged calls have no side effect; malformed bodies get 400 with a reason", async () => {
    const before = (await collect(h.referrals.listAll())).length;
    const eventsBefore = JSON.stringify(h.dvEmu.snapshot()).length;
    const noKey = await fetch(`${SERVICE_URL}/api/dataverse`, { method: "POST", body: "{}", headers: { "x-cosell-key": "wrong-key-wrong-key" } });
    expect(noKey.status).toBe(401);
    const badJson = await fetch(`${SERVICE_URL}/api/dataverse?code=${WEBHOOK_KEY}`, { method: "POST", body: "{not json" });
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).error.message).toMatch(/not valid JSON/);
    const badContext = await fetch(`${SERVICE_URL}/api/dataverse`, { method: "POST", body: JSON.stringify({ MessageName: 5 }), headers: { "x-cosell-key": WEBHOOK_KEY } });
    expect(badContext.status).toBe(400);
    expect((await badContext.json()).error.message).toMatch(/RemoteExecutionContext\./);
    const forged = await fetch(`${SERVICE_URL}/api/partner-center/webhook`, {
      method: "POST",
      body: JSON.stringify({ EventName: "referral-created", ResourceUri: "https://api.partnercenter.microsoft.com/engagements/v1/referrals/x", ResourceName: "referral", ResourceChangeUtcDate: new Date().toISOString() }),
      headers: { Authorization: "Signature AAAA", "X-MS-Certificate-Url": h.pcEmu.certificateUrl, "X-MS-Signature-Algorithm": "rsa-sha256" },
    });
    expect(forged.status).toBe(401);
    expect((await collect(h.referrals.listAll())).length).toBe(before);
    expect(JSON.stringify(h.dvEmu.snapshot()).length).toBe(eventsBefore);
  });

  test("health reports counters", async () => {
    const res = await fetch(`${SERVICE_URL}/health`);
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.counters.eventsProcessed).toBeGreaterThan(0);
  });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
