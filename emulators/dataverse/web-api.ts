/**
 * The Web API surface under `<org>/api/data/v9.2/`: entity-set CRUD with ETags, alternate keys,
 * paging, `$batch`, the WinOpportunity/LoseOpportunity actions, WhoAmI and the two bound co-sell
 * Custom APIs. Independent of msw: a request in, a response description out, so `$batch` parts
 * go through exactly the same code as single requests.
 */
import type { Delivery, WebhookDispatcher } from "../kit/dispatcher";
import { CUSTOM_APIS, OPPORTUNITY_STATE, OPPORTUNITY_STATUS } from "../../sync/schema/dynamics";
import { formatBatchResponse, parseBatch, type BatchRequestPart, type BatchResponseItem, type BatchResponsePart } from "./batch";
import { DataverseFault, faults } from "./errors";
import { filterAndSort, parseQuery, project } from "./odata-query";
import { normalizeDate } from "./odata-filter";
import { isGuid, parseEntityReference, toColumnValues } from "./payload";
import { tableBySet, type TableDef } from "./schema";
import { StepRunner, STAGES, toWireAttributes, type MessageEvent, type Organization } from "./steps";
import { wireValue } from "../../sync/dataverse/remote-execution-context";
import { etagOf, type DataverseStore, type Row } from "./store";

export const API_PATH = "/api/data/v9.2/";

export interface ApiRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  /** Raw text body (the $batch answer). */
  text?: string;
}

/** State of one top-level request (a `$batch` shares it across its parts). */
interface RequestScope {
  callerId: string;
  correlationId: string;
  /** Async step deliveries waiting for the commit. */
  pending: Delivery[];
  contentIds: Map<string, string>;
}

const WIN_STATUSES: number[] = [OPPORTUNITY_STATUS.Won];
const LOSE_STATUSES: number[] = [OPPORTUNITY_STATUS.Canceled, OPPORTUNITY_STATUS.OutSold];

function preferences(headers: Headers): { representation: boolean; maxPageSize?: number; continueOnError: boolean } {
  const prefer = (headers.get("prefer") ?? "").split(",").map((p) => p.trim());
  const size = prefer.find((p) => p.startsWith("odata.maxpagesize="));
  return {
    representation: prefer.includes("return=representation"),
    maxPageSize: size ? Number(size.split("=")[1]) : undefined,
    continueOnError: prefer.includes("odata.continue-on-error"),
  };
}

function errorResponse(e: unknown): ApiResponse {
  const fault = e instanceof DataverseFault ? e : new DataverseFault(500, "0x80040216", e instanceof Error ? e.message : String(e));
  return { status: fault.status, headers: {}, body: fault.toBody() };
}

/** `(guid)` or `(col='v',col2=3)` → a key object. */
function parseKey(text: string, t: TableDef): { id?: string; key?: Record<string, unknown> } {
  const raw = text.replace(/^\{|\}$/g, "");
  if (isGuid(raw)) return { id: raw.toLowerCase() };
  const key: Record<string, unknown> = {};
  for (const pair of text.split(/,(?=(?:[^']*'[^']*')*[^']*$)/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?))\s*$/.exec(pair);
    if (!m) throw faults.syntax(`bad key '${text}' for ${t.entitySet}`);
    key[m[1]] = m[2] !== undefined ? m[2].replace(/''/g, "'") : Number(m[3]);
  }
  const cols = Object.keys(key).sort();
  if (!t.alternateKeys.some((k) => k.length === cols.length && [...k].sort().every((c, i) => c === cols[i]))) {
    throw faults.invalidArgument(`The key '${cols.join(",")}' is not an alternate key of ${t.logicalName}.`);
  }
  return { key };
}

export class DataverseWebApi {
  constructor(
    private readonly store: DataverseStore,
    private readonly steps: StepRunner,
    private readonly dispatcher: WebhookDispatcher,
    private readonly org: Organization,
    readonly apiUrl: string,
    private readonly defaultCallerId: () => string,
  ) {}

  /** The calling user: a bearer token that is a systemuserid, then MSCRMCallerID, else the default user. */
  private callerOf(headers: Headers): string {
    const users = tableBySet("systemusers")!;
    const bearer = /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "")?.[1];
    const impersonated = headers.get("mscrmcallerid");
    for (const candidate of [impersonated, bearer]) {
      if (candidate && isGuid(candidate) && this.store.get(users, candidate)) return candidate.toLowerCase();
    }
    return this.defaultCallerId();
  }

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const scope: RequestScope = {
      callerId: this.callerOf(req.headers),
      correlationId: req.headers.get("x-ms-correlation-request-id") ?? this.store.newId(),
      pending: [],
      contentIds: new Map(),
    };
    const response = await this.route(req, scope);
    // Async steps run after the operation committed (a failed one queued nothing that counts).
    if (response.status < 400) for (const d of scope.pending) this.dispatcher.enqueue(d);
    return response;
  }

  private async route(req: ApiRequest, scope: RequestScope): Promise<ApiResponse> {
    try {
      const path = decodeURIComponent(req.url.pathname.slice(req.url.pathname.indexOf(API_PATH) + API_PATH.length));
      if (path === "$batch") {
        if (req.method !== "POST") throw faults.methodNotAllowed(req.method, path);
        return await this.batch(req, scope);
      }
      return await this.store.transaction(() => this.dispatch(req, path, scope));
    } catch (e) {
      return errorResponse(e);
    }
  }

  private async dispatch(req: ApiRequest, path: string, scope: RequestScope): Promise<ApiResponse> {
    if (path === "WhoAmI" || path === "WhoAmI()") {
      return { status: 200, headers: {}, body: { BusinessUnitId: this.org.businessUnitId, UserId: scope.callerId, OrganizationId: this.org.id } };
    }
    if (path === "WinOpportunity" || path === "LoseOpportunity") {
      if (req.method !== "POST") throw faults.methodNotAllowed(req.method, path);
      return this.closeOpportunity(path === "WinOpportunity", req.body, scope);
    }
    const m = /^([A-Za-z_]+)(?:\((.+?)\))?(?:\/Microsoft\.Dynamics\.CRM\.([A-Za-z_]+))?$/.exec(path);
    const t = m ? tableBySet(m[1]) : undefined;
    if (!m || !t) throw faults.noResource(path);
    const keyText = m[2];
    if (m[3]) {
      if (req.method !== "POST" || !keyText) throw faults.methodNotAllowed(req.method, path);
      return this.customApi(t, keyText, m[3], req.body, scope);
    }
    if (keyText === undefined) {
      if (req.method === "GET") return this.list(t, req);
      if (req.method === "POST") return this.create(t, req, scope);
      throw faults.methodNotAllowed(req.method, path);
    }
    const key = parseKey(keyText, t);
    switch (req.method) {
      case "GET":
        return this.retrieve(t, key, req);
      case "PATCH":
        return this.patch(t, key, req, scope);
      case "DELETE":
        return this.remove(t, key, req);
      default:
        throw faults.methodNotAllowed(req.method, path);
    }
  }

  private find(t: TableDef, key: { id?: string; key?: Record<string, unknown> }): Row | undefined {
    return key.id ? this.store.get(t, key.id) : this.store.findByKey(t, key.key!);
  }

  private missing(t: TableDef, key: { id?: string; key?: Record<string, unknown> }): DataverseFault {
    return key.id ? faults.notFound(t.logicalName, key.id) : faults.keyNotFound(t.logicalName, JSON.stringify(key.key));
  }

  private entityId(t: TableDef, id: string): string {
    return `${this.apiUrl}${t.entitySet}(${id})`;
  }

  private list(t: TableDef, req: ApiRequest): ApiResponse {
    const q = parseQuery(req.url.searchParams, t);
    const all = filterAndSort(this.store.rows(t), q);
    const { maxPageSize } = preferences(req.headers);
    const skipToken = req.url.searchParams.get("$skiptoken");
    const skip = skipToken ? Number(/skip="(\d+)"/.exec(skipToken)?.[1] ?? NaN) : 0;
    if (Number.isNaN(skip)) throw faults.invalidArgument(`Invalid $skiptoken '${skipToken}'.`);
    const pageSize = Math.min(maxPageSize ?? 5000, 5000);
    const page = all.slice(skip, skip + pageSize);
    const body: Row = { "@odata.context": `${this.apiUrl}$metadata#${t.entitySet}` };
    if (q.count) body["@odata.count"] = Math.min(all.length, 5000);
    body.value = page.map((r) => project(t, r, q, this.store));
    if (skip + pageSize < all.length) {
      const next = new URL(req.url);
      next.searchParams.set("$skiptoken", `<cookie skip="${skip + pageSize}" />`);
      body["@odata.nextLink"] = next.toString();
    }
    return { status: 200, headers: {}, body };
  }

  private retrieve(t: TableDef, key: { id?: string; key?: Record<string, unknown> }, req: ApiRequest): ApiResponse {
    const q = parseQuery(req.url.searchParams, t);
    const row = this.find(t, key);
    if (!row) throw this.missing(t, key);
    const ifNoneMatch = req.headers.get("if-none-match");
    if (ifNoneMatch && q.expand.length === 0 && ifNoneMatch === etagOf(row)) return { status: 304, headers: {} };
    return {
      status: 200,
      headers: { ETag: etagOf(row) },
      body: { "@odata.context": `${this.apiUrl}$metadata#${t.entitySet}/$entity`, ...project(t, row, q, this.store) },
    };
  }

  private values(t: TableDef, body: string, scope: RequestScope): Row {
    let json: unknown;
    try {
      json = body === "" ? {} : JSON.parse(body);
    } catch {
      throw new DataverseFault(400, "0x80048d19", `Error identified in Payload provided by the user for Entity :'${t.logicalName}'. The body is not valid JSON.`);
    }
    const values = toColumnValues(t, json, this.store, (ref) => scope.contentIds.get(ref.slice(1)));
    if (t.logicalName === "contact" || t.logicalName === "lead") {
      if ("firstname" in values || "lastname" in values) values.fullname = [values.firstname, values.lastname].filter(Boolean).join(" ");
    }
    if (t.entitySet === "sdkmessageprocessingsteps" && values.stage !== undefined && values.mode === undefined) values.mode = 0;
    return values;
  }

  private event(message: string, t: TableDef, id: string, scope: RequestScope, extra: Partial<MessageEvent> = {}): MessageEvent {
    return {
      message,
      table: t,
      id,
      parameters: {},
      callerId: scope.callerId,
      operationId: this.store.newId(),
      correlationId: scope.correlationId,
      requestId: this.store.newId(),
      ...extra,
    };
  }

  /** Pre-stage sync steps, the write, post-stage sync steps, async steps queued for the commit. */
  private async withSteps<T>(event: MessageEvent, scope: RequestScope, write: () => T): Promise<T> {
    await this.steps.runSync(event, STAGES.preValidation);
    await this.steps.runSync(event, STAGES.preOperation);
    const result = write();
    await this.steps.runSync(event, STAGES.postOperation);
    scope.pending.push(...this.steps.asyncDeliveries(event));
    return result;
  }

  private respondWritten(t: TableDef, row: Row, req: ApiRequest, created: boolean): ApiResponse {
    const headers = { "OData-EntityId": this.entityId(t, String(row[t.primaryKey])), ETag: etagOf(row) };
    if (!preferences(req.headers).representation) return { status: 204, headers };
    const q = parseQuery(req.url.searchParams, t);
    return { status: created ? 201 : 200, headers, body: { "@odata.context": `${this.apiUrl}$metadata#${t.entitySet}/$entity`, ...project(t, row, q, this.store) } };
  }

  private validateSpecial(t: TableDef, values: Row, existing?: Row): void {
    if (t.entitySet === "sdkmessageprocessingsteps") this.steps.validateStep(values, existing);
    if (t.entitySet === "serviceendpoints") this.steps.validateEndpoint(values, existing);
    if (t.logicalName === "opportunity" && "statecode" in values && values.statecode !== (existing?.statecode ?? 0)) {
      throw faults.invalidArgument("An opportunity is closed with the WinOpportunity or LoseOpportunity action, not by setting statecode.");
    }
  }

  private async create(t: TableDef, req: ApiRequest, scope: RequestScope, preset: Row = {}): Promise<ApiResponse> {
    const values = { ...preset, ...this.values(t, req.body, scope) };
    this.validateSpecial(t, values);
    const id = String(values[t.primaryKey] ?? this.store.newId()).toLowerCase();
    const row = await this.withSteps(this.event("Create", t, id, scope, { values: { ...values, [t.primaryKey]: id } }), scope, () =>
      this.store.insert(t, { ...values, [t.primaryKey]: id }),
    );
    return this.respondWritten(t, row, req, true);
  }

  private async patch(t: TableDef, key: { id?: string; key?: Record<string, unknown> }, req: ApiRequest, scope: RequestScope): Promise<ApiResponse> {
    const existing = this.find(t, key);
    const ifMatch = req.headers.get("if-match");
    const ifNoneMatch = req.headers.get("if-none-match");
    if (!existing) {
      if (ifMatch) throw this.missing(t, key);
      // PATCH without If-Match is an upsert: it creates the row, keyed as addressed.
      return this.create(t, req, scope, key.id ? { [t.primaryKey]: key.id } : { ...key.key });
    }
    if (ifNoneMatch === "*") throw faults.alreadyExists();
    const checkVersion = (row: Row) => {
      if (ifMatch && ifMatch !== "*" && ifMatch !== etagOf(row)) throw faults.versionMismatch();
    };
    checkVersion(existing);
    const values = this.values(t, req.body, scope);
    if (t.primaryKey in values && values[t.primaryKey] !== existing[t.primaryKey]) throw faults.readOnly(t.logicalName, t.primaryKey);
    this.validateSpecial(t, values, existing);
    const id = String(existing[t.primaryKey]);
    const row = await this.withSteps(this.event("Update", t, id, scope, { values, changedColumns: Object.keys(values).filter((k) => !k.includes("@")) }), scope, () => {
      // Dataverse compares the version under the row lock, at the write: another request may have
      // written the row while the pre-operation steps ran.
      checkVersion(this.store.require(t, id));
      return this.store.update(t, id, values);
    });
    return this.respondWritten(t, row, req, false);
  }

  private remove(t: TableDef, key: { id?: string; key?: Record<string, unknown> }, req: ApiRequest): ApiResponse {
    const existing = this.find(t, key);
    if (!existing) throw this.missing(t, key);
    const ifMatch = req.headers.get("if-match");
    if (ifMatch && ifMatch !== "*" && ifMatch !== etagOf(existing)) throw faults.versionMismatch();
    this.store.remove(t, String(existing[t.primaryKey]));
    return { status: 204, headers: {} };
  }

  private parseJsonObject(body: string, what: string): Record<string, unknown> {
    let json: unknown;
    try {
      json = body === "" ? {} : JSON.parse(body);
    } catch {
      throw faults.invalidArgument(`The body of ${what} is not valid JSON.`);
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) throw faults.invalidArgument(`The body of ${what} must be a JSON object.`);
    return json as Record<string, unknown>;
  }

  /** The actions raise the Win / Lose messages (not Update), with the OpportunityClose and Status parameters. */
  private async closeOpportunity(win: boolean, body: string, scope: RequestScope): Promise<ApiResponse> {
    const action = win ? "WinOpportunity" : "LoseOpportunity";
    const json = this.parseJsonObject(body, action);
    for (const k of Object.keys(json)) {
      if (k !== "OpportunityClose" && k !== "Status") throw faults.invalidArgument(`'${k}' is not a parameter of ${action}; it takes OpportunityClose and Status.`);
    }
    const close = json.OpportunityClose;
    if (close === null || typeof close !== "object") throw faults.invalidArgument(`${action}: the OpportunityClose parameter is required.`);
    const status = json.Status;
    const allowed = win ? WIN_STATUSES : LOSE_STATUSES;
    if (typeof status !== "number" || !allowed.includes(status)) {
      throw faults.invalidArgument(`${action}: Status must be ${allowed.join(" or ")} (a status reason of the ${win ? "Won" : "Lost"} state), got ${JSON.stringify(status)}.`);
    }
    const closeTable = tableBySet("opportunitycloses")!;
    const opportunities = tableBySet("opportunities")!;
    const bind = (close as Record<string, unknown>)["opportunityid@odata.bind"];
    const ref = typeof bind === "string" ? parseEntityReference(bind) : undefined;
    if (!ref || ref.entitySet !== "opportunities") throw faults.invalidArgument(`${action}: OpportunityClose needs "opportunityid@odata.bind": "/opportunities(<id>)".`);
    const requireOpen = () => {
      const opportunity = this.store.require(opportunities, ref.id);
      if (opportunity.statecode !== OPPORTUNITY_STATE.Open) {
        throw faults.invalidArgument(`The opportunity is already closed (statecode ${String(opportunity.statecode)}); it cannot be closed again.`);
      }
    };
    requireOpen();
    const values = { ...toColumnValues(closeTable, close, this.store), [closeTable.primaryKey]: this.store.newId() };
    const parameters = {
      OpportunityClose: wireValue.entity({ Id: String(values[closeTable.primaryKey]), LogicalName: closeTable.logicalName, Attributes: toWireAttributes(closeTable, values) }),
      Status: wireValue.optionSet(status),
    };
    await this.withSteps(this.event(win ? "Win" : "Lose", opportunities, ref.id, scope, { parameters }), scope, () => {
      // Again at the write: a close that ran while the pre-operation steps did wins, this one fails.
      requireOpen();
      const closeRow = this.store.insert(closeTable, { ...values, statecode: 1, statuscode: 2 });
      this.store.update(opportunities, ref.id, {
        statecode: win ? OPPORTUNITY_STATE.Won : OPPORTUNITY_STATE.Lost,
        statuscode: status,
        actualclosedate: (closeRow.actualend as string | undefined) ?? normalizeDate(this.store.timestamp(), "date"),
        ...(win && typeof closeRow.actualrevenue === "number" ? { actualvalue: closeRow.actualrevenue } : {}),
      });
    });
    return { status: 204, headers: {} };
  }

  private async customApi(t: TableDef, keyText: string, name: string, body: string, scope: RequestScope): Promise<ApiResponse> {
    const api = Object.values(CUSTOM_APIS).find((a) => a.uniqueName === name);
    if (!api || t.logicalName !== "opportunity") throw faults.noResource(`${t.entitySet}(${keyText})/Microsoft.Dynamics.CRM.${name}`);
    const key = parseKey(keyText, t);
    const row = this.find(t, key);
    if (!row) throw this.missing(t, key);
    const params = this.parseJsonObject(body, name);
    const declared: readonly string[] = api.parameters;
    for (const [k, v] of Object.entries(params)) {
      if (!declared.includes(k)) throw faults.invalidArgument(`'${k}' is not a parameter of ${name}.`);
      if (v !== null && typeof v !== "string") throw faults.invalidArgument(`${name}: the parameter '${k}' must be a string.`);
    }
    if (name === CUSTOM_APIS.respondToReferral.uniqueName) {
      if (typeof params.Decision !== "string" || params.Decision === "") throw faults.invalidArgument(`${name}: the required parameter 'Decision' is missing.`);
      if (params.Decision !== "accept" && params.Decision !== "decline") {
        throw faults.invalidArgument(`${name}: Decision must be 'accept' or 'decline', got '${params.Decision}'.`);
      }
    }
    const id = String(row[t.primaryKey]);
    await this.withSteps(this.event(name, t, id, scope, { parameters: params }), scope, () => undefined);
    return { status: 204, headers: {} };
  }

  // ---------- $batch ----------

  private partRequest(part: BatchRequestPart, scope: RequestScope, base: URL): ApiRequest {
    let target = part.url;
    const ref = /^\$(\w+)(.*)$/.exec(target);
    if (ref) {
      const resolved = scope.contentIds.get(ref[1]);
      // The documented answer (execute-batch-operations-using-web-api.md).
      if (!resolved) throw faults.invalidArgument(`Content-ID Reference: '$${ref[1]}' does not exist in the batch context.`);
      target = resolved + ref[2];
    }
    const url = new URL(target, new URL(API_PATH, base));
    const headers = new Headers(part.headers);
    return { method: part.method, url, headers, body: part.body };
  }

  private async runPart(part: BatchRequestPart, scope: RequestScope, base: URL): Promise<BatchResponsePart> {
    try {
      const req = this.partRequest(part, scope, base);
      const path = decodeURIComponent(req.url.pathname.slice(req.url.pathname.indexOf(API_PATH) + API_PATH.length));
      const res = await this.dispatch(req, path, scope);
      if (part.contentId && res.headers["OData-EntityId"]) scope.contentIds.set(part.contentId, res.headers["OData-EntityId"]);
      return { status: res.status, headers: res.headers, body: res.body, contentId: part.contentId };
    } catch (e) {
      const r = errorResponse(e);
      return { status: r.status, headers: r.headers, body: r.body, contentId: part.contentId };
    }
  }

  private async batch(req: ApiRequest, scope: RequestScope): Promise<ApiResponse> {
    const items = parseBatch(req.body, req.headers.get("content-type"));
    const { continueOnError } = preferences(req.headers);
    const out: BatchResponseItem[] = [];
    for (const item of items) {
      if (item.kind === "request") {
        const part = await this.store.transaction(async () => {
          const p = await this.runPart(item.request, scope, req.url);
          if (p.status >= 400) throw Object.assign(new Error("part failed"), { part });
          return p;
        }).catch((e: { part?: BatchResponsePart }) => {
          if (!e.part) throw e;
          return e.part;
        });
        out.push({ kind: "response", part });
        if (part.status >= 400 && !continueOnError) break;
        continue;
      }
      // A change set is atomic: the first failure rolls back every write in it and is its only answer.
      const pendingBefore = scope.pending.length;
      const result = await this.store
        .transaction(async () => {
          const parts: BatchResponsePart[] = [];
          for (const r of item.requests) {
            const p = await this.runPart(r, scope, req.url);
            if (p.status >= 400) throw Object.assign(new Error("change set failed"), { part: p });
            parts.push(p);
          }
          return { ok: true as const, parts };
        })
        .catch((e: { part?: BatchResponsePart }) => {
          if (!e.part) throw e;
          return { ok: false as const, part: e.part };
        });
      if (result.ok) {
        out.push({ kind: "changeset", parts: result.parts });
        continue;
      }
      scope.pending.length = pendingBefore;
      out.push({ kind: "response", part: result.part });
      if (!continueOnError) break;
    }
    const formatted = formatBatchResponse(out, this.store.newId());
    return { status: 200, headers: { "Content-Type": formatted.contentType }, text: formatted.body };
  }
}
