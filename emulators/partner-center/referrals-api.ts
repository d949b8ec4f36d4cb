/**
 * The emulated Referrals API (sync/contracts/partner-center-referrals.ts): list with OData and
 * `$skiptoken` paging, get, create (200; no status means New/Pending; outgoing answered
 * Active/Accepted), PUT (If-Match required, `links` ignored), PATCH (replace/add on the swagger's
 * paths only, If-Match optional; 204, or 200 + body with `Prefer: return=representation`).
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import {
  DEFAULT_NEW_STATUS, ERROR_CODES, HEADERS, OUTGOING_CREATED_STATUS, PATCH_CONTENT_TYPES, PATCH_PATHS, RETURN_REPRESENTATION, STATUS,
  isPatchPath, normalizeConsent,
} from "../../sync/contracts/partner-center-referrals";
import type { Referral } from "../../sync/schema/referral";
import type { Random } from "../kit/random";
import { applyPatch, parsePatch, pointer } from "./json-patch";
import { answer, bodyReader, readJsonBody, requireBearer, responseHeaders } from "./http-util";
import { ODataError, parseFilter, parseOrderBy } from "./odata";
import { ApiError, SERVER_FIELDS, missingIfMatchError } from "./rules";
import type { PartnerCenterState } from "./state";

/** Largest page the emulator hands out (D.2: clients ask for 100). */
export const MAX_PAGE_SIZE = 100;
const LIST_PARAMS = ["$filter", "$orderby", "$top", "$skip", "$count"];

interface PageState {
  filter?: string;
  orderby?: string;
  top: number;
  skip: number;
  count: boolean;
}

function encodeSkipToken(s: PageState): string {
  return Buffer.from(JSON.stringify(s), "utf8").toString("base64url");
}

function decodeSkipToken(token: string): PageState {
  try {
    const s = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as PageState;
    if (typeof s.top !== "number" || typeof s.skip !== "number") throw new Error("shape");
    return s;
  } catch {
    throw new ODataError("$skiptoken is not valid", "$skiptoken");
  }
}

function nonNegativeInt(value: string, name: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new ODataError(`${name} must be an integer ≥ ${min} (got "${value}")`, name);
  return Number(value);
}

/** Reads the query: the documented options, or a `$skiptoken` alone (a nextLink is never mixed with others). */
function pageState(url: URL): PageState {
  const names = [...url.searchParams.keys()];
  for (const n of names) {
    if (n !== "$skiptoken" && !LIST_PARAMS.includes(n)) {
      throw new ODataError(`query option "${n}" is not supported (use ${LIST_PARAMS.join(", ")})`, n);
    }
    if (url.searchParams.getAll(n).length > 1) throw new ODataError(`query option "${n}" is given twice`, n);
  }
  const token = url.searchParams.get("$skiptoken");
  if (token !== null) {
    if (names.length > 1) throw new ODataError("$skiptoken cannot be combined with other query options: follow @odata.nextLink as returned", "$skiptoken");
    return decodeSkipToken(token);
  }
  const count = url.searchParams.get("$count");
  if (count !== null && count !== "true" && count !== "false") throw new ODataError(`$count must be true or false (got "${count}")`, "$count");
  const top = url.searchParams.get("$top");
  const skip = url.searchParams.get("$skip");
  return {
    filter: url.searchParams.get("$filter") ?? undefined,
    orderby: url.searchParams.get("$orderby") ?? undefined,
    top: top === null ? MAX_PAGE_SIZE : Math.min(MAX_PAGE_SIZE, nonNegativeInt(top, "$top", 1)),
    skip: skip === null ? 0 : nonNegativeInt(skip, "$skip", 0),
    count: count === "true",
  };
}

export function referralsHandlers(baseUrl: string, state: PartnerCenterState, random: Random): HttpHandler[] {
  const withETag = (request: Request, r: Referral, status: number = STATUS.ok, extra: Record<string, string> = {}) =>
    HttpResponse.json(
      { "@odata.context": `${baseUrl}/$metadata#referrals/$entity`, ...r },
      { status, headers: responseHeaders(request, random, { [HEADERS.etag]: r.eTag ?? "", ...extra }) },
    );
  const invalidBody = (message: string, target: string) => new ApiError(400, ERROR_CODES.invalidRequest, message, target);
  /** The service binds consent keys case-insensitively (Learn's private sample writes them PascalCase). */
  const withConsent = (body: Record<string, unknown>): Record<string, unknown> =>
    body.consent !== null && typeof body.consent === "object" && !Array.isArray(body.consent)
      ? { ...body, consent: normalizeConsent(body.consent as Record<string, unknown>) }
      : body;

  return [
    http.get(baseUrl, ({ request }) =>
      answer(request, random, () => {
        requireBearer(request, state);
        const page = pageState(new URL(request.url));
        const predicate = page.filter !== undefined ? parseFilter(page.filter) : () => true;
        const sorter = parseOrderBy(page.orderby ?? "createdDateTime asc");
        const matching = state.all().filter(predicate).sort(sorter);
        const value = matching.slice(page.skip, page.skip + page.top);
        const body: Record<string, unknown> = { "@odata.context": `${baseUrl}/$metadata#referrals` };
        if (page.count) body["@odata.count"] = matching.length;
        body.value = value;
        if (page.skip + page.top < matching.length) {
          body["@odata.nextLink"] = `${baseUrl}?$skiptoken=${encodeSkipToken({ ...page, skip: page.skip + page.top })}`;
        }
        return HttpResponse.json(body, { headers: responseHeaders(request, random) });
      }),
    ),

    http.get(`${baseUrl}/:id`, ({ request, params }) =>
      answer(request, random, () => {
        requireBearer(request, state);
        return withETag(request, state.get(String(params.id)));
      }),
    ),

    http.post(baseUrl, ({ request }) =>
      answer(request, random, async () => {
        requireBearer(request, state);
        const body = await readJsonBody(request);
        if (body === null || typeof body !== "object" || Array.isArray(body)) throw invalidBody("The body must be a referral object", "body");
        const sent = withConsent(body as Record<string, unknown>);
        if (sent.status === "Closed") throw invalidBody("A referral cannot be created Closed", "status");
        // Learn's private-deal sample sends no status: the defaults apply.
        const input = sent.status == null && sent.substatus == null ? { ...sent, ...DEFAULT_NEW_STATUS } : sent;
        // The service answers an outgoing create as Active/Accepted — after validating what was sent.
        const created = state.insert(input, { direction: "Outgoing" }, (r) => ({ ...r, ...OUTGOING_CREATED_STATUS }));
        return withETag(request, created, STATUS.created, { Location: `${baseUrl}/${created.id}` });
      }),
    ),

    http.put(`${baseUrl}/:id`, ({ request, params }) =>
      answer(request, random, async () => {
        requireBearer(request, state);
        const readBody = await bodyReader(request);
        // From here to the write nothing awaits: the ETag check and the write are one step.
        const id = String(params.id);
        state.get(id); // 404 before 412
        const ifMatch = request.headers.get("if-match");
        if (ifMatch === null) throw missingIfMatchError();
        state.checkIfMatch(id, ifMatch);
        const body = readBody();
        if (body === null || typeof body !== "object" || Array.isArray(body)) throw invalidBody("The body must be a referral object", "body");
        if (typeof (body as Referral).id === "string" && (body as Referral).id !== id) throw invalidBody("The body's id does not match the URL", "id");
        return withETag(request, state.replace(id, withConsent(body as Record<string, unknown>)));
      }),
    ),

    http.patch(`${baseUrl}/:id`, ({ request, params }) =>
      answer(request, random, async () => {
        requireBearer(request, state);
        const readBody = await bodyReader(request, [...PATCH_CONTENT_TYPES]);
        // From here to the write nothing awaits: the patch applies to the referral the ETag was checked against.
        const id = String(params.id);
        const before = state.get(id);
        // If-Match is optional on PATCH: without it there is no concurrency check (patch-a-referral).
        state.checkIfMatch(id, request.headers.get(HEADERS.ifMatch));
        const ops = parsePatch(readBody()).map((op) => {
          const field = pointer(op.path)[0];
          if ((SERVER_FIELDS as readonly string[]).includes(field)) throw invalidBody(`${field} is read-only`, op.path);
          if (!isPatchPath(op.path)) throw invalidBody(`${op.path} cannot be patched (allowed paths: ${PATCH_PATHS.join(", ")})`, op.path);
          // The docs' own samples send dealValue as a string ("10000"); the service stores the number.
          if (op.path === "/details/dealValue" && typeof op.value === "string" && op.value.trim() !== "" && Number.isFinite(Number(op.value))) {
            return { ...op, value: Number(op.value) };
          }
          return op;
        });
        const updated = state.replace(id, withConsent(applyPatch(before, ops) as unknown as Record<string, unknown>));
        const prefer = (request.headers.get(HEADERS.prefer) ?? "").toLowerCase();
        if (prefer.split(/[;,]/).map((p) => p.trim()).includes(RETURN_REPRESENTATION)) return withETag(request, updated);
        return new HttpResponse(null, { status: STATUS.patchedNoContent, headers: responseHeaders(request, random, { [HEADERS.etag]: updated.eTag ?? "" }) });
      }),
    ),
  ];
}
