/** Small helpers for web-standard Request/Response handlers (both hosts run them unchanged). */

export interface Problem {
  error: { code: string; message: string };
}

export function problem(status: number, code: string, message: string, headers?: HeadersInit): Response {
  const body: Problem = { error: { code, message } };
  return Response.json(body, { status, headers });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

/** The largest request body the service reads (Dataverse contexts with images are well under it). */
export const MAX_BODY_BYTES = 1024 * 1024;

export function bodyTooLarge(maxBytes: number, size?: number): Response {
  const said = size === undefined ? `The request body is over the limit of ${maxBytes} bytes.` : `The request body is ${size} bytes; the limit is ${maxBytes} bytes.`;
  return problem(413, "bodyTooLarge", said, { Connection: "close" });
}

/**
 * The body's bytes, or a 413 as soon as it passes `maxBytes`: a declared length over the limit is
 * refused unread, and a body that grows past it is cancelled, so no caller (signed or not) can
 * make the service hold more than the limit.
 */
export async function readLimitedBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<{ ok: true; raw: Uint8Array } | { ok: false; response: Response }> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) return { ok: false, response: bodyTooLarge(maxBytes, declared) };
  if (!request.body) return { ok: true, raw: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, response: bodyTooLarge(maxBytes) };
    }
    chunks.push(value);
  }
  const raw = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    raw.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, raw };
}

/**
 * Reads a JSON object body. Returns the raw bytes too (the Partner Center signature covers the
 * exact bytes), or a 400/413 saying what is wrong with it.
 */
export async function readJsonBody(
  request: Request,
  maxBytes = MAX_BODY_BYTES,
): Promise<{ ok: true; raw: Uint8Array; json: unknown } | { ok: false; response: Response }> {
  const body = await readLimitedBody(request, maxBytes);
  if (!body.ok) return body;
  const { raw } = body;
  if (raw.byteLength === 0) return { ok: false, response: problem(400, "emptyBody", "The request body is empty; a JSON object was expected.") };
  let json: unknown;
  try {
    // Dataverse may send a UTF-8 byte-order mark.
    json = JSON.parse(new TextDecoder("utf-8").decode(raw).replace(/^\uFEFF/, ""));
  } catch (e) {
    return { ok: false, response: problem(400, "malformedJson", `The request body is not valid JSON: ${(e as Error).message}`) };
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return { ok: false, response: problem(400, "malformedJson", "The request body must be a JSON object.") };
  }
  return { ok: true, raw, json };
}

/** The path relative to the service root, so `/api/dataverse` and `/dataverse` both route (Functions adds `/api`). */
export function routeOf(request: Request): string {
  const path = new URL(request.url).pathname.replace(/\/+$/, "");
  return path.startsWith("/api/") ? path.slice(4) : path === "/api" ? "/" : path || "/";
}
