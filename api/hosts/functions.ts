/**
 * Azure Functions v4 host: the same fetch handler behind `app.http`, reconcile behind `app.timer`.
 * Routes are under the Functions `/api` prefix: /api/dataverse, /api/partner-center/webhook,
 * /api/health. `authLevel: "anonymous"` because the service checks the Dataverse key and the
 * Partner Center signature itself.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { createServiceFromConfig, readConfig } from "../config";
import { createLogger } from "../core/logger";
import type { CoSellService } from "../service";

let service: Promise<CoSellService> | undefined;
const getService = () => (service ??= createServiceFromConfig(readConfig(process.env), createLogger()));

/** Functions' HttpRequest → web Request, and back: the handlers stay host-agnostic. */
export async function toWebRequest(req: HttpRequest): Promise<Request> {
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(req.url, {
    method: req.method,
    headers: req.headers as unknown as Headers,
    body: hasBody ? new Uint8Array(await req.arrayBuffer()) : undefined,
  });
}

export async function toFunctionsResponse(res: Response): Promise<HttpResponseInit> {
  return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body: new Uint8Array(await res.arrayBuffer()) };
}

async function handle(req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> {
  const svc = await getService();
  return toFunctionsResponse(await svc.fetch(await toWebRequest(req)));
}

app.http("dataverse", { methods: ["POST"], authLevel: "anonymous", route: "dataverse", handler: handle });
app.http("partnerCenterWebhook", { methods: ["POST"], authLevel: "anonymous", route: "partner-center/webhook", handler: handle });
app.http("health", { methods: ["GET"], authLevel: "anonymous", route: "health", handler: handle });
app.timer("reconcile", {
  schedule: process.env.COSELL_RECONCILE_SCHEDULE ?? "0 */15 * * * *",
  handler: async (_timer, ctx) => {
    const result = await (await getService()).reconcile();
    ctx.log(`reconcile: ${result.pairs} pairs, ${result.written} written, ${result.failed} failed`);
  },
});
