/**
 * The webhook payload (sync/contracts/partner-center-webhooks.ts) and what we derive from it (D.7):
 * the referral id from the last path segment of ResourceUri, and a de-duplication key.
 */
import { AUDIT_URL_ALIAS, EVENT_KEYS, REFERRAL_RESOURCE_NAME } from "../contracts/partner-center-webhooks";

export { REFERRAL_EVENTS, RELATED_REFERRAL_EVENTS } from "../contracts/partner-center-webhooks";

export interface PartnerCenterEvent {
  eventName: string;
  resourceUri: string;
  resourceName: string;
  auditUri?: string | null;
  resourceChangeUtcDate: string;
  /** Last path segment of ResourceUri. */
  resourceId: string;
  /** Set for referral events (ResourceName "referral"): GET it from the Referrals API. */
  referralId?: string;
  /** (resource id, ResourceChangeUtcDate): the same change delivered twice has the same key. */
  dedupeKey: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Reads PascalCase (documented samples) or camelCase (swagger callback model) field names. */
function field(body: Record<string, unknown>, pascal: string): unknown {
  const camel = pascal[0].toLowerCase() + pascal.slice(1);
  return body[pascal] ?? body[camel];
}

function requiredString(body: Record<string, unknown>, name: string): ParseResult<string> {
  const v = field(body, name);
  if (typeof v !== "string" || v.trim() === "") return { ok: false, reason: `payload field ${name} is missing or not a string` };
  return { ok: true, value: v.trim() };
}

export function parsePartnerCenterEvent(text: string): ParseResult<PartnerCenterEvent> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `payload is not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return { ok: false, reason: "payload is not a JSON object" };
  const body = raw as Record<string, unknown>;

  const eventName = requiredString(body, EVENT_KEYS.eventName);
  if (!eventName.ok) return eventName;
  const resourceUri = requiredString(body, EVENT_KEYS.resourceUri);
  if (!resourceUri.ok) return resourceUri;
  const resourceName = requiredString(body, EVENT_KEYS.resourceName);
  if (!resourceName.ok) return resourceName;
  const changed = requiredString(body, EVENT_KEYS.resourceChangeUtcDate);
  if (!changed.ok) return changed;

  if (!/^[a-z]+(?:-[a-z]+)*$/i.test(eventName.value)) return { ok: false, reason: `EventName "${eventName.value}" is not {resource}-{action}` };
  let uri: URL;
  try {
    uri = new URL(resourceUri.value);
  } catch {
    return { ok: false, reason: `ResourceUri "${resourceUri.value}" is not an absolute URL` };
  }
  const resourceId = decodeURIComponent(uri.pathname.split("/").filter(Boolean).pop() ?? "");
  if (!resourceId) return { ok: false, reason: `ResourceUri "${resourceUri.value}" has no resource id` };
  if (Number.isNaN(Date.parse(changed.value))) return { ok: false, reason: `ResourceChangeUtcDate "${changed.value}" is not a date` };

  const audit = field(body, EVENT_KEYS.auditUri) ?? field(body, AUDIT_URL_ALIAS);
  const isReferral = resourceName.value.toLowerCase() === REFERRAL_RESOURCE_NAME;
  return {
    ok: true,
    value: {
      eventName: eventName.value,
      resourceUri: resourceUri.value,
      resourceName: resourceName.value,
      auditUri: typeof audit === "string" ? audit : null,
      resourceChangeUtcDate: changed.value,
      resourceId,
      referralId: isReferral ? resourceId : undefined,
      dedupeKey: `${resourceId}|${changed.value}`,
    },
  };
}
