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

/**
 * Reads a JSON object body. Returns the raw bytes too (the Partner Center signature covers the
 * exact bytes), or a 400 saying what is wrong with it.
 */
export async function readJsonBody(
  request: Request,
  maxBytes = 1024 * 1024,
): Promise<{ ok: true; raw: Uint8Array; json: unknown } | { ok: false; response: Response }> {
  const raw = new Uint8Array(await request.arrayBuffer());
  if (raw.byteLength === 0) return { ok: false, response: problem(400, "emptyBody", "The request body is empty; a JSON object was expected.") };
  if (raw.byteLength > maxBytes) {
    return { ok: false, response: problem(413, "bodyTooLarge", `The request body is ${raw.byteLength} bytes; the limit is ${maxBytes}.`) };
  }
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
