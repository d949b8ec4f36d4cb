import { http, HttpResponse } from "msw";
import { PartnerCenterError, SignInExpiredError } from "../../sync/partner-center/errors";
import { updatedSinceQuery } from "../../sync/partner-center/referrals-client";
import { TOKEN, client, coSellReferral, recordingSleep, startEmulator } from "./fixtures";

const BASE = "https://api.partner.microsoft.com/v1.0/engagements/referrals";
let clock = new Date("2030-01-01T10:00:00Z");
const { emulator, server } = startEmulator({ now: () => clock });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  emulator.reset();
  clock = new Date("2030-01-01T10:00:00Z");
});
afterAll(() => server.close());

async function failure(p: Promise<unknown>): Promise<PartnerCenterError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PartnerCenterError) return e;
    throw e;
  }
  throw new Error("expected a PartnerCenterError");
}

describe("requests", () => {
  test("send the documented headers with a new client-request-id per call", async () => {
    const seen: Headers[] = [];
    server.events.on("request:start", ({ request }) => void seen.push(request.headers));
    const c = client();
    const { referral, eTag } = await c.create(coSellReferral());
    await c.get(referral.id);
    await c.patch(referral.id, [{ op: "replace", path: "/details/notes", value: "x" }], eTag);
    server.events.removeAllListeners();
    expect(seen).toHaveLength(3);
    for (const h of seen) {
      expect(h.get("authorization")).toBe(`Bearer ${TOKEN}`);
      expect(h.get("accept")).toBe("application/json");
      expect(h.get("client-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(new Set(seen.map((h) => h.get("client-request-id"))).size).toBe(3);
    expect(seen[2].get("if-match")).toBe(eTag);
    expect(seen[2].get("prefer")).toBe("return=representation");
    expect(seen[2].get("content-type")).toBe("application/json");
  });

  test("create returns the service's referral with its ETag; outgoing comes back Active/Accepted", async () => {
    const { referral, eTag } = await client().create(coSellReferral());
    expect(referral).toMatchObject({ status: "Active", substatus: "Accepted", direction: "Outgoing", name: "Contoso cloud migration" });
    expect(referral.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(referral.engagementId).toBeTruthy();
    expect(referral.links?.self?.uri).toBe(`${BASE}/${referral.id}`);
    expect(eTag).toMatch(/^"[0-9a-f-]{36}"$/);
  });

  test("get returns the ETag; every write changes it", async () => {
    const c = client();
    const created = await c.create(coSellReferral());
    const read = await c.get(created.referral.id);
    expect(read.eTag).toBe(created.eTag);
    const patched = await c.patch(created.referral.id, [{ op: "replace", path: "/details/dealValue", value: 99 }], read.eTag);
    expect(patched.eTag).not.toBe(read.eTag);
    expect(patched.referral.details.dealValue).toBe(99);
  });

  test("get takes the ETag from the eTag field when the header is missing", async () => {
    server.use(http.get(`${BASE}/abc`, () => HttpResponse.json({ ...coSellReferral(), id: "abc", eTag: '"field-etag"' })));
    expect((await client().get("abc")).eTag).toBe('"field-etag"');
  });

  test("a PATCH answered 204 (no representation) is followed by a read", async () => {
    const c = client();
    const created = await c.create(coSellReferral());
    server.use(http.patch(`${BASE}/:id`, () => new HttpResponse(null, { status: 204 }), { once: true }));
    const after = await c.patch(created.referral.id, [{ op: "add", path: "/details/notes", value: "n" }], created.eTag);
    expect(after.referral.id).toBe(created.referral.id);
  });

  test("PUT strips links and sends If-Match", async () => {
    const c = client();
    const { referral, eTag } = await c.create(coSellReferral());
    let sent: Record<string, unknown> | undefined;
    server.events.on("request:start", async ({ request }) => {
      if (request.method === "PUT") sent = (await request.clone().json()) as Record<string, unknown>;
    });
    const put = await c.put({ ...referral, details: { ...referral.details, notes: null } }, eTag);
    server.events.removeAllListeners();
    expect(sent).toBeDefined();
    expect(sent).not.toHaveProperty("links");
    expect(put.referral.details.notes).toBeNull();
    expect(put.eTag).not.toBe(eTag);
  });

  test("refuses a remove op before sending anything", async () => {
    const c = client();
    const { referral, eTag } = await c.create(coSellReferral());
    const e = await failure(c.patch(referral.id, [{ op: "remove" as "add", path: "/details/notes", value: null }], eTag));
    expect(e.kind).toBe("validation");
  });
});

describe("paging", () => {
  test("list asks for $top=100 and listAll follows @odata.nextLink verbatim", async () => {
    for (let i = 0; i < 7; i++) emulator.seller.createIncoming({ name: `deal ${i}`, customerName: "Fabrikam", country: "US" });
    const urls: string[] = [];
    server.events.on("request:start", ({ request }) => void urls.push(request.url));
    const c = client();
    const first = await c.list({ filter: "direction eq 'Incoming'", orderBy: "createdDateTime asc" });
    expect(new URL(urls[0]).searchParams.get("$top")).toBe("100");
    expect(first.value).toHaveLength(7);
    expect(first.nextLink).toBeUndefined();

    urls.length = 0;
    const names: string[] = [];
    for await (const r of c.listAll({ filter: "direction eq 'Incoming'", top: 3 })) names.push(r.name);
    server.events.removeAllListeners();
    expect(names).toEqual(["deal 0", "deal 1", "deal 2", "deal 3", "deal 4", "deal 5", "deal 6"]);
    expect(urls).toHaveLength(3);
    // Pages 2 and 3 are exactly the links the service returned.
    const page1 = await c.list({ filter: "direction eq 'Incoming'", top: 3 });
    expect(urls[1]).toBe(page1.nextLink);
  });

  test("a nextLink on another path is followed as given, never rebuilt", async () => {
    const odd = "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=abc%3D%3D";
    server.use(
      http.get(BASE, () => HttpResponse.json({ value: [{ ...coSellReferral(), id: "1" }], "@odata.nextLink": odd }), { once: true }),
      http.get("https://api.partner.microsoft.com/v1.0/referrals", ({ request }) => {
        expect(request.url).toBe(odd);
        return HttpResponse.json({ value: [{ ...coSellReferral(), id: "2" }] });
      }),
    );
    const ids: string[] = [];
    for await (const r of client().listAll()) ids.push(r.id);
    expect(ids).toEqual(["1", "2"]);
  });

  test("the delta query reads changes since a watermark in update order", async () => {
    const a = emulator.seller.createIncoming({ name: "a", customerName: "A", country: "US" });
    clock = new Date("2030-01-02T00:00:00Z");
    emulator.seller.createIncoming({ name: "b", customerName: "B", country: "DE" });
    clock = new Date("2030-01-03T00:00:00Z");
    emulator.seller.update(a.id, { dealValue: 10 });
    const page = await client().list(updatedSinceQuery(new Date("2030-01-01T12:00:00Z")));
    expect(page.value.map((r) => r.name)).toEqual(["b", "a"]);
  });
});

describe("errors and retries", () => {
  test("a stale ETag surfaces as a concurrency error with the service's code and request id", async () => {
    const c = client();
    const { referral, eTag } = await c.create(coSellReferral());
    emulator.seller.update(referral.id, { dealValue: 1 });
    const e = await failure(c.patch(referral.id, [{ op: "replace", path: "/details/notes", value: "late" }], eTag));
    expect(e).toMatchObject({ kind: "concurrency", status: 412, code: "preconditionFailed", target: "If-Match" });
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("resourceModified in the body is a concurrency error whatever the status", async () => {
    server.use(http.get(`${BASE}/x`, () => HttpResponse.json({ error: { code: "resourceModified", message: "etag" } }, { status: 409 })));
    expect((await failure(client().get("x"))).kind).toBe("concurrency");
  });

  test("404, 400 and 422 become notFound and validation errors", async () => {
    expect(await failure(client().get("missing"))).toMatchObject({ kind: "notFound", status: 404, code: "itemNotFound" });
    const bad = await failure(client().create(coSellReferral({ type: "Partnership" as "Shared" })));
    expect(bad).toMatchObject({ kind: "validation", status: 400, code: "invalidRequest", target: "type" });
    server.use(http.get(`${BASE}/u`, () => HttpResponse.json({ error: { code: "invalidRequest", message: "no" } }, { status: 422 })));
    expect((await failure(client().get("u"))).kind).toBe("validation");
  });

  test("429 waits Retry-After, then succeeds", async () => {
    const c0 = client();
    const { referral } = await c0.create(coSellReferral());
    emulator.faults.set([{ method: "GET", path: /referrals\/[^/]+$/, throttleRate: 1, retryAfterSeconds: 7 }]);
    const { waits, sleep } = recordingSleep();
    let calls = 0;
    server.events.on("request:start", () => {
      if (++calls === 3) emulator.faults.clear();
    });
    const c = client({ retryEnv: { sleep, random: () => 0 } });
    const read = await c.get(referral.id);
    server.events.removeAllListeners();
    expect(read.referral.id).toBe(referral.id);
    expect(waits).toEqual([7000, 7000]);
  });

  test("throttling that outlasts the attempts is a throttled error; waits are bounded", async () => {
    emulator.faults.set([{ path: /referrals$/, throttleRate: 1, retryAfterSeconds: 2 }]);
    const { waits, sleep } = recordingSleep();
    const e = await failure(client({ retry: { maxAttempts: 3 }, retryEnv: { sleep, random: () => 0 } }).list());
    expect(e).toMatchObject({ kind: "throttled", status: 429 });
    expect(waits).toEqual([2000, 2000]);
  });

  test("a Retry-After beyond the cap is not waited for", async () => {
    emulator.faults.set([{ path: /referrals$/, unavailableRate: 1, retryAfterSeconds: 3600 }]);
    const { waits, sleep } = recordingSleep();
    const e = await failure(client({ retryEnv: { sleep } }).list());
    expect(e).toMatchObject({ kind: "transient", status: 503, code: "serviceNotAvailable" });
    expect(waits).toEqual([]);
  });

  test("503 without Retry-After backs off exponentially with jitter", async () => {
    server.use(http.get(BASE, () => HttpResponse.json({ error: { code: "serviceNotAvailable", message: "x" } }, { status: 503 })));
    const { waits, sleep } = recordingSleep();
    await failure(client({ retry: { maxAttempts: 4, baseDelayMs: 100 }, retryEnv: { sleep, random: () => 0.5 } }).list());
    expect(waits).toEqual([50, 100, 200]);
  });

  test("a create is not repeated after a 500 (the caller's idempotency check decides)", async () => {
    emulator.faults.set([{ method: "POST", path: /referrals$/, serverErrorRate: 1 }]);
    let posts = 0;
    server.events.on("request:start", ({ request }) => void (request.method === "POST" && posts++));
    const e = await failure(client().create(coSellReferral()));
    server.events.removeAllListeners();
    expect(e.kind).toBe("transient");
    expect(posts).toBe(1);
  });

  test("a call that hangs times out and is retried, then reported as transient", async () => {
    // Never answers (and holds no timer, so nothing is left running after the test).
    server.use(http.get(`${BASE}/slow`, () => new Promise<never>(() => undefined)));
    let attempts = 0;
    server.events.on("request:start", () => void attempts++);
    const e = await failure(client({ retry: { timeoutMs: 50, maxAttempts: 2 } }).get("slow"));
    server.events.removeAllListeners();
    expect(e).toMatchObject({ kind: "transient", code: "timeout" });
    expect(attempts).toBe(2);
  });

  test("401 refreshes the token once and succeeds with the new token", async () => {
    emulator.state.rejectedTokens.add("old");
    const calls: (boolean | undefined)[] = [];
    const c = client({ tokenProvider: { getToken: async (o) => (calls.push(o?.forceRefresh), o?.forceRefresh ? "new" : "old") } });
    const page = await c.list();
    expect(page.value).toEqual([]);
    expect(calls).toEqual([undefined, true]);
  });

  test("401 after the refresh is a credential error; no third try", async () => {
    emulator.state.rejectedTokens.add(TOKEN);
    let gets = 0;
    const c = client({ tokenProvider: { getToken: async () => (gets++, TOKEN) } });
    expect(await failure(c.list())).toMatchObject({ kind: "credential", status: 401, code: "unauthenticated" });
    expect(gets).toBe(2);
  });

  test("a sign-in that expired becomes a credential error with the login hint", async () => {
    const c = client({ tokenProvider: { getToken: async () => { throw new SignInExpiredError("refresh token revoked"); } } });
    const e = await failure(c.list());
    expect(e).toMatchObject({ kind: "credential", code: "signInExpired" });
    expect(e.message).toBe("Partner Center sign-in expired — run `cosell login` again");
  });

  test("a missing bearer token is refused by the service", async () => {
    const res = await fetch(BASE);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthenticated");
  });
});
