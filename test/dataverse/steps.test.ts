import { http, HttpResponse } from "msw";
import { DataverseClient, parseRemoteExecutionContext, staticTokenProvider } from "../../sync/dataverse";
import { OPPORTUNITY_COLUMNS as OPP } from "../../sync/schema/dynamics";
import { tableBySet } from "../../emulators/dataverse/schema";
import { makeEmulator, SEEDED, setupServer } from "./harness";

const SERVICE = "https://cosell-service.example.com/api/dataverse";
const OPPORTUNITY = "33333333-3333-4333-8333-333333333333";
const emulator = makeEmulator();
const received: Array<{ url: string; headers: Headers; body: unknown }> = [];
let answer = 204;
const server = setupServer(
  ...emulator.handlers,
  http.post(`${SERVICE}*`, async ({ request }) => {
    received.push({ url: request.url, headers: request.headers, body: await request.json() });
    return new HttpResponse(null, { status: answer });
  }),
);
const auth = { Authorization: `Bearer ${SEEDED.sellerUserId}`, "Content-Type": "application/json" };
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${emulator.apiUrl}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
const patchOpportunity = (body: unknown) => api(`opportunities(${OPPORTUNITY})`, { method: "PATCH", body: JSON.stringify(body) });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  emulator.reset();
  received.length = 0;
  answer = 204;
  emulator.seed({ opportunities: [{ opportunityid: OPPORTUNITY, name: "Deal", [OPP.syncWithPartnerCenter]: true }] });
});

/** Registers through the Web API exactly as the install command does. */
async function registerUpdateStep(mode: 0 | 1 = 0): Promise<void> {
  const endpoint = await api("serviceendpoints", {
    method: "POST",
    body: JSON.stringify({
      name: "Co-sell service", contract: 8, url: SERVICE, authtype: 5, messageformat: 2,
      authvalue: '<settings><setting name="x-cosell-key" value="s3cret" /></settings>',
    }),
  });
  expect(endpoint.status).toBe(204);
  const endpointUrl = endpoint.headers.get("OData-EntityId")!;
  const step = await api("sdkmessageprocessingsteps", {
    method: "POST",
    body: JSON.stringify({
      name: "Co-sell: opportunity update", stage: 40, mode, rank: 1, supporteddeployment: 0,
      filteringattributes: `${OPP.syncWithPartnerCenter},${OPP.solutionIds}`,
      "eventhandler_serviceendpoint@odata.bind": endpointUrl.slice(endpointUrl.indexOf("/serviceendpoints")),
      "sdkmessageid@odata.bind": `/sdkmessages(${SEEDED.messages.Update})`,
      "sdkmessagefilterid@odata.bind": `/sdkmessagefilters(${SEEDED.messageFilters.opportunityUpdate})`,
    }),
  });
  expect(step.status).toBe(204);
}

describe("webhook steps registered through the Web API", () => {
  test("a PATCH of a filtering column POSTs a valid RemoteExecutionContext with the auth header; a non-filtering column does not", async () => {
    await registerUpdateStep();
    expect((await patchOpportunity({ [OPP.solutionIds]: "SOL-1" })).status).toBe(204);
    expect(received).toHaveLength(1);
    const call = received[0];
    expect(call.headers.get("x-cosell-key")).toBe("s3cret");
    expect(call.headers.get("x-ms-dynamics-request-name")).toBe("Update");
    expect(call.headers.get("x-ms-dynamics-entity-name")).toBe("opportunity");
    expect(call.headers.get("x-ms-dynamics-organization")).toBe("contoso.crm.dynamics.com");
    const ctx = parseRemoteExecutionContext(call.body);
    expect(call.headers.get("x-ms-correlation-request-id")).toBe(ctx.CorrelationId);
    expect(ctx).toMatchObject({ MessageName: "Update", PrimaryEntityName: "opportunity", PrimaryEntityId: OPPORTUNITY, Stage: 40, Mode: 0, Depth: 1, InitiatingUserId: SEEDED.sellerUserId });
    expect(ctx.InputParameters.Target).toMatchObject({ Id: OPPORTUNITY, LogicalName: "opportunity", Attributes: { [OPP.solutionIds]: "SOL-1" } });

    expect((await patchOpportunity({ description: "not watched" })).status).toBe(204);
    expect(received).toHaveLength(1);
  });

  test("a post-image registered on the step carries its columns as the row is after the save, changed or not", async () => {
    await registerUpdateStep(1);
    const [step] = emulator.store.rows(tableBySet("sdkmessageprocessingsteps")!);
    const image = await api("sdkmessageprocessingstepimages", {
      method: "POST",
      body: JSON.stringify({
        name: "PostImage", entityalias: "PostImage", imagetype: 1, messagepropertyname: "Target", attributes: OPP.referralId,
        "sdkmessageprocessingstepid@odata.bind": `/sdkmessageprocessingsteps(${String(step.sdkmessageprocessingstepid)})`,
      }),
    });
    expect(image.status).toBe(204);
    expect((await patchOpportunity({ [OPP.referralId]: "ref-1" })).status).toBe(204);
    // The seller's next save changes another column: the image still names the referral.
    expect((await patchOpportunity({ [OPP.solutionIds]: "SOL-2" })).status).toBe(204);
    await emulator.dispatcher.drain();
    const last = parseRemoteExecutionContext(received.at(-1)!.body);
    // Besides the platform's own image of the primary name, as Microsoft's webhook sample shows for an async step.
    expect(Object.keys(last.PostEntityImages).sort()).toEqual(["AsynchronousStepPrimaryName", "PostImage"]);
    expect(last.PostEntityImages.PostImage.Attributes).toEqual({ [OPP.referralId]: "ref-1" });
  });

  test("a lookup in an image names its table, also on a row written without the annotation (seed data): polymorphic customerid by where the id lives", async () => {
    const ACCOUNT = "44444444-4444-4444-8444-444444444444";
    emulator.seed({ accounts: [{ accountid: ACCOUNT, name: "Contoso" }] });
    emulator.store.update(tableBySet("opportunities")!, OPPORTUNITY, { _customerid_value: ACCOUNT });
    await registerUpdateStep(1);
    const [step] = emulator.store.rows(tableBySet("sdkmessageprocessingsteps")!);
    await api("sdkmessageprocessingstepimages", {
      method: "POST",
      body: JSON.stringify({
        name: "Deal", entityalias: "Deal", imagetype: 1, messagepropertyname: "Target", attributes: "customerid,name",
        "sdkmessageprocessingstepid@odata.bind": `/sdkmessageprocessingsteps(${String(step.sdkmessageprocessingstepid)})`,
      }),
    });
    expect((await patchOpportunity({ [OPP.solutionIds]: "SOL-3" })).status).toBe(204);
    await emulator.dispatcher.drain();
    const image = (received.at(-1)!.body as { PostEntityImages: Array<{ key: string; value: { Attributes: Array<{ key: string; value: unknown }> } }> })
      .PostEntityImages.find((i) => i.key === "Deal")!;
    expect(image.value.Attributes.find((a) => a.key === "customerid")!.value).toMatchObject({ Id: ACCOUNT, LogicalName: "account" });
    // And the service's parser takes it.
    expect(() => parseRemoteExecutionContext(received.at(-1)!.body)).not.toThrow();
  });

  test("authvalue is write-only: never returned on read", async () => {
    await registerUpdateStep();
    const res = await api("serviceendpoints?$select=name,url");
    const body = (await res.json()) as { value: Array<Record<string, unknown>> };
    expect(body.value[0]).not.toHaveProperty("authvalue");
    expect((await api("serviceendpoints?$select=authvalue")).status).toBe(400);
  });

  test("a sync step that answers 500 fails the caller's update and nothing is written", async () => {
    await registerUpdateStep();
    answer = 500;
    const res = await patchOpportunity({ [OPP.solutionIds]: "SOL-2" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/HTTP 500/);
    expect(emulator.store.get(tableBySet("opportunities")!, OPPORTUNITY)![OPP.solutionIds]).toBeUndefined();
  });

  test("a 503 from a sync step is retried once with the same OperationId", async () => {
    await registerUpdateStep();
    answer = 503;
    const res = await patchOpportunity({ [OPP.solutionIds]: "SOL-3" });
    expect(res.status).toBe(400);
    expect(received).toHaveLength(2);
    const [a, b] = received.map((r) => parseRemoteExecutionContext(r.body));
    expect(a.OperationId).toBe(b.OperationId);
  });

  test("an async step is delivered in the background by the dispatcher", async () => {
    await registerUpdateStep(1);
    await patchOpportunity({ [OPP.syncWithPartnerCenter]: false });
    await emulator.dispatcher.drain();
    expect(received).toHaveLength(1);
    expect(parseRemoteExecutionContext(received[0].body)).toMatchObject({ Mode: 1, Stage: 40 });
  });

  test("the platform's step rules: async only post-operation, unknown filtering attribute refused", async () => {
    const bad = await api("sdkmessageprocessingsteps", {
      method: "POST",
      body: JSON.stringify({ name: "bad", stage: 20, mode: 1, "sdkmessageid@odata.bind": `/sdkmessages(${SEEDED.messages.Update})` }),
    });
    expect(bad.status).toBe(400);
    await emulator.registerWebhookStep({ url: SERVICE, message: "Update", headers: { k: "v" }, filteringattributes: ["name"] });
    await expect(emulator.registerWebhookStep({ url: SERVICE, message: "Update", headers: { k: "v" }, filteringattributes: ["nosuchcolumn"] })).rejects.toThrow(/nosuchcolumn/);
  });

  test("cosell_RespondToReferral validates Decision, then runs its step with a WebhookKey (?code=)", async () => {
    await emulator.registerWebhookStep({ url: SERVICE, authtype: 4, key: "fn-key", message: "cosell_RespondToReferral", stage: 40 });
    const client = new DataverseClient({ orgUrl: emulator.orgUrl, tokens: staticTokenProvider(SEEDED.sellerUserId) });
    await expect(client.callBoundAction(OPPORTUNITY, "cosell_RespondToReferral", {})).rejects.toMatchObject({ kind: "validation", message: expect.stringContaining("Decision") });
    await expect(client.callBoundAction(OPPORTUNITY, "cosell_RespondToReferral", { Decision: "maybe" })).rejects.toMatchObject({ kind: "validation" });
    expect(received).toHaveLength(0);
    await client.callBoundAction(OPPORTUNITY, "cosell_RespondToReferral", { Decision: "decline", Reason: "Not a customer" });
    expect(new URL(received[0].url).searchParams.get("code")).toBe("fn-key");
    const ctx = parseRemoteExecutionContext(received[0].body);
    expect(ctx.MessageName).toBe("cosell_RespondToReferral");
    expect(ctx.InputParameters).toMatchObject({ Decision: "decline", Reason: "Not a customer", Target: { Id: OPPORTUNITY, LogicalName: "opportunity" } });
  });

  test("cosell_SyncOpportunity on a missing opportunity is 404 and calls nothing", async () => {
    await emulator.registerWebhookStep({ url: SERVICE, message: "cosell_SyncOpportunity", headers: { "x-cosell-key": "k" } });
    const res = await api(`opportunities(99999999-9999-4999-8999-999999999999)/Microsoft.Dynamics.CRM.cosell_SyncOpportunity`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
    expect(received).toHaveLength(0);
    expect((await api(`opportunities(${OPPORTUNITY})/Microsoft.Dynamics.CRM.cosell_SyncOpportunity`, { method: "POST", body: "{}" })).status).toBe(204);
    expect(received[0].headers.get("x-cosell-key")).toBe("k");
  });
});

describe("closing an opportunity raises Win / Lose, not Update", () => {
  test("WinOpportunity runs a step registered on Win with the OpportunityClose and Status parameters; the Update step stays silent", async () => {
    await registerUpdateStep(0);
    await emulator.registerWebhookStep({ url: SERVICE, message: "Win", mode: 0, headers: { "x-cosell-key": "s3cret" } });
    const res = await api("WinOpportunity", {
      method: "POST",
      body: JSON.stringify({ OpportunityClose: { subject: "Won", "opportunityid@odata.bind": `/opportunities(${OPPORTUNITY})` }, Status: 3 }),
    });
    expect(res.status).toBe(204);
    expect(received.map((r) => r.headers.get("x-ms-dynamics-request-name"))).toEqual(["Win"]);
    const ctx = parseRemoteExecutionContext(received[0].body);
    expect(ctx).toMatchObject({ MessageName: "Win", PrimaryEntityName: "opportunity", PrimaryEntityId: OPPORTUNITY });
    expect(ctx.InputParameters.Status).toBe(3);
    expect(ctx.InputParameters.OpportunityClose).toMatchObject({ LogicalName: "opportunityclose", Attributes: { subject: "Won" } });
  });

  test("a sync Lose step that fails rolls the close back", async () => {
    await emulator.registerWebhookStep({ url: SERVICE, message: "Lose", mode: 0, headers: { "x-cosell-key": "s3cret" } });
    answer = 500;
    const res = await api("LoseOpportunity", {
      method: "POST",
      body: JSON.stringify({ OpportunityClose: { subject: "Lost", "opportunityid@odata.bind": `/opportunities(${OPPORTUNITY})` }, Status: 4 }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const row = (await (await api(`opportunities(${OPPORTUNITY})?$select=statecode`)).json()) as { statecode: number };
    expect(row.statecode).toBe(0);
  });
});
