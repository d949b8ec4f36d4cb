import { http, HttpResponse } from "msw";
import { staticTokenProvider } from "../../sync/partner-center/auth-types";
import type { PartnerCenterEvent } from "../../sync/partner-center/events";
import { RegistrationConflictError, WebhooksClient } from "../../sync/partner-center/webhooks-client";
import { verifyPartnerCenterWebhook, type VerifyOptions } from "../../sync/partner-center/webhook-verify";
import { TOKEN, client, coSellReferral, startEmulator } from "./fixtures";

const RECEIVER = "https://cosell.contoso.example/api/partner-center/webhook";
const { emulator, server } = startEmulator();
const events: PartnerCenterEvent[] = [];
const refusals: string[] = [];
let verify: VerifyOptions;

beforeAll(() => {
  verify = { trustRootsPem: emulator.trustRootPem, allowedCertificateHosts: [emulator.certificateHost] };
  server.listen({ onUnhandledRequest: "error" });
});
beforeEach(() => {
  emulator.reset();
  events.length = 0;
  refusals.length = 0;
  // The receiving service: verifies, then accepts (401 on any failure, D.8).
  server.use(
    http.post(RECEIVER, async ({ request }) => {
      const result = await verifyPartnerCenterWebhook(request.headers, new Uint8Array(await request.arrayBuffer()), verify);
      if (!result.ok) {
        refusals.push(result.reason);
        return new HttpResponse(null, { status: 401 });
      }
      events.push(result.event);
      return new HttpResponse(null, { status: 200 });
    }),
  );
});
afterAll(() => server.close());

const webhooks = () => new WebhooksClient({ tokenProvider: staticTokenProvider(TOKEN), retryEnv: { sleep: async () => undefined } });

test("show is empty, register creates a registration for the referral events", async () => {
  const c = webhooks();
  expect(await c.show()).toBeUndefined();
  const out = await c.register(RECEIVER);
  expect(out.action).toBe("created");
  expect(out.registration.webhookUrl).toBe(RECEIVER);
  expect(out.registration.webhookEvents).toEqual(expect.arrayContaining(["referral-created", "referral-updated", "related-referral-created", "related-referral-updated", "test-created"]));
  expect((await c.show())?.subscriberId).toBe(out.registration.subscriberId);
  expect((await c.register(RECEIVER)).action).toBe("unchanged");
});

test("refuses to replace another tool's URL without force, replaces it with force", async () => {
  const c = webhooks();
  await c.register("https://flows.example.com/other-tool");
  await expect(c.register(RECEIVER)).rejects.toBeInstanceOf(RegistrationConflictError);
  expect((await c.show())?.webhookUrl).toBe("https://flows.example.com/other-tool");
  const out = await c.register(RECEIVER, { force: true });
  expect(out).toMatchObject({ action: "replaced", previousUrl: "https://flows.example.com/other-tool" });
  expect((await c.show())?.webhookUrl).toBe(RECEIVER);
});

test("creates and updates raise signed events the receiver verifies", async () => {
  await webhooks().register(RECEIVER);
  const { referral, eTag } = await client().create(coSellReferral());
  await client().patch(referral.id, [{ op: "replace", path: "/details/dealValue", value: 1 }], eTag);
  emulator.seller.close(referral.id, "Won");
  await emulator.settle();
  expect(refusals).toEqual([]);
  expect(events.map((e) => [e.eventName, e.referralId])).toEqual([
    ["referral-created", referral.id],
    ["referral-updated", referral.id],
    ["referral-updated", referral.id],
  ]);
  expect(events[0].resourceUri).toBe(`https://api.partnercenter.microsoft.com/engagements/v1/referrals/${referral.id}`);
  expect(new Set(events.map((e) => e.dedupeKey)).size).toBe(3);
});

test("a receiver trusting another root refuses each of the 10 attempts; then Partner Center gives the event up", async () => {
  const saved = verify;
  verify = { ...verify, trustRootsPem: startEmulator({ seed: 9 }).emulator.trustRootPem };
  await webhooks().register(RECEIVER);
  emulator.seller.createIncoming({ name: "x", customerName: "y", country: "US" });
  await emulator.settle();
  verify = saved;
  expect(events).toEqual([]);
  expect(refusals).toEqual(Array(10).fill("certificate does not chain to a trusted root"));
  expect(emulator.dispatcher.log.map((r) => [r.attempt, r.status, r.outcome])).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1, 401, "failed"]));
  expect(emulator.dispatcher.log.at(-1)).toMatchObject({ gaveUp: true });
});

test("a failed delivery is made again, the same signed event, until the receiver takes it; a test event lists each attempt", async () => {
  let answers = [503, 500];
  server.use(http.post(RECEIVER, () => (answers.length > 0 ? new HttpResponse(null, { status: answers.shift() }) : undefined)));
  const c = webhooks();
  await c.register(RECEIVER);
  emulator.seller.createIncoming({ name: "later", customerName: "y", country: "US" });
  await emulator.settle();
  expect(events.map((e) => e.eventName)).toEqual(["referral-created"]);
  const sent = emulator.dispatcher.log;
  expect(sent.map((r) => [r.attempt, r.status])).toEqual([[1, 503], [2, 500], [3, 200]]);
  expect(new Set(sent.map((r) => r.body)).size).toBe(1);
  expect(new Set(sent.map((r) => JSON.stringify(r.headers))).size).toBe(1);

  answers = [504];
  const id = await c.sendTest();
  await emulator.settle();
  const result = await c.testResult(id);
  expect(result.status).toBe("completed");
  expect(result.results.map((r) => [r.responseCode, r.systemError])).toEqual([["GatewayTimeout", false], ["OK", false]]);
});

test("duplicated deliveries carry the same dedupe key", async () => {
  await webhooks().register(RECEIVER);
  emulator.dispatcher.faults = { duplicateRate: 1 };
  emulator.seller.createIncoming({ name: "dup", customerName: "y", country: "US" });
  await emulator.settle();
  expect(events).toHaveLength(2);
  expect(events[0].dedupeKey).toBe(events[1].dedupeKey);
});

test("test events: sent, delivered, result readable; limited to 2 a minute", async () => {
  const c = webhooks();
  await c.register(RECEIVER);
  const id = await c.sendTest();
  await emulator.settle();
  const result = await c.testResult(id);
  expect(result).toMatchObject({ status: "completed", callbackUrl: RECEIVER, results: [{ responseCode: "OK", responseMessage: "", systemError: false, dateTimeUtc: expect.any(String) }] });
  expect(events.map((e) => e.eventName)).toEqual(["test-created"]);
  await c.sendTest();
  const third = await c.sendTest().catch((e: unknown) => e);
  expect(third).toMatchObject({ kind: "throttled", status: 429 });
});

test("the registration API rejects unknown events and a second POST", async () => {
  const auth = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
  const url = "https://api.partnercenter.microsoft.com/webhooks/v1/registration";
  const bad = await fetch(url, { method: "POST", headers: auth, body: JSON.stringify({ WebhookUrl: RECEIVER, WebhookEvents: ["referral-deleted"] }) });
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({ code: "invalidRequest" });
  const first = await fetch(url, { method: "POST", headers: auth, body: JSON.stringify({ WebhookUrl: RECEIVER, WebhookEvents: ["referral-created"] }) });
  expect(first.status).toBe(200); // the swagger and the docs: 200, not 201
  const again = await fetch(url, { method: "POST", headers: auth, body: JSON.stringify({ WebhookUrl: RECEIVER, WebhookEvents: ["referral-created"] }) });
  expect(again.status).toBe(409);
});
