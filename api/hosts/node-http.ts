/**
 * Node's HTTP server ⇄ web-standard Request/Response: the standalone host serves the service's
 * fetch handler with it, and the sandbox serves the emulators' handlers with it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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
