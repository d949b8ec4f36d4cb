import { OPPORTUNITY_COLUMNS as OPP } from "../../sync/schema/dynamics";
import { tableBySet } from "../../emulators/dataverse/schema";
import { serveHandlers } from "../../emulators/kit/serve";
import { createDataverseEmulator } from "../../emulators/dataverse";
import { makeEmulator, SEEDED, setupServer } from "./harness";

const emulator = makeEmulator();
const server = setupServer(...emulator.handlers);
const OPPORTUNITY = "33333333-3333-4333-8333-333333333333";
const headers = { Authorization: "Bearer token", "Content-Type": "application/json" };
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${emulator.apiUrl}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  emulator.reset();
  emulator.seed({ opportunities: [{ opportunityid: OPPORTUNITY, name: "Deal", estimatedvalue: 10 }] });
});

describe("the Dataverse emulator refuses what Dataverse refuses", () => {
  test("an unknown column in $select, $filter or the body is a 400 in Dataverse's error shape", async () => {
    const select = await api("opportunities?$select=name,nosuchcolumn");
    expect(select.status).toBe(400);
    expect(await errorOf(select)).toEqual({ code: "0x80060888", message: "Could not find a property named 'nosuchcolumn' on type 'Microsoft.Dynamics.CRM.opportunity'." });
    expect((await api("opportunities?$filter=nosuch eq 1")).status).toBe(400);
    const body = await api("opportunities", { method: "POST", body: JSON.stringify({ name: "x", bogus: 1 }) });
    expect(body.status).toBe(400);
    expect((await errorOf(body)).message).toContain("'bogus'");
    expect((await api("opportunities", { method: "POST", body: JSON.stringify({ estimatedvalue: "lots" }) })).status).toBe(400);
  });

  test("two PATCHes with the same If-Match at once: the version is compared at the write, so the second is 412", async () => {
    const etag = (await emulator.request("GET", `opportunities(${OPPORTUNITY})?$select=name`)).headers.ETag;
    // Both start before either writes (each awaits its pre-operation steps between its checks and its write).
    const answers = await Promise.all(["a", "b"].map((name) => emulator.request("PATCH", `opportunities(${OPPORTUNITY})`, { name }, { "If-Match": etag })));
    expect(answers.map((a) => a.status)).toEqual([204, 412]);
    expect(emulator.store.get(tableBySet("opportunities")!, OPPORTUNITY)!.name).toBe("a");
  });

  test("two closes of one opportunity at once: the first closes it, the second is refused", async () => {
    const close = (action: string, status: number) =>
      emulator.request("POST", action, { Status: status, OpportunityClose: { subject: action, "opportunityid@odata.bind": `/opportunities(${OPPORTUNITY})` } });
    const [won, lost] = await Promise.all([close("WinOpportunity", 3), close("LoseOpportunity", 5)]);
    expect([won.status, lost.status]).toEqual([204, 400]);
    const row = emulator.store.get(tableBySet("opportunities")!, OPPORTUNITY)!;
    expect([row.statecode, row.statuscode]).toEqual([1, 3]);
    expect(emulator.store.rows(tableBySet("opportunitycloses")!)).toHaveLength(1);
  });

  test("a stale ETag is 412 with the documented message; If-Match * on a missing row is 404", async () => {
    const first = await api(`opportunities(${OPPORTUNITY})?$select=name`);
    const etag = ((await first.json()) as Record<string, string>)["@odata.etag"];
    expect((await api(`opportunities(${OPPORTUNITY})`, { method: "PATCH", body: '{"name":"a"}', headers: { "If-Match": etag } })).status).toBe(204);
    const stale = await api(`opportunities(${OPPORTUNITY})`, { method: "PATCH", body: '{"name":"b"}', headers: { "If-Match": etag } });
    expect(stale.status).toBe(412);
    expect((await errorOf(stale)).message).toBe("The version of the existing record doesn't match the RowVersion property provided.");
    const missing = await api("opportunities(99999999-9999-4999-8999-999999999999)", { method: "PATCH", body: '{"name":"c"}', headers: { "If-Match": "*" } });
    expect(missing.status).toBe(404);
    expect(emulator.store.rows(tableBySet("opportunities")!)).toHaveLength(1);
  });

  test("the ETag rises on every write", async () => {
    const versions: string[] = [];
    for (const name of ["a", "b", "c"]) {
      const res = await api(`opportunities(${OPPORTUNITY})`, { method: "PATCH", body: JSON.stringify({ name }), headers: { Prefer: "return=representation" } });
      versions.push(((await res.json()) as Record<string, string>)["@odata.etag"]);
    }
    const numbers = versions.map((v) => Number(/\d+/.exec(v)![0]));
    expect(numbers[1]).toBeGreaterThan(numbers[0]);
    expect(numbers[2]).toBeGreaterThan(numbers[1]);
  });

  test("POST answers 204 with OData-EntityId, or 201 with the row when asked", async () => {
    const plain = await api("accounts", { method: "POST", body: '{"name":"A"}' });
    expect(plain.status).toBe(204);
    expect(plain.headers.get("OData-EntityId")).toMatch(/\/api\/data\/v9\.2\/accounts\([0-9a-f-]{36}\)$/);
    const rep = await api("accounts?$select=name", { method: "POST", body: '{"name":"B"}', headers: { Prefer: "return=representation" } });
    expect(rep.status).toBe(201);
    expect(await rep.json()).toMatchObject({ name: "B", "@odata.etag": expect.stringMatching(/^W\/"\d+"$/) });
  });

  test("an opportunity is not closed by a PATCH of statecode, and a closed one cannot be closed again", async () => {
    expect((await api(`opportunities(${OPPORTUNITY})`, { method: "PATCH", body: '{"statecode":1}' })).status).toBe(400);
    const win = (status: number) =>
      api("WinOpportunity", { method: "POST", body: JSON.stringify({ OpportunityClose: { subject: "Won", "opportunityid@odata.bind": `/opportunities(${OPPORTUNITY})` }, Status: status }) });
    expect((await win(5)).status).toBe(400); // 5 is a Lost status reason
    expect((await win(3)).status).toBe(204);
    const again = await win(3);
    expect(again.status).toBe(400);
    expect((await errorOf(again)).message).toMatch(/already closed/);
  });

  test("$filter, $orderby, $top, $count and lookups", async () => {
    await api("opportunities", { method: "POST", body: JSON.stringify({ name: "Big", estimatedvalue: 900, [OPP.syncWithPartnerCenter]: true, "transactioncurrencyid@odata.bind": `/transactioncurrencies(${SEEDED.currencies.USD})` }) });
    await api("opportunities", { method: "POST", body: JSON.stringify({ name: "Mid", estimatedvalue: 500, [OPP.syncWithPartnerCenter]: true }) });
    const res = await api(`opportunities?$select=name&$filter=${encodeURIComponent(`${OPP.syncWithPartnerCenter} eq true and (estimatedvalue ge 500 or name eq 'x')`)}&$orderby=estimatedvalue desc&$count=true`);
    const body = (await res.json()) as { value: Array<{ name: string }>; "@odata.count": number };
    expect(body.value.map((v) => v.name)).toEqual(["Big", "Mid"]);
    expect(body["@odata.count"]).toBe(2);
    const byCurrency = await api(`opportunities?$select=name&$filter=_transactioncurrencyid_value eq ${SEEDED.currencies.USD}&$top=5`);
    expect(((await byCurrency.json()) as { value: unknown[] }).value).toHaveLength(1);
    expect((await api("opportunities?$filter=estimatedvalue eq 'ten'")).status).toBe(400);
    expect((await api("opportunities(cosell_referralid='none')")).status).toBe(404);
  });

  test("a raw $batch change set with a failing request rolls back the whole change set", async () => {
    const body = [
      "--batch_1",
      "Content-Type: multipart/mixed; boundary=changeset_1",
      "",
      "--changeset_1",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "Content-ID: 1",
      "",
      `POST ${emulator.apiUrl}accounts HTTP/1.1`,
      "Content-Type: application/json",
      "",
      '{"name":"Rolled back"}',
      "--changeset_1",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "Content-ID: 2",
      "",
      `PATCH ${emulator.apiUrl}opportunities(${OPPORTUNITY}) HTTP/1.1`,
      "Content-Type: application/json",
      "",
      '{"nosuchcolumn":1}',
      "--changeset_1--",
      "--batch_1--",
      "",
    ].join("\r\n");
    const res = await api("$batch", { method: "POST", body, headers: { "Content-Type": "multipart/mixed; boundary=batch_1" } });
    const text = await res.text();
    expect(text).toMatch(/--batchresponse_/);
    expect(text).toMatch(/HTTP\/1\.1 400 Bad Request/);
    expect(emulator.store.rows(tableBySet("accounts")!)).toHaveLength(0);
  });

  test("snapshot and load round-trip the state (the sandbox's state file)", async () => {
    await api("accounts", { method: "POST", body: '{"name":"Kept"}' });
    const saved = JSON.parse(JSON.stringify(emulator.snapshot()));
    const other = createDataverseEmulator();
    other.load(saved);
    expect(other.store.rows(tableBySet("accounts")!).map((a) => a.name)).toEqual(["Kept"]);
    expect(() => other.load({ version: 1, tables: { nosuchset: {} } })).toThrow(/nosuchset/);
  });
});

describe("the same handlers over real localhost HTTP", () => {
  test("serveHandlers answers the emulator's Web API", async () => {
    server.close();
    const local = createDataverseEmulator({ orgUrl: "http://127.0.0.1:1/" });
    const running = await serveHandlers(() => local.handlers, { publicOrigin: local.orgUrl });
    try {
      const res = await fetch(`${running.url}/api/data/v9.2/transactioncurrencies?$select=isocurrencycode&$filter=isocurrencycode eq 'EUR'`, { headers });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { value: unknown[] }).value).toEqual([expect.objectContaining({ isocurrencycode: "EUR" })]);
    } finally {
      await running.close();
      server.listen({ onUnhandledRequest: "error" });
    }
  });
});
