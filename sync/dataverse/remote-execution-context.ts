/**
 * The RemoteExecutionContext Dataverse POSTs to a webhook (dataverse.md §3.2): the .NET
 * DataContractJsonSerializer shape, with parameter collections as `[{key, value}]`, typed values
 * tagged by `__type` and dates as `/Date(ms)/`. `parse…` validates and turns it into plain typed
 * data (the service's side); `build…` writes it (the emulator's side). One module, so the two
 * cannot drift apart.
 */

const CONTRACTS = "http://schemas.microsoft.com/xrm/2011/Contracts";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WCF_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

export interface EntityReference {
  Id: string;
  LogicalName: string;
  Name?: string | null;
}

export interface EntityValue {
  Id: string;
  LogicalName: string;
  /** Attribute values by logical name: OptionSetValue and Money become numbers, lookups EntityReferences, dates Dates. */
  Attributes: Record<string, unknown>;
  RowVersion?: string | null;
}

export interface RemoteExecutionContext {
  MessageName: string;
  OperationId: string;
  CorrelationId: string;
  RequestId: string | null;
  InitiatingUserId: string;
  UserId: string;
  BusinessUnitId: string | null;
  OrganizationId: string;
  OrganizationName: string;
  PrimaryEntityId: string;
  PrimaryEntityName: string;
  SecondaryEntityName: string | null;
  InputParameters: Record<string, unknown>;
  OutputParameters: Record<string, unknown>;
  SharedVariables: Record<string, unknown>;
  PreEntityImages: Record<string, EntityValue>;
  PostEntityImages: Record<string, EntityValue>;
  Depth: number;
  /** 0 synchronous, 1 asynchronous. */
  Mode: 0 | 1;
  /** 10 pre-validation, 20 pre-operation, 30 main operation, 40 post-operation. */
  Stage: number;
  IsolationMode: number;
  IsExecutingOffline: boolean;
  IsInTransaction: boolean;
  OperationCreatedOn: Date;
  OwningExtension: EntityReference | null;
  ParentContext: RemoteExecutionContext | null;
}

export class RemoteExecutionContextError extends Error {
  constructor(
    public readonly field: string,
    problem: string,
  ) {
    super(`RemoteExecutionContext.${field}: ${problem}`);
    this.name = "RemoteExecutionContextError";
  }
}

// ---------- parsing ----------

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function requireString(obj: Json, name: string, path: string): string {
  const v = obj[name];
  if (typeof v !== "string" || v === "") throw new RemoteExecutionContextError(path + name, "expected a non-empty string");
  return v;
}

function requireGuid(obj: Json, name: string, path: string): string {
  const v = obj[name];
  if (typeof v !== "string" || !GUID.test(v)) throw new RemoteExecutionContextError(path + name, `expected a GUID, got ${JSON.stringify(v)}`);
  return v.toLowerCase();
}

function optionalGuid(obj: Json, name: string, path: string): string | null {
  return obj[name] == null ? null : requireGuid(obj, name, path);
}

function requireInt(obj: Json, name: string, path: string, allowed?: number[]): number {
  const v = obj[name];
  if (typeof v !== "number" || !Number.isInteger(v) || (allowed && !allowed.includes(v))) {
    throw new RemoteExecutionContextError(path + name, `expected ${allowed ? `one of ${allowed.join(", ")}` : "an integer"}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function optionalBool(obj: Json, name: string, path: string): boolean {
  const v = obj[name];
  if (v == null) return false;
  if (typeof v !== "boolean") throw new RemoteExecutionContextError(path + name, "expected true or false");
  return v;
}

export function parseWcfDate(value: unknown, where: string): Date {
  const m = typeof value === "string" ? WCF_DATE.exec(value) : null;
  if (!m) throw new RemoteExecutionContextError(where, `expected a date like "/Date(1700000000000)/", got ${JSON.stringify(value)}`);
  return new Date(Number(m[1]));
}

function typeName(v: Json): string | undefined {
  return typeof v.__type === "string" ? v.__type.split(":")[0] : undefined;
}

function parseValue(v: unknown, path: string): unknown {
  if (typeof v === "string" && WCF_DATE.test(v)) return parseWcfDate(v, path);
  if (Array.isArray(v)) return v.map((x, i) => parseValue(x, `${path}[${i}]`));
  if (!isObject(v)) return v;
  switch (typeName(v)) {
    case "EntityReference":
      return parseEntityReference(v, path);
    case "Entity":
      return parseEntity(v, path);
    case "OptionSetValue":
    case "Money":
      if (typeof v.Value !== "number") throw new RemoteExecutionContextError(`${path}.Value`, "expected a number");
      return v.Value;
    case "EntityCollection":
      if (!Array.isArray(v.Entities)) throw new RemoteExecutionContextError(`${path}.Entities`, "expected an array");
      return v.Entities.map((e, i) => parseEntity(e, `${path}.Entities[${i}]`));
    default:
      return v;
  }
}

function parseEntityReference(v: unknown, path: string): EntityReference {
  if (!isObject(v)) throw new RemoteExecutionContextError(path, "expected an EntityReference object");
  return {
    Id: requireGuid(v, "Id", `${path}.`),
    LogicalName: requireString(v, "LogicalName", `${path}.`),
    Name: typeof v.Name === "string" ? v.Name : null,
  };
}

function parseEntity(v: unknown, path: string): EntityValue {
  if (!isObject(v)) throw new RemoteExecutionContextError(path, "expected an Entity object");
  return {
    Id: requireGuid(v, "Id", `${path}.`),
    LogicalName: requireString(v, "LogicalName", `${path}.`),
    Attributes: parseCollection(v.Attributes ?? [], `${path}.Attributes`),
    RowVersion: typeof v.RowVersion === "string" ? v.RowVersion : null,
  };
}

/** `[{key, value}]` → `{ key: value }`. */
function parseCollection(v: unknown, path: string): Record<string, unknown> {
  if (v == null) return {};
  if (!Array.isArray(v)) throw new RemoteExecutionContextError(path, "expected an array of {key, value}");
  const out: Record<string, unknown> = {};
  v.forEach((item, i) => {
    if (!isObject(item) || typeof item.key !== "string") {
      throw new RemoteExecutionContextError(`${path}[${i}]`, "expected {key, value} with a string key");
    }
    out[item.key] = parseValue(item.value, `${path}[${i}].value`);
  });
  return out;
}

function parseImages(v: unknown, path: string): Record<string, EntityValue> {
  const raw = Array.isArray(v) ? v : v == null ? [] : null;
  if (raw === null) throw new RemoteExecutionContextError(path, "expected an array of {key, value}");
  const out: Record<string, EntityValue> = {};
  raw.forEach((item, i) => {
    if (!isObject(item) || typeof item.key !== "string") throw new RemoteExecutionContextError(`${path}[${i}]`, "expected {key, value}");
    out[item.key] = parseEntity(item.value, `${path}[${i}].value`);
  });
  return out;
}

function parseAt(json: unknown, path: string): RemoteExecutionContext {
  if (!isObject(json)) throw new RemoteExecutionContextError(path || "(root)", "expected a JSON object");
  const p = path ? `${path}.` : "";
  return {
    MessageName: requireString(json, "MessageName", p),
    OperationId: requireGuid(json, "OperationId", p),
    CorrelationId: requireGuid(json, "CorrelationId", p),
    RequestId: optionalGuid(json, "RequestId", p),
    InitiatingUserId: requireGuid(json, "InitiatingUserId", p),
    UserId: requireGuid(json, "UserId", p),
    BusinessUnitId: optionalGuid(json, "BusinessUnitId", p),
    OrganizationId: requireGuid(json, "OrganizationId", p),
    OrganizationName: requireString(json, "OrganizationName", p),
    PrimaryEntityId: requireGuid(json, "PrimaryEntityId", p),
    PrimaryEntityName: requireString(json, "PrimaryEntityName", p),
    SecondaryEntityName: typeof json.SecondaryEntityName === "string" ? json.SecondaryEntityName : null,
    InputParameters: parseCollection(json.InputParameters, `${p}InputParameters`),
    OutputParameters: parseCollection(json.OutputParameters, `${p}OutputParameters`),
    SharedVariables: parseCollection(json.SharedVariables, `${p}SharedVariables`),
    PreEntityImages: parseImages(json.PreEntityImages, `${p}PreEntityImages`),
    PostEntityImages: parseImages(json.PostEntityImages, `${p}PostEntityImages`),
    Depth: requireInt(json, "Depth", p),
    Mode: requireInt(json, "Mode", p, [0, 1]) as 0 | 1,
    Stage: requireInt(json, "Stage", p, [10, 20, 30, 40]),
    IsolationMode: json.IsolationMode == null ? 0 : requireInt(json, "IsolationMode", p),
    IsExecutingOffline: optionalBool(json, "IsExecutingOffline", p),
    IsInTransaction: optionalBool(json, "IsInTransaction", p),
    OperationCreatedOn: parseWcfDate(json.OperationCreatedOn, `${p}OperationCreatedOn`),
    OwningExtension: json.OwningExtension == null ? null : parseEntityReference(json.OwningExtension, `${p}OwningExtension`),
    ParentContext: json.ParentContext == null ? null : parseAt(json.ParentContext, `${p}ParentContext`),
  };
}

/** Validates a webhook body; throws RemoteExecutionContextError naming the bad field. */
export function parseRemoteExecutionContext(json: unknown): RemoteExecutionContext {
  return parseAt(json, "");
}

/** The `Target` input parameter of a bound message (EntityReference) or Create/Update (Entity). */
export function contextTarget(ctx: RemoteExecutionContext): EntityReference | EntityValue {
  const t = ctx.InputParameters.Target;
  if (!isObject(t) || typeof t.Id !== "string" || typeof t.LogicalName !== "string") {
    throw new RemoteExecutionContextError("InputParameters.Target", "missing: the message has no target record");
  }
  return t as unknown as EntityReference | EntityValue;
}

/** A string input parameter (e.g. `Decision`, `Reason`), or undefined when absent or null. */
export function stringParameter(ctx: RemoteExecutionContext, name: string): string | undefined {
  const v = ctx.InputParameters[name];
  if (v == null) return undefined;
  if (typeof v !== "string") throw new RemoteExecutionContextError(`InputParameters.${name}`, "expected a string");
  return v;
}

// ---------- building ----------

/** Typed values for `build…`: pass these to get the right `__type` on the wire. */
export const wireValue = {
  optionSet: (value: number) => ({ __type: `OptionSetValue:${CONTRACTS}`, Value: value }),
  money: (value: number) => ({ __type: `Money:${CONTRACTS}`, Value: value }),
  entityReference: (ref: EntityReference) => ({
    __type: `EntityReference:${CONTRACTS}`,
    Id: ref.Id,
    KeyAttributes: [],
    LogicalName: ref.LogicalName,
    Name: ref.Name ?? null,
    RowVersion: null,
  }),
  /** Attribute values must already be wire values (strings, numbers, booleans, Dates, or the helpers above). */
  entity: (e: EntityValue) => ({
    __type: `Entity:${CONTRACTS}`,
    Attributes: toWireCollection(e.Attributes),
    EntityState: null,
    FormattedValues: [],
    Id: e.Id,
    KeyAttributes: [],
    LogicalName: e.LogicalName,
    RelatedEntities: [],
    RowVersion: e.RowVersion ?? null,
  }),
  date: (d: Date) => `/Date(${d.getTime()})/`,
};

function toWire(v: unknown): unknown {
  if (v instanceof Date) return wireValue.date(v);
  if (Array.isArray(v)) return v.map(toWire);
  return v;
}

function toWireCollection(values: Record<string, unknown>): Array<{ key: string; value: unknown }> {
  return Object.entries(values).map(([key, value]) => ({ key, value: toWire(value) }));
}

export interface BuildContextInput {
  messageName: string;
  primaryEntityName: string;
  primaryEntityId: string;
  operationId: string;
  correlationId: string;
  requestId?: string | null;
  initiatingUserId: string;
  userId: string;
  businessUnitId: string;
  organizationId: string;
  organizationName: string;
  /** Values must be wire values (see `wireValue`); Dates are converted. */
  inputParameters: Record<string, unknown>;
  preEntityImages?: Record<string, EntityValue>;
  postEntityImages?: Record<string, EntityValue>;
  depth: number;
  mode: 0 | 1;
  stage: number;
  operationCreatedOn: Date;
  owningExtension?: EntityReference | null;
  isInTransaction?: boolean;
  /** The calling client's user agent; Microsoft's payloads show a client string or "". */
  initiatingUserAgent?: string;
}

/**
 * The JSON body Dataverse sends to a webhook for one step execution: every top-level key of
 * REMOTE_EXECUTION_CONTEXT_KEYS, in that (alphabetical) order, as Microsoft's payloads have them.
 */
export function buildRemoteExecutionContext(input: BuildContextInput): Record<string, unknown> {
  const images = (m: Record<string, EntityValue> | undefined) =>
    Object.entries(m ?? {}).map(([key, e]) => ({ key, value: wireValue.entity(e) }));
  return {
    BusinessUnitId: input.businessUnitId,
    CorrelationId: input.correlationId,
    Depth: input.depth,
    InitiatingUserAgent: input.initiatingUserAgent ?? "",
    InitiatingUserAzureActiveDirectoryObjectId: "00000000-0000-0000-0000-000000000000",
    InitiatingUserId: input.initiatingUserId,
    InputParameters: toWireCollection(input.inputParameters),
    IsExecutingOffline: false,
    IsInTransaction: input.isInTransaction ?? input.mode === 0,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: input.messageName,
    Mode: input.mode,
    OperationCreatedOn: wireValue.date(input.operationCreatedOn),
    OperationId: input.operationId,
    OrganizationId: input.organizationId,
    OrganizationName: input.organizationName,
    OutputParameters: [],
    OwningExtension: input.owningExtension ? wireValue.entityReference(input.owningExtension) : null,
    ParentContext: null,
    PostEntityImages: images(input.postEntityImages),
    PreEntityImages: images(input.preEntityImages),
    PrimaryEntityId: input.primaryEntityId,
    PrimaryEntityName: input.primaryEntityName,
    RequestId: input.requestId ?? null,
    SecondaryEntityName: "none",
    SharedVariables: [],
    Stage: input.stage,
    UserAzureActiveDirectoryObjectId: "00000000-0000-0000-0000-000000000000",
    UserId: input.userId,
  };
}
