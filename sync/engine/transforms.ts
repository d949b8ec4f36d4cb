/**
 * Value transforms between a Dataverse column and a referral field.
 *
 * Every mapped value passes through a canonical form that both sides can hold (a trimmed string, a
 * rounded number, a `YYYY-MM-DD` date, an ISO-2 code, a list of IDs). The snapshot stores canonical
 * values, so "did this side change?" never depends on how a side happens to format a value, and
 * writing a canonical value to a side and reading it back gives the same canonical value.
 */
import { solutionIdKey, SOLUTION_ID_PATTERN } from "../contracts/partner-center-referrals";
import { HELP_TYPES, REFERRAL_VISIBILITY } from "../schema/dynamics";
import { amountProblem } from "./amounts";
import {
  ASSISTANCE_REQUEST_CODES, CUSTOMER_SIZES, SALES_STAGES, type SolutionTag,
} from "../schema/referral";
import { countryToIso2 } from "./countries";
import { isIsoCurrency } from "./currencies";
import { parseDateOnly, parseSolutionIds, solutionIdsOf } from "./validation";

export type Canonical = string | number | boolean | null | readonly string[];

/** What a referral field holds, as far as choosing a transform goes. */
export type FieldKind =
  | "text" | "decimal" | "currency" | "dateTime" | "country" | "solutions" | "boolean"
  | "assistanceRequestCode" | "customerSize" | "salesStage" | "status";

/** Allowed values of the enum-like kinds. */
export const KIND_VALUES: Partial<Record<FieldKind, readonly string[]>> = {
  assistanceRequestCode: ASSISTANCE_REQUEST_CODES,
  customerSize: CUSTOMER_SIZES,
  salesStage: SALES_STAGES,
};

export interface BoundTransform {
  readonly type: string;
  fromDynamics(value: unknown): Canonical;
  fromReferral(value: unknown): Canonical;
  toReferral(value: Canonical): unknown;
  /** Absent for one-way transforms (their field may only flow to Partner Center). */
  toDynamics?(value: Canonical): unknown;
  /**
   * Why a raw value cannot be carried across as it is (out of range, more decimals than kept), or
   * undefined. Such a value is refused with this reason, never silently rounded or clipped.
   */
  refuse?(value: unknown): string | undefined;
}

export interface TransformDefinition {
  readonly type: string;
  readonly description: string;
  readonly kinds: readonly FieldKind[];
  /** Problems with the transform's own parameters (messages only; the caller adds the path). */
  checkParams?(params: Record<string, unknown>, kind: FieldKind): string[];
  bind(params: Record<string, unknown>, kind: FieldKind): BoundTransform;
}

export function canonicalEqual(a: Canonical, b: Canonical): boolean {
  if (a === b) return true;
  // Only two lists of IDs can be equal without being identical.
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Printable ASCII other than space: a string that starts and ends with one has nothing to trim. */
const solid = (code: number): boolean => code > 32 && code < 127;

const text = (v: unknown): string | null => {
  if (typeof v !== "string") return typeof v === "number" ? String(v) : null;
  if (v.length > 0 && solid(v.charCodeAt(0)) && solid(v.charCodeAt(v.length - 1))) return v;
  const t = v.trim();
  return t === "" ? null : t;
};
const oneOf = (v: unknown, values: readonly string[]): string | null =>
  typeof v === "string" && values.includes(v) ? v : null;
const asString = (c: Canonical): string | null => (typeof c === "string" ? c : null);

/** Plain text, trimmed; empty counts as no value. On an enum field only the enum's values pass. */
const textTransform: TransformDefinition = {
  type: "text",
  description: "text as is (trimmed)",
  kinds: ["text", "assistanceRequestCode", "customerSize", "salesStage"],
  bind(_params, kind) {
    const values = KIND_VALUES[kind];
    const read = values ? (v: unknown) => oneOf(text(v), values) : text;
    return { type: "text", fromDynamics: read, fromReferral: read, toReferral: asString, toDynamics: asString };
  },
};

const booleanTransform: TransformDefinition = {
  type: "boolean",
  description: "yes/no",
  kinds: ["boolean"],
  bind() {
    const read = (v: unknown): Canonical => (typeof v === "boolean" ? v : null);
    const write = (c: Canonical): boolean | null => (typeof c === "boolean" ? c : null);
    return { type: "boolean", fromDynamics: read, fromReferral: read, toReferral: write, toDynamics: write };
  },
};

/**
 * Referral visibility choice ↔ `consent.consentToShareReferralWithMicrosoftSellers`. No value on
 * either side means visible: every deal was shared before the choice existed.
 */
const referralVisibilityTransform: TransformDefinition = {
  type: "referralVisibility",
  description: "referral visibility choice ↔ shared with Microsoft sellers (yes/no)",
  kinds: ["boolean"],
  bind() {
    return {
      type: "referralVisibility",
      fromDynamics: (v) => v !== REFERRAL_VISIBILITY.Private,
      fromReferral: (v) => v !== false,
      toReferral: (c) => c !== false,
      toDynamics: (c) => (c === false ? REFERRAL_VISIBILITY.Private : REFERRAL_VISIBILITY.MicrosoftSellers),
    };
  },
};

/** Money / decimal, rounded to `scale` places (Dataverse money keeps 2 by default). */
const decimalTransform: TransformDefinition = {
  type: "decimal",
  description: "decimal or money, rounded to `scale` places (default 2)",
  kinds: ["decimal"],
  checkParams(params) {
    const scale = params.scale;
    return scale === undefined || (Number.isInteger(scale) && (scale as number) >= 0 && (scale as number) <= 10)
      ? []
      : ["scale must be a whole number from 0 to 10."];
  },
  bind(params) {
    const scale = (params.scale as number | undefined) ?? 2;
    const factor = 10 ** scale;
    // Rounding only makes float noise compare equal (0.1 + 0.2); a value with real extra decimals is refused.
    const read = (v: unknown): Canonical =>
      typeof v === "number" && Number.isFinite(v) ? Math.round(v * factor) / factor : null;
    const write = (c: Canonical): number | null => (typeof c === "number" ? c : null);
    return { type: "decimal", fromDynamics: read, fromReferral: read, toReferral: write, toDynamics: write, refuse: (v) => amountProblem(v, scale) };
  },
};

const two = (n: number): string => (n < 10 ? "0" : "") + n;
const dayText = (y: number, m: number, d: number): string => `${String(y).padStart(4, "0")}-${two(m)}-${two(d)}`;

/**
 * The UTC calendar day of an instant, as `YYYY-MM-DD` (what `toISOString().slice(0, 10)` gives),
 * worked out arithmetically (days → civil date) instead of through a Date and a 24-character string.
 */
export function utcDayOf(ms: number): string {
  const days = Math.floor(ms / 86_400_000) + 719_468; // days since 0000-03-01
  const era = Math.floor(days / 146_097);
  const dayOfEra = days - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153); // months since March
  const d = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const m = shifted < 10 ? shifted + 3 : shifted - 9;
  const y = yearOfEra + era * 400 + (m <= 2 ? 1 : 0);
  // Years past 9999 or before 0 are written in ISO's expanded form; leave those to Date.
  return y >= 0 && y <= 9999 ? dayText(y, m, d) : new Date(ms).toISOString().slice(0, 10);
}

/** Dataverse date-only `YYYY-MM-DD` ↔ UTC date-time; the canonical form is the UTC calendar day. */
const utcDateTransform: TransformDefinition = {
  type: "utcDate",
  description: "date-only column ↔ UTC date-time (compared by UTC day)",
  kinds: ["dateTime"],
  bind() {
    const fromDay = (v: unknown): Canonical => {
      const d = typeof v === "string" ? parseDateOnly(v) : undefined;
      if (!d) return null;
      // Usually the column already holds the canonical text: keep it rather than build a copy.
      return (v as string).length === 10 ? (v as string) : dayText(d.y, d.m, d.d);
    };
    const fromInstant = (v: unknown): Canonical => {
      if (typeof v !== "string") return null;
      const ms = Date.parse(v);
      return Number.isNaN(ms) ? null : utcDayOf(ms);
    };
    return {
      type: "utcDate",
      fromDynamics: fromDay,
      fromReferral: fromInstant,
      toReferral: (c) => (typeof c === "string" ? `${c}T00:00:00Z` : null),
      toDynamics: asString,
    };
  },
};

/** A country name or code on the account ↔ ISO 3166-1 alpha-2 on the referral. */
const isoCountryTransform: TransformDefinition = {
  type: "isoCountry",
  description: "country name or code ↔ ISO 3166-1 alpha-2",
  kinds: ["country"],
  bind() {
    const read = (v: unknown): Canonical => (typeof v === "string" ? countryToIso2(v) ?? null : null);
    return { type: "isoCountry", fromDynamics: read, fromReferral: read, toReferral: asString, toDynamics: asString };
  },
};

/** The transaction currency's ISO code; Dynamics keeps currency as a record, so it only flows out. */
const currencyCodeTransform: TransformDefinition = {
  type: "currencyCode",
  description: "ISO 4217 code (to Partner Center only)",
  kinds: ["currency"],
  bind() {
    const read = (v: unknown): Canonical => {
      const code = typeof v === "string" ? v.trim().toUpperCase() : "";
      return isIsoCurrency(code) ? code : null;
    };
    return { type: "currencyCode", fromDynamics: read, fromReferral: read, toReferral: asString };
  },
};

/** The string ids of a `solutions[]` list (entries without one are skipped). */
function idsOfTags(tags: readonly SolutionTag[]): string[] {
  const ids: string[] = [];
  for (const tag of tags) if (tag && typeof tag.id === "string") ids.push(tag.id);
  return ids;
}

/**
 * Solution ids compare without case (a GUID comes back in either case): SOL- codes and GUIDs are
 * held in one case, so a case-only difference is no change on either side.
 */
function canonicalSolutionIds(ids: string[]): string[] {
  for (let i = 0; i < ids.length; i++) {
    if (SOLUTION_ID_PATTERN.test(ids[i])) {
      const key = solutionIdKey(ids[i]);
      ids[i] = key.startsWith("SOL-") ? key : key.toLowerCase();
    }
  }
  return ids;
}

/** `;`-separated solution IDs ↔ `details.requirements.solutions[]` (D.5). */
const solutionIdsTransform: TransformDefinition = {
  type: "solutionIds",
  description: "solution-ID list ↔ solutions[] of type Name",
  kinds: ["solutions"],
  bind() {
    return {
      type: "solutionIds",
      fromDynamics: (v) => canonicalSolutionIds(parseSolutionIds(typeof v === "string" ? v : null)),
      fromReferral: (v) => canonicalSolutionIds(solutionIdsOf(Array.isArray(v) ? idsOfTags(v as SolutionTag[]) : [])),
      toReferral: (c) => (Array.isArray(c) ? c.map((id): SolutionTag => ({ id, type: "Name" })) : []),
      toDynamics: (c) => (Array.isArray(c) && c.length > 0 ? c.join("; ") : null),
    };
  },
};

/** "How can Microsoft help?" choice ↔ `assistanceRequestCode` (D.4). */
const helpTypeTransform: TransformDefinition = {
  type: "helpType",
  description: "help-type choice ↔ assistanceRequestCode",
  kinds: ["assistanceRequestCode"],
  bind() {
    const codeOf = new Map<unknown, string>(HELP_TYPES.map((h) => [h.value, h.code]));
    const valueOf = new Map<unknown, number>(HELP_TYPES.map((h) => [h.code, h.value]));
    return {
      type: "helpType",
      fromDynamics: (v) => codeOf.get(v) ?? null,
      fromReferral: (v) => (valueOf.has(v) ? (v as string) : null),
      toReferral: asString,
      toDynamics: (c) => valueOf.get(c) ?? null,
    };
  },
};

/** A choice column ↔ text: `values` maps each choice value to the referral's text. */
const choiceTransform: TransformDefinition = {
  type: "choice",
  description: "choice value map: { values: { \"<choice value>\": \"<referral value>\" } }",
  kinds: ["text", "assistanceRequestCode", "customerSize", "salesStage"],
  checkParams(params, kind) {
    const values = params.values;
    if (values == null || typeof values !== "object" || Array.isArray(values) || Object.keys(values).length === 0) {
      return ["a choice transform needs values: an object mapping each choice value to a referral value."];
    }
    const problems: string[] = [];
    const seen = new Set<unknown>();
    const allowed = KIND_VALUES[kind];
    for (const [key, target] of Object.entries(values as Record<string, unknown>)) {
      if (!/^-?\d+$/.test(key)) problems.push(`values key "${key}" is not a whole-number choice value.`);
      if (typeof target !== "string") problems.push(`values["${key}"] must be text.`);
      else if (allowed && !allowed.includes(target)) problems.push(`values["${key}"] = "${target}" is not one of ${allowed.join(", ")}.`);
      if (seen.has(target)) problems.push(`values maps more than one choice to "${String(target)}", so it cannot be read back.`);
      seen.add(target);
    }
    return problems;
  },
  bind(params) {
    const values = params.values as Record<string, string>;
    const reverse = new Map(Object.entries(values).map(([k, v]) => [v, Number(k)]));
    return {
      type: "choice",
      fromDynamics: (v) => (typeof v === "number" ? values[String(v)] ?? null : null),
      fromReferral: (v) => (typeof v === "string" && reverse.has(v) ? v : null),
      toReferral: asString,
      toDynamics: (c) => (typeof c === "string" ? reverse.get(c) ?? null : null),
    };
  },
};

/** Employee count → the finest size bucket Partner Center offers; one-way (a bucket is not a count). */
const SIZE_BUCKETS: ReadonlyArray<[number, string]> = [
  [9, "1to9employees"], [50, "10to50employees"], [250, "51to250employees"], [1000, "251to1000employees"],
  [5000, "1001to5000employees"], [10000, "5001to10000employees"], [20000, "10001to20000employees"],
  [Infinity, "Morethan20000employees"],
];
const employeeSizeTransform: TransformDefinition = {
  type: "employeeCountToSize",
  description: "number of employees → customer size bucket (to Partner Center only)",
  kinds: ["customerSize"],
  bind() {
    return {
      type: "employeeCountToSize",
      fromDynamics: (v) =>
        typeof v === "number" && v >= 1 ? SIZE_BUCKETS.find(([max]) => v <= max)![1] : null,
      fromReferral: (v) => oneOf(v, CUSTOMER_SIZES),
      toReferral: asString,
    };
  },
};

/**
 * Opportunity state ↔ referral status/substatus. Its values follow the status rules (D.6) in
 * status.ts, not the generic field merge; listing it in the mapping turns status sync on.
 */
const dealStatusTransform: TransformDefinition = {
  type: "dealStatus",
  description: "opportunity state ↔ referral status/substatus (rules of D.6)",
  kinds: ["status"],
  bind() {
    const none = (): Canonical => null;
    return { type: "dealStatus", fromDynamics: none, fromReferral: none, toReferral: none, toDynamics: none };
  },
};

export const TRANSFORMS: ReadonlyMap<string, TransformDefinition> = new Map(
  [
    textTransform, booleanTransform, referralVisibilityTransform, decimalTransform, utcDateTransform, isoCountryTransform, currencyCodeTransform,
    solutionIdsTransform, helpTypeTransform, choiceTransform, employeeSizeTransform, dealStatusTransform,
  ].map((t) => [t.type, t]),
);
