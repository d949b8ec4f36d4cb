/**
 * Serves msw request handlers over real HTTP on localhost: the same handlers the tests mount with
 * `setupServer` answer the sandbox and the benchmarks. No second implementation.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getResponse, type RequestHandler } from "msw";
import { badRequestUrl, readBody, toRequest, writeResponse } from "../../api/hosts/node-http";

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * `handlers` are resolved against URLs on `publicOrigin` (the address the handlers were written
 * for, e.g. https://api.partner.microsoft.com), so one handler set serves both an intercepted
 * origin in tests and a localhost port in the sandbox.
 */
export function serveHandlers(
  handlers: () => ReadonlyArray<RequestHandler>,
  options: { port?: number; host?: string; publicOrigin?: string } = {},
): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer(async (req, res) => {
    try {
      const body = (await readBody(req))!; // unbounded: the emulators take what the tests send
      const origin = options.publicOrigin ?? `http://${req.headers.host ?? host}`;
      const request = toRequest(req, body, origin);
      if (!request) return await writeResponse(res, badRequestUrl(req));
      const response = await getResponse(handlers() as RequestHandler[], request);
      await writeResponse(
        res,
        response ??
          Response.json({ error: { code: "itemNotFound", message: `No route for ${req.method} ${req.url}` } }, { status: 404 }),
      );
    } catch (e) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "generalException", message: e instanceof Error ? e.message : String(e) } }));
    }
  });
  return new Promise((resolve) => {
    server.listen(options.port ?? 0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        server,
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections(); // keep-alive sockets would hold close() open
          }),
      });
    });
  });
}
