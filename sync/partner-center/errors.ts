/**
 * Partner Center failures as typed values. Callers branch on `kind`, never on the message
 * (partner-center.md §1.7). The rules that decide a kind live here and nowhere else (D.1, D.10).
 */
import { ERROR_CODES } from "../contracts/partner-center-referrals";

export type PartnerCenterErrorKind =
  /** Someone changed the referral first: re-read, re-plan (D.1). */
  | "concurrency"
  /** 429 / 509 that outlasted our retries. */
  | "throttled"
  /** The token was refused even after a refresh, or sign-in expired. */
  | "credential"
  | "notFound"
  /** 400 / 422: the request itself is wrong; retrying will not help. */
  | "validation"
  /** 5xx, timeouts, network failures that outlasted our retries. */
  | "transient"
  | "unknown";

export interface PartnerCenterErrorInit {
  kind: PartnerCenterErrorKind;
  status?: number;
  code?: string;
  message: string;
  target?: string;
  requestId?: string;
  method?: string;
  url?: string;
  cause?: unknown;
}

export class PartnerCenterError extends Error {
  readonly kind: PartnerCenterErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly target?: string;
  readonly requestId?: string;
  readonly method?: string;
  readonly url?: string;

  constructor(init: PartnerCenterErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "PartnerCenterError";
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.target = init.target;
    this.requestId = init.requestId;
    this.method = init.method;
    this.url = init.url;
  }
}

export const SIGN_IN_EXPIRED_MESSAGE = "Partner Center sign-in expired — run `cosell login` again";

/** Silent refresh failed (or there is no signed-in account): a person must sign in again (D.9). */
export class SignInExpiredError extends Error {
  constructor(detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${SIGN_IN_EXPIRED_MESSAGE} (${detail})` : SIGN_IN_EXPIRED_MESSAGE, options);
    this.name = "SignInExpiredError";
  }
}

/**
 * The sign-in service could not be reached (network, 5xx, throttling) while refreshing: the sign-in
 * itself may be fine, so this is passing trouble, not a reason to ask for a new login.
 */
export class SignInUnavailableError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`could not reach the Microsoft sign-in service to refresh the Partner Center token (${detail}); it will be tried again`, options);
    this.name = "SignInUnavailableError";
  }
}

/** Error codes that mean "the resource changed under you" whatever the HTTP status (D.1, error-codes page). */
const CONCURRENCY_CODES = new Set([ERROR_CODES.preconditionFailed, ERROR_CODES.resourceModified].map((c) => c.toLowerCase()));

/** The kind of an HTTP failure, from its status and `error.code`. */
export function classifyFailure(status: number, code?: string): PartnerCenterErrorKind {
  if (status === 412 || (code !== undefined && CONCURRENCY_CODES.has(code.toLowerCase()))) return "concurrency";
  if (status === 429 || status === 509) return "throttled";
  if (status === 401 || status === 403) return "credential";
  if (status === 404 || status === 410) return "notFound";
  if (status === 400 || status === 422) return "validation";
  if (status >= 500 || status === 408) return "transient";
  return "unknown";
}

/** Statuses worth another attempt after a wait (D.10): throttling and passing server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 503 || status === 509 || status === 500 || status === 502 || status === 504;
}

/**
 * The Referrals API's `{"error":{code,message,target}}` body, or the CSP-style `{code, description}`
 * the webhook API on api.partnercenter.microsoft.com sends (§1.7), tolerating anything else.
 */
export function parseErrorBody(text: string): { code?: string; message?: string; target?: string } {
  if (!text) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
  if (!body || typeof body !== "object") return {};
  const outer = body as Record<string, unknown>;
  const e = (outer.error && typeof outer.error === "object" ? outer.error : outer) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);
  return { code: str(e.code), message: str(e.message) ?? str(e.description), target: str(e.target) };
}
