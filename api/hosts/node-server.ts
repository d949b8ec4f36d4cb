/**
 * Standalone host: `cosell serve` (or `npm run serve` from a checkout). Serves the service's fetch
 * handler over Node's HTTP server and runs reconcile on an interval. Configuration: the
 * environment variables of api/config.ts, all checked before it listens.
 */
import { createServer, type Server } from "node:http";
import { badRequestUrl, readBody, toRequest, writeResponse } from "./node-http";
import { readConfig, type Config } from "../config";
import { composeService } from "../compose";
import { createLogger, type Logger } from "../core/logger";
import { startReconcileTimer } from "../triggers/reconcile-timer";
import { MAX_BODY_BYTES, bodyTooLarge } from "../triggers/http";

export const SERVER_PARTS = ["dataverse", "partnerCenter", "inbound", "server", "state"] as const;

export interface RunningServer {
  server: Server;
  stop(): Promise<void>;
}

export async function startServer(config: Pick<Config, (typeof SERVER_PARTS)[number]>, logger: Logger = createLogger({ level: config.server.logLevel })): Promise<RunningServer> {
  const service = composeService(config, { logger, stuckAfterMs: config.server.reconcileIntervalMs });
  const server = createServer(async (req, res) => {
    try {
      const body = await readBody(req, MAX_BODY_BYTES);
      if (!body) {
        // Answer, then drop the connection rather than read the rest.
        res.once("finish", () => req.destroy());
        const declared = Number(req.headers["content-length"]);
        return await writeResponse(res, bodyTooLarge(MAX_BODY_BYTES, Number.isFinite(declared) ? declared : undefined));
      }
      const request = toRequest(req, body, `http://${req.headers.host ?? config.server.host}`);
      await writeResponse(res, request ? await service.fetch(request) : badRequestUrl(req));
    } catch (e) {
      // The service answers its own errors; this is a socket that broke mid-request. Logged, never thrown.
      logger.error({ err: e }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "internalError", message: "The request could not be completed." } }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  logger.info({ host: config.server.host, port: config.server.port }, "co-sell service listening");
  // Every instance's timer ticks; the reconcile lease lets one of them run each pass.
  const timer = startReconcileTimer(() => service.scheduledReconcile(), config.server.reconcileIntervalMs, logger);
  return {
    server,
    async stop() {
      await timer.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
    },
  };
}

/** Reads the configuration, starts, and stops cleanly on SIGINT/SIGTERM. */
export async function serve(env: Record<string, string | undefined>): Promise<RunningServer> {
  const running = await startServer(readConfig(env, SERVER_PARTS));
  const stop = () => void running.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return running;
}
