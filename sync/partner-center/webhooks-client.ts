/**
 * The webhook registration API (partner-center.md §3.1) on api.partnercenter.microsoft.com.
 * One URL per tenant (D.7): registering never silently takes over another tool's URL.
 */
import {
  REFERRAL_EVENTS, RELATED_REFERRAL_EVENTS, TEST_EVENT, WEBHOOKS_BASE_URL as DEFAULT_WEBHOOKS_BASE_URL, type WebhookResponse,
} from "../contracts/partner-center-webhooks";
import { PartnerCenterError } from "./errors";
import { PartnerCenterHttp, readJson, type HttpClientOptions } from "./http";

export { DEFAULT_WEBHOOKS_BASE_URL, TEST_EVENT };

export interface WebhookRegistration {
  subscriberId?: string;
  webhookUrl: string;
  webhookEvents: string[];
  signatureTokenToMsSignatureHeader?: boolean;
  lastModifiedTimestamp?: string;
}

/** What a test event's delivery did, read off `WebhookValidationEvent` (its results are `WebhookResponse`s). */
export interface ValidationResult {
  status?: string;
  callbackUrl?: string;
  results: WebhookResponse[];
}

/** One `WebhookResponse`, read defensively: `responseCode` as a string, `systemError` as a boolean. */
function toWebhookResponse(raw: unknown): WebhookResponse {
  const r = (raw !== null && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const code = pick(r, "ResponseCode");
  const systemError = pick(r, "SystemError");
  return {
    responseCode: code === undefined || code === null ? "" : String(code),
    responseMessage: String(pick(r, "ResponseMessage") ?? ""),
    systemError: systemError === true || (typeof systemError === "string" && systemError.toLowerCase() === "true"),
    dateTimeUtc: String(pick(r, "DateTimeUtc") ?? ""),
  };
}

export type RegisterOutcome = { action: "created" | "updated" | "unchanged" | "replaced"; previousUrl?: string; registration: WebhookRegistration };

/** Another URL is registered and `force` was not given. */
export class RegistrationConflictError extends Error {
  constructor(readonly registeredUrl: string, readonly requestedUrl: string) {
    super(`another webhook URL is registered for this tenant (${registeredUrl}); replacing it with ${requestedUrl} would stop that tool's events — pass --force to replace it`);
    this.name = "RegistrationConflictError";
  }
}

export interface WebhooksClientOptions extends HttpClientOptions {
  baseUrl?: string;
}

/** The swagger model is camelCase, the docs' samples PascalCase: read either. */
function pick(body: Record<string, unknown>, pascal: string): unknown {
  return body[pascal] ?? body[pascal[0].toLowerCase() + pascal.slice(1)];
}

function toRegistration(body: Record<string, unknown>): WebhookRegistration {
  const events = pick(body, "WebhookEvents");
  const sig = pick(body, "SignatureTokenToMsSignatureHeader");
  return {
    subscriberId: pick(body, "SubscriberId") as string | undefined,
    webhookUrl: String(pick(body, "WebhookUrl") ?? ""),
    webhookEvents: Array.isArray(events) ? events.map(String) : [],
    signatureTokenToMsSignatureHeader: typeof sig === "boolean" ? sig : undefined,
    lastModifiedTimestamp: pick(body, "LastModifiedTimestamp") as string | undefined,
  };
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

export class WebhooksClient {
  private readonly http: PartnerCenterHttp;
  readonly baseUrl: string;

  constructor(options: WebhooksClientOptions) {
    this.http = new PartnerCenterHttp(options);
    this.baseUrl = (options.baseUrl ?? DEFAULT_WEBHOOKS_BASE_URL).replace(/\/+$/, "");
  }

  async events(): Promise<string[]> {
    const res = await this.http.send({ method: "GET", url: `${this.baseUrl}/events`, idempotent: true });
    const body = await readJson<unknown>(res, "list webhook events");
    if (!Array.isArray(body)) throw new PartnerCenterError({ kind: "unknown", message: "list webhook events: the answer is not an array" });
    return body.map(String);
  }

  /** The current registration, or undefined when the tenant has none (404). */
  async show(): Promise<WebhookRegistration | undefined> {
    try {
      const res = await this.http.send({ method: "GET", url: this.baseUrl, idempotent: true });
      return toRegistration(await readJson<Record<string, unknown>>(res, "show webhook registration"));
    } catch (e) {
      if (e instanceof PartnerCenterError && e.kind === "notFound") return undefined;
      throw e;
    }
  }

  /**
   * Registers `url` for the referral events (plus the related-referral ones when the tenant offers
   * them, and test-created so `sendTest` works). A different registered URL is only replaced with `force`.
   */
  async register(url: string, options: { force?: boolean } = {}): Promise<RegisterOutcome> {
    const parsed = new URL(url);
    if (parsed.protocol !== "https:" && !(parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost")) {
      throw new PartnerCenterError({ kind: "validation", message: `webhook URL must be https (${url})`, target: "WebhookUrl" });
    }
    const [current, offered] = await Promise.all([this.show(), this.events()]);
    const wanted: string[] = [...REFERRAL_EVENTS, ...RELATED_REFERRAL_EVENTS.filter((e) => offered.includes(e)), TEST_EVENT];
    if (current && !sameUrl(current.webhookUrl, url) && !options.force) throw new RegistrationConflictError(current.webhookUrl, url);

    const keep = current && sameUrl(current.webhookUrl, url) ? current.webhookEvents : [];
    const events = [...new Set([...keep, ...wanted])];
    if (current && sameUrl(current.webhookUrl, url) && events.length === current.webhookEvents.length) {
      return { action: "unchanged", registration: current };
    }
    const body = { WebhookUrl: url, WebhookEvents: events };
    const res = await this.http.send({ method: current ? "PUT" : "POST", url: this.baseUrl, body, idempotent: true });
    const registration = toRegistration(await readJson<Record<string, unknown>>(res, "register webhook"));
    if (!current) return { action: "created", registration };
    return sameUrl(current.webhookUrl, url) ? { action: "updated", registration } : { action: "replaced", previousUrl: current.webhookUrl, registration };
  }

  /**
   * Sends a test event (2 per minute); returns its correlation id. The swagger answers it as a bare
   * JSON string, the docs' sample as `{"correlationId": …}`: both are read.
   */
  async sendTest(): Promise<string> {
    const res = await this.http.send({ method: "POST", url: `${this.baseUrl}/validationEvents`, idempotent: false });
    const body = await readJson<unknown>(res, "send test event");
    const id = typeof body === "string" ? body : body !== null && typeof body === "object" ? pick(body as Record<string, unknown>, "CorrelationId") : undefined;
    if (typeof id !== "string" || !id) throw new PartnerCenterError({ kind: "unknown", message: "send test event: no correlationId in the answer" });
    return id;
  }

  async testResult(correlationId: string): Promise<ValidationResult> {
    const res = await this.http.send({ method: "GET", url: `${this.baseUrl}/validationEvents/${encodeURIComponent(correlationId)}`, idempotent: true });
    const body = await readJson<Record<string, unknown>>(res, "test event result");
    const results = pick(body, "Results");
    return {
      status: pick(body, "Status") as string | undefined,
      callbackUrl: pick(body, "CallbackUrl") as string | undefined,
      results: Array.isArray(results) ? results.map(toWebhookResponse) : [],
    };
  }
}
