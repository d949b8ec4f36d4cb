import { PartnerCenterError } from "../../sync/partner-center/errors";
import { TOKEN, client, coSellReferral, startEmulator } from "./fixtures";

const BASE = "https://api.partner.microsoft.com/v1.0/engagements/referrals";
const { emulator, server } = startEmulator({ now: () => new Date("2030-01-01T10:00:00Z") });
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => emulator.reset());
afterAll(() => server.close());

const auth = { Authorization: `Bearer ${TOKEN}` };
const json = { ...auth, "Content-Type": "application/json" };
async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = json) {
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
async function created() {
  const r = await call("POST", BASE, coSellReferral());
  return { id: r.body.id as string, eTag: r.headers.get("etag") as string, body: r.body };
}

describe("create", () => {
  test("200 (the swagger's CreateReferral answer) with the server-assigned fields of the documented create response", async () => {
    const r = await call("POST", BASE, coSellReferral());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: "Active", substatus: "Accepted", direction: "Outgoing",
      createdDateTime: "2030-01-01T10:00:00.000Z", updatedDateTime: "2030-01-01T10:00:00.000Z",
      links: { self: { uri: `${BASE}/${r.body.id}`, method: "GET" } },
    });
    expect(r.body.eTag).toBe(r.headers.get("etag"));
    expect(r.body.eTag).toMatch(/^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$/);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ["an unknown type", { type: "Partnership" }, "type"],
    ["an unknown qualification", { qualification: "Hot" }, "qualification"],
    ["a missing name", { name: "" }, "name"],
    ["a missing customer name", { customerProfile: { ...coSellReferral().customerProfile, name: "" } }, "customerProfile.name"],
    ["a three-letter country", { customerProfile: { ...coSellReferral().customerProfile, address: { country: "USA" } } }, "customerProfile.address.country"],
    ["a country that does not exist", { customerProfile: { ...coSellReferral().customerProfile, address: { country: "QQ" } } }, "customerProfile.address.country"],
    ["a substatus that does not go with the status", { status: "New", substatus: "Won" }, "substatus"],
    ["an unknown help code", { inviteContext: { assistanceRequestCode: "Architecture" } }, "inviteContext.assistanceRequestCode"],
    ["an unknown currency", { details: { ...coSellReferral().details, currency: "XXQ" } }, "details.currency"],
    ["a malformed solution id", { details: { requirements: { solutions: [{ id: "15974", type: "Name" }] } } }, "details.requirements.solutions[0].id"],
    ["a co-sell deal without a customer contact", { customerProfile: { ...coSellReferral().customerProfile, team: [] } }, "customerProfile.team"],
    ["a co-sell deal without a solution", { details: { requirements: { solutions: [] } } }, "details.requirements.solutions"],
    ["a closed referral", { status: "Closed", substatus: "Won" }, "status"],
  ];
  test.each(invalid)("rejects %s with 400 invalidRequest naming the field", async (_n, change, target) => {
    const r = await call("POST", BASE, { ...coSellReferral(), ...change });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: "invalidRequest", target });
    expect(emulator.state.referrals.size).toBe(0);
  });

  test("a body that is not JSON, or the wrong content type, is refused", async () => {
    expect((await fetch(BASE, { method: "POST", headers: json, body: "{nope" })).status).toBe(400);
    expect((await fetch(BASE, { method: "POST", headers: { ...auth, "Content-Type": "text/plain" }, body: "{}" })).status).toBe(415);
  });
});

describe("updates", () => {
  test("PATCH without Prefer answers 204; with it, 200 and the referral", async () => {
    const { id, eTag } = await created();
    const ops = [{ op: "replace", path: "/details/dealValue", value: 5 }];
    const plain = await call("PATCH", `${BASE}/${id}`, ops, { ...json, "If-Match": eTag });
    expect(plain.status).toBe(204);
    const rep = await call("PATCH", `${BASE}/${id}`, ops, { ...json, "If-Match": plain.headers.get("etag")!, Prefer: "return=representation" });
    expect(rep.status).toBe(200);
    expect(rep.body.details.dealValue).toBe(5);
  });

  test("a stale If-Match is 412 preconditionFailed and changes nothing", async () => {
    const { id, eTag } = await created();
    await call("PATCH", `${BASE}/${id}`, [{ op: "replace", path: "/details/notes", value: "first" }], { ...json, "If-Match": eTag });
    const r = await call("PATCH", `${BASE}/${id}`, [{ op: "replace", path: "/details/notes", value: "second" }], { ...json, "If-Match": eTag });
    expect(r.status).toBe(412);
    expect(r.body.error.code).toBe("preconditionFailed");
    expect(emulator.state.get(id).details.notes).toBe("first");
  });

  test.each(["PATCH", "PUT"])("two %s requests with the same If-Match in flight at once: one is applied, the other is 412", async (method) => {
    const { id, eTag, body } = await created();
    const { links: _links, ...writable } = body;
    void _links;
    const write = (name: string) =>
      method === "PATCH"
        ? call("PATCH", `${BASE}/${id}`, [{ op: "replace", path: "/details/notes", value: name }, { op: "replace", path: "/details/dealValue", value: name.length }], { ...json, "If-Match": eTag })
        : call("PUT", `${BASE}/${id}`, { ...writable, details: { ...writable.details, notes: name, dealValue: name.length } }, { ...json, "If-Match": eTag });
    const answers = await Promise.all([write("first"), write("second!")]);
    expect(answers.map((a) => a.status).sort()).toEqual([method === "PATCH" ? 204 : 200, 412]);
    // The stored referral is exactly the winner's write, not a mix of the two.
    const winner = answers[0].status === 412 ? "second!" : "first";
    const stored = emulator.state.get(id);
    expect([stored.details.notes, stored.details.dealValue]).toEqual([winner, winner.length]);
  });

  test("remove ops are refused (only replace and add)", async () => {
    const { id } = await created();
    const r = await call("PATCH", `${BASE}/${id}`, [{ op: "remove", path: "/details/notes" }]);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: "invalidRequest", target: "[0].op" });
  });

  test("server fields are read-only on PATCH", async () => {
    const { id } = await created();
    const r = await call("PATCH", `${BASE}/${id}`, [{ op: "replace", path: "/engagementId", value: "x" }]);
    expect(r.status).toBe(400);
  });

  test("add to /team/- appends a member", async () => {
    const { id } = await created();
    const r = await call("PATCH", `${BASE}/${id}`, [{ op: "add", path: "/team/-", value: { firstName: "Kim", email: "kim@contoso.example" } }], { ...json, Prefer: "return=representation" });
    expect(r.body.team.map((m: { firstName: string }) => m.firstName)).toEqual(["Sam", "Kim"]);
  });

  test("PUT without If-Match is 412 (our choice, a documented code); with it the links are ignored", async () => {
    const { id, eTag, body } = await created();
    const { links: _l, ...rest } = body;
    expect((await call("PUT", `${BASE}/${id}`, rest)).status).toBe(412);
    const ok = await call("PUT", `${BASE}/${id}`, { ...rest, links: { self: { uri: "https://evil", method: "GET" } }, name: "renamed" }, { ...json, "If-Match": eTag });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ name: "renamed", links: { self: { uri: `${BASE}/${id}` } } });
  });

  test("status transitions follow §2.3 and a closed referral accepts no edits", async () => {
    const incoming = emulator.seller.createIncoming({ name: "in", customerName: "Fabrikam", country: "US" });
    expect(incoming).toMatchObject({ direction: "Incoming", status: "New", substatus: "Pending", inviteContext: { invitedBy: { organizationId: "msft" } } });
    const c = client();
    const accepted = await c.patch(incoming.id, [{ op: "replace", path: "/status", value: "Active" }, { op: "replace", path: "/substatus", value: "Accepted" }], incoming.eTag!);
    expect(accepted.referral.acceptedDateTime).toBeTruthy();
    const back = c.patch(incoming.id, [{ op: "replace", path: "/status", value: "New" }, { op: "replace", path: "/substatus", value: "Pending" }], accepted.eTag);
    await expect(back).rejects.toMatchObject({ kind: "validation", target: "status" });
    const noReason = c.patch(incoming.id, [{ op: "replace", path: "/status", value: "Closed" }, { op: "replace", path: "/substatus", value: "Lost" }], accepted.eTag);
    await expect(noReason).rejects.toMatchObject({ kind: "validation", target: "statusReason" });
    const won = await c.patch(incoming.id, [{ op: "replace", path: "/status", value: "Closed" }, { op: "replace", path: "/substatus", value: "Won" }], accepted.eTag);
    const edit = await c.patch(incoming.id, [{ op: "replace", path: "/details/notes", value: "after" }], won.eTag).catch((e: PartnerCenterError) => e);
    expect(edit).toMatchObject({ kind: "validation", status: 400, code: "invalidRequest", target: "status" });
  });

  test("an unanswered incoming referral expires after 14 days", async () => {
    let clock = new Date("2030-01-01T00:00:00Z");
    const { emulator: e2, server: s2 } = startEmulator({ now: () => clock });
    const r = e2.seller.createIncoming({ name: "old", customerName: "F", country: "US" });
    clock = new Date("2030-01-16T00:00:00Z");
    expect(e2.seller.expireOverdue().map((x) => x.id)).toEqual([r.id]);
    expect(e2.state.get(r.id)).toMatchObject({ status: "Closed", substatus: "Expired" });
    s2.close();
  });
});

describe("queries", () => {
  beforeEach(() => {
    emulator.seller.createIncoming({ name: "in-us", customerName: "A", country: "US", seller: { firstName: "M", email: "msft.seller@microsoft.com" } });
    emulator.seller.createIncoming({ name: "in-de", customerName: "B", country: "DE" });
  });

  const cases: [string, string[]][] = [
    ["type eq 'Shared' and direction eq 'Incoming'", ["in-us", "in-de"]],
    ["direction eq 'Incoming' and substatus eq 'Pending'", ["in-us", "in-de"]],
    ["customerProfile/address/country eq 'DE'", ["in-de"]],
    ["team/any(t:t/email eq 'msft.seller@microsoft.com')", ["in-us"]],
    ["(status eq 'Active' or status eq 'New') and customerProfile/address/country eq 'US'", ["in-us"]],
    ["updatedDateTime ge 2030-01-01T00:00:00Z", ["in-us", "in-de"]],
    ["updatedDateTime gt 2030-01-01T10:00:00Z", []],
  ];
  test.each(cases)("$filter=%s", async (filter, names) => {
    const r = await call("GET", `${BASE}?$filter=${encodeURIComponent(filter)}`, undefined, auth);
    expect(r.status).toBe(200);
    expect(r.body.value.map((x: { name: string }) => x.name)).toEqual(names);
  });

  const bad = ["status eq 'Open'", "name eq 'x'", "updatedDateTime ge '2030-01-01'", "status eq", "status contains 'x'"];
  test.each(bad)("rejects $filter=%s with 400", async (filter) => {
    const r = await call("GET", `${BASE}?$filter=${encodeURIComponent(filter)}`, undefined, auth);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("invalidRequest");
  });

  test("unsupported query options and orderings are 400", async () => {
    expect((await call("GET", `${BASE}?$select=name`, undefined, auth)).status).toBe(400);
    expect((await call("GET", `${BASE}?$orderby=name`, undefined, auth)).status).toBe(400);
    expect((await call("GET", `${BASE}?$top=0`, undefined, auth)).status).toBe(400);
  });

  test("$orderby desc, $count and $skiptoken paging", async () => {
    emulator.seller.update(emulator.state.all()[0].id, { notes: "touched" }); // in-us becomes the latest update
    const r = await call("GET", `${BASE}?$orderby=updatedDateTime desc&$top=1&$count=true`, undefined, auth);
    expect(r.body["@odata.count"]).toBe(2);
    expect(r.body.value.map((x: { name: string }) => x.name)).toEqual(["in-us"]);
    const next = r.body["@odata.nextLink"] as string;
    expect(next).toMatch(/\?\$skiptoken=/);
    const page2 = await call("GET", next, undefined, auth);
    expect(page2.body.value.map((x: { name: string }) => x.name)).toEqual(["in-de"]);
    expect(page2.body["@odata.nextLink"]).toBeUndefined();
    expect((await call("GET", `${next}&$top=5`, undefined, auth)).status).toBe(400);
  });
});

test("the seller's sandbox routes create and close referrals over HTTP", async () => {
  const made = await call("POST", `${BASE}/_sandbox/seller/referrals`, { name: "web", customerName: "C", country: "FR", assistanceRequestCode: "GeneralOrOther", solutionIds: ["SOL-1-A"] });
  expect(made.status).toBe(201);
  const id = made.body.id as string;
  await call("PATCH", `${BASE}/${id}`, [{ op: "replace", path: "/status", value: "Active" }, { op: "replace", path: "/substatus", value: "Accepted" }]);
  const closed = await call("POST", `${BASE}/_sandbox/seller/referrals/${id}/close`, { outcome: "Lost", reason: "Customer chose another vendor" });
  expect(closed.body).toMatchObject({ status: "Closed", substatus: "Lost", statusReason: "Customer chose another vendor" });
  expect((await call("POST", `${BASE}/_sandbox/seller/referrals/${id}/close`, { outcome: "Maybe" })).status).toBe(400);
});
