/**
 * Contract tests of Partner Center webhooks from Microsoft's examples (partner-center-webhooks.md,
 * partner-center-webhook-events.md, Webhooks.json): registration bodies in both casings, the
 * documented statuses, the WebhookValidationEvent shape, the delivered payload and both signature
 * header forms the sample receiver reads. Facts: sync/contracts/partner-center-webhooks.ts.
 */
import { http, HttpResponse } from "msw";
import {
  REGISTRATION_EXISTS_MESSAGE, REGISTRATION_STATUS, WEBHOOK_EVENTS, WEBHOOKS_BASE_URL, type WebhookValidationEvent,
} from "../../sync/contracts/partner-center-webhooks";
import { createSigningIdentity } from "../../emulators/partner-center/certificates";
import { staticTokenProvider } from "../../sync/partner-center/auth-types";
import { parsePartnerCenterEvent } from "../../sync/partner-center/events";
import { verifyPartnerCenterWebhook } from "../../sync/partner-center/webhook-verify";
import { WebhooksClient } from "../../sync/partner-center/webhooks-client";
import { TOKEN, startEmulator } from "../partner-center/fixtures";

const RECEIVER = "https://cosell.fabrikam.example/api/partner-center/webhook";
const { emulator, server } = startEmulator();
const deliveries: Array<{ headers: Headers; body: string }> = [];
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  emulator.reset();
  deliveries.length = 0;
  server.use(http.post(RECEIVER, async ({ request }) => {
    deliveries.push({ headers: request.headers, body: await request.text() });
    return new HttpResponse(null, { status: 200 });
  }));
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const auth = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
const register = (body: unknown, method = "POST") => fetch(WEBHOOKS_BASE_URL, { method, headers: auth, body: JSON.stringify(body) });
const webhooks = () => new WebhooksClient({ tokenProvider: staticTokenProvider(TOKEN), retryEnv: { sleep: async () => undefined } });

describe("registration (POST/PUT/GET /webhooks/v1/registration)", () => {
  test("the docs' PascalCase body: 200 with SubscriberId; a second POST is the swagger's 409", async () => {
    const first = await register({ WebhookUrl: RECEIVER, WebhookEvents: ["referral-created", "referral-updated"] });
    expect(first.status).toBe(REGISTRATION_STATUS.ok);
    expect(await first.json()).toMatchObject({ SubscriberId: expect.any(String), WebhookUrl: RECEIVER, WebhookEvents: ["referral-created", "referral-updated"] });
    const again = await register({ WebhookUrl: RECEIVER, WebhookEvents: ["referral-created"] });
    expect(again.status).toBe(REGISTRATION_STATUS.alreadyExists);
    expect((await again.json()).description).toBe(REGISTRATION_EXISTS_MESSAGE);
  });

  test("the swagger's camelCase body with signatureTokenToMsSignatureHeader (as the referral connector registers): 200", async () => {
    const r = await register({ webhookUrl: RECEIVER, webhookEvents: ["referral-created", "test-created"], signatureTokenToMsSignatureHeader: true });
    expect(r.status).toBe(200);
    expect((await register({ webhookUrl: RECEIVER, webhookEvents: ["referral-updated"] }, "PUT")).status).toBe(200);
  });

  test("every published event name registers, subscription-updated and test-created with the referral ones", async () => {
    const r = await register({ WebhookUrl: RECEIVER, WebhookEvents: ["subscription-updated", "test-created", "referral-created", "related-referral-updated"] });
    expect(r.status).toBe(200);
    expect((await register({ WebhookUrl: RECEIVER, WebhookEvents: [...WEBHOOK_EVENTS] }, "PUT")).status).toBe(200);
    const unknown = await register({ WebhookUrl: RECEIVER, WebhookEvents: ["referral-deleted"] }, "PUT");
    expect(unknown.status).toBe(400);
  });

  test("our client reads the GET sample without SubscriberId (as the docs' View sample shows it)", async () => {
    server.use(http.get(WEBHOOKS_BASE_URL, () => HttpResponse.json({ WebhookUrl: RECEIVER, WebhookEvents: ["referral-created"] })));
    expect(await webhooks().show()).toEqual(expect.objectContaining({ webhookUrl: RECEIVER, webhookEvents: ["referral-created"], subscriberId: undefined }));
  });
});

describe("test events (validationEvents)", () => {
  test("the result is a WebhookValidationEvent: responseCode a status name string, systemError a boolean", async () => {
    await register({ WebhookUrl: RECEIVER, WebhookEvents: ["test-created"] });
    const c = webhooks();
    const id = await c.sendTest();
    await emulator.settle();
    const raw = (await (await fetch(`${WEBHOOKS_BASE_URL}/validationEvents/${id}`, { headers: auth })).json()) as WebhookValidationEvent;
    expect(Object.keys(raw).sort()).toEqual(["callbackUrl", "correlationId", "partnerId", "results", "status"]);
    expect(raw.results).toEqual([{ responseCode: "OK", responseMessage: "", systemError: false, dateTimeUtc: expect.any(String) }]);
    expect((await c.testResult(id)).results[0]).toEqual(raw.results[0]);
    // The delivered test event names its validation event, as the events page shows.
    expect(JSON.parse(deliveries[0].body)).toMatchObject({ EventName: "test-created", ResourceName: "test", ResourceUri: expect.stringContaining(`/validationEvents/${id}`) });
  });

  test("our client takes the correlation id as the docs' object or the swagger's bare string", async () => {
    const c = webhooks();
    server.use(http.post(`${WEBHOOKS_BASE_URL}/validationEvents`, () => HttpResponse.json({ correlationId: "04af2aea-0000-4000-8000-000000000001" })));
    expect(await c.sendTest()).toBe("04af2aea-0000-4000-8000-000000000001");
    server.use(http.post(`${WEBHOOKS_BASE_URL}/validationEvents`, () => HttpResponse.json("04af2aea-0000-4000-8000-000000000002")));
    expect(await c.sendTest()).toBe("04af2aea-0000-4000-8000-000000000002");
  });

  test("our client reads the docs' result sample, and a systemError sent as text", async () => {
    server.use(http.get(`${WEBHOOKS_BASE_URL}/validationEvents/:id`, () => HttpResponse.json({
      correlationId: "c1", partnerId: "p1", status: "completed", callbackUrl: RECEIVER,
      results: [{ responseCode: "OK", responseMessage: "", systemError: false, dateTimeUtc: "2031-12-08T21:39:48.2386997" }, { responseCode: 500, systemError: "True" }],
    })));
    expect((await webhooks().testResult("c1")).results).toEqual([
      { responseCode: "OK", responseMessage: "", systemError: false, dateTimeUtc: "2031-12-08T21:39:48.2386997" },
      { responseCode: "500", responseMessage: "", systemError: true, dateTimeUtc: "" },
    ]);
  });
});

describe("deliveries and their signatures", () => {
  const now = new Date("2031-01-01T00:00:00Z");
  const identity = createSigningIdentity({ now });
  const certUrl = "https://3psostorageacct.blob.core.windows.net/cert/pcnotifications-dispatch.microsoft.com.cer";
  const verifyOptions = { trustRootsPem: [identity.caPem], now: () => now };
  // The docs' sample delivery: PascalCase, AuditUri null, seven fractional digits with an offset.
  const sample = JSON.stringify({
    EventName: "referral-updated",
    ResourceUri: "https://api.partnercenter.microsoft.com/engagements/v1/referrals/6e3c1b2a-0000-4000-8000-0000000000aa",
    ResourceName: "referral",
    AuditUri: null,
    ResourceChangeUtcDate: "2031-01-01T00:00:00.3520276+00:00",
  });
  beforeEach(() => server.use(http.get(certUrl, () => new HttpResponse(identity.leafDer))));
  const common = { "X-MS-Certificate-Url": certUrl, "X-MS-Signature-Algorithm": "rsa-sha256" };

  test.each([
    ["Authorization: Signature <b64> (the default)", (s: string) => ({ Authorization: `Signature ${s}` })],
    ["x-ms-signature: Signature <b64> (as the sample receiver splits it)", (s: string) => ({ "x-ms-signature": `Signature ${s}` })],
    ["x-ms-signature: <b64> (bare)", (s: string) => ({ "x-ms-signature": s })],
    ["x-ms-signature beside a proxy's Bearer Authorization", (s: string) => ({ Authorization: "Bearer proxy-token", "x-ms-signature": `Signature ${s}` })],
  ])("%s verifies", async (_label, signatureHeaders) => {
    const result = await verifyPartnerCenterWebhook({ ...common, ...signatureHeaders(identity.sign(sample)) }, sample, verifyOptions);
    expect(result).toMatchObject({ ok: true, event: { referralId: "6e3c1b2a-0000-4000-8000-0000000000aa", auditUri: null } });
  });

  test("a signature over other bytes is refused in either header", async () => {
    const wrong = identity.sign(sample + " ");
    const forms: Record<string, string>[] = [{ Authorization: `Signature ${wrong}` }, { "x-ms-signature": `Signature ${wrong}` }];
    for (const h of forms) {
      expect(await verifyPartnerCenterWebhook({ ...common, ...h }, sample, verifyOptions)).toMatchObject({ ok: false, reason: "signature does not match the body" });
    }
  });

  test("the swagger's camelCase payload and the field table's AuditUrl are read too", () => {
    const camel = parsePartnerCenterEvent(JSON.stringify({ eventName: "referral-created", resourceUri: "https://api.partnercenter.microsoft.com/engagements/v1/referrals/r9", resourceName: "referral", auditUri: null, resourceChangeUtcDate: "2031-01-01T00:00:00Z" }));
    expect(camel).toMatchObject({ ok: true, value: { referralId: "r9" } });
    const alias = parsePartnerCenterEvent(JSON.stringify({ EventName: "referral-created", ResourceUri: "https://api.partnercenter.microsoft.com/engagements/v1/referrals/r8", ResourceName: "referral", AuditUrl: "https://api.partnercenter.microsoft.com/auditactivity/v1/auditrecords/a1", ResourceChangeUtcDate: "2031-01-01T00:00:00Z" }));
    expect(alias).toMatchObject({ ok: true, value: { auditUri: "https://api.partnercenter.microsoft.com/auditactivity/v1/auditrecords/a1" } });
  });

  test("the emulator signs as the docs show: Authorization by default, x-ms-signature: Signature <b64> when asked", async () => {
    await register({ WebhookUrl: RECEIVER, WebhookEvents: ["test-created"] });
    const first = await webhooks().sendTest();
    await emulator.settle();
    await register({ WebhookUrl: RECEIVER, WebhookEvents: ["test-created"], SignatureTokenToMsSignatureHeader: true }, "PUT");
    const second = await webhooks().sendTest();
    await emulator.settle();
    expect([(await webhooks().testResult(first)).status, (await webhooks().testResult(second)).status]).toEqual(["completed", "completed"]);
    const [byDefault, byMsHeader] = deliveries;
    expect(byDefault.headers.get("authorization")).toMatch(/^Signature [A-Za-z0-9+/]+=*$/);
    expect(byDefault.headers.get("x-ms-signature")).toBeNull();
    expect(byMsHeader.headers.get("x-ms-signature")).toMatch(/^Signature [A-Za-z0-9+/]+=*$/);
    expect(byMsHeader.headers.get("authorization")).toBeNull();
    for (const d of deliveries) {
      expect(d.headers.get("x-ms-signature-algorithm")).toBe("rsa-sha256");
      expect(d.headers.get("x-ms-certificate-url")).toBe(emulator.certificateUrl);
    }
  });
});
