/**
 * Standalone host: `npm run serve` (tsx api/hosts/node-server.ts). Serves the service's fetch handler over
 * Node's HTTP server and runs reconcile on an interval. Configuration: environment variables
 * (api/README.md).
 */
import { createServer } from "node:http";
import { badRequestUrl, readBody, toRequest, writeResponse } from "./node-http";
import { readConfig, createServiceFromConfig } from "../config";
import { createLogger } from "../core/logger";

async function main(): Promise<void> {
  const logger = createLogger();
  const config = readConfig(process.env);
  const service = await createServiceFromConfig(config, logger);
  const server = createServer(async (req, res) => {
    try {
      const request = toRequest(req, await readBody(req), `http://${req.headers.host ?? config.host}`);
      await writeResponse(res, request ? await service.fetch(request) : badRequestUrl(req));
    } catch (e) {
      // The service answers its own errors; this is a socket that broke mid-request. Logged, never thrown.
      logger.error({ err: e }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "internalError", message: "The request could not be completed." } }));
    }
  });
  server.listen(config.port, config.host, () => logger.info({ host: config.host, port: config.port }, "co-sell service listening"));

  let running = false;
  const timer = setInterval(async () => {
    if (running) return; // a slow pass is never overlapped by the next one
    running = true;
    try {
      await service.reconcile();
    } catch (e) {
      logger.error({ err: e }, "reconcile failed");
    } finally {
      running = false;
    }
  }, config.reconcileIntervalMs);

  const stop = () => {
    clearInterval(timer);
    server.close(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
