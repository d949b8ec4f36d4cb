/** The same handlers served over real localhost HTTP, all three hosts on one origin (the sandbox's set-up). */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serveHandlers, type RunningServer } from "../../emulators/kit/serve";
import { createPartnerCenterEmulator, type PartnerCenterEmulator } from "../../emulators/partner-center";
import { ReferralsClient, WebhooksClient, staticTokenProvider, verifyPartnerCenterWebhook, type PartnerCenterEvent } from "../../sync/partner-center";
import { coSellReferral } from "./fixtures";

let emulator: PartnerCenterEmulator;
let pc: RunningServer;
let receiver: Server;
let receiverUrl: string;
const events: PartnerCenterEvent[] = [];
const refusals: string[] = [];

beforeAll(async () => {
  pc = await serveHandlers(() => emulator.handlers);
  emulator = createPartnerCenterEmulator({ seed: 3, baseUrl: `${pc.url}/pc`, webhooksBaseUrl: `${pc.url}/pcwebhooks`, certificateBaseUrl: `${pc.url}/pccerts` });
  const verify = { trustRootsPem: emulator.trustRootPem, allowedCertificateHosts: [emulator.certificateHost], allowLoopbackHttp: true };
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const result = await verifyPartnerCenterWebhook(req.headers as Record<string, string>, Buffer.concat(chunks), verify);
    if (result.ok) events.push(result.event);
    else refusals.push(result.reason);
    res.writeHead(result.ok ? 200 : 401).end();
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;
});
afterAll(async () => {
  await pc.close();
  await new Promise((r) => receiver.close(r));
});

test("create, page and receive a verified webhook over real HTTP", async () => {
  const tokenProvider = staticTokenProvider("sandbox");
  await new WebhooksClient({ tokenProvider, baseUrl: `${pc.url}/pcwebhooks` }).register(receiverUrl);
  const referrals = new ReferralsClient({ tokenProvider, baseUrl: `${pc.url}/pc` });
  const { referral } = await referrals.create(coSellReferral());
  emulator.seller.createIncoming({ name: "from Microsoft", customerName: "Fabrikam", country: "GB" });
  const names: string[] = [];
  for await (const r of referrals.listAll({ top: 1 })) names.push(r.name);
  expect(names).toEqual(["Contoso cloud migration", "from Microsoft"]);
  await emulator.settle();
  expect(refusals).toEqual([]);
  expect(events.map((e) => e.eventName)).toEqual(["referral-created", "referral-created"]);
  // The two deliveries travel concurrently over real sockets: webhooks promise no order, so none is asserted.
  const ids = events.map((e) => e.referralId);
  expect(ids).toContain(referral.id);
  expect(new Set(ids).size).toBe(2);
});
