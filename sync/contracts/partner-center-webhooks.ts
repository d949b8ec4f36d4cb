/**
 * Partner Center webhooks: registration API, event names, the delivered payload and its signature
 * headers, as Microsoft publishes them. Sources (docs/contracts.md has the commits):
 * - [SW] partner-center-sdk `rest-swagger-specs/Webhooks.json` (the registration API's swagger);
 * - [WH] `develop/partner-center-webhooks.md` (registration samples, signing, the sample receiver);
 * - [EV] `develop/partner-center-webhook-events.md` (the event catalogue, 2023 edition).
 */

/** Host and path of the registration API [SW host + basePath, WH]. */
export const WEBHOOKS_BASE_URL = "https://api.partnercenter.microsoft.com/webhooks/v1/registration";

/** The referral events a co-sell integration subscribes to [EV; connector-dynamics.md asks for all four]. */
export const REFERRAL_CREATED = "referral-created";
export const REFERRAL_UPDATED = "referral-updated";
export const REFERRAL_EVENTS = [REFERRAL_CREATED, REFERRAL_UPDATED] as const;
/** Changes to the other party's referral in the same engagement [EV 2023]; subscribed when the tenant lists them. */
export const RELATED_REFERRAL_EVENTS = ["related-referral-created", "related-referral-updated"] as const;
/** Test events are delivered only to registrations that include it [WH]. */
export const TEST_EVENT = "test-created";

/** Every event name a registration may list [EV 2023 table and WH's list], spelled as published. */
export const WEBHOOK_EVENTS = [
  TEST_EVENT, "subscription-updated", "usagerecords-thresholdExceeded",
  ...REFERRAL_EVENTS, ...RELATED_REFERRAL_EVENTS, "invoice-ready",
  "granular-admin-relationship-approved", "granular-admin-relationship-activated",
  "granular-admin-relationship-terminated", "granular-admin-relationship-expired",
  "granular-admin-access-assignment-created", "granular-admin-access-assignment-activated",
  "granular-admin-access-assignment-updated", "granular-admin-access-assignment-deleted",
  "reseller-relationship-accepted-by-customer", "dap-admin-relationship-approved",
  "dap-admin-relationship-terminated", "dap-admin-relationship-terminated-by-microsoft",
  "azure-fraud-event-detected", "new-commerce-migration-created", "new-commerce-migration-completed",
  "new-commerce-migration-failed", "new-commerce-migration-schedule-failed",
] as const;

/** Registration answers: POST, PUT and GET are 200 [SW, WH samples]; a second POST is 409 [SW]. */
export const REGISTRATION_STATUS = { ok: 200, alreadyExists: 409 } as const;
export const REGISTRATION_EXISTS_MESSAGE = "Registration already exists, use the PUT method to update a registration.";
/** At most this many test events a minute [WH, EV]; their results are kept 7 days [SW]. */
export const TEST_EVENTS_PER_MINUTE = 2;

/** `WebhookRegistration` [SW, camelCase]; the docs' samples write the same keys PascalCase [WH]. */
export interface WebhookRegistrationBody {
  subscriberId?: string;
  webhookUrl: string;
  webhookEvents: string[];
  signatureTokenToMsSignatureHeader?: boolean;
  properties?: Record<string, string>;
  lastModifiedTimestamp?: string;
}

/** `WebhookResponse` [SW]: one per delivery attempt; `responseCode` is a status name string ("OK" in WH's sample). */
export interface WebhookResponse {
  responseCode: string;
  responseMessage: string;
  systemError: boolean;
  dateTimeUtc: string;
}

/** `WebhookValidationEvent` [SW], the answer to GET …/validationEvents/{correlationId}. */
export interface WebhookValidationEvent {
  correlationId: string;
  partnerId: string;
  status: string;
  callbackUrl: string;
  results: WebhookResponse[];
}

/**
 * The delivered payload's keys [WH samples: PascalCase]. The swagger's `PartnerResourceChangeCallBack`
 * writes them camelCase, and WH's field table says `AuditUrl` where every sample says `AuditUri`.
 */
export const EVENT_KEYS = {
  eventName: "EventName", resourceUri: "ResourceUri", resourceName: "ResourceName",
  auditUri: "AuditUri", resourceChangeUtcDate: "ResourceChangeUtcDate",
} as const;
/** WH's field table name for AuditUri. */
export const AUDIT_URL_ALIAS = "AuditUrl";
/** ResourceName of the four referral events [EV]. */
export const REFERRAL_RESOURCE_NAME = "referral";
/** Referral events name this host and path, not the Referrals API's [EV]: take the id from the last segment. */
export const REFERRAL_RESOURCE_URI_BASE = "https://api.partnercenter.microsoft.com/engagements/v1/referrals";
/** Test events' ResourceUri [EV]. */
export const TEST_RESOURCE_URI_BASE = "https://api.partnercenter.microsoft.com/webhooks/v1/registration/validationEvents";

/** Signature headers on every delivery [WH sample request and sample receiver]; matched case-insensitively. */
export const SIGNATURE_HEADERS = {
  authorization: "Authorization",
  /** Carries the signature instead of Authorization when the registration sets signatureTokenToMsSignatureHeader [WH]. */
  msSignature: "x-ms-signature",
  certificateUrl: "X-MS-Certificate-Url",
  algorithm: "X-MS-Signature-Algorithm",
} as const;
/**
 * The scheme word before the base64 signature, in Authorization and — as Microsoft's sample
 * receiver reads it (`Split(' ')[1]`) — in x-ms-signature too [WH].
 */
export const SIGNATURE_SCHEME = "Signature";
export const SIGNATURE_ALGORITHM = "rsa-sha256";
/** The certificate host of WH's sample request. */
export const DEFAULT_CERTIFICATE_HOSTS = ["3psostorageacct.blob.core.windows.net"];
/** The sample receiver requires the issuer to contain `O=Microsoft Corporation` [WH]. */
export const REQUIRED_ORGANIZATION = "Microsoft Corporation";
/** Delivery attempts before an event goes to the offline queue [WH]. */
export const DELIVERY_ATTEMPTS = 10;

/** `Signature <b64>` as the emulator sends it and the sample receiver expects it. */
export function signatureHeaderValue(base64: string): string {
  return `${SIGNATURE_SCHEME} ${base64}`;
}
