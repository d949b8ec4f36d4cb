/** Shared pieces of the emulated Partner Center HTTP surface: auth, error bodies, JSON bodies. */
import { HttpResponse } from "msw";
import { ERROR_CODES, HEADERS } from "../../sync/contracts/partner-center-referrals";
import type { FaultBodies } from "../kit/faults";
import type { Random } from "../kit/random";
import { ODataError } from "./odata";
import { ApiError } from "./rules";
import { seededGuid, type PartnerCenterState } from "./state";

/** Headers every answer carries (§1.3). */
export function responseHeaders(request: Request, random: Random, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { [HEADERS.requestId]: seededGuid(random), ...extra };
  const clientId = request.headers.get(HEADERS.clientRequestId);
  if (clientId) headers[HEADERS.clientRequestId] = clientId;
  return headers;
}

/** Injected faults in the Referrals API's error shape. */
export const partnerCenterFaultBodies: FaultBodies = (kind, _rule, target) => {
  const [code, message] = {
    // The error-codes page lists no code for 429; "tooManyRequests" is ours.
    throttled: ["tooManyRequests", "Rate limit is exceeded. Try again later."],
    serverError: [ERROR_CODES.generalException, "An unexpected error occurred (injected fault)."],
    unavailable: [ERROR_CODES.serviceNotAvailable, "The service is temporarily unavailable (injected fault)."],
  }[kind];
  return { error: { code, message, target } };
};

export function errorResponse(request: Request, random: Random, e: ApiError | ODataError): HttpResponse<string> {
  const status = e instanceof ApiError ? e.status : 400;
  const code = e instanceof ApiError ? e.code : ERROR_CODES.invalidRequest;
  return HttpResponse.json({ error: { code, message: e.message, target: e.target } }, { status, headers: responseHeaders(request, random) }) as unknown as HttpResponse<string>;
}

/** Runs a resolver, turning the emulator's typed errors into the service's error answers. */
export async function answer(request: Request, random: Random, run: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ApiError || e instanceof ODataError) return errorResponse(request, random, e);
    throw e;
  }
}

/** Bearer token required; a token in `rejectedTokens` is refused like an expired one. */
export function requireBearer(request: Request, state: PartnerCenterState): void {
  const auth = request.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m) throw new ApiError(401, ERROR_CODES.unauthenticated, "A bearer token is required (Authorization: Bearer …)", "Authorization");
  if (state.rejectedTokens.has(m[1])) throw new ApiError(401, ERROR_CODES.unauthenticated, "The access token is expired or invalid", "Authorization");
}

export async function readJsonBody(request: Request, allowedTypes: string[] = ["application/json"]): Promise<unknown> {
  return (await bodyReader(request, allowedTypes))();
}

/**
 * Reads the body now and parses it when called (throwing the same errors as readJsonBody then).
 * A write reads its body first, so nothing awaits between its If-Match check and the write itself:
 * Partner Center compares the ETag atomically with the write.
 */
export async function bodyReader(request: Request, allowedTypes: string[] = ["application/json"]): Promise<() => unknown> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  const text = await request.text();
  return () => {
    if (!allowedTypes.includes(type)) {
      throw new ApiError(415, ERROR_CODES.invalidRequest, `Content-Type must be ${allowedTypes.join(" or ")} (got "${type || "none"}")`, "Content-Type");
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ApiError(400, ERROR_CODES.invalidRequest, `The body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, "body");
    }
  };
}
