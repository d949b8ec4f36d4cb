/**
 * Contract tests of the Dataverse Web API from Microsoft's examples (powerapps-docs
 * developer/data-platform: api-limits, perform-conditional-operations, execute-batch-operations,
 * use-webhooks, compose-http-requests-handle-errors). The emulator answers with the documented
 * codes, messages and shapes; our client reads what the real service sends.
 * Facts: sync/contracts/dataverse.ts; sources: docs/contracts.md.
 */
import { http, HttpResponse } from "msw";
import {
  MONEY_RANGE, PRECONDITION_FAILED, REMOTE_EXECUTION_CONTEXT_KEYS, SERVICE_PROTECTION, type ServiceProtectionLimit,
} from "../../sync/contracts/dataverse";
import { ConcurrencyError, parseRemoteExecutionContext } from "../../sync/dataverse";
import { tableBySet } from "../../emulators/dataverse/schema";
import { makeClient, makeEmulator, SEEDED, setupServer } from "../dataverse/harness";

const SERVICE = "https://cosell-service.example.com/api/dataverse";
const OPPORTUNITY = "33333333-3333-4333-8333-333333333333";
const emulator = makeEmulator();
const posted: unknown[] = [];
const server = setupServer(...emulator.handlers, http.post(`${SERVICE}*`, async ({ request }) => {
  posted.push(await request.json());
  return new HttpResponse(null, { status: 204 });
}));
const headers = { Authorization: `Bearer ${SEEDED.sellerUserId}`, "Content-Type": "application/json" };
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${emulator.apiUrl}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  emulator.reset();
  posted.length = 0;
  emulator.seed({ opportunities: [{ opportunityid: OPPORTUNITY, name: "Deal", estimatedvalue: 10 }] });
});

describe("service protection limits (api-limits.md): 429, the documented code and message, Retry-After in seconds", () => {
  test.each(Object.keys(SERVICE_PROTECTION) as ServiceProtectionLimit[])("%s", async (limit) => {
    emulator.faults.set([{ path: /opportunities/, throttleRate: 1, retryAfterSeconds: 3, limit }]);
    const res = await api(`opportunities(${OPPORTUNITY})?$select=name`);
    emulator.faults.clear();
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("3");
    expect(await res.json()).toEqual({ error: { code: SERVICE_PROTECTION[limit].code, message: SERVICE_PROTECTION[limit].message } });
  });

  test("our client waits the Retry-After seconds and then reads the row", async () => {
    const { client, sleeps } = makeClient(emulator.orgUrl);
    server.use(http.get(/\/opportunities\(/, () =>
      HttpResponse.json({ error: SERVICE_PROTECTION.concurrent }, { status: 429, headers: { "Retry-After": "2" } }), { once: true }));
    const { deal } = await client.getDeal(OPPORTUNITY);
    expect(deal.opportunity.name).toBe("Deal");
    expect(sleeps).toContain(2000);
  });
});

describe("conditional operations (perform-conditional-operations-using-web-api.md): 412 with code \"\"", () => {
  test("a stale If-Match on PATCH: the version-mismatch message; our client calls it a concurrency failure", async () => {
    const res = await api(`opportunities(${OPPORTUNITY})`, { method: "PATCH", headers: { "If-Match": 'W/"1"' }, body: JSON.stringify({ name: "x" }) });
    expect(res.status).toBe(412);
    expect(await res.json()).toEqual({ error: { code: PRECONDITION_FAILED.code, message: PRECONDITION_FAILED.versionMismatch } });
    const { client } = makeClient(emulator.orgUrl);
    expect(await client.updateOpportunity(OPPORTUNITY, { name: "y" }, 'W/"1"').catch((e: unknown) => e)).toBeInstanceOf(ConcurrencyError);
  });

  test("If-None-Match: * on an existing row (prevent update): 412 'A record with matching key values already exists.', not a concurrency failure", async () => {
    const res = await api(`opportunities(${OPPORTUNITY})`, { method: "PATCH", headers: { "If-None-Match": "*" }, body: JSON.stringify({ name: "x" }) });
    expect(res.status).toBe(412);
    expect(await res.json()).toEqual({ error: { code: "", message: PRECONDITION_FAILED.alreadyExists } });
  });

  test("our client tells the two 412s apart by message, whatever the code (the sample page writes 0x80060882)", async () => {
    const { client } = makeClient(emulator.orgUrl);
    const answer = (code: string, message: string) => server.use(http.patch(/\/opportunities\(/, () => HttpResponse.json({ error: { code, message } }, { status: 412 }), { once: true }));
    answer("0x80060882", PRECONDITION_FAILED.versionMismatch);
    expect(await client.updateOpportunity(OPPORTUNITY, { name: "y" }, 'W/"2"').catch((e: unknown) => e)).toMatchObject({ kind: "concurrency" });
    answer("", PRECONDITION_FAILED.alreadyExists);
    expect(await client.updateOpportunity(OPPORTUNITY, { name: "y" }, 'W/"2"').catch((e: unknown) => e)).toMatchObject({ kind: "validation", status: 412 });
    answer("0x80040237", PRECONDITION_FAILED.alreadyExists);
    expect(await client.updateOpportunity(OPPORTUNITY, { name: "y" }, 'W/"2"').catch((e: unknown) => e)).toMatchObject({ kind: "validation" });
  });
});

describe("$batch (execute-batch-operations-using-web-api.md)", () => {
  const batch = (parts: string) => api("$batch", {
    method: "POST",
    headers: { "Content-Type": "multipart/mixed; boundary=batch_AAA123", "OData-MaxVersion": "4.0", "OData-Version": "4.0" },
    body: parts,
  });
  const part = (id: number, set: string, body: unknown) => [
    "--changeset_BBB456", "Content-Type: application/http", "Content-Transfer-Encoding: binary", `Content-ID: ${id}`, "",
    `POST /api/data/v9.2/${set} HTTP/1.1`, "Content-Type: application/json; type=entry", "", JSON.stringify(body),
  ].join("\r\n");
  const changeSet = (...parts: string[]) => [
    "--batch_AAA123", 'Content-Type: multipart/mixed; boundary="changeset_BBB456"', "", ...parts, "--changeset_BBB456--", "--batch_AAA123--", "",
  ].join("\r\n");

  test("the documented change set: a lead, a contact, an account that references both with $1 and $2", async () => {
    const res = await batch(changeSet(
      part(1, "leads", { firstname: "Aiko", lastname: "Tanaka" }),
      part(2, "contacts", { firstname: "Aiko" }),
      part(3, "accounts", { name: "Tanaka Foods", "originatingleadid@odata.bind": "$1", "primarycontactid@odata.bind": "$2" }),
    ));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.match(/HTTP\/1\.1 204 No Content/g)).toHaveLength(3);
    const ids = [...text.matchAll(/OData-EntityId: \S+\/(\w+)\(([0-9a-f-]{36})\)/g)].map((m) => [m[1], m[2]]);
    expect(ids.map(([set]) => set)).toEqual(["leads", "contacts", "accounts"]);
    const account = emulator.store.get(tableBySet("accounts")!, ids[2][1])!;
    expect(account._primarycontactid_value).toBe(ids[1][1]);
    expect(account._originatingleadid_value).toBe(ids[0][1]);
  });

  test("a reference to an undeclared Content-ID is the documented 400, and the change set rolls back", async () => {
    const before = emulator.store.rows(tableBySet("contacts")!).length;
    const res = await batch(changeSet(
      part(1, "contacts", { firstname: "Ola" }),
      part(2, "accounts", { name: "Nowhere", "primarycontactid@odata.bind": "$9" }),
    ));
    const text = await res.text();
    expect(text).toContain("Content-ID Reference: '$9' does not exist in the batch context.");
    expect(emulator.store.rows(tableBySet("contacts")!).length).toBe(before);
  });

  // OData 11.7: each part is an HTTP request, so its request line is `METHOD URL HTTP/1.1`; a raw space ends the URL.
  test("a GET part whose URL carries a raw space is refused with 400; the same URL encoded is answered", async () => {
    const get = (url: string) => batch([
      "--batch_AAA123", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "",
      `GET /api/data/v9.2/${url} HTTP/1.1`, "Accept: application/json", "", "", "--batch_AAA123--", "",
    ].join("\r\n"));
    const raw = await get("opportunities?$select=name&$orderby=name asc");
    expect(raw.status).toBe(400);
    expect((await raw.json()).error.message).toMatch(/request line/i);
    const encoded = await get("opportunities?$select=name&$orderby=name%20asc");
    expect(encoded.status).toBe(200);
    expect(await encoded.text()).toMatch(/HTTP\/1\.1 200 OK/);
  });
});

describe("money columns: the platform's range", () => {
  test.each([MONEY_RANGE.max + 1, MONEY_RANGE.min - 1, Number("99999999999999999")])("%d is a 400 in Dataverse's error shape, and nothing is written", async (value) => {
    const res = await api(`opportunities(${OPPORTUNITY})`, { method: "PATCH", body: JSON.stringify({ estimatedvalue: value }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "0x80040317", message: expect.stringContaining("Supplied value exceeded the MIN/MAX value of Money Type field.") } });
    expect(emulator.store.get(tableBySet("opportunities")!, OPPORTUNITY)!.estimatedvalue).toBe(10);
  });

  test("the limits themselves are accepted", async () => {
    for (const value of [MONEY_RANGE.max, MONEY_RANGE.min]) {
      expect((await api(`opportunities(${OPPORTUNITY})`, { method: "PATCH", body: JSON.stringify({ estimatedvalue: value }) })).status).toBe(204);
    }
  });
});

describe("webhook steps (use-webhooks.md): the RemoteExecutionContext", () => {
  test("carries every top-level key of Microsoft's payloads, in their order, and our parser reads it", async () => {
    await emulator.registerWebhookStep({ url: SERVICE, message: "Update", mode: 0, stage: 40, headers: { "x-cosell-key": "k" } });
    expect((await api(`opportunities(${OPPORTUNITY})`, { method: "PATCH", body: JSON.stringify({ name: "Renamed" }) })).status).toBe(204);
    expect(posted).toHaveLength(1);
    const body = posted[0] as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([...REMOTE_EXECUTION_CONTEXT_KEYS]);
    expect(body.InitiatingUserAgent).toEqual(expect.any(String));
    expect(parseRemoteExecutionContext(body)).toMatchObject({ MessageName: "Update", PrimaryEntityName: "opportunity", PrimaryEntityId: OPPORTUNITY });
  });

  test("our parser takes use-webhooks.md's 27-key example too (no InitiatingUserAgent, no Azure AD object ids)", async () => {
    await emulator.registerWebhookStep({ url: SERVICE, message: "Update", mode: 1, stage: 40, headers: { "x-cosell-key": "k" } });
    await api(`opportunities(${OPPORTUNITY})`, { method: "PATCH", body: JSON.stringify({ name: "Renamed" }) });
    await emulator.dispatcher.drain();
    const { InitiatingUserAgent: _a, InitiatingUserAzureActiveDirectoryObjectId: _b, UserAzureActiveDirectoryObjectId: _c, ...older } = posted[0] as Record<string, unknown>;
    void [_a, _b, _c];
    expect(Object.keys(older)).toHaveLength(27);
    expect(parseRemoteExecutionContext(older)).toMatchObject({ MessageName: "Update", Mode: 1 });
  });
});
