/**
 * The Referrals API client (partner-center.md §1): list / get / create / PATCH / PUT on
 * `/v1.0/engagements/referrals`, with ETags for optimistic concurrency (D.1) and paging that follows
 * `@odata.nextLink` verbatim (D.2).
 */
import {
  HEADERS, PATCH_OPS, PATCH_PATHS, REFERRALS_BASE_URL, RETURN_REPRESENTATION, STATUS, isPatchPath, type PatchOp,
} from "../contracts/partner-center-referrals";
import type { NewReferral, Referral } from "../schema/referral";
import type { TokenProvider } from "./auth-types";
import { PartnerCenterError } from "./errors";
import { PartnerCenterHttp, readJson, type HttpClientOptions } from "./http";

export const DEFAULT_REFERRALS_BASE_URL = REFERRALS_BASE_URL;
/** D.2: ask for pages of 100. */
export const DEFAULT_PAGE_SIZE = 100;

export interface ReferralQuery {
  /** OData `$filter`, e.g. `updatedDateTime ge 2024-01-01T00:00:00Z` (see `odata` helpers). */
  filter?: string;
  /** e.g. `updatedDateTime asc`. */
  orderBy?: string;
  top?: number;
}

export interface ReferralPage {
  value: Referral[];
  count?: number;
  /** Pass back to `listPage` exactly as received. */
  nextLink?: string;
}

/** A referral with the ETag to send back in If-Match. */
export interface ReferralWithETag {
  referral: Referral;
  eTag: string;
}

/** RFC 6902 operations the service accepts: replace or add, on the swagger's paths. */
export interface PatchOperation {
  op: PatchOp;
  path: string;
  value: unknown;
}

export interface ReferralsClientOptions extends HttpClientOptions {
  /** Defaults to the real service; the sandbox points it at localhost. */
  baseUrl?: string;
}

export class ReferralsClient {
  private readonly http: PartnerCenterHttp;
  readonly baseUrl: string;

  constructor(options: ReferralsClientOptions) {
    this.http = new PartnerCenterHttp(options);
    this.baseUrl = (options.baseUrl ?? DEFAULT_REFERRALS_BASE_URL).replace(/\/+$/, "");
  }

  /** The first page of a query. */
  async list(query: ReferralQuery = {}): Promise<ReferralPage> {
    const url = new URL(this.baseUrl);
    if (query.filter) url.searchParams.set("$filter", query.filter);
    if (query.orderBy) url.searchParams.set("$orderby", query.orderBy);
    url.searchParams.set("$top", String(query.top ?? DEFAULT_PAGE_SIZE));
    return this.listPage(url.toString());
  }

  /** A page by URL: used with `nextLink`, which is followed verbatim, never rebuilt (D.2). */
  async listPage(url: string): Promise<ReferralPage> {
    const res = await this.http.send({ method: "GET", url, idempotent: true });
    const body = await readJson<{ value?: unknown; "@odata.nextLink"?: unknown; "@odata.count"?: unknown }>(res, "list referrals");
    if (!Array.isArray(body.value)) {
      throw new PartnerCenterError({ kind: "unknown", status: res.status, message: "list referrals: the answer has no `value` array", url });
    }
    return {
      value: body.value as Referral[],
      count: typeof body["@odata.count"] === "number" ? body["@odata.count"] : undefined,
      nextLink: typeof body["@odata.nextLink"] === "string" && body["@odata.nextLink"] ? body["@odata.nextLink"] : undefined,
    };
  }

  /** Every referral matching the query, page after page. */
  async *listAll(query: ReferralQuery = {}): AsyncGenerator<Referral, void, undefined> {
    let page = await this.list(query);
    const seen = new Set<string>();
    for (;;) {
      yield* page.value;
      if (!page.nextLink) return;
      // A server that hands out the same link twice would loop forever; stop with a clear error.
      if (seen.has(page.nextLink)) {
        throw new PartnerCenterError({ kind: "unknown", message: `list referrals: @odata.nextLink repeats (${page.nextLink})` });
      }
      seen.add(page.nextLink);
      page = await this.listPage(page.nextLink);
    }
  }

  async get(id: string): Promise<ReferralWithETag> {
    const res = await this.http.send({ method: "GET", url: this.itemUrl(id), idempotent: true });
    return this.withETag(res, `get referral ${id}`);
  }

  /** POST a new referral. Not retried on timeouts: the caller's idempotency check (externalReferenceId) decides. */
  async create(referral: NewReferral): Promise<ReferralWithETag> {
    const res = await this.http.send({ method: "POST", url: this.baseUrl, body: referral, idempotent: false });
    return this.withETag(res, "create referral");
  }

  /**
   * JSON Patch with If-Match (D.1: always) and `Prefer: return=representation`, so the updated
   * referral and its new ETag come back in one call.
   */
  async patch(id: string, operations: PatchOperation[], eTag: string): Promise<ReferralWithETag> {
    // Refused here, before a call the service would refuse anyway.
    for (const [i, op] of operations.entries()) {
      if (!(PATCH_OPS as readonly string[]).includes(op.op)) {
        throw new PartnerCenterError({ kind: "validation", message: `patch operation ${i}: "${String(op.op)}" is not supported (only ${PATCH_OPS.join(" and ")})`, target: op.path });
      }
      if (!isPatchPath(op.path)) {
        throw new PartnerCenterError({ kind: "validation", message: `patch operation ${i}: ${op.path} cannot be patched (allowed: ${PATCH_PATHS.join(", ")})`, target: op.path });
      }
    }
    requireETag(eTag, "patch");
    const res = await this.http.send({
      method: "PATCH",
      url: this.itemUrl(id),
      body: operations,
      headers: { [HEADERS.ifMatch]: eTag, [HEADERS.prefer]: RETURN_REPRESENTATION, "Content-Type": "application/json" },
      idempotent: true,
    });
    if (res.status === STATUS.patchedNoContent) return this.get(id);
    return this.withETag(res, `patch referral ${id}`);
  }

  /** Full replace, only where a value must be cleared (D.1). `links` is stripped as the docs require. */
  async put(referral: Referral, eTag: string): Promise<ReferralWithETag> {
    requireETag(eTag, "put");
    const { links: _links, ...body } = referral;
    const res = await this.http.send({
      method: "PUT",
      url: this.itemUrl(referral.id),
      body,
      headers: { [HEADERS.ifMatch]: eTag },
      idempotent: true,
    });
    if (res.status === STATUS.patchedNoContent) return this.get(referral.id);
    return this.withETag(res, `put referral ${referral.id}`);
  }

  private itemUrl(id: string): string {
    if (!id) throw new PartnerCenterError({ kind: "validation", message: "referral id is empty", target: "id" });
    return `${this.baseUrl}/${encodeURIComponent(id)}`;
  }

  private async withETag(res: Response, what: string): Promise<ReferralWithETag> {
    const referral = await readJson<Referral>(res, what);
    const eTag = res.headers.get(HEADERS.etag) ?? referral.eTag;
    if (!eTag) {
      throw new PartnerCenterError({ kind: "unknown", status: res.status, message: `${what}: the answer carries no ETag (header or eTag field)` });
    }
    return { referral, eTag };
  }
}

function requireETag(eTag: string, what: string): void {
  if (!eTag) throw new PartnerCenterError({ kind: "validation", message: `${what}: an ETag (If-Match) is required`, target: "If-Match" });
}

/** Quotes a value for an OData string literal (single quotes doubled). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** D.3: the delta-read query for reconcile. */
export function updatedSinceQuery(watermark: Date, top = DEFAULT_PAGE_SIZE): ReferralQuery {
  return { filter: `updatedDateTime ge ${watermark.toISOString()}`, orderBy: "updatedDateTime asc", top };
}

export type { TokenProvider };
