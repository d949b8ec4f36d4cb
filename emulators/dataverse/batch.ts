/**
 * The `$batch` wire format (multipart/mixed, dataverse.md §5): requests, change sets nested
 * one level, `Content-ID` headers; and the `batchresponse_`/`changesetresponse_` answer.
 */
import { faults } from "./errors";

export interface BatchRequestPart {
  method: string;
  url: string;
  headers: Headers;
  body: string;
  contentId?: string;
}

export type BatchItem = { kind: "request"; request: BatchRequestPart } | { kind: "changeset"; requests: BatchRequestPart[] };

export interface BatchResponsePart {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  contentId?: string;
}

export function boundaryOf(contentType: string | null): string {
  const m = /boundary="?([^";]+)"?/i.exec(contentType ?? "");
  if (!m || !/^multipart\/mixed/i.test(contentType ?? "")) {
    throw faults.invalidArgument("A $batch request needs Content-Type: multipart/mixed with a boundary.");
  }
  return m[1];
}

/** Splits a multipart body into its parts (each part's text, headers included). */
function splitParts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const segments = body.split(delimiter);
  if (segments.length < 2) throw faults.invalidArgument(`The $batch body has no part delimited by '${delimiter}'.`);
  const parts = segments.slice(1);
  const last = parts.findIndex((p) => p.startsWith("--"));
  return (last === -1 ? parts : parts.slice(0, last)).map((p) => p.replace(/^\r?\n/, ""));
}

/** `Header: value` lines up to the first blank line; the rest is the body. */
function splitHeaders(text: string): { headers: Headers; rest: string } {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const rest = m ? text.slice(m.index + m[0].length) : "";
  const headers = new Headers();
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return { headers, rest };
}

function parseHttpPart(text: string): BatchRequestPart {
  const outer = splitHeaders(text);
  if (!/application\/http/i.test(outer.headers.get("content-type") ?? "")) {
    throw faults.invalidArgument("Each $batch part must have Content-Type: application/http.");
  }
  const [requestLine, ...restLines] = outer.rest.replace(/^\s+/, "").split(/\r?\n/);
  const m = /^(GET|POST|PATCH|PUT|DELETE)\s+(\S+)\s+HTTP\/1\.1$/.exec(requestLine.trim());
  if (!m) throw faults.invalidArgument(`Bad request line in $batch part: '${requestLine}'.`);
  const inner = splitHeaders(restLines.join("\r\n"));
  return {
    method: m[1],
    url: m[2],
    headers: inner.headers,
    body: inner.rest.trim(),
    contentId: outer.headers.get("content-id") ?? undefined,
  };
}

export function parseBatch(body: string, contentType: string | null): BatchItem[] {
  const items: BatchItem[] = [];
  let count = 0;
  for (const part of splitParts(body, boundaryOf(contentType))) {
    const { headers, rest } = splitHeaders(part);
    const type = headers.get("content-type") ?? "";
    if (/^multipart\/mixed/i.test(type)) {
      const requests = splitParts(rest, boundaryOf(type)).map(parseHttpPart);
      for (const r of requests) {
        if (r.method === "GET") throw faults.invalidArgument("GET requests are not allowed inside a change set.");
      }
      count += requests.length;
      items.push({ kind: "changeset", requests });
    } else {
      count++;
      items.push({ kind: "request", request: parseHttpPart(part) });
    }
  }
  if (count > 1000) throw faults.invalidArgument(`A $batch may hold at most 1000 requests; this one has ${count}.`);
  return items;
}

const REASONS: Record<number, string> = {
  200: "OK", 201: "Created", 204: "No Content", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized",
  403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 412: "Precondition Failed", 429: "Too Many Requests",
  500: "Internal Server Error", 503: "Service Unavailable",
};

function formatPart(p: BatchResponsePart): string {
  const lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"];
  if (p.contentId) lines.push(`Content-ID: ${p.contentId}`);
  lines.push("", `HTTP/1.1 ${p.status} ${REASONS[p.status] ?? "Unknown"}`);
  for (const [k, v] of Object.entries(p.headers)) lines.push(`${k}: ${v}`);
  if (p.body !== undefined) lines.push("Content-Type: application/json; odata.metadata=minimal", "", JSON.stringify(p.body));
  else lines.push("");
  return lines.join("\r\n");
}

export type BatchResponseItem = { kind: "response"; part: BatchResponsePart } | { kind: "changeset"; parts: BatchResponsePart[] };

export function formatBatchResponse(items: BatchResponseItem[], id: string): { contentType: string; body: string } {
  const boundary = `batchresponse_${id}`;
  const chunks: string[] = [];
  items.forEach((item, i) => {
    chunks.push(`--${boundary}`);
    if (item.kind === "response") {
      chunks.push(formatPart(item.part));
      return;
    }
    const cs = `changesetresponse_${id}_${i}`;
    chunks.push(`Content-Type: multipart/mixed; boundary=${cs}`, "");
    for (const p of item.parts) chunks.push(`--${cs}`, formatPart(p));
    chunks.push(`--${cs}--`);
  });
  chunks.push(`--${boundary}--`, "");
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: chunks.join("\r\n") };
}
