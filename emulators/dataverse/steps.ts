/**
 * Runs the webhook steps registered through the Web API (serviceendpoint +
 * sdkmessageprocessingstep rows) when their message happens, as Dataverse does
 * (dataverse.md §3.2): a RemoteExecutionContext POSTed with the `x-ms-dynamics-*` headers and
 * the endpoint's auth. Sync steps (mode 0) make the caller wait and fail its operation on a
 * non-2xx answer (502/503/504 retried once); async steps (mode 1) go through the
 * WebhookDispatcher after the operation commits.
 */
import { XMLParser } from "fast-xml-parser";
import type { Delivery, RedeliveryPolicy, WebhookDispatcher } from "../kit/dispatcher";
import { buildRemoteExecutionContext, wireValue, type EntityValue } from "../../sync/dataverse/remote-execution-context";
import { faults } from "./errors";
import { tableByName, tableBySet, type TableDef } from "./schema";
import { LOOKUP_TARGET_SUFFIX, type DataverseStore, type Row } from "./store";

export const STAGES = { preValidation: 10, preOperation: 20, postOperation: 40 } as const;
export const MODES = { sync: 0, async: 1 } as const;
export const SERVICE_ENDPOINT = { contractWebhook: 8, authWebhookKey: 4, authHttpHeader: 5, authHttpQueryString: 6, formatJson: 2 } as const;

/** Over this size Dataverse drops the parameters and images and says so in a header. */
const MAX_CONTEXT_BYTES = 256 * 1024;
const RETRIED_ONCE: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * A web hook call that does not answer 2xx fails, sync or async; only 502, 503 and 504 (a network
 * issue) get one more attempt (DV-HOOKS, "Troubleshoot WebHook registrations").
 */
export const STEP_REDELIVERY: RedeliveryPolicy = { attempts: 2, retries: (status) => status !== undefined && RETRIED_ONCE.has(status), delayMs: () => 0 };

export interface Organization {
  id: string;
  name: string;
  host: string;
  businessUnitId: string;
}

/** One occurrence of a message on one record. */
export interface MessageEvent {
  message: string;
  table: TableDef;
  id: string;
  /** Wire values (see wireValue) by parameter name; `Target` is added here. */
  parameters: Record<string, unknown>;
  /** For Update: the columns in the request (filtering attributes match against these). */
  changedColumns?: string[];
  /** For Create/Update: the values written, sent as the Target entity. */
  values?: Row;
  callerId: string;
  operationId: string;
  correlationId: string;
  requestId: string;
}

const table = (set: string) => tableBySet(set)!;

/** Row values as the wire types a plug-in context carries. */
export function toWireAttributes(t: TableDef, values: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key.includes("@")) continue;
    const lookup = /^_(.+)_value$/.exec(key);
    if (lookup) {
      const logicalName = values[`${key}${LOOKUP_TARGET_SUFFIX}`];
      out[lookup[1]] = value == null ? null : wireValue.entityReference({ Id: String(value), LogicalName: String(logicalName ?? "") });
      continue;
    }
    const type = t.columns[key];
    if (value == null) out[key] = null;
    else if (type === "choice") out[key] = wireValue.optionSet(value as number);
    else if (type === "money") out[key] = wireValue.money(value as number);
    else if (type === "datetime" || type === "date") out[key] = new Date(String(value));
    else out[key] = value;
  }
  return out;
}

function parseSettings(xml: string): Array<[string, string]> {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml) as {
    settings?: { setting?: { name: string; value: string } | Array<{ name: string; value: string }> };
  };
  const list = parsed.settings?.setting;
  return (Array.isArray(list) ? list : list ? [list] : []).map((s) => [String(s.name), String(s.value)]);
}

/** URL and headers carrying the endpoint's secret, per its authtype. */
export function endpointTarget(endpoint: Row): { url: string; headers: Record<string, string> } {
  const url = new URL(String(endpoint.url));
  const headers: Record<string, string> = {};
  const secret = typeof endpoint.authvalue === "string" ? endpoint.authvalue : "";
  switch (endpoint.authtype) {
    case SERVICE_ENDPOINT.authWebhookKey:
      url.searchParams.set("code", secret);
      break;
    case SERVICE_ENDPOINT.authHttpHeader:
      for (const [k, v] of parseSettings(secret)) headers[k] = v;
      break;
    case SERVICE_ENDPOINT.authHttpQueryString:
      for (const [k, v] of parseSettings(secret)) url.searchParams.set(k, v);
      break;
  }
  return { url: url.toString(), headers };
}

export class StepRunner {
  constructor(
    private readonly store: DataverseStore,
    private readonly dispatcher: WebhookDispatcher,
    private readonly org: Organization,
    private readonly now: () => Date,
  ) {}

  /** Active steps for this message and table, in rank order. */
  private steps(event: MessageEvent): Row[] {
    const messages = this.store.rows(table("sdkmessages"));
    const message = messages.find((m) => String(m.name).toLowerCase() === event.message.toLowerCase());
    if (!message) return [];
    return this.store
      .rows(table("sdkmessageprocessingsteps"))
      .filter((s) => s.statecode === 0 && s._sdkmessageid_value === message.sdkmessageid)
      .filter((s) => {
        const filterId = s._sdkmessagefilterid_value;
        if (typeof filterId !== "string") return true;
        const f = this.store.get(table("sdkmessagefilters"), filterId);
        return f?.primaryobjecttypecode === event.table.logicalName;
      })
      .filter((s) => {
        const attrs = typeof s.filteringattributes === "string" ? s.filteringattributes.split(",").map((a) => a.trim()).filter(Boolean) : [];
        if (event.message !== "Update" || attrs.length === 0 || !event.changedColumns) return true;
        return event.changedColumns.some((c) => attrs.includes(c.replace(/^_(.+)_value$/, "$1")));
      })
      .sort((a, b) => Number(a.rank ?? 1) - Number(b.rank ?? 1));
  }

  /** The step's post-images: the row as the operation left it, only the columns each image lists. */
  private postImages(step: Row, event: MessageEvent, mode: 0 | 1): Record<string, EntityValue> | undefined {
    const images: Array<{ alias: string; columns: string[] }> = this.store
      .rows(table("sdkmessageprocessingstepimages"))
      .filter((i) => i._sdkmessageprocessingstepid_value === step.sdkmessageprocessingstepid && (i.imagetype === 1 || i.imagetype === 2))
      .map((i) => ({ alias: String(i.entityalias), columns: String(i.attributes ?? "").split(",").map((a) => a.trim()).filter(Boolean) }));
    // Microsoft's webhook sample: an async step also gets the platform's image of the row's primary name, first.
    const primaryName = event.table.primaryName;
    if (mode === 1 && primaryName) images.unshift({ alias: "AsynchronousStepPrimaryName", columns: [primaryName, event.table.primaryKey] });
    const row = images.length > 0 ? this.store.get(event.table, event.id) : undefined;
    if (!row) return undefined;
    const out: Record<string, EntityValue> = {};
    for (const { alias, columns } of images) {
      // An image names a lookup by its logical name (customerid); the row keeps it as _customerid_value. Null columns are left out.
      const values: Row = {};
      for (const c of columns) {
        const key = row[c] === undefined && row[`_${c}_value`] !== undefined ? `_${c}_value` : c;
        if (row[key] === undefined || row[key] === null) continue;
        values[key] = row[key];
        if (key !== c) values[`${key}${LOOKUP_TARGET_SUFFIX}`] = row[`${key}${LOOKUP_TARGET_SUFFIX}`] ?? this.lookupTarget(event.table, c, String(row[key]));
      }
      out[alias] = { Id: event.id, LogicalName: event.table.logicalName, Attributes: toWireAttributes(event.table, values) } as EntityValue;
    }
    return out;
  }

  /**
   * The table a lookup's value points at, for a row written without it (seed data, an older saved
   * sandbox): the lookup's one target, or, for a polymorphic one (customerid: account or contact),
   * the target table that holds the id. An image's EntityReference always names its table.
   */
  private lookupTarget(t: TableDef, attribute: string, id: string): string | undefined {
    const targets = Object.values(t.lookups).filter((l) => l.attribute === attribute).map((l) => table(l.target));
    const found = targets.length === 1 ? targets[0] : targets.find((target) => this.store.get(target, id));
    return found?.logicalName;
  }

  private delivery(step: Row, event: MessageEvent, stage: number, mode: 0 | 1): Delivery {
    const endpoint = this.store.require(table("serviceendpoints"), String(step._eventhandler_value));
    const target = event.values
      ? wireValue.entity({ Id: event.id, LogicalName: event.table.logicalName, Attributes: toWireAttributes(event.table, event.values) } as EntityValue)
      : wireValue.entityReference({ Id: event.id, LogicalName: event.table.logicalName });
    const context = buildRemoteExecutionContext({
      messageName: event.message,
      primaryEntityName: event.table.logicalName,
      primaryEntityId: event.id,
      operationId: event.operationId,
      correlationId: event.correlationId,
      requestId: event.requestId,
      initiatingUserId: event.callerId,
      userId: event.callerId,
      businessUnitId: this.org.businessUnitId,
      organizationId: this.org.id,
      organizationName: this.org.name,
      inputParameters: { Target: target, ...event.parameters },
      depth: 1,
      mode,
      stage,
      operationCreatedOn: this.now(),
      owningExtension: { Id: String(step.sdkmessageprocessingstepid), LogicalName: "sdkmessageprocessingstep", Name: String(step.name ?? "") },
      postEntityImages: stage === STAGES.postOperation ? this.postImages(step, event, mode) : undefined,
    });
    const { url, headers } = endpointTarget(endpoint);
    let body = JSON.stringify(context);
    const extra: Record<string, string> = {};
    if (Buffer.byteLength(body) > MAX_CONTEXT_BYTES) {
      body = JSON.stringify({ ...context, InputParameters: [], PreEntityImages: [], PostEntityImages: [], ParentContext: null });
      extra["x-ms-dynamics-msg-size-exceeded"] = "true";
    }
    return {
      url,
      body,
      headers: {
        ...headers,
        "content-type": "application/json",
        "x-ms-dynamics-organization": this.org.host,
        "x-ms-dynamics-entity-name": event.table.logicalName,
        "x-ms-dynamics-request-name": event.message,
        "x-ms-correlation-request-id": event.correlationId,
        ...extra,
      },
    };
  }

  /** Runs the synchronous steps of one stage; a failed call fails the operation. */
  async runSync(event: MessageEvent, stage: number): Promise<void> {
    for (const step of this.steps(event).filter((s) => s.mode === MODES.sync && s.stage === stage)) {
      const delivery = this.delivery(step, event, stage, 0);
      const record = await this.dispatcher.deliverNow(delivery);
      if (record.outcome !== "delivered") {
        const why = record.status !== undefined ? `HTTP ${record.status}` : `no answer (${record.error ?? "connection failed"})`;
        throw faults.pluginFailed(`The web hook call for step '${step.name}' to ${new URL(delivery.url).host} failed: ${why}.`);
      }
    }
  }

  /** Asynchronous deliveries to send once the operation has committed. */
  asyncDeliveries(event: MessageEvent): Delivery[] {
    return this.steps(event)
      .filter((s) => s.mode === MODES.async)
      .map((s) => this.delivery(s, event, STAGES.postOperation, 1));
  }

  /** Checks a step row before it is written, as the platform does. */
  validateStep(values: Row, existing?: Row): void {
    const merged = { ...existing, ...values };
    const stage = merged.stage;
    if (![10, 20, 40].includes(stage as number)) {
      throw faults.invalidArgument(`Invalid stage ${String(stage)}: a step runs in stage 10 (pre-validation), 20 (pre-operation) or 40 (post-operation).`);
    }
    if (merged.mode !== 0 && merged.mode !== 1) throw faults.invalidArgument(`Invalid mode ${String(merged.mode)}: 0 synchronous or 1 asynchronous.`);
    if (merged.mode === 1 && stage !== 40) throw faults.invalidArgument("Asynchronous steps can only be registered in stage 40 (post-operation).");
    if (typeof merged._sdkmessageid_value !== "string") throw faults.invalidArgument("A step needs sdkmessageid.");
    if (typeof merged._eventhandler_value !== "string") throw faults.invalidArgument("A step needs an event handler (eventhandler_serviceendpoint).");
    if (typeof merged.name !== "string" || merged.name === "") throw faults.invalidArgument("A step needs a name.");
    if (merged.filteringattributes && typeof merged.filteringattributes === "string") {
      const message = this.store.get(table("sdkmessages"), merged._sdkmessageid_value);
      const filter = typeof merged._sdkmessagefilterid_value === "string" ? this.store.get(table("sdkmessagefilters"), merged._sdkmessagefilterid_value) : undefined;
      const target = filter ? tableByName(String(filter.primaryobjecttypecode)) : undefined;
      for (const attr of merged.filteringattributes.split(",").map((a) => a.trim()).filter(Boolean)) {
        if (message?.name !== "Update" || !target || !(attr in target.columns || `_${attr}_value` in target.columns)) {
          throw faults.invalidArgument(`Filtering attribute '${attr}' is not valid for this step's message and table.`);
        }
      }
    }
  }

  validateEndpoint(values: Row, existing?: Row): void {
    const merged = { ...existing, ...values };
    if (merged.contract !== SERVICE_ENDPOINT.contractWebhook) return;
    let url: URL;
    try {
      url = new URL(String(merged.url));
    } catch {
      throw faults.invalidArgument(`The service endpoint url '${String(merged.url)}' is not an absolute URL.`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw faults.invalidArgument("A webhook url must be http or https.");
    if (![SERVICE_ENDPOINT.authWebhookKey, SERVICE_ENDPOINT.authHttpHeader, SERVICE_ENDPOINT.authHttpQueryString].includes(merged.authtype as 4)) {
      throw faults.invalidArgument("A webhook's authtype must be 4 (WebhookKey), 5 (HttpHeader) or 6 (HttpQueryString).");
    }
    if (merged.authtype !== SERVICE_ENDPOINT.authWebhookKey && typeof merged.authvalue === "string" && parseSettings(merged.authvalue).length === 0) {
      throw faults.invalidArgument("authvalue must be <settings><setting name=\"…\" value=\"…\" /></settings> for HttpHeader/HttpQueryString.");
    }
  }
}
