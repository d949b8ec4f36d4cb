/**
 * The Azure Functions v4 host: the same service behind app.http (three routes) and app.timer
 * (reconcile), with Functions' HttpRequest/HttpResponseInit converted to web Request/Response
 * and back without losing method, URL, headers or body bytes.
 */
import { HttpRequest } from "@azure/functions";

interface Registration { name: string; options: { methods?: string[]; route?: string; schedule?: string; authLevel?: string; handler: (...args: unknown[]) => Promise<unknown> } }
const registered: Registration[] = [];

jest.mock("@azure/functions", () => {
  const actual = jest.requireActual("@azure/functions");
  const record = (name: string, options: Registration["options"]) => registered.push({ name, options });
  return { ...actual, app: { http: record, timer: record, hook: { appTerminate: (handler: Registration["options"]["handler"]) => record("appTerminate", { handler }) } } };
});

// The app reads its configuration when it loads; this environment has none.
const logged = jest.spyOn(console, "error").mockImplementation(() => undefined);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { toWebRequest, toFunctionsResponse } = require("../../api/hosts/functions") as typeof import("../../api/hosts/functions");

test("registers the Dataverse and Partner Center webhooks, health, and the reconcile timer", () => {
  const byName = Object.fromEntries(registered.map((r) => [r.name, r.options]));
  expect(byName.dataverse).toMatchObject({ methods: ["POST"], route: "dataverse", authLevel: "anonymous" });
  expect(byName.partnerCenterWebhook).toMatchObject({ methods: ["POST"], route: "partner-center/webhook", authLevel: "anonymous" });
  expect(byName.health).toMatchObject({ methods: ["GET"], route: "health" });
  expect(byName.reconcile.schedule).toBe(process.env.COSELL_RECONCILE_SCHEDULE ?? "0 */15 * * * *");
  // The call budget's last counts are flushed to the shared state when the instance goes.
  expect(byName.appTerminate.handler).toEqual(expect.any(Function));
});

test("a Functions request becomes the same web Request, and a web Response the same Functions answer", async () => {
  const body = JSON.stringify({ MessageName: "cosell_SyncOpportunity" });
  const req = new HttpRequest({ method: "POST", url: "https://cosell.example.com/api/dataverse?code=k", headers: { "x-cosell-key": "s3cret", "content-type": "application/json" }, body: { string: body } });
  const web = await toWebRequest(req);
  expect(web.method).toBe("POST");
  expect(web.url).toBe("https://cosell.example.com/api/dataverse?code=k");
  expect(web.headers.get("x-cosell-key")).toBe("s3cret");
  expect(await web.text()).toBe(body);

  const answer = await toFunctionsResponse(Response.json({ error: { code: "badRequest" } }, { status: 400, headers: { "Retry-After": "30" } }));
  expect(answer.status).toBe(400);
  expect((answer.headers as Record<string, string>)["retry-after"]).toBe("30");
  expect(JSON.parse(Buffer.from(answer.body as Uint8Array).toString("utf8"))).toEqual({ error: { code: "badRequest" } });
});

test("without its settings the app logs every missing variable at start and answers 503 without them", async () => {
  expect(logged).toHaveBeenCalledTimes(1);
  expect(String(logged.mock.calls[0][0])).toMatch(/DATAVERSE_URL is not set[^]*COSELL_WEBHOOK_KEY is not set[^]*PARTNER_CENTER_TRUST_ROOTS is not set/);
  const health = registered.find((r) => r.name === "health")!.options.handler;
  const req = new HttpRequest({ method: "GET", url: "https://cosell.example.com/api/health" });
  const answer = (await health(req, {})) as { status: number; body: Uint8Array };
  expect(answer.status).toBe(503);
  const body = Buffer.from(answer.body).toString("utf8");
  expect(JSON.parse(body).error.code).toBe("notConfigured");
  // What is missing is for the operator's log, not for whoever calls the URL.
  expect(body).not.toMatch(/DATAVERSE|COSELL_/);
});
