/**
 * Azure Functions v4 host: the same fetch handler behind `app.http`, reconcile behind `app.timer`
 * (the runtime runs one timer at a time). Routes are under the Functions `/api` prefix:
 * /api/dataverse, /api/partner-center/webhook, /api/health, /api/health/stuck. `authLevel: "anonymous"` because the
 * service checks the Dataverse key (also for the stuck list) and the Partner Center signature itself.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { readConfig } from "../config";
import { composeService } from "../compose";
import { createLogger } from "../core/logger";
import type { CoSellService } from "../service";
import { problem } from "../triggers/http";

const PARTS = ["dataverse", "partnerCenter", "inbound", "server", "state"] as const;
// Read at load, so a misconfigured app fails its start with every problem listed, not its first call.
const config = (() => {
  try {
    return readConfig(process.env, PARTS);
  } catch (e) {
    console.error((e as Error).message);
    return e as Error;
  }
})();

let service: CoSellService | undefined;
function getService(): CoSellService {
  if (config instanceof Error) throw config;
  return (service ??= composeService(config, { logger: createLogger({ level: config.server.logLevel }) }));
}

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
  // The problems are in the log; a caller learns only that the service is not ready.
  if (config instanceof Error) return toFunctionsResponse(problem(503, "notConfigured", "The co-sell service is not configured; its log lists what is missing."));
  return toFunctionsResponse(await getService().fetch(await toWebRequest(req)));
}

app.http("dataverse", { methods: ["POST"], authLevel: "anonymous", route: "dataverse", handler: handle });
app.http("partnerCenterWebhook", { methods: ["POST"], authLevel: "anonymous", route: "partner-center/webhook", handler: handle });
app.http("health", { methods: ["GET"], authLevel: "anonymous", route: "health", handler: handle });
app.http("healthStuck", { methods: ["GET"], authLevel: "anonymous", route: "health/stuck", handler: handle });
app.timer("reconcile", {
  schedule: config instanceof Error ? "0 */15 * * * *" : config.server.reconcileSchedule,
  handler: async (_timer, ctx) => {
    // The Functions runtime keeps one timer per app; the reconcile lease also keeps apart other
    // apps or servers sharing the state (a staging slot, a Node server beside the app).
    const pass = await getService().scheduledReconcile();
    if (!pass.ran) return ctx.log(`reconcile skipped: ${pass.message}`);
    const { result } = pass;
    ctx.log(`reconcile: ${result.pairs} pairs, ${result.written} written, ${result.failed} failed`);
  },
});
// Calls counted here and not yet in the shared daily count are added before the instance goes.
app.hook.appTerminate(async () => {
  await service?.close();
});
