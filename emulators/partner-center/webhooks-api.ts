/**
 * The emulated webhook side of Partner Center (partner-center.md §3): the registration API, test
 * events (2 per minute), the signed event deliveries, and the certificate download they point at.
 */
import { ERROR_CODES } from "../../sync/contracts/partner-center-referrals";
import { STATUS_CODES } from "node:http";
import { http, HttpResponse, type HttpHandler } from "msw";
import {
  REFERRAL_RESOURCE_NAME, REFERRAL_RESOURCE_URI_BASE, REGISTRATION_EXISTS_MESSAGE, REGISTRATION_STATUS, TEST_EVENT,
  SIGNATURE_ALGORITHM, SIGNATURE_HEADERS, TEST_EVENTS_PER_MINUTE, TEST_RESOURCE_URI_BASE, WEBHOOK_EVENTS, signatureHeaderValue,
  type WebhookValidationEvent,
} from "../../sync/contracts/partner-center-webhooks";
import type { Referral } from "../../sync/schema/referral";
import type { WebhookDispatcher } from "../kit/dispatcher";
import type { Random } from "../kit/random";
import type { SigningIdentity } from "./certificates";
import { readJsonBody, requireBearer, responseHeaders } from "./http-util";
import { ApiError } from "./rules";
import type { PartnerCenterState, ReferralEventName } from "./state";

export const CERTIFICATE_PATH = "/cert/pcnotifications-dispatch.cer";

export interface Registration {
  SubscriberId: string;
  WebhookUrl: string;
  WebhookEvents: string[];
  SignatureTokenToMsSignatureHeader: boolean;
  LastModifiedTimestamp: string;
}

export type ValidationRecord = WebhookValidationEvent;

/** A status as .NET names it (`OK`, `BadRequest`, `InternalServerError`): WH's sample result says "OK". */
function statusName(status: number): string {
  return (STATUS_CODES[status] ?? String(status)).replace(/[^A-Za-z0-9]/g, "");
}

export interface WebhookSide {
  registration: Registration | undefined;
  validations: Map<string, ValidationRecord>;
  certificateUrl: string;
  /** Awaits test-event deliveries still in flight. */
  settle(): Promise<void>;
  reset(): void;
}

/** The webhook API on api.partnercenter answers CSP-style errors: `{code, description}` (§1.7). */
function cspError(e: ApiError, request: Request, random: Random): Response {
  return HttpResponse.json({ code: e.code, description: e.message, source: "PartnerCenterWebhooks" }, { status: e.status, headers: responseHeaders(request, random) });
}

async function cspAnswer(request: Request, random: Random, run: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ApiError) return cspError(e, request, random);
    throw e;
  }
}

function registrationBody(body: unknown, supported: readonly string[]): { url: string; events: string[]; msSignatureHeader: boolean } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new ApiError(400, ERROR_CODES.invalidRequest, "The body must be a registration object", "body");
  const b = body as Record<string, unknown>;
  const url = b.WebhookUrl ?? b.webhookUrl;
  const events = b.WebhookEvents ?? b.webhookEvents;
  const sig = b.SignatureTokenToMsSignatureHeader ?? b.signatureTokenToMsSignatureHeader ?? false;
  if (typeof url !== "string") throw new ApiError(400, ERROR_CODES.invalidRequest, "WebhookUrl is required", "WebhookUrl");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ApiError(400, ERROR_CODES.invalidRequest, `WebhookUrl "${url}" is not an absolute URL`, "WebhookUrl");
  }
  const loopback = parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost";
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && loopback)) {
    throw new ApiError(400, ERROR_CODES.invalidRequest, "WebhookUrl must be https", "WebhookUrl");
  }
  if (!Array.isArray(events) || events.length === 0) throw new ApiError(400, ERROR_CODES.invalidRequest, "WebhookEvents must list at least one event", "WebhookEvents");
  for (const e of events) {
    if (typeof e !== "string" || !supported.includes(e)) throw new ApiError(400, ERROR_CODES.invalidRequest, `"${String(e)}" is not a supported event (${supported.join(", ")})`, "WebhookEvents");
  }
  if (typeof sig !== "boolean") throw new ApiError(400, ERROR_CODES.invalidRequest, "SignatureTokenToMsSignatureHeader must be a boolean", "SignatureTokenToMsSignatureHeader");
  return { url, events: [...new Set(events as string[])], msSignatureHeader: sig };
}

export function createWebhookSide(options: {
  webhooksBaseUrl: string;
  certificateBaseUrl: string;
  state: PartnerCenterState;
  random: Random;
  dispatcher: WebhookDispatcher;
  identity: SigningIdentity;
}): { side: WebhookSide; handlers: HttpHandler[]; certificateHandler: HttpHandler } {
  const { webhooksBaseUrl: base, state, random, dispatcher, identity } = options;
  const certificateUrl = `${options.certificateBaseUrl}${CERTIFICATE_PATH}`;
  const inFlight = new Set<Promise<void>>();
  let testRequests: number[] = [];

  const side: WebhookSide = {
    registration: undefined,
    validations: new Map(),
    certificateUrl,
    async settle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    reset() {
      side.registration = undefined;
      side.validations.clear();
      testRequests = [];
    },
  };

  /** A signed delivery of one event body to the registered URL (§3.3 headers). */
  const signed = (reg: Registration, body: string) => {
    const signature = identity.sign(body);
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      [SIGNATURE_HEADERS.certificateUrl]: certificateUrl,
      [SIGNATURE_HEADERS.algorithm]: SIGNATURE_ALGORITHM,
    };
    // Microsoft's sample receiver reads both headers as `Signature <b64>`.
    if (reg.SignatureTokenToMsSignatureHeader) headers[SIGNATURE_HEADERS.msSignature] = signatureHeaderValue(signature);
    else headers[SIGNATURE_HEADERS.authorization] = signatureHeaderValue(signature);
    return { url: reg.WebhookUrl, headers, body };
  };

  const eventBody = (eventName: string, resourceUri: string, changed: string) =>
    JSON.stringify({ EventName: eventName, ResourceUri: resourceUri, ResourceName: REFERRAL_RESOURCE_NAME, AuditUri: null, ResourceChangeUtcDate: changed });

  state.onChange((event: ReferralEventName, referral: Referral) => {
    const reg = side.registration;
    if (!reg || !reg.WebhookEvents.includes(event)) return;
    const body = eventBody(event, `${REFERRAL_RESOURCE_URI_BASE}/${referral.id}`, referral.updatedDateTime ?? state.now.toISOString());
    dispatcher.enqueue(signed(reg, body));
  });

  const requireRegistration = (): Registration => {
    if (!side.registration) throw new ApiError(404, ERROR_CODES.itemNotFound, "No webhook registration exists for this tenant", "registration");
    return side.registration;
  };

  const save = (url: string, events: string[], msSignatureHeader: boolean, subscriberId: string): Registration => {
    side.registration = {
      SubscriberId: subscriberId,
      WebhookUrl: url,
      WebhookEvents: events,
      SignatureTokenToMsSignatureHeader: msSignatureHeader,
      LastModifiedTimestamp: state.now.toISOString(),
    };
    return side.registration;
  };

  // Served from its own host, which the fault rules do not cover.
  const certificateHandler = http.get(`${options.certificateBaseUrl}${CERTIFICATE_PATH}`, () =>
    new HttpResponse(identity.leafDer, { headers: { "Content-Type": "application/pkix-cert" } }),
  );

  const handlers: HttpHandler[] = [
    http.get(`${base}/events`, ({ request }) =>
      cspAnswer(request, random, () => {
        requireBearer(request, state);
        return HttpResponse.json([...WEBHOOK_EVENTS], { headers: responseHeaders(request, random) });
      }),
    ),

    http.get(base, ({ request }) =>
      cspAnswer(request, random, () => {
        requireBearer(request, state);
        return HttpResponse.json(requireRegistration(), { headers: responseHeaders(request, random) });
      }),
    ),

    http.post(base, ({ request }) =>
      cspAnswer(request, random, async () => {
        requireBearer(request, state);
        const b = registrationBody(await readJsonBody(request), WEBHOOK_EVENTS);
        // One registration per tenant: a second create is the swagger's 409.
        if (side.registration) throw new ApiError(REGISTRATION_STATUS.alreadyExists, "conflict", REGISTRATION_EXISTS_MESSAGE, "registration");
        return HttpResponse.json(save(b.url, b.events, b.msSignatureHeader, state.guid()), { status: REGISTRATION_STATUS.ok, headers: responseHeaders(request, random) });
      }),
    ),

    http.put(base, ({ request }) =>
      cspAnswer(request, random, async () => {
        requireBearer(request, state);
        const current = requireRegistration();
        const b = registrationBody(await readJsonBody(request), WEBHOOK_EVENTS);
        return HttpResponse.json(save(b.url, b.events, b.msSignatureHeader, current.SubscriberId), { status: REGISTRATION_STATUS.ok, headers: responseHeaders(request, random) });
      }),
    ),

    http.post(`${base}/validationEvents`, ({ request }) =>
      cspAnswer(request, random, () => {
        requireBearer(request, state);
        const reg = requireRegistration();
        if (!reg.WebhookEvents.includes(TEST_EVENT)) {
          throw new ApiError(400, ERROR_CODES.invalidRequest, `The registration must include ${TEST_EVENT} to send a test event`, "WebhookEvents");
        }
        const nowMs = state.now.getTime();
        testRequests = testRequests.filter((t) => nowMs - t < 60_000);
        if (testRequests.length >= TEST_EVENTS_PER_MINUTE) {
          const retryAfter = Math.max(1, Math.ceil((testRequests[0] + 60_000 - nowMs) / 1000));
          return HttpResponse.json(
            { code: "tooManyRequests", description: `At most ${TEST_EVENTS_PER_MINUTE} test events per minute`, source: "PartnerCenterWebhooks" },
            { status: 429, headers: responseHeaders(request, random, { "Retry-After": String(retryAfter) }) },
          );
        }
        testRequests.push(nowMs);
        const correlationId = state.guid();
        const record: ValidationRecord = { correlationId, partnerId: state.partnerOrgId, status: "pending", callbackUrl: reg.WebhookUrl, results: [] };
        side.validations.set(correlationId, record);
        const delivery = signed(reg, JSON.stringify({
          EventName: TEST_EVENT,
          ResourceUri: `${TEST_RESOURCE_URI_BASE}/${correlationId}`,
          ResourceName: "test",
          AuditUri: null,
          ResourceChangeUtcDate: state.now.toISOString(),
        }));
        // A result for each attempt at delivering it [WH]; pending until one is delivered or the attempts run out.
        const p: Promise<void> = dispatcher
          .deliverNow(delivery, (r) => {
            // No HTTP answer at all (refused, timed out) is a system error; an answer is its status name.
            record.results.push({
              responseCode: r.status === undefined ? "" : statusName(r.status),
              responseMessage: r.error ?? "",
              systemError: r.status === undefined,
              dateTimeUtc: r.at,
            });
          })
          .then((r) => {
            record.status = r.outcome === "delivered" ? "completed" : "failed";
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        return HttpResponse.json({ correlationId }, { headers: responseHeaders(request, random) });
      }),
    ),

    http.get(`${base}/validationEvents/:correlationId`, ({ request, params }) =>
      cspAnswer(request, random, () => {
        requireBearer(request, state);
        const record = side.validations.get(String(params.correlationId));
        if (!record) throw new ApiError(404, ERROR_CODES.itemNotFound, `No test event ${String(params.correlationId)}`, "correlationId");
        return HttpResponse.json(record, { headers: responseHeaders(request, random) });
      }),
    ),
  ];
  return { side, handlers, certificateHandler };
}

