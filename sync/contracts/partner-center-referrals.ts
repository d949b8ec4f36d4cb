/**
 * The Partner Center Referrals API contract: enums, JSON-Patch paths, status codes, headers and
 * error codes, as Microsoft publishes them, in one place that the client, the engine's mapping
 * checker, the emulator and the tests import. Sources (docs/contracts.md has the commits):
 * - [SW]  microsoft/PowerPlatformConnectors `certified-connectors/PartnerCenterReferrals/apiDefinition.swagger.json`;
 * - [SW-old] the same repository's older `connectors/PartnerCenterReferrals/apiDefinition.swagger.json` (SolutionTag);
 * - [RES] MicrosoftDocs/partner-rest `partner-rest/develop/referral-resources.md` (enum tables);
 * - [CREATE] / [GET] / [PATCH] / [HEADERS] / [ERRORS] the create-a-referral, get-a-referral-by-id,
 *   patch-a-referral (pull request #5), headers and error-codes pages of the same repository;
 * - [LEARN-CREATE] Learn's current create-a-referral page (the private deal with minimal information).
 */

export const REFERRALS_BASE_URL = "https://api.partner.microsoft.com/v1.0/engagements/referrals"; // [SW host + basePath]

/* ---------- enums ---------- */

export const REFERRAL_STATUSES = ["None", "New", "Active", "Closed"] as const; // [RES] ReferralStatus
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** [RES] ReferralSubstatus; `Error` is the 2023 addition (the bulk-upload page's "Error reason"). */
export const REFERRAL_SUBSTATUSES = [
  "None", "Pending", "Received", "Accepted", "Won", "Lost", "Declined", "Expired", "Error",
] as const;
export type ReferralSubstatus = (typeof REFERRAL_SUBSTATUSES)[number];

/** [RES, CREATE] the status transition table: what each status may move to, and its substatuses. */
export const STATUS_TRANSITIONS: Record<Exclude<ReferralStatus, "None">, { next: readonly ReferralStatus[]; substatuses: readonly ReferralSubstatus[] }> = {
  New: { next: ["New", "Active", "Closed"], substatuses: ["Pending", "Received"] },
  Active: { next: ["Active", "Closed"], substatuses: ["Accepted"] },
  Closed: { next: ["Closed"], substatuses: ["Won", "Lost", "Declined", "Expired", "Error"] },
};
/** A create that sends no status starts here [LEARN-CREATE sends none]; an outgoing one is answered Active/Accepted [CREATE]. */
export const DEFAULT_NEW_STATUS = { status: "New", substatus: "Pending" } as const;
export const OUTGOING_CREATED_STATUS = { status: "Active", substatus: "Accepted" } as const;

export const REFERRAL_TYPES = ["Independent", "Shared"] as const; // [RES] ReferralType
export type ReferralType = (typeof REFERRAL_TYPES)[number];

export const REFERRAL_QUALIFICATIONS = ["None", "Direct", "MarketingQualified", "SalesQualified"] as const; // [RES]
export type ReferralQualification = (typeof REFERRAL_QUALIFICATIONS)[number];

/** Only in samples and filters (`direction eq 'Incoming'`) [GET, list page]; read-only [SW]. */
export const REFERRAL_DIRECTIONS = ["Incoming", "Outgoing"] as const;
export type ReferralDirection = (typeof REFERRAL_DIRECTIONS)[number];

export const CUSTOMER_SIZES = [
  "1to50employees", "51to500employees", "Morethan500employees", "1to9employees", "10to50employees",
  "51to250employees", "251to1000employees", "1001to5000employees", "5001to10000employees",
  "10001to20000employees", "Morethan20000employees",
] as const; // [RES] Customer Size
export type CustomerSize = (typeof CUSTOMER_SIZES)[number];

/** [SW] `inviteContext.assistanceRequestCode`; `Unknown` is never offered to sellers. */
export const ASSISTANCE_REQUEST_CODES = [
  "WorkloadSpecificValueProposition", "CustomerTechnicalArchitecture", "ProofOfConceptOrDemo",
  "QuotesOrLicensing", "PostSalesCustomerSuccess", "GeneralOrOther", "Unknown",
] as const;
export type AssistanceRequestCode = (typeof ASSISTANCE_REQUEST_CODES)[number];

export const TARGET_TYPES = ["None", "BusinessProfileLocation", "SolutionProfile"] as const; // [RES] TargetType
export type TargetType = (typeof TARGET_TYPES)[number];

/** [SW] `salesStage`. Real referrals also carry a percentage text such as "100", or null: both are stored as sent. */
export const SALES_STAGES = ["Qualify", "Develop", "Propose", "Close"] as const;
export type SalesStage = (typeof SALES_STAGES)[number];

/** [SW-old] SolutionTag.type; [RES] calls it SolutionType. Real referrals use "Name" for GUID ids, and "None" occurs. */
export const SOLUTION_TAG_TYPES = ["None", "Category", "Name"] as const;
export type SolutionTagType = (typeof SOLUTION_TAG_TYPES)[number];

export const CUSTOMER_ID_TYPES = ["Duns", "External"] as const; // [SW-old] CustomerProfileId.profileType
export type CustomerIdType = (typeof CUSTOMER_ID_TYPES)[number];

/**
 * The consent keys as the swagger spells them (`consentToToShareInfoWithOthers` sic) [SW]; Learn's
 * private-deal sample writes the first two PascalCase and adds a fourth no swagger has [LEARN-CREATE].
 * The service binds them case-insensitively; we store and send the camelCase spelling.
 */
export const CONSENT_KEYS = [
  "consentToToShareInfoWithOthers", "consentToContact", "consentToShareReferralWithMicrosoftSellers",
  "consentToMicrosoftToContactSpecificPartners",
] as const;
export type ConsentKey = (typeof CONSENT_KEYS)[number];
/** false makes a private deal: not shared with Microsoft sellers [LEARN-CREATE]. */
export const VISIBILITY_CONSENT: ConsentKey = "consentToShareReferralWithMicrosoftSellers";

/** The consent object with every key in its camelCase spelling; keys it does not know are kept as sent. */
export function normalizeConsent(consent: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(consent)) {
    const known = CONSENT_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
    out[known ?? key] = value;
  }
  return out;
}

/* ---------- solution ids ---------- */

/**
 * A solution id: a marketplace code such as `SOL-15974-MQF` [LEARN-CREATE], or the GUID real
 * referrals carry (with type "Name"). Compared without case or surrounding spaces.
 */
export const SOLUTION_ID_PATTERN = /^(?:SOL-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$/;
export const MAX_SOLUTIONS = 50; // the bulk-upload page: at most 50 solutions a deal

export function isSolutionId(text: string): boolean {
  return SOLUTION_ID_PATTERN.test(text.trim());
}

/** The form two solution ids are compared in. */
export function solutionIdKey(text: string): string {
  return text.trim().toUpperCase();
}

/* ---------- JSON Patch ---------- */

/** [SW] UpdateReferralDetails.op. */
export const PATCH_OPS = ["replace", "add"] as const;
export type PatchOp = (typeof PATCH_OPS)[number];

/** [SW] UpdateReferralDetails.path: the only paths a PATCH may name (`/-` appends to the array). */
export const PATCH_PATHS = [
  "/campaignId", "/consent/consentToShareReferralWithMicrosoftSellers", "/customerProfile/team",
  "/customerProfile/team/-", "/details/closingDateTime", "/details/currency", "/details/dealValue",
  "/details/notes", "/details/requirements/solutions", "/details/requirements/solutions/-",
  "/externalReferenceId", "/referralProgram", "/salesStage", "/status", "/substatus", "/statusReason",
  "/team", "/team/-",
] as const;

export function isPatchPath(pointer: string): boolean {
  return (PATCH_PATHS as readonly string[]).includes(pointer);
}

/**
 * The PATCH path that carries a write at `pointer`: the pointer itself when it is allowed, else
 * its longest allowed ancestor (a contact's e-mail goes as the whole `/customerProfile/team`), else
 * undefined: that field can only be sent when the referral is created.
 */
export function patchPathFor(pointer: string): string | undefined {
  for (let p = pointer; p !== ""; p = p.slice(0, p.lastIndexOf("/"))) {
    if (isPatchPath(p)) return p;
  }
  return undefined;
}

/* ---------- HTTP ---------- */

/** Status codes the service answers with [SW responses; PATCH page for 204 vs. representation]. */
export const STATUS = {
  /** Create answers 200 with the referral [SW CreateReferral], not 201. */
  created: 200,
  ok: 200,
  /** PATCH without `Prefer: return=representation` [PATCH, SW PatchReferralById]. */
  patchedNoContent: 204,
  preconditionFailed: 412,
  tooManyRequests: 429,
  serviceUnavailable: 503,
} as const;

/** Header names [HEADERS, SW parameters, PATCH]; HTTP header names are case-insensitive. */
export const HEADERS = {
  authorization: "Authorization",
  ifMatch: "If-Match",
  etag: "ETag",
  prefer: "Prefer",
  clientRequestId: "client-request-id",
  requestId: "request-id",
  correlationId: "MS-CorrelationId",
  retryAfter: "Retry-After",
} as const;
export const RETURN_REPRESENTATION = "return=representation"; // [PATCH]
/** The bodies PATCH accepts: JSON (the docs' samples) or JSON Patch's own type. */
export const PATCH_CONTENT_TYPES = ["application/json", "application/json-patch+json"] as const;

/** `{error: {code, message, target, innerError}}` [ERRORS]. */
export interface ReferralsErrorBody {
  error: { code: string; message: string; target?: string; innerError?: { code: string; message: string } };
}

/** [ERRORS] the documented `error.code` values (its own sample also shows "unAuthorized"). */
export const ERROR_CODES = {
  accessDenied: "accessDenied",
  generalException: "generalException",
  invalidRequest: "invalidRequest",
  itemNotFound: "itemNotFound",
  preconditionFailed: "preconditionFailed",
  /** "usually an eTag mismatch". */
  resourceModified: "resourceModified",
  serviceNotAvailable: "serviceNotAvailable",
  unauthenticated: "unauthenticated",
  unAuthorized: "unAuthorized",
} as const;
export type ReferralsErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];
/** "message … at most 1024 characters" [ERRORS]. */
export const MAX_ERROR_MESSAGE_LENGTH = 1024;
