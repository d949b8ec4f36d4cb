/**
 * One Partner Center HTTP call: the documented headers (§1.3), a timeout and bounded retries on
 * every call (D.10), each request counted against the daily call budget (D.10), one token refresh
 * on 401, and failures turned into PartnerCenterError.
 * Shared by the referrals client and the webhook registration client.
 */
import { randomUUID } from "node:crypto";
import { DEFAULT_RETRY_POLICY, TimeoutError, parseRetryAfter, withRetry, type RetryEnv, type RetryPolicy } from "../shared/retry";
import { HEADERS } from "../contracts/partner-center-referrals";
import type { TokenProvider } from "./auth-types";
import type { CallBudget } from "./call-budget";
import {
  PartnerCenterError,
  SIGN_IN_EXPIRED_MESSAGE,
  SignInExpiredError,
  SignInUnavailableError,
  classifyFailure,
  isRetryableStatus,
  parseErrorBody,
} from "./errors";

export interface HttpClientOptions {
  tokenProvider: TokenProvider;
  retry?: Partial<RetryPolicy>;
  /** Injected waits and jitter (tests assert the waits). */
  retryEnv?: RetryEnv;
  fetch?: typeof fetch;
  /** Makes `client-request-id`; a new GUID per call by default. */
  newRequestId?: () => string;
  /** Counts every request sent, retries included, against the daily budget (D.10); share one across clients. */
  budget?: CallBudget;
}

export interface SendOptions {
  method: "GET" | "POST" | "PUT" | "PATCH";
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * A timeout or 5xx may have been applied by the server; only repeat the call when doing it
   * twice is harmless (reads, and writes guarded by If-Match). Throttling answers are always retried:
   * the server refused them before doing anything.
   */
  idempotent: boolean;
}

export class PartnerCenterHttp {
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly newRequestId: () => string;

  constructor(private readonly options: HttpClientOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.newRequestId = options.newRequestId ?? randomUUID;
  }

  /** Sends and returns the successful response; anything else is thrown as PartnerCenterError. */
  async send(req: SendOptions): Promise<Response> {
    let response = await this.sendWithRetry(req, false);
    if (response.status === 401) {
      // One refresh: the cached token may have been revoked or expired early (D.9).
      response = await this.sendWithRetry(req, true);
    }
    if (response.ok) return response;
    throw await this.toError(req, response);
  }

  private async token(forceRefresh: boolean, req: SendOptions): Promise<string> {
    try {
      return await this.options.tokenProvider.getToken(forceRefresh ? { forceRefresh: true } : undefined);
    } catch (e) {
      if (e instanceof PartnerCenterError) throw e;
      if (e instanceof SignInUnavailableError) {
        throw new PartnerCenterError({ kind: "transient", code: "signInUnavailable", message: e.message, method: req.method, url: req.url, cause: e });
      }
      throw new PartnerCenterError({
        kind: "credential",
        code: e instanceof SignInExpiredError ? "signInExpired" : "tokenUnavailable",
        message: e instanceof SignInExpiredError ? SIGN_IN_EXPIRED_MESSAGE : `could not get a Partner Center token: ${errorText(e)}`,
        method: req.method,
        url: req.url,
        cause: e,
      });
    }
  }

  private async sendWithRetry(req: SendOptions, forceRefresh: boolean): Promise<Response> {
    const token = await this.token(forceRefresh, req);
    try {
      return await withRetry(
        (signal) => {
          this.options.budget?.record(req.method === "GET" ? "read" : "write");
          return this.fetchImpl(req.url, { method: req.method, headers: this.headers(req, token), body: encodeBody(req.body), signal });
        },
        (outcome) => {
          if (outcome.error !== undefined) {
            return req.idempotent ? { retry: true, reason: errorText(outcome.error) } : { retry: false };
          }
          const res = outcome.value as Response;
          if (!isRetryableStatus(res.status)) return { retry: false };
          const throttled = res.status === 429 || res.status === 503 || res.status === 509;
          if (!throttled && !req.idempotent) return { retry: false };
          return { retry: true, retryAfterMs: parseRetryAfter(res.headers.get("retry-after")), reason: `HTTP ${res.status}` };
        },
        this.policy,
        this.options.retryEnv,
      );
    } catch (e) {
      if (e instanceof PartnerCenterError) throw e;
      const timedOut = e instanceof TimeoutError;
      throw new PartnerCenterError({
        kind: "transient",
        code: timedOut ? "timeout" : "networkError",
        message: `${req.method} ${req.url} failed: ${errorText(e)}`,
        method: req.method,
        url: req.url,
        cause: e,
      });
    }
  }

  private headers(req: SendOptions, token: string): Record<string, string> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: "application/json",
      [HEADERS.clientRequestId]: this.newRequestId(),
      ...req.headers,
    };
    if (req.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["Content-Type"] = "application/json";
    }
    return headers;
  }

  private async toError(req: SendOptions, res: Response): Promise<PartnerCenterError> {
    const body = parseErrorBody(await res.text().catch(() => ""));
    return new PartnerCenterError({
      kind: classifyFailure(res.status, body.code),
      status: res.status,
      code: body.code,
      target: body.target,
      message: body.message ?? `${req.method} ${req.url} answered HTTP ${res.status}`,
      requestId: res.headers.get(HEADERS.requestId) ?? undefined,
      method: req.method,
      url: req.url,
    });
  }
}

function encodeBody(body: unknown): string | undefined {
  return body === undefined ? undefined : JSON.stringify(body);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Reads a JSON body, naming the call when the service sends something that is not JSON. */
export async function readJson<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new PartnerCenterError({
      kind: "unknown",
      status: res.status,
      message: `${what}: the answer is not JSON (${text.slice(0, 120)})`,
      requestId: res.headers.get(HEADERS.requestId) ?? undefined,
    });
  }
}
