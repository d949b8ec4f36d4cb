/**
 * A sync event in a seller's words: what happened ("Sent the new Est. revenue to Microsoft",
 * "Accepted the referral"), the fields by their labels, and values as the seller reads them (dates
 * and amounts in the user's locale, choices by their names), from the rows the engine records.
 */
import { HELP_TYPES } from "../../../sync/schema/dynamics";
import { format, type PanelStrings, type StringKey } from "../strings";
import type { FieldChange, SyncEventView } from "./syncEvents";
import { formatter } from "./formatters";

/**
 * A field by its label (`Field_<name>`: the default mapping's fields and the status rows, listed in
 * stringKeys.ts). A field of an admin's own mapping has none: getString answers an unknown key with
 * the key itself (Power Apps component framework, resources.getString), and the mapping's name shows.
 */
export function fieldLabel(field: string, strings: PanelStrings): string {
  const key = `Field_${field}` as StringKey;
  const label = strings[key];
  return label === key ? field : label;
}

const DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/;

/** A recorded value as the seller reads it: never "null", never in exponent form. */
export function valueText(value: unknown, strings: PanelStrings, locale: string, field?: string, currency?: string | null | false): string {
  if (value === null || value === undefined || value === "") return strings.History_EmptyValue;
  if (field === "visibility" && typeof value === "boolean") return strings[value ? "Visibility_MicrosoftSellers" : "Visibility_Private"];
  if (field === "helpType" && HELP_TYPES.some((h) => h.code === value)) return strings[`Help_${value}` as StringKey];
  // Grouped in the user's locale, a deal value in the record's currency, never rounded, never in exponent form (String(1e21) is "1e+21").
  if (typeof value === "number") {
    const money = field === "dealValue" && currency;
    return formatter(`n${locale}${money || ""}`, () => new Intl.NumberFormat(locale, { maximumFractionDigits: 20, ...(money && { style: "currency", currency: money }) })).format(value);
  }
  if (typeof value === "string" && DATE.test(value)) {
    const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
    // A close date is a day, not an instant: shown as that day wherever the user is.
    if (!Number.isNaN(date.getTime())) return formatter(`d${locale}`, () => new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" })).format(date);
  }
  if (Array.isArray(value)) return value.length === 0 ? strings.History_EmptyValue : value.map((v) => valueText(v, strings, locale)).join(", ");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

type ActionOf<K> = K extends `Action_${infer A}` ? A : never;
type Action = ActionOf<StringKey>;
const STATUS_ACTIONS: Record<string, Action> = { "Active/Accepted": "Accepted", "Closed/Declined": "Declined", "Closed/Won": "WonSent", "Closed/Lost": "LostSent" };

/** What the event did, as a seller would say it. */
export function actionText(event: SyncEventView, strings: PanelStrings): string {
  const say = (action: Action, field?: FieldChange): string => format(strings[`Action_${action}`], field ? fieldLabel(field.field, strings) : "");
  const result = event.result && "name" in event.result ? event.result.name : null;
  if (result === "noChange") return say("Checked");
  if (result === "validationFailed" || result === "rejected") return say("NotSent");
  if (result === "error") return say("Failed");
  const changed = (field: string): FieldChange | undefined => event.changes.find((c) => c.field === field);
  const status = STATUS_ACTIONS[String(changed("referralStatus")?.after)];
  if (status) return say(status);
  const state = changed("opportunityState")?.after;
  if (state === "Won" || state === "Lost") return say(`Closed${state}`);
  const link = changed("referralId");
  const rest = event.changes.filter((c) => c !== link);
  const sent = rest.filter((c) => c.side === "partnerCenter");
  const taken = rest.filter((c) => c.side === "dynamics");
  if (link && link.before == null) return say(sent.length > 0 ? "Shared" : taken.length > 0 ? "Created" : "Linked");
  if (sent.length > 0 && taken.length > 0) return say("Synced");
  if (sent.length > 0) return sent.length === 1 ? say("SentField", sent[0]) : say("Sent");
  if (taken.length > 0) return taken.length === 1 ? say("MicrosoftUpdatedField", taken[0]) : say("MicrosoftUpdated");
  return say("Recorded");
}
