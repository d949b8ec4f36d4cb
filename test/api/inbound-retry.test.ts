/**
 * An incoming referral makes one account, one contact and one opportunity however the creates go:
 * an answer lost on the way back (the client retries a create Dataverse already made), two
 * service instances working the same referral at once, or a contact the seller already has.
 */
import { delay, http, HttpResponse } from "msw";
import { installedHarness, WEBHOOK_KEY } from "../../emulators/world";
import { SEEDED } from "../../emulators/dataverse";
import { tableBySet } from "../../emulators/dataverse/schema";
import { composeService } from "../../api/compose";
import { silentLogger } from "../../api/core/logger";
import { OPPORTUNITY_COLUMNS as C } from "../../sync/schema/dynamics";
import type { IncomingReferralInput } from "../../emulators/partner-center/seller";

// Each attempt waits at most a second for its answer.
const ATTEMPT_TIMEOUT_MS = 1_000;
const h = installedHarness(16, { retry: { timeoutMs: ATTEMPT_TIMEOUT_MS } });
const rows = (set: string) => h.dvEmu.store.rows(tableBySet(set)!);
const SERVICE_TOKEN = `Bearer ${SEEDED.applicationUserId}`;

let n = 0;
/** A referral from a customer nobody has seen (its own name, postal code and contact). */
function incoming(overrides: Partial<IncomingReferralInput> = {}) {
  n++;
  return h.pcEmu.seller.createIncoming({
    name: `Expansion ${n}`, customerName: `Customer ${n}`, country: "US", postalCode: `980${10 + n}`,
    dealValue: 25_000, currency: "USD", closingDateTime: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    customerContact: { firstName: "Ana", lastName: `Buyer ${n}`, email: `ana${n}@customer${n}.example`, phoneNumber: "+1 425 555 0100" },
    ...overrides,
  });
}

/** What the referral became: its opportunity, and the rows of its customer. */
function madeFrom(referralId: string, customerName: string, email: string) {
  return {
    opportunities: rows("opportunities").filter((r) => r[C.referralId] === referralId),
    accounts: rows("accounts").filter((r) => r.name === customerName),
    contacts: rows("contacts").filter((r) => r.emailaddress1 === email),
  };
}

test("answers lost after Dataverse made the account, the contact and the opportunity: one of each", async () => {
  // The first create of each row reaches Dataverse, and its answer does not come back in time.
  const lost = new Set<string>();
  h.server.use(
    http.patch(`${h.dvEmu.apiUrl}*`, async ({ request }) => {
      const set = /\/(\w+)\([0-9a-f-]{36}\)$/.exec(new URL(request.url).pathname)?.[1] ?? "";
      if (request.headers.get("authorization") !== SERVICE_TOKEN || !["accounts", "contacts", "opportunities"].includes(set) || lost.has(set)) return undefined;
      lost.add(set);
      const done = await h.dvEmu.request("PATCH", request.url, await request.text(), Object.fromEntries(request.headers));
      expect(done.status).toBeLessThan(300);
      await delay(ATTEMPT_TIMEOUT_MS * 2);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  const referral = incoming();
  await h.settle();

  expect([...lost].sort()).toEqual(["accounts", "contacts", "opportunities"]);
  const made = madeFrom(referral.id, referral.customerProfile!.name!, `ana${n}@customer${n}.example`);
  expect(made.opportunities).toHaveLength(1);
  expect(made.accounts).toHaveLength(1);
  expect(made.contacts).toHaveLength(1);
  const [opp] = made.opportunities;
  expect(opp._customerid_value).toBe(made.accounts[0].accountid);
  expect(opp._parentcontactid_value).toBe(made.contacts[0].contactid);
  expect(made.contacts[0]._parentcustomerid_value).toBe(made.accounts[0].accountid);
  // The pair synced: the referral awaits the seller's answer, and the timeline shows one first sync.
  expect(opp[C.syncStatus]).toBeDefined();
  expect(rows("cosell_syncevents").filter((e) => e._cosell_opportunity_value === opp.opportunityid)).toHaveLength(1);
});

test("two service instances taking up the same referral at once make one of each", async () => {
  // A second instance (scaled out) that shares nothing with the first but Dataverse and Partner Center.
  const other = composeService(
    {
      dataverse: { url: h.dvEmu.orgUrl, auth: { token: SEEDED.applicationUserId } },
      partnerCenter: { auth: { token: "pc-token" } },
      inbound: { webhookKey: WEBHOOK_KEY, trustRootsPem: h.pcEmu.trustRootPem, certificateHosts: [h.pcEmu.certificateHost] },
    },
    { logger: silentLogger(), retry: { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 }, retryEnv: { sleep: async () => undefined } },
  );
  // Every create waits a moment, so both instances look before either has made anything.
  h.server.use(
    http.patch(`${h.dvEmu.apiUrl}*`, async () => {
      await new Promise((r) => setTimeout(r, 20));
      return undefined;
    }),
  );
  const referral = incoming();
  await Promise.all([h.service.reconcile({ full: true }), other.reconcile({ full: true }), h.settle()]);
  await h.settle();

  const made = madeFrom(referral.id, referral.customerProfile!.name!, `ana${n}@customer${n}.example`);
  expect(made.opportunities).toHaveLength(1);
  expect(made.accounts).toHaveLength(1);
  expect(made.contacts).toHaveLength(1);
  expect(made.opportunities[0]._customerid_value).toBe(made.accounts[0].accountid);
});

test("the seller's own account and contact are used, not copied", async () => {
  const seller = h.dataverse;
  const accountId = await seller.createAccount({ name: "Fabrikam", address1_postalcode: "10115", address1_country: "DE" });
  const contactId = await seller.createContact({ firstname: "Jonas", lastname: "Keller", emailaddress1: "jonas@fabrikam.example", "parentcustomerid_account@odata.bind": `/accounts(${accountId})` });
  const referral = incoming({
    customerName: "Fabrikam", postalCode: "10115", country: "DE",
    customerContact: { firstName: "Jonas", lastName: "Keller", email: "jonas@fabrikam.example" },
  });
  await h.settle();

  const made = madeFrom(referral.id, "Fabrikam", "jonas@fabrikam.example");
  expect(made.accounts.map((a) => a.accountid)).toEqual([accountId]);
  expect(made.contacts.map((c) => c.contactid)).toEqual([contactId]);
  expect(made.opportunities).toHaveLength(1);
  expect(made.opportunities[0]._parentcontactid_value).toBe(contactId);
});
