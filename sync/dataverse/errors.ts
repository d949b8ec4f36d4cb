/**
 * Typed Dataverse failures. `kind` is what callers branch on; `code` is the platform's hex error
 * code (e.g. "0x80040217" row not found, "0x80060882" version mismatch); `status` the HTTP status.
 */
import { isDuplicateKeyMessage } from "../contracts/dataverse";
import { parseRetryAfter, TimeoutError } from "../shared/retry";

export type DataverseErrorKind = "concurrency" | "throttled" | "credential" | "notFound" | "validation" | "transient" | "unknown";

export class DataverseError extends Error {
  constructor(
    message: string,
    public readonly kind: DataverseErrorKind,
    public readonly status?: number,
    public readonly code?: string,
    /** From a 429/503 `Retry-After`. */
    public readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "DataverseError";
  }
}

/** The row changed since it was read (412 on If-Match): re-read, re-plan. */
export class ConcurrencyError extends DataverseError {
  constructor(message: string, status = 412, code?: string) {
    super(message, "concurrency", status, code);
    this.name = "ConcurrencyError";
  }
}

const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "ABORT_ERR"]);

/**
 * A 412 is a concurrency failure unless its message says the key already exists: Microsoft answers
 * both with the code "" (sync/contracts/dataverse.ts), so the code cannot tell them apart.
 */
function kindOf(status: number | undefined, message: string | undefined): DataverseErrorKind {
  if (status === 412) return isDuplicateKeyMessage(message) ? "validation" : "concurrency";
  if (status === 429) return "throttled";
  if (status === 401 || status === 403) return "credential";
  if (status === 404) return "notFound";
  if (status === 400 || status === 405) return "validation";
  if (status !== undefined && status >= 500) return "transient";
  return "unknown";
}

interface RawError {
  status?: number;
  code?: string;
  message?: string;
  headers?: Record<string, string | string[] | undefined>;
  name?: string;
}

function header(headers: RawError["headers"], name: string): string | undefined {
  const v = headers?.[name] ?? headers?.[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Converts whatever dynamics-web-api (or the network) threw into a DataverseError. `what` says which call failed. */
export function toDataverseError(e: unknown, what: string): DataverseError {
  if (e instanceof DataverseError) return e;
  if (e instanceof TimeoutError) return new DataverseError(`${what}: ${e.message}`, "transient");
  const raw = (typeof e === "object" && e !== null ? e : { message: String(e) }) as RawError;
  const code = typeof raw.code === "string" && raw.code !== "" ? raw.code : undefined;
  if (raw.status === undefined && code && NETWORK_CODES.has(code)) {
    return new DataverseError(`${what}: network error ${code}: ${raw.message ?? ""}`.trim(), "transient", undefined, code);
  }
  const message = `${what}: ${raw.status ? `HTTP ${raw.status} ` : ""}${code ? `${code} ` : ""}${raw.message ?? "unknown error"}`;
  const kind = kindOf(raw.status, raw.message);
  if (kind === "concurrency") return new ConcurrencyError(message, raw.status, code);
  return new DataverseError(message, kind, raw.status, code, parseRetryAfter(header(raw.headers, "Retry-After")));
}
