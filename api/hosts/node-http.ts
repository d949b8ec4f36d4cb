/**
 * Node's HTTP server ⇄ web-standard Request/Response: the standalone host serves the service's
 * fetch handler with it, and the sandbox serves the emulators' handlers with it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The whole body, or null once it passes `maxBytes` (a declared length over it is not read at all):
 * the caller answers 413 and closes the connection, and nothing more is held.
 */
export function readBody(req: IncomingMessage, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer | null> {
  if (Number(req.headers["content-length"] ?? Number.NaN) > maxBytes) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off("data", onData);
      req.pause();
      resolve(null);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

/** The Request, or undefined when the URL cannot be made (a Host header such as `a:99999`). */
export function toRequest(req: IncomingMessage, body: Buffer, origin: string): Request | undefined {
  let url: URL;
  try {
    url = new URL(req.url ?? "/", origin);
  } catch {
    return undefined;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
    else if (value !== undefined) headers.set(name, value);
  }
  const method = req.method ?? "GET";
  return new Request(url, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" || body.length === 0 ? undefined : new Uint8Array(body),
  });
}

/** What a request whose URL cannot be read is answered with: a 400 that says so, not a crash. */
export function badRequestUrl(req: IncomingMessage): Response {
  return Response.json(
    { error: { code: "badRequest", message: `The request URL cannot be read (Host "${String(req.headers.host ?? "")}", path "${String(req.url ?? "")}").` } },
    { status: 400 },
  );
}

export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = name === "set-cookie" ? [...((headers[name] as string[]) ?? []), value] : value;
  });
  res.writeHead(response.status, response.statusText, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}
