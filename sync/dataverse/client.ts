/**
 * The Dataverse Web API client the sync service uses. Built on dynamics-web-api; every call goes
 * through one gate: a concurrency cap, then withRetry (429 Retry-After always; 5xx/timeouts only
 * for calls that are safe to repeat), then a typed DataverseError.
 */
import { DynamicsWebApi, type Expand } from "dynamics-web-api";
import {
  OPPORTUNITY_COLUMNS,
  SETTING_COLUMNS,
  SETTING_TABLE,
  SYNC_EVENT_COLUMNS as EV,
  SYNC_EVENT_TABLE,
  LEAD_COLUMNS,
  syncDirectionValue,
  syncResultValue,
  syncTriggerValue,
  syncStatusName,
  SYNC_STATUS,
  type SyncStatusName,
  NEEDS_ATTENTION,
  type AccountRecord,
  type ContactRecord,
  type CurrencyRecord,
  type DynamicsDeal,
  type OpportunityRecord,
  type SyncDirection,
  type SyncResult,
  type SyncTrigger,
} from "../schema/dynamics";
import { DEFAULT_RETRY_POLICY, withRetry, type RetryEnv, type RetryPolicy, type RetryVerdict } from "../shared/retry";
import { buildChangeSetBatch, parseChangeSetBatchResponse, type BatchOperation, type BatchResponsePart } from "./batch";
import { PRECONDITION_FAILED } from "../contracts/dataverse";
import { ConcurrencyError, DataverseError, toDataverseError } from "./errors";
import { Semaphore } from "./semaphore";
import type { TokenProvider } from "./token";

export const OPPORTUNITY_SELECT = [
  "opportunityid", "name", "description", "estimatedvalue", "estimatedclosedate", "statecode", "statuscode",
  "modifiedon", "createdon", "_customerid_value", "_parentcontactid_value", "_transactioncurrencyid_value",
  ...Object.values(OPPORTUNITY_COLUMNS),
];
export const ACCOUNT_SELECT = [
  "accountid", "name", "address1_line1", "address1_line2", "address1_city", "address1_stateorprovince",
  "address1_postalcode", "address1_country", "numberofemployees",
];
export const CONTACT_SELECT = ["contactid", "firstname", "lastname", "emailaddress1", "telephone1"];
const DEAL_EXPAND: Expand[] = [
  { property: "customerid_account", select: ACCOUNT_SELECT },
  { property: "parentcontactid", select: CONTACT_SELECT },
  { property: "transactioncurrencyid", select: ["transactioncurrencyid", "isocurrencycode", "currencyprecision"] },
];
const SYNC_EVENT_SELECT = [...Object.values(EV).filter((c) => c !== EV.opportunity), `_${EV.opportunity}_value`, "createdon"];
/** The sync event's lookup navigation property is the column's SchemaName. */
const SYNC_EVENT_OPPORTUNITY_NAV = "cosell_Opportunity";

export interface DataverseClientOptions {
  /** e.g. https://contoso.crm.dynamics.com or http://127.0.0.1:5555/some/prefix */
  orgUrl: string;
  tokens: TokenProvider;
  /** Requests in flight at once; default 8 (Dataverse refuses 52+ per user). */
  maxConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  retryEnv?: RetryEnv;
  /** Act as this systemuser (MSCRMCallerID). */
  impersonateUserId?: string;
}

export interface CloseOptions {
  /** Status reason within the Won/Lost state (OPPORTUNITY_STATUS). */
  statuscode: number;
  subject?: string;
  description?: string;
  /** Date only, YYYY-MM-DD. */
  actualEnd?: string;
  actualRevenue?: number;
}

export interface SyncEventInput {
  name: string;
  opportunityId?: string | null;
  /** ISO date-time. */
  occurredOn: string;
  direction: SyncDirection;
  trigger: SyncTrigger;
  result: SyncResult;
  initiatedBy?: string | null;
  changes?: string | null;
  conflicts?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  referralId?: string | null;
  operationId?: string | null;
  correlationId?: string | null;
}

export type SyncEventRecord = Record<string, unknown> & { cosell_synceventid: string };

export interface Page<T> {
  items: T[];
  /** Pass back as `next` for the following page; absent on the last one. */
  next?: string;
}

export type { BatchOperation };

export interface DealWithETag {
  deal: DynamicsDeal;
  etag: string;
}

/** Per change set of executeChangeSets: the created ids (undefined for updates/deletes), or why it was rolled back. */
export type ChangeSetResult = { ok: true; ids: Array<string | undefined> } | { ok: false; error: DataverseError };

/** Referral ids per `Microsoft.Dynamics.CRM.In` query: keeps the URL far below Dataverse's 32 KB limit. */
export const REFERRAL_IDS_PER_QUERY = 100;
/** Operations per `$batch` request (Dataverse allows 1000). */
export const MAX_BATCH_OPERATIONS = 1000;

const guidOf = (id: string) => id.replace(/^\{|\}$/g, "").toLowerCase();
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** Dates in `$filter`: whole seconds, `Z`. */
function filterDate(value: string | Date, what: string): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`${what}: '${String(value)}' is not a date`);
  return d.toISOString().replace(/\.000Z$/, "Z");
}
/** Opportunities the connector syncs: Sync = Yes, or linked to a referral (switched off later). */
const CO_SELL_FILTER = `(${OPPORTUNITY_COLUMNS.syncWithPartnerCenter} eq true or ${OPPORTUNITY_COLUMNS.referralId} ne null)`;

/** The opportunity row with its expanded customer account, contact and currency, split into a deal. */
function dealOf(row: Record<string, unknown>): DealWithETag {
  const { customerid_account, parentcontactid, transactioncurrencyid, ...opportunity } = clean(row);
  const related = (v: unknown) => {
    if (!v || typeof v !== "object") return null;
    const { "@odata.etag": _etag, ...rest } = clean(v as Record<string, unknown>);
    return rest;
  };
  return {
    deal: {
      opportunity: opportunity as OpportunityRecord,
      account: related(customerid_account) as AccountRecord | null,
      contact: related(parentcontactid) as ContactRecord | null,
      currency: related(transactioncurrencyid) as CurrencyRecord | null,
    },
    etag: String(opportunity["@odata.etag"]),
  };
}

/** The id at the end of an `OData-EntityId` URL. */
function idOfEntityUrl(url: string | undefined): string | undefined {
  return url ? /\(([0-9a-fA-F-]{36})\)\s*$/.exec(url)?.[1]?.toLowerCase() : undefined;
}

/** A failed batch part as the error dynamics-web-api would have thrown, for toDataverseError. */
function partError(part: BatchResponsePart): { status: number; code?: string; message: string; headers: Record<string, string> } {
  const error = (part.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return { status: part.status, code: error?.code, message: error?.message ?? (typeof part.body === "string" ? part.body : `HTTP ${part.status}`), headers: part.headers };
}

/** dynamics-web-api revives dates into Date objects and adds `oData…` keys; give back the wire shape. */
function clean<T extends Record<string, unknown>>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (k.startsWith("oData") || k === "@odata.context") continue;
    out[k] = v instanceof Date ? v.toISOString().replace(/\.000Z$/, "Z") : v;
  }
  return out as T;
}

/** A co-sell deal that needs someone (DataverseClient.listStuckDeals). */
export interface StuckDeal {
  opportunityId: string;
  name: string | null;
  syncStatus: SyncStatusName;
  syncError: string | null;
  /** When the service last wrote the deal (its status has been this since at least then). */
  since: string;
}

export class DataverseClient {
  private readonly api: DynamicsWebApi;
  private readonly gate: Semaphore;
  private readonly policy: RetryPolicy;
  /** `<org>/api/data/v9.2/`, for the requests made without dynamics-web-api. */
  private readonly apiUrl: string;

  constructor(private readonly options: DataverseClientOptions) {
    let serverUrl: string;
    try {
      serverUrl = new URL(options.orgUrl).toString();
    } catch {
      throw new Error(`DataverseClient: orgUrl '${options.orgUrl}' is not an absolute URL`);
    }
    // dynamics-web-api resolves "api/data/v9.2" against serverUrl: a path prefix survives only with a trailing slash.
    if (!serverUrl.endsWith("/")) serverUrl += "/";
    this.apiUrl = `${serverUrl}api/data/v9.2/`;
    this.api = new DynamicsWebApi({
      serverUrl,
      dataApi: { version: "9.2" },
      propagateErrors: true,
      impersonate: options.impersonateUserId ?? null,
      onTokenRefresh: () => this.token(),
    });
    this.gate = new Semaphore(options.maxConcurrency ?? 8);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  private async token(): Promise<string> {
    let token: string;
    try {
      token = await this.options.tokens.getToken();
    } catch (e) {
      throw new DataverseError(`Dataverse sign-in failed: ${e instanceof Error ? e.message : String(e)}`, "credential");
    }
    if (!token) throw new DataverseError("Dataverse sign-in failed: the token provider returned an empty token", "credential");
    return token;
  }

  /** Requests in flight right now (for health views and tests). */
  get inFlight(): number {
    return this.gate.inFlight;
  }

  /**
   * One logical call. `repeatable`: whether a 5xx/timeout may be retried (a POST that creates
   * a row is not: the first attempt may have committed).
   */
  private call<T>(what: string, repeatable: boolean, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const classify = ({ error }: { error?: unknown }): RetryVerdict => {
      if (error === undefined) return { retry: false };
      const e = toDataverseError(error, what);
      if (e.kind === "throttled") return { retry: true, retryAfterMs: e.retryAfterMs, reason: e.message };
      if (e.kind === "transient" && repeatable) return { retry: true, retryAfterMs: e.retryAfterMs, reason: e.message };
      return { retry: false };
    };
    return this.gate
      .run(() => withRetry((signal) => run(signal), classify, this.policy, this.options.retryEnv))
      .catch((e: unknown) => {
        throw toDataverseError(e, what);
      });
  }

  // ---------- opportunities ----------

  async getDeal(opportunityId: string): Promise<{ deal: DynamicsDeal; etag: string }> {
    const id = guidOf(opportunityId);
    const row = await this.call(`getDeal(${id})`, true, (signal) =>
      this.api.retrieve<Record<string, unknown>>({ collection: "opportunities", key: id, select: OPPORTUNITY_SELECT, expand: DEAL_EXPAND, signal }),
    );
    return dealOf(row);
  }

  /**
   * Deals matching `filter` (every opportunity when undefined), oldest change first, one request
   * per page: `$expand` of the single-valued customer/contact/currency lookups works on collections.
   */
  async *listDeals(filter: string | undefined, pageSize = 500): AsyncIterable<DealWithETag[]> {
    let next: string | undefined;
    do {
      const page = await this.page<Record<string, unknown>>("listDeals", {
        collection: "opportunities",
        select: OPPORTUNITY_SELECT,
        expand: DEAL_EXPAND,
        filter,
        orderBy: ["modifiedon asc", "opportunityid asc"],
        maxPageSize: pageSize,
      }, next);
      yield page.items.map(dealOf);
      next = page.next;
    } while (next);
  }

  /** Co-sell deals (Sync = Yes or linked) modified at or after `since` (all when null), page by page. */
  listCoSellDealsChangedSince(since: string | Date | null, pageSize = 500): AsyncIterable<DealWithETag[]> {
    const changed = since === null ? "" : ` and modifiedon ge ${filterDate(since, "listCoSellDealsChangedSince")}`;
    return this.listDeals(`${CO_SELL_FILTER}${changed}`, pageSize);
  }

  /** The deals linked to these referral ids, keyed by referral id; a few ids per request. */
  async getDealsByReferralIds(referralIds: readonly string[]): Promise<Map<string, DealWithETag>> {
    const unique = [...new Set(referralIds.filter((id) => id !== ""))];
    const out = new Map<string, DealWithETag>();
    for (let i = 0; i < unique.length; i += REFERRAL_IDS_PER_QUERY) {
      const chunk = unique.slice(i, i + REFERRAL_IDS_PER_QUERY);
      // OData's `in` operator is not supported by Dataverse; its own In query function is.
      const filter = `Microsoft.Dynamics.CRM.In(PropertyName='${OPPORTUNITY_COLUMNS.referralId}',PropertyValues=[${chunk.map(quote).join(",")}])`;
      for await (const deals of this.listDeals(filter, REFERRAL_IDS_PER_QUERY)) {
        for (const loaded of deals) {
          const rid = loaded.deal.opportunity[OPPORTUNITY_COLUMNS.referralId] as string | null | undefined;
          // The alternate key's collation ignores case; answer under the id as asked.
          const asked = rid ? chunk.find((c) => c.toLowerCase() === rid.toLowerCase()) : undefined;
          if (asked) out.set(asked, loaded);
        }
      }
    }
    return out;
  }

  /** PATCH with If-Match; a changed row throws ConcurrencyError. Returns the new ETag. */
  async updateOpportunity(opportunityId: string, changes: Record<string, unknown>, etag: string): Promise<{ etag: string }> {
    const id = guidOf(opportunityId);
    if (!etag) throw new Error(`updateOpportunity(${id}): an ETag is required (use "*" to update whatever the version)`);
    const row = await this.call(`updateOpportunity(${id})`, true, (signal) =>
      this.api.update<Record<string, unknown>, Record<string, unknown>>({
        collection: "opportunities", key: id, data: changes, ifmatch: etag, returnRepresentation: true, select: ["opportunityid"], signal,
      }),
    );
    return { etag: String(row["@odata.etag"]) };
  }

  /**
   * The deal linked to a referral, in one GET by the alternate key with its customer, contact and
   * currency expanded (Microsoft's "Retrieve using an alternate key" takes $select and $expand).
   */
  async getDealByReferralId(referralId: string): Promise<DealWithETag | null> {
    try {
      const row = await this.call(`getDealByReferralId(${referralId})`, true, (signal) =>
        this.api.retrieve<Record<string, unknown>>({
          collection: "opportunities", key: `${OPPORTUNITY_COLUMNS.referralId}=${quote(referralId)}`, select: OPPORTUNITY_SELECT, expand: DEAL_EXPAND, signal,
        }),
      );
      return dealOf(row);
    } catch (e) {
      if (e instanceof DataverseError && e.kind === "notFound") return null;
      throw e;
    }
  }

  async findOpportunityByReferralId(referralId: string): Promise<OpportunityRecord | null> {
    try {
      const row = await this.call(`findOpportunityByReferralId(${referralId})`, true, (signal) =>
        this.api.retrieve<Record<string, unknown>>({
          collection: "opportunities", key: `${OPPORTUNITY_COLUMNS.referralId}=${quote(referralId)}`, select: OPPORTUNITY_SELECT, signal,
        }),
      );
      return clean(row) as OpportunityRecord;
    } catch (e) {
      if (e instanceof DataverseError && e.kind === "notFound") return null;
      throw e;
    }
  }

  /** Co-sell opportunities modified at or after `watermark`, oldest first, every page followed. */
  async listOpportunitiesChangedSince(watermark: string | Date, pageSize = 500): Promise<OpportunityRecord[]> {
    const since = filterDate(watermark, "listOpportunitiesChangedSince");
    const out: OpportunityRecord[] = [];
    let next: string | undefined;
    do {
      const page = await this.page<OpportunityRecord>("listOpportunitiesChangedSince", {
        collection: "opportunities",
        select: OPPORTUNITY_SELECT,
        filter: `${OPPORTUNITY_COLUMNS.syncWithPartnerCenter} eq true and modifiedon ge ${since}`,
        orderBy: ["modifiedon asc", "opportunityid asc"],
        maxPageSize: pageSize,
      }, next);
      out.push(...page.items);
      next = page.next;
    } while (next);
    return out;
  }

  async winOpportunity(opportunityId: string, o: CloseOptions): Promise<void> {
    await this.close("WinOpportunity", opportunityId, o);
  }

  async loseOpportunity(opportunityId: string, o: CloseOptions): Promise<void> {
    await this.close("LoseOpportunity", opportunityId, o);
  }

  private async close(action: "WinOpportunity" | "LoseOpportunity", opportunityId: string, o: CloseOptions): Promise<void> {
    const id = guidOf(opportunityId);
    const close: Record<string, unknown> = {
      subject: o.subject ?? (action === "WinOpportunity" ? "Won" : "Lost"),
      "opportunityid@odata.bind": `/opportunities(${id})`,
    };
    if (o.description !== undefined) close.description = o.description;
    if (o.actualEnd !== undefined) close.actualend = o.actualEnd;
    if (o.actualRevenue !== undefined) close.actualrevenue = o.actualRevenue;
    // Closing twice is refused by Dataverse, so a retry after a lost answer fails loudly rather than silently.
    await this.call(`${action}(${id})`, false, (signal) =>
      this.api.callAction({ actionName: action, action: { OpportunityClose: close, Status: o.statuscode }, signal }),
    );
  }

  /** Calls a bound co-sell Custom API (as the ribbon does) — used by the sandbox and tests. */
  async callBoundAction(opportunityId: string, uniqueName: string, parameters: Record<string, unknown> = {}): Promise<void> {
    const id = guidOf(opportunityId);
    await this.call(`${uniqueName}(${id})`, false, (signal) =>
      this.api.callAction({ collection: "opportunities", key: id, actionName: `Microsoft.Dynamics.CRM.${uniqueName}`, action: parameters, signal }),
    );
  }

  // ---------- creates (inbound referrals) ----------

  private async create(entitySet: string, data: Record<string, unknown>): Promise<string> {
    const id = await this.call(`create ${entitySet}`, false, (signal) => this.api.create<Record<string, unknown>, string>({ collection: entitySet, data, signal }));
    if (typeof id !== "string") throw new DataverseError(`create ${entitySet}: no OData-EntityId in the answer`, "unknown");
    return id;
  }

  createOpportunity(data: Partial<OpportunityRecord> & Record<string, unknown>): Promise<string> {
    return this.create("opportunities", data);
  }
  createAccount(data: Partial<AccountRecord> & Record<string, unknown>): Promise<string> {
    return this.create("accounts", data);
  }
  createContact(data: Partial<ContactRecord> & Record<string, unknown>): Promise<string> {
    return this.create("contacts", data);
  }
  createLead(data: Record<string, unknown>): Promise<string> {
    return this.create("leads", data);
  }

  /**
   * Creates the row with this id unless it exists: an upsert with `If-None-Match: *`, which
   * Dataverse answers 412 "already exists" instead of updating (perform-conditional-operations).
   * Safe to repeat, so a lost answer is retried: true when this call created it, false when the
   * row was there already (made by an earlier attempt, or by another instance a moment ago).
   */
  async createIfAbsent(entitySet: string, id: string, data: Record<string, unknown>): Promise<boolean> {
    const key = guidOf(id);
    try {
      await this.call(`create ${entitySet}(${key})`, true, (signal) =>
        this.api.upsert<Record<string, unknown>, unknown>({ collection: entitySet, key, data, ifnonematch: "*", signal }),
      );
      return true;
    } catch (e) {
      // Only the row itself: a clash on an alternate key (another row) stays an error.
      if (e instanceof DataverseError && e.status === 412 && e.message.includes(PRECONDITION_FAILED.alreadyExists)) return false;
      throw e;
    }
  }

  private async first<T>(what: string, collection: string, filter: string, select?: string[]): Promise<T | null> {
    const page = await this.page<T>(what, { collection, filter, select, top: 1 });
    return page.items[0] ?? null;
  }

  /** A contact of this account (any when null) with this email address, so inbound reuses the seller's. */
  findContactByEmail(email: string, accountId: string | null): Promise<ContactRecord | null> {
    const parent = accountId ? ` and _parentcustomerid_value eq ${guidOf(accountId)}` : "";
    return this.first("findContactByEmail", "contacts", `emailaddress1 eq ${quote(email)}${parent}`, CONTACT_SELECT);
  }

  findAccountByNameAndPostalCode(name: string, postalCode: string | null): Promise<AccountRecord | null> {
    const postal = postalCode == null ? "address1_postalcode eq null" : `address1_postalcode eq ${quote(postalCode)}`;
    return this.first("findAccountByNameAndPostalCode", "accounts", `name eq ${quote(name)} and ${postal}`, ACCOUNT_SELECT);
  }

  findLeadByReferralId(referralId: string): Promise<Record<string, unknown> | null> {
    return this.first("findLeadByReferralId", "leads", `${LEAD_COLUMNS.referralId} eq ${quote(referralId)}`);
  }

  /** One row's columns by id, or null when there is no such row. */
  private async retrieveOrNull(what: string, collection: string, id: string, select: string[]): Promise<Record<string, unknown> | null> {
    try {
      return clean(await this.call(what, true, (signal) => this.api.retrieve<Record<string, unknown>>({ collection, key: guidOf(id), select, signal })));
    } catch (e) {
      if (e instanceof DataverseError && e.kind === "notFound") return null;
      throw e;
    }
  }

  /** The referral id a lead carries (a co-sell lead), or null; null too when there is no such lead. */
  async getLeadReferralId(leadId: string): Promise<string | null> {
    const row = await this.retrieveOrNull(`getLead(${guidOf(leadId)})`, "leads", leadId, ["leadid", LEAD_COLUMNS.referralId]);
    return (row?.[LEAD_COLUMNS.referralId] as string | null | undefined) ?? null;
  }

  /** A systemuser's full name, or null when there is no such user or it has no name. */
  async getSystemUserFullName(systemUserId: string): Promise<string | null> {
    const row = await this.retrieveOrNull(`getSystemUser(${guidOf(systemUserId)})`, "systemusers", systemUserId, ["systemuserid", "fullname"]);
    const name = row?.fullname;
    return typeof name === "string" && name.trim() !== "" ? name : null;
  }

  retrieveCurrencyByIsoCode(code: string): Promise<CurrencyRecord | null> {
    return this.first("retrieveCurrencyByIsoCode", "transactioncurrencies", `isocurrencycode eq ${quote(code.toUpperCase())}`, [
      "transactioncurrencyid", "isocurrencycode",
    ]);
  }

  async whoAmI(): Promise<{ UserId: string; BusinessUnitId: string; OrganizationId: string }> {
    // callFunction copies its request and loses the AbortSignal; withRetry's timeout still bounds it.
    return this.call("WhoAmI", true, () => this.api.callFunction({ name: "WhoAmI" }));
  }

  // ---------- sync events ----------

  createSyncEvent(e: SyncEventInput): Promise<string> {
    const data: Record<string, unknown> = {
      [EV.name]: e.name,
      [EV.occurredOn]: e.occurredOn,
      [EV.direction]: syncDirectionValue(e.direction),
      [EV.trigger]: syncTriggerValue(e.trigger),
      [EV.result]: syncResultValue(e.result),
    };
    const optional: Array<[string, string | null | undefined]> = [
      [EV.initiatedBy, e.initiatedBy], [EV.changes, e.changes], [EV.conflicts, e.conflicts], [EV.errorCode, e.errorCode],
      [EV.errorMessage, e.errorMessage], [EV.referralId, e.referralId], [EV.operationId, e.operationId], [EV.correlationId, e.correlationId],
    ];
    for (const [column, value] of optional) if (value !== undefined) data[column] = value;
    if (e.opportunityId) data[`${SYNC_EVENT_OPPORTUNITY_NAV}@odata.bind`] = `/opportunities(${guidOf(e.opportunityId)})`;
    return this.create(SYNC_EVENT_TABLE.entitySet, data);
  }

  findSyncEventByOperationId(operationId: string): Promise<SyncEventRecord | null> {
    return this.first("findSyncEventByOperationId", SYNC_EVENT_TABLE.entitySet, `${EV.operationId} eq ${quote(operationId)}`, SYNC_EVENT_SELECT);
  }

  /** Newest first. `next` comes from the previous page. */
  listSyncEvents(opportunityId: string, o: { top?: number; next?: string } = {}): Promise<Page<SyncEventRecord>> {
    return this.page<SyncEventRecord>("listSyncEvents", {
      collection: SYNC_EVENT_TABLE.entitySet,
      select: SYNC_EVENT_SELECT,
      filter: `_${EV.opportunity}_value eq ${guidOf(opportunityId)}`,
      orderBy: [`${EV.occurredOn} desc`, "createdon desc"],
      maxPageSize: o.top ?? 50,
    }, o.next);
  }

  /**
   * Co-sell deals that need someone: in Error or Sign-in expired, or Pending since before
   * `pendingBefore` (a sync that should have finished by then), the longest-waiting first.
   */
  async listStuckDeals(pendingBefore: Date, top = 50): Promise<{ deals: StuckDeal[]; total: number }> {
    const status = (name: keyof typeof SYNC_STATUS) => `${OPPORTUNITY_COLUMNS.syncStatus} eq ${SYNC_STATUS[name]}`;
    // The first page holds the longest-waiting; $count counts them all (up to 5,000), page size aside.
    const res = await this.call("listStuckDeals", true, (signal) =>
      this.api.retrieveMultiple<Record<string, unknown>>({
        collection: "opportunities",
        select: ["opportunityid", "name", OPPORTUNITY_COLUMNS.syncStatus, OPPORTUNITY_COLUMNS.syncError, "modifiedon"],
        filter: `${NEEDS_ATTENTION.statuses.map(status).join(" or ")} or (${status(NEEDS_ATTENTION.pending)} and modifiedon lt ${pendingBefore.toISOString()})`,
        orderBy: ["modifiedon%20asc"],
        maxPageSize: top,
        count: true,
        signal,
      }),
    );
    const deals = res.value.map((raw) => {
      const row = clean(raw) as Record<string, unknown>;
      return {
        opportunityId: String(row.opportunityid),
        name: typeof row.name === "string" ? row.name : null,
        syncStatus: syncStatusName(row[OPPORTUNITY_COLUMNS.syncStatus] as number) ?? "Error",
        syncError: typeof row[OPPORTUNITY_COLUMNS.syncError] === "string" ? (row[OPPORTUNITY_COLUMNS.syncError] as string) : null,
        since: String(row.modifiedon),
      };
    });
    return { deals, total: Math.max(res.oDataCount ?? deals.length, deals.length) };
  }

  private async page<T>(what: string, request: Parameters<DynamicsWebApi["retrieveMultiple"]>[0], next?: string): Promise<Page<T>> {
    // dynamics-web-api writes $orderby as given and moves a long GET into a $batch part, where a
    // bare space ends the request line's URL: the space is sent encoded, as in any URL.
    const orderBy = request.orderBy?.map((o) => o.replace(/ /g, "%20"));
    const res = await this.call(what, true, (signal) => this.api.retrieveMultiple<Record<string, unknown>>({ ...request, orderBy, signal }, next));
    return { items: res.value.map((r) => clean(r) as T), next: res.oDataNextLink ?? undefined };
  }

  // ---------- settings ----------

  async getSetting(name: string): Promise<string | null> {
    const row = await this.first<Record<string, unknown>>("getSetting", SETTING_TABLE.entitySet, `${SETTING_COLUMNS.name} eq ${quote(name)}`, [
      SETTING_COLUMNS.name, SETTING_COLUMNS.value,
    ]);
    return row ? ((row[SETTING_COLUMNS.value] as string | null) ?? null) : null;
  }

  /** Upsert through the `cosell_name` alternate key: safe to repeat. */
  async setSetting(name: string, value: string): Promise<void> {
    await this.call(`setSetting(${name})`, true, (signal) =>
      this.api.upsert({ collection: SETTING_TABLE.entitySet, key: `${SETTING_COLUMNS.name}=${quote(name)}`, data: { [SETTING_COLUMNS.value]: value }, signal }),
    );
  }

  // ---------- batch ----------

  /**
   * Runs the operations in one change set: all succeed or none is applied. Returns, per
   * operation, the created id (creates) or undefined.
   */
  async executeBatch(ops: BatchOperation[]): Promise<Array<string | undefined>> {
    if (ops.length === 0) return [];
    const [result] = await this.executeChangeSets([ops]);
    if (!result.ok) throw result.error;
    return result.ids;
  }

  /**
   * Several independent change sets in ONE `$batch` request: each is atomic on its own, and one
   * that fails (e.g. a stale ETag) rolls back only itself. Returns one result per change set.
   * Not retried after a 5xx or timeout (creates may have committed); a 429 is.
   */
  async executeChangeSets(changeSets: BatchOperation[][]): Promise<ChangeSetResult[]> {
    const sets = changeSets.filter((ops) => ops.length > 0);
    if (sets.length !== changeSets.length) throw new Error("executeChangeSets: a change set has no operations");
    if (sets.length === 0) return [];
    const total = sets.reduce((n, ops) => n + ops.length, 0);
    if (total > MAX_BATCH_OPERATIONS) throw new Error(`executeChangeSets: at most ${MAX_BATCH_OPERATIONS} operations per batch, got ${total}`);
    const what = `$batch(${sets.length} change sets, ${total} operations)`;
    const answers = await this.call(what, false, async (signal) => {
      const { boundary, body } = buildChangeSetBatch(sets, this.apiUrl, () => crypto.randomUUID());
      const headers: Record<string, string> = {
        Authorization: `Bearer ${await this.token()}`,
        "Content-Type": `multipart/mixed; boundary=${boundary}`,
        Accept: "application/json",
        "OData-Version": "4.0",
        "OData-MaxVersion": "4.0",
        Prefer: "odata.continue-on-error",
      };
      if (this.options.impersonateUserId) headers.MSCRMCallerID = this.options.impersonateUserId;
      const res = await fetch(`${this.apiUrl}$batch`, { method: "POST", headers, body, signal });
      const text = await res.text();
      if (!res.ok) {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: the text is the message
        }
        throw partError({ status: res.status, headers: Object.fromEntries(res.headers), body: parsed });
      }
      return parseChangeSetBatchResponse(text, res.headers.get("content-type") ?? "");
    });
    return sets.map((ops, i): ChangeSetResult => {
      const answer = answers[i];
      if (!answer) return { ok: false, error: new DataverseError(`${what}: change set ${i + 1} got no answer`, "transient") };
      if (!answer.ok) return { ok: false, error: toDataverseError(partError(answer.failure), `${what}, change set ${i + 1}`) };
      return { ok: true, ids: ops.map((op, j) => (op.kind === "create" ? idOfEntityUrl(answer.parts[j]?.headers["odata-entityid"]) : undefined)) };
    });
  }
}

export { ConcurrencyError, DataverseError };
