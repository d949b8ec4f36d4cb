/**
 * The Dataverse Web API contract: the codes, messages, limits and shapes Microsoft documents, in
 * one place that the client, the emulator and the tests import. Each fact names its source;
 * docs/contracts.md lists them with where they are used. Paths are in MicrosoftDocs/powerapps-docs,
 * under powerapps-docs/developer/data-platform/.
 */

/** The error body every Web API failure carries (webapi/compose-http-requests-handle-errors.md). */
export interface DataverseErrorBody {
  error: { code: string; message: string };
}

/**
 * Service protection limits: 429 Too Many Requests with one of these codes and a Retry-After in
 * seconds (api-limits.md). The messages are the documented ones for the default limits, verbatim
 * (the double space in the second is Microsoft's).
 */
export const SERVICE_PROTECTION = {
  requests: {
    code: "0x80072322",
    message: "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
  },
  executionTime: {
    code: "0x80072321",
    message:
      "Combined execution time of incoming requests exceeded limit of 1,200,000  milliseconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.",
  },
  concurrent: {
    code: "0x80072326",
    message: "Number of concurrent requests exceeded the limit of 52.",
  },
} as const;
export type ServiceProtectionLimit = keyof typeof SERVICE_PROTECTION;
export const SERVICE_PROTECTION_CODES: readonly string[] = Object.values(SERVICE_PROTECTION).map((l) => l.code);

/**
 * 412 Precondition Failed answers carry an empty code; only the message tells a concurrency
 * failure from a duplicate key (webapi/perform-conditional-operations-using-web-api.md).
 */
export const PRECONDITION_FAILED = {
  code: "",
  /** If-Match on an ETag that is no longer current (optimistic concurrency). */
  versionMismatch: "The version of the existing record doesn't match the RowVersion property provided.",
  /** If-None-Match: * on an upsert whose record exists (prevent update). */
  alreadyExists: "A record with matching key values already exists.",
} as const;

/**
 * A duplicate key on create: the documented conditional-operations message, or the alternate-key
 * wording "A record that has the attribute values … already exists" (define-alternate-keys docs).
 * Both say "already exists"; a version mismatch never does.
 */
export function isDuplicateKeyMessage(message: string | undefined): boolean {
  return typeof message === "string" && /already exists/i.test(message);
}

export { MONEY_RANGE, MONEY_MAX_PRECISION } from "./money";

/** Request and response headers the client sends and reads (compose-http-requests-handle-errors.md, api-limits.md). */
export const HEADERS = {
  retryAfter: "Retry-After",
  ifMatch: "If-Match",
  ifNoneMatch: "If-None-Match",
  prefer: "Prefer",
  odataVersion: "OData-Version",
  odataMaxVersion: "OData-MaxVersion",
  etag: "ETag",
  entityId: "OData-EntityId",
} as const;

/**
 * Every top-level key of the RemoteExecutionContext a webhook step posts, in the alphabetical order
 * Microsoft's payloads print them. use-webhooks.md's example has 27 of them; Microsoft's 2024
 * Contact Center page ("Synchronize agent presence status…") shows real payloads with these 30
 * (adding InitiatingUserAgent and the two Azure AD object ids). The parser requires neither set whole.
 */
export const REMOTE_EXECUTION_CONTEXT_KEYS = [
  "BusinessUnitId", "CorrelationId", "Depth", "InitiatingUserAgent", "InitiatingUserAzureActiveDirectoryObjectId",
  "InitiatingUserId", "InputParameters", "IsExecutingOffline", "IsInTransaction", "IsOfflinePlayback", "IsolationMode",
  "MessageName", "Mode", "OperationCreatedOn", "OperationId", "OrganizationId", "OrganizationName", "OutputParameters",
  "OwningExtension", "ParentContext", "PostEntityImages", "PreEntityImages", "PrimaryEntityId", "PrimaryEntityName",
  "RequestId", "SecondaryEntityName", "SharedVariables", "Stage", "UserAzureActiveDirectoryObjectId", "UserId",
] as const;
