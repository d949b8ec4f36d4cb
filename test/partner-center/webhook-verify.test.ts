import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { createSigningIdentity } from "../../emulators/partner-center/certificates";
import { verifyPartnerCenterWebhook, type VerifyOptions } from "../../sync/partner-center/webhook-verify";

const now = new Date("2030-01-01T00:00:00Z");
const good = createSigningIdentity({ now });
const stranger = createSigningIdentity({ now, caName: "Some Other Root" });
const wrongOrg = createSigningIdentity({ now, leafOrganization: "Fabrikam Fraud Inc" });

const CERT_HOST = "3psostorageacct.blob.core.windows.net";
const url = (name: string, host = CERT_HOST) => `https://${host}/cert/${name}.cer`;
let downloads = 0;
const server = setupServer(
  http.get(url("good"), () => (downloads++, new HttpResponse(good.leafDer))),
  http.get(url("good-pem"), () => new HttpResponse(good.leafPem)),
  http.get(url("stranger"), () => new HttpResponse(stranger.leafDer)),
  http.get(url("wrong-org"), () => new HttpResponse(wrongOrg.leafDer)),
  http.get(url("good", "evil.example.com"), () => new HttpResponse(good.leafDer)),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

/** The documented referral-updated payload (§3.2). */
const body = JSON.stringify({
  EventName: "referral-updated",
  ResourceUri: "https://api.partnercenter.microsoft.com/engagements/v1/referrals/0a6c8f3e-1111-4a5b-9c2d-3e4f5a6b7c8d",
  ResourceName: "referral",
  AuditUri: null,
  ResourceChangeUtcDate: "2030-01-01T00:00:00.123Z",
});

function headers(certUrl = url("good"), signer = good, payload = body): Record<string, string> {
  return {
    Authorization: `Signature ${signer.sign(payload)}`,
    "X-MS-Certificate-Url": certUrl,
    "X-MS-Signature-Algorithm": "rsa-sha256",
  };
}

const options = (): VerifyOptions => ({ trustRootsPem: [good.caPem], now: () => now });

test("a correctly signed event passes and yields the referral id and dedupe key", async () => {
  const result = await verifyPartnerCenterWebhook(headers(), body, options());
  expect(result).toEqual({
    ok: true,
    event: expect.objectContaining({
      eventName: "referral-updated",
      resourceName: "referral",
      referralId: "0a6c8f3e-1111-4a5b-9c2d-3e4f5a6b7c8d",
      dedupeKey: "0a6c8f3e-1111-4a5b-9c2d-3e4f5a6b7c8d|2030-01-01T00:00:00.123Z",
    }),
  });
});

test("the signature may come in x-ms-signature, the body as bytes, headers as Headers", async () => {
  const h = headers();
  const sig = h.Authorization.replace("Signature ", "");
  delete (h as Record<string, string | undefined>).Authorization;
  const result = await verifyPartnerCenterWebhook(new Headers({ ...h, "x-ms-signature": sig }), new TextEncoder().encode(body), options());
  expect(result.ok).toBe(true);
});

test("a PEM certificate download is accepted too", async () => {
  expect((await verifyPartnerCenterWebhook(headers(url("good-pem")), body, options())).ok).toBe(true);
});

test("the certificate is downloaded once and cached", async () => {
  const opts = options();
  downloads = 0;
  await verifyPartnerCenterWebhook(headers(), body, opts);
  await verifyPartnerCenterWebhook(headers(), body, opts);
  expect(downloads).toBe(1);
});

test("camelCase payloads (the swagger callback model) are accepted", async () => {
  const camel = JSON.stringify({ eventName: "referral-created", resourceUri: "https://api.partnercenter.microsoft.com/engagements/v1/referrals/r1", resourceName: "referral", resourceChangeUtcDate: "2030-01-01T00:00:00Z" });
  const result = await verifyPartnerCenterWebhook(headers(url("good"), good, camel), camel, options());
  expect(result).toMatchObject({ ok: true, event: { referralId: "r1", eventName: "referral-created" } });
});

const rejected: [string, () => Promise<unknown>, RegExp][] = [
  ["a bad signature", () => verifyPartnerCenterWebhook({ ...headers(), Authorization: `Signature ${stranger.sign(body)}` }, body, options()), /signature does not match/],
  ["a tampered body", () => verifyPartnerCenterWebhook(headers(), body.replace("referral-updated", "referral-created"), options()), /signature does not match/],
  ["a missing signature", () => { const h = headers(); delete (h as Record<string, string | undefined>).Authorization; return verifyPartnerCenterWebhook(h, body, options()); }, /missing signature/],
  ["a missing certificate URL", () => { const h = headers(); delete (h as Record<string, string | undefined>)["X-MS-Certificate-Url"]; return verifyPartnerCenterWebhook(h, body, options()); }, /X-MS-Certificate-Url/],
  ["a missing algorithm", () => { const h = headers(); delete (h as Record<string, string | undefined>)["X-MS-Signature-Algorithm"]; return verifyPartnerCenterWebhook(h, body, options()); }, /X-MS-Signature-Algorithm/],
  ["another algorithm", () => verifyPartnerCenterWebhook({ ...headers(), "X-MS-Signature-Algorithm": "rsa-sha1" }, body, options()), /unsupported signature algorithm/],
  ["a certificate from a host not allow-listed", () => verifyPartnerCenterWebhook(headers(url("good", "evil.example.com")), body, options()), /not allow-listed/],
  ["a certificate over http", () => verifyPartnerCenterWebhook(headers(url("good").replace("https", "http")), body, options()), /must be https/],
  ["a certificate not chained to the trust root", () => verifyPartnerCenterWebhook(headers(url("stranger"), stranger), body, options()), /does not chain/],
  ["a certificate of another organisation", () => verifyPartnerCenterWebhook(headers(url("wrong-org"), wrongOrg), body, { ...options(), trustRootsPem: wrongOrg.caPem }), /organisation is not "Microsoft Corporation"/],
  ["an expired certificate", () => verifyPartnerCenterWebhook(headers(), body, { ...options(), now: () => new Date("2040-01-01T00:00:00Z") }), /validity period/],
  ["a body that is not an event", () => { const b = JSON.stringify({ hello: "world" }); return verifyPartnerCenterWebhook(headers(url("good"), good, b), b, options()); }, /EventName/],
];

test.each(rejected)("rejects %s with a reason", async (_name, run, reason) => {
  const result = (await run()) as { ok: boolean; reason?: string };
  expect(result.ok).toBe(false);
  expect(result.reason).toMatch(reason);
});
