/**
 * What the emulated Referrals API accepts: the enums, status/substatus pairs and transitions of
 * sync/contracts/partner-center-referrals.ts, and our choices where the docs are silent — each in
 * one place. Nothing here is stricter than Microsoft's own samples: every documented request and
 * response body passes (test/contracts).
 */
import {
  ASSISTANCE_REQUEST_CODES, CUSTOMER_ID_TYPES, CUSTOMER_SIZES, ERROR_CODES, MAX_SOLUTIONS, REFERRAL_DIRECTIONS,
  REFERRAL_QUALIFICATIONS, REFERRAL_STATUSES, REFERRAL_SUBSTATUSES, REFERRAL_TYPES, SOLUTION_TAG_TYPES, STATUS,
  STATUS_TRANSITIONS, TARGET_TYPES, isSolutionId,
  type ReferralStatus, type ReferralSubstatus,
} from "../../sync/contracts/partner-center-referrals";
import type { Referral } from "../../sync/schema/referral";

/** A 4xx the emulator answers, in the Referrals API error shape. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly target?: string) {
    super(message);
    this.name = "ApiError";
  }
}

const invalid = (target: string, message: string) => new ApiError(400, ERROR_CODES.invalidRequest, message, target);

/** Our choice (brief): an edit of a closed referral is a 400 invalidRequest naming `status`. */
export function terminalEditError(id: string, substatus: string): ApiError {
  return invalid("status", `Referral ${id} is Closed/${substatus}; closed referrals accept no edits`);
}

/** The swagger marks If-Match required on PUT: without it, a 412 preconditionFailed (a documented code). */
export function missingIfMatchError(): ApiError {
  return new ApiError(STATUS.preconditionFailed, ERROR_CODES.preconditionFailed, "The If-Match header is required to update a referral with PUT", "If-Match");
}

/** Substatuses that need a `statusReason` (the CSV's "Declined/Lost/Error reason" column). */
const NEEDS_REASON: readonly ReferralSubstatus[] = ["Lost", "Declined", "Error"];

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });
const currencies = new Set(Intl.supportedValuesOf("currency"));

function isCountryCode(v: unknown): boolean {
  if (typeof v !== "string" || !/^[A-Z]{2}$/.test(v)) return false;
  const name = regionNames.of(v);
  return !!name && name !== v && name !== "Unknown Region";
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

function enumValue(value: unknown, allowed: readonly string[], target: string, required = false): void {
  if (value === undefined || value === null) {
    if (required) throw invalid(target, `${target} is required (one of ${allowed.join(", ")})`);
    return;
  }
  if (typeof value !== "string" || !allowed.includes(value)) {
    throw invalid(target, `${JSON.stringify(value)} is not a valid ${target} (one of ${allowed.join(", ")})`);
  }
}

function text(value: unknown, target: string, required = false): void {
  if (value === undefined || value === null) {
    if (required) throw invalid(target, `${target} is required`);
    return;
  }
  if (typeof value !== "string") throw invalid(target, `${target} must be a string`);
  if (required && value.trim() === "") throw invalid(target, `${target} must not be empty`);
}

function array(value: unknown, target: string, max?: number): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(target, `${target} must be an array`);
  if (max !== undefined && value.length > max) throw invalid(target, `${target} holds ${value.length} items; at most ${max} are allowed`);
  return value;
}

function date(value: unknown, target: string): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "string" || Number.isNaN(Date.parse(value))) throw invalid(target, `${target} must be an ISO 8601 date-time`);
}

function hasContact(member: unknown): boolean {
  if (!isObj(member)) return false;
  const named = [member.firstName, member.lastName].some((v) => typeof v === "string" && v.trim() !== "");
  const reachable = [member.email, member.phoneNumber].some((v) => typeof v === "string" && v.trim() !== "");
  return named && reachable;
}

/** Validates a whole referral as it would be stored (after a POST, PUT or PATCH). */
export function validateReferral(r: Obj): void {
  text(r.name, "name", true);
  if (typeof r.name === "string" && r.name.length > 255) throw invalid("name", "name is longer than 255 characters");
  text(r.externalReferenceId, "externalReferenceId");
  enumValue(r.type, REFERRAL_TYPES, "type", true);
  enumValue(r.qualification, REFERRAL_QUALIFICATIONS, "qualification", true);
  enumValue(r.direction, REFERRAL_DIRECTIONS, "direction");
  enumValue(r.status, REFERRAL_STATUSES, "status", true);
  enumValue(r.substatus, REFERRAL_SUBSTATUSES, "substatus", true);
  const allowed = STATUS_TRANSITIONS[r.status as Exclude<ReferralStatus, "None">]?.substatuses;
  if (!allowed) throw invalid("status", `status ${String(r.status)} cannot be set`);
  if (!allowed.includes(r.substatus as ReferralSubstatus)) {
    throw invalid("substatus", `substatus ${String(r.substatus)} is not allowed with status ${String(r.status)} (allowed: ${allowed.join(", ")})`);
  }
  if (NEEDS_REASON.includes(r.substatus as ReferralSubstatus)) text(r.statusReason, "statusReason", true);
  // The swagger's stages or a percentage text ("100"), as real referrals carry: any text.
  text(r.salesStage, "salesStage");

  if (!isObj(r.customerProfile)) throw invalid("customerProfile", "customerProfile is required");
  const cp = r.customerProfile;
  text(cp.name, "customerProfile.name", true);
  if (!isObj(cp.address)) throw invalid("customerProfile.address", "customerProfile.address is required");
  if (!isCountryCode(cp.address.country)) {
    throw invalid("customerProfile.address.country", `customerProfile.address.country must be an ISO 3166-1 alpha-2 code such as US (got ${JSON.stringify(cp.address.country)})`);
  }
  if (cp.size !== "") enumValue(cp.size, CUSTOMER_SIZES, "customerProfile.size"); // real referrals carry "" too
  array(cp.team, "customerProfile.team", 50);
  array(cp.ids, "customerProfile.ids").forEach((id, i) => {
    if (!isObj(id)) throw invalid(`customerProfile.ids[${i}]`, "must be an object");
    enumValue(id.profileType, CUSTOMER_ID_TYPES, `customerProfile.ids[${i}].profileType`, true);
  });

  if (!isObj(r.details)) throw invalid("details", "details is required");
  const d = r.details;
  if (d.dealValue !== undefined && d.dealValue !== null && (typeof d.dealValue !== "number" || !Number.isFinite(d.dealValue) || d.dealValue < 0)) {
    throw invalid("details.dealValue", "details.dealValue must be a number ≥ 0");
  }
  if (d.currency !== undefined && d.currency !== null && (typeof d.currency !== "string" || !currencies.has(d.currency))) {
    throw invalid("details.currency", `details.currency must be an ISO 4217 code (got ${JSON.stringify(d.currency)})`);
  }
  date(d.closingDateTime, "details.closingDateTime");
  const req = d.requirements === undefined || d.requirements === null ? {} : d.requirements;
  if (!isObj(req)) throw invalid("details.requirements", "details.requirements must be an object");
  const solutions = array(req.solutions, "details.requirements.solutions", MAX_SOLUTIONS);
  solutions.forEach((s, i) => {
    const target = `details.requirements.solutions[${i}]`;
    if (!isObj(s)) throw invalid(target, `${target} must be an object`);
    // The list sample's solutions carry no type at all.
    enumValue(s.type, SOLUTION_TAG_TYPES, `${target}.type`);
    text(s.id, `${target}.id`, true);
    if (s.type === "Name" && !isSolutionId(String(s.id))) throw invalid(`${target}.id`, `${String(s.id)} is not a solution id (SOL-… or a GUID)`);
  });

  array(r.team, "team", 50);
  array(r.target, "target").forEach((t, i) => {
    if (!isObj(t)) throw invalid(`target[${i}]`, "must be an object");
    enumValue(t.type, TARGET_TYPES, `target[${i}].type`, true);
  });
  if (r.inviteContext !== undefined && r.inviteContext !== null) {
    if (!isObj(r.inviteContext)) throw invalid("inviteContext", "inviteContext must be an object");
    enumValue(r.inviteContext.assistanceRequestCode, ASSISTANCE_REQUEST_CODES, "inviteContext.assistanceRequestCode");
  }

  // Co-sell (help requested and shared with Microsoft sellers) needs a solution and a customer contact (D.4, D.5).
  const consent = isObj(r.consent) ? r.consent : {};
  const code = isObj(r.inviteContext) ? r.inviteContext.assistanceRequestCode : undefined;
  if (r.direction !== "Incoming" && consent.consentToShareReferralWithMicrosoftSellers === true && typeof code === "string" && code !== "Unknown") {
    if (solutions.length === 0) throw invalid("details.requirements.solutions", "a co-sell referral needs at least one solution");
    if (!array(cp.team, "customerProfile.team").some(hasContact)) {
      throw invalid("customerProfile.team", "a co-sell referral needs a customer contact (name and email or phone)");
    }
  }
}

/** §2.3 transitions; a closed referral accepts no edit at all. */
export function checkTransition(before: Referral, after: Obj): void {
  if (before.status === "Closed") throw terminalEditError(before.id, before.substatus);
  const next = after.status as ReferralStatus;
  const transition = STATUS_TRANSITIONS[before.status as Exclude<ReferralStatus, "None">];
  if (!transition || !transition.next.includes(next)) {
    throw invalid("status", `status cannot change from ${before.status} to ${String(next)}`);
  }
}

/** Fields the service assigns; writes to them are ignored on PUT and refused on PATCH. */
export const SERVER_FIELDS = [
  "id", "engagementId", "organizationId", "organizationName", "createdDateTime", "updatedDateTime",
  "acceptedDateTime", "direction", "links", "eTag", "expirationDateTime",
] as const;
