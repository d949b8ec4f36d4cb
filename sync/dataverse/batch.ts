/**
 * The `$batch` wire format for several independent change sets in one request (dataverse.md §5).
 * dynamics-web-api puts every consecutive change-set request into ONE change set and flattens the
 * answer, so it cannot say which of several change sets failed; this codec can. With
 * `Prefer: odata.continue-on-error` Dataverse runs every change set: a successful one answers with
 * a `changesetresponse_` part, a failed one with its single error response.
 */

export type BatchOperation =
  | { kind: "create"; entitySet: string; data: Record<string, unknown>; contentId?: string }
  | { kind: "update"; entitySet: string; id: string; data: Record<string, unknown>; etag?: string }
  | { kind: "delete"; entitySet: string; id: string; etag?: string };

/** One HTTP response inside a batch answer. */
export interface BatchResponsePart {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body, when there is one. */
  body?: unknown;
}

/** Per change set: its responses (in request order), or the one response that failed it. */
export type ChangeSetAnswer = { ok: true; parts: BatchResponsePart[] } | { ok: false; failure: BatchResponsePart };

const guidOf = (id: string) => id.replace(/^\{|\}$/g, "").toLowerCase();

function requestLine(op: BatchOperation, apiUrl: string): { method: string; url: string; body?: string; headers: string[] } {
  if (op.kind === "create") return { method: "POST", url: `${apiUrl}${op.entitySet}`, body: JSON.stringify(op.data), headers: [] };
  const url = `${apiUrl}${op.entitySet}(${guidOf(op.id)})`;
  const headers = op.etag ? [`If-Match: ${op.etag}`] : [];
  if (op.kind === "update") return { method: "PATCH", url, body: JSON.stringify(op.data), headers };
  return { method: "DELETE", url, headers };
}

/**
 * The multipart body for `changeSets` (each one atomic). `apiUrl` ends with `/api/data/v9.2/`.
 * Content-IDs are numbered across the batch unless an operation names its own (for `$n` references).
 */
export function buildChangeSetBatch(changeSets: BatchOperation[][], apiUrl: string, newId: () => string): { boundary: string; body: string } {
  const boundary = `batch_${newId()}`;
  const lines: string[] = [];
  // Numbered like dynamics-web-api does, away from the small numbers callers pick for `$n` references.
  let contentId = 100_000;
  for (const ops of changeSets) {
    const cs = `changeset_${newId()}`;
    lines.push(`--${boundary}`, `Content-Type: multipart/mixed; boundary=${cs}`, "");
    for (const op of ops) {
      contentId++;
      const r = requestLine(op, apiUrl);
      lines.push(`--${cs}`, "Content-Type: application/http", "Content-Transfer-Encoding: binary");
      lines.push(`Content-ID: ${op.kind === "create" && op.contentId ? op.contentId : contentId}`, "");
      lines.push(`${r.method} ${r.url} HTTP/1.1`, "Content-Type: application/json", ...r.headers, "");
      lines.push(r.body ?? "");
    }
    lines.push(`--${cs}--`);
  }
  lines.push(`--${boundary}--`, "");
  return { boundary, body: lines.join("\r\n") };
}

function boundaryOf(contentType: string): string | undefined {
  return /boundary="?([^";\s]+)"?/i.exec(contentType)?.[1];
}

/** The text between `--boundary` delimiters, without the closing one. */
function partsOf(text: string, boundary: string): string[] {
  const segments = text.split(`--${boundary}`).slice(1);
  const end = segments.findIndex((s) => s.startsWith("--"));
  return (end === -1 ? segments : segments.slice(0, end)).map((s) => s.replace(/^\r?\n/, ""));
}

function splitHead(text: string): { headers: Record<string, string>; rest: string } {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, rest: m ? text.slice(m.index + m[0].length) : "" };
}

function parseHttpResponse(part: string): BatchResponsePart {
  const { rest } = splitHead(part);
  const lineEnd = rest.search(/\r?\n/);
  const statusLine = (lineEnd === -1 ? rest : rest.slice(0, lineEnd)).trim();
  const m = /^HTTP\/1\.1\s+(\d{3})/.exec(statusLine);
  if (!m) throw new Error(`$batch answer: expected an HTTP status line, got '${statusLine.slice(0, 60)}'`);
  const inner = splitHead(lineEnd === -1 ? "" : rest.slice(lineEnd).replace(/^\r?\n/, ""));
  const text = inner.rest.trim();
  let body: unknown;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: Number(m[1]), headers: inner.headers, body };
}

/**
 * Reads the answer to `buildChangeSetBatch`: one entry per top-level part, in order. A change set
 * whose answer holds a failed response counts as failed whatever the wrapper.
 */
export function parseChangeSetBatchResponse(text: string, contentType: string): ChangeSetAnswer[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new Error(`$batch answer: Content-Type '${contentType}' names no multipart boundary`);
  return partsOf(text, boundary).map((part): ChangeSetAnswer => {
    const { headers, rest } = splitHead(part);
    const inner = /^multipart\/mixed/i.test(headers["content-type"] ?? "") ? boundaryOf(headers["content-type"]) : undefined;
    if (!inner) {
      const response = parseHttpResponse(part);
      return response.status >= 400 ? { ok: false, failure: response } : { ok: true, parts: [response] };
    }
    const parts = partsOf(rest, inner).map(parseHttpResponse);
    const failure = parts.find((p) => p.status >= 400);
    return failure ? { ok: false, failure } : { ok: true, parts };
  });
}
