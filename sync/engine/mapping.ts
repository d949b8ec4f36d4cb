/**
 * The field mapping is data: a JSON document listing each Dataverse column ↔ referral field, its
 * direction, transform and conflict policy. `loadMapping` checks it against a JSON Schema and then
 * against what the engine knows, and reports every problem at once.
 */
import Ajv, { type ErrorObject } from "ajv";
import { PATCH_PATHS, patchPathFor } from "../contracts/partner-center-referrals";
import defaultDocument from "./default-mapping.json";
import {
  parseColumnPath, parseReferralPath, pathPattern, toPointer, type ColumnRef, type PathSegment,
} from "./paths";
import { registerLayout, type SnapshotLayout } from "./snapshot";
import { TRANSFORMS, type BoundTransform, type FieldKind } from "./transforms";

export const DIRECTIONS = ["both", "toPartnerCenter", "toDynamics"] as const;
export type FieldDirection = (typeof DIRECTIONS)[number];
export const CONFLICT_POLICIES = ["dynamicsWins", "partnerCenterWins", "newestWins"] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];
/**
 * When a field goes to Partner Center: on every change, or only in the create (the referral's
 * PATCH takes only the swagger's paths, so `name`, the customer's profile and the help type can
 * only be set when the referral is made).
 */
export const SEND_ON = ["always", "create"] as const;
export type SendOn = (typeof SEND_ON)[number];

/** Referral fields a mapping may name (indexes written as `[]`), with what they hold. */
export const REFERRAL_FIELDS: Readonly<Record<string, FieldKind>> = {
  name: "text",
  status: "status",
  campaignId: "text",
  favorite: "boolean",
  salesStage: "salesStage",
  partnerRole: "text",
  solutionArea: "text",
  solutionPlay: "text",
  "details.notes": "text",
  "details.dealValue": "decimal",
  "details.currency": "currency",
  "details.closingDateTime": "dateTime",
  "details.requirements.solutions": "solutions",
  "details.customerAction": "text",
  "details.customerRequestedContact": "boolean",
  "customerProfile.name": "text",
  "customerProfile.size": "customerSize",
  "customerProfile.address.addressLine1": "text",
  "customerProfile.address.addressLine2": "text",
  "customerProfile.address.city": "text",
  "customerProfile.address.state": "text",
  "customerProfile.address.postalCode": "text",
  "customerProfile.address.region": "text",
  "customerProfile.address.country": "country",
  "customerProfile.team[].firstName": "text",
  "customerProfile.team[].lastName": "text",
  "customerProfile.team[].email": "text",
  "customerProfile.team[].phoneNumber": "text",
  "team[].firstName": "text",
  "team[].lastName": "text",
  "team[].email": "text",
  "team[].phoneNumber": "text",
  "inviteContext.notes": "text",
  "inviteContext.assistanceRequestCode": "assistanceRequestCode",
  "consent.consentToToShareInfoWithOthers": "boolean",
  "consent.consentToContact": "boolean",
  "consent.consentToMicrosoftToContactSpecificPartners": "boolean",
  referralProgram: "text",
  "trackingInfo.microsoftMsxId": "text",
  "consent.consentToShareReferralWithMicrosoftSellers": "boolean",
};

/** Partner Center allows at most 50 team members per deal (partner-center.md §2.2). */
const MAX_TEAM_INDEX = 49;

export interface MappedField {
  name: string;
  /** As written: `account.address1_country`. */
  column: string;
  columnRef: ColumnRef;
  /** As written: `customerProfile.team[0].email`. */
  referralPath: string;
  segments: PathSegment[];
  /** JSON pointer of the referral field, for JSON Patch. */
  pointer: string;
  kind: FieldKind;
  direction: FieldDirection;
  policy: ConflictPolicy;
  /** "create": sent in the new referral only; later Dynamics edits stay in Dynamics. */
  sendOn: SendOn;
  transform: BoundTransform;
  /**
   * A referral field can be split between two columns: one the seller writes, sent to Partner
   * Center, and one filled from Partner Center, read-only (Notes for / from Microsoft). The inbound
   * half points at its outbound twin, whose value coming back is our own text, not Microsoft's.
   */
  outboundTwin?: MappedField;
  /** On the outbound half: its inbound twin (a new deal from Partner Center fills only that one). */
  inboundTwin?: MappedField;
}

export interface Mapping {
  version: 1;
  /** In document order, status field excluded. */
  fields: MappedField[];
  /** The `dealStatus` field when status sync is on. */
  status: MappedField | null;
  /** The field names in the order snapshots store them (registered, so snapshots are stored compactly). */
  layout: SnapshotLayout;
  /** For each of `fields`, its position in `layout`. */
  slots: number[];
  /** What the document allows but an admin should reconsider (the checker prints them). */
  warnings: MappingProblem[];
}

export interface MappingProblem {
  /** Where in the document: `$.fields[3].transform`. */
  path: string;
  message: string;
}

export class MappingError extends Error {
  readonly problems: MappingProblem[];
  constructor(problems: MappingProblem[]) {
    super(
      `The field mapping has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  ${p.path}: ${p.message}`).join("\n"),
    );
    this.name = "MappingError";
    this.problems = problems;
  }
}

const SCHEMA = {
  type: "object",
  required: ["version", "fields"],
  additionalProperties: false,
  properties: {
    $schema: { type: "string" },
    version: { const: 1 },
    description: { type: "string" },
    fields: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["name", "column", "referralPath", "direction", "transform", "policy"],
        additionalProperties: false,
        properties: {
          name: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_.-]*$", maxLength: 100 },
          description: { type: "string" },
          column: { type: "string", minLength: 1 },
          referralPath: { type: "string", minLength: 1 },
          direction: { enum: [...DIRECTIONS] },
          policy: { enum: [...CONFLICT_POLICIES] },
          sendOn: { enum: [...SEND_ON] },
          transform: {
            oneOf: [
              { type: "string", minLength: 1 },
              { type: "object", required: ["type"], properties: { type: { type: "string", minLength: 1 } } },
            ],
          },
        },
      },
    },
  },
} as const;

let validateSchema: ReturnType<Ajv["compile"]> | undefined;

/** `/fields/3/transform` → `$.fields[3].transform`. */
function pointerToPath(pointer: string): string {
  return "$" + pointer.split("/").slice(1).map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s.replace(/~1/g, "/").replace(/~0/g, "~")}`)).join("");
}

function schemaProblems(errors: ErrorObject[]): MappingProblem[] {
  const problems: MappingProblem[] = [];
  for (const e of errors) {
    // oneOf reports each branch and then itself; the summary line is enough.
    if (e.instancePath.endsWith("/transform") && e.keyword !== "oneOf") continue;
    let message: string;
    let path = e.instancePath;
    switch (e.keyword) {
      case "required":
        path += `/${(e.params as { missingProperty: string }).missingProperty}`;
        message = "is required.";
        break;
      case "additionalProperties":
        path += `/${(e.params as { additionalProperty: string }).additionalProperty}`;
        message = "is not a known property.";
        break;
      case "enum": message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")}.`; break;
      case "oneOf": message = "transform must be a transform name or an object with a type."; break;
      case "const": message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}.`; break;
      default: message = `${e.message ?? "is not valid"}.`;
    }
    problems.push({ path: pointerToPath(path), message });
  }
  return problems;
}

interface RawField {
  name: string;
  column: string;
  referralPath: string;
  direction: FieldDirection;
  policy: ConflictPolicy;
  sendOn?: SendOn;
  transform: string | ({ type: string } & Record<string, unknown>);
}

const isText = (v: unknown): v is string => typeof v === "string";
/** Enough of a field's shape for the rule checks to read it safely (the schema reports the rest). */
function hasFieldShape(raw: unknown): raw is RawField {
  if (raw === null || typeof raw !== "object") return false;
  const f = raw as Record<string, unknown>;
  const t = f.transform;
  return [f.name, f.column, f.referralPath, f.direction, f.policy].every(isText) &&
    (isText(t) || (t !== null && typeof t === "object" && isText((t as Record<string, unknown>).type)));
}

/** Reads and checks a mapping document; throws MappingError listing every problem, schema and rules alike. */
export function loadMapping(doc: unknown): Mapping {
  validateSchema ??= new Ajv({ allErrors: true, strict: true }).compile(SCHEMA);
  const schemaValid = validateSchema(doc);
  const problems: MappingProblem[] = schemaValid ? [] : schemaProblems(validateSchema.errors ?? []);
  if (!schemaValid && problems.length === 0) problems.push({ path: "$", message: "does not match the mapping schema." });
  const rawFields = (doc as { fields?: unknown } | null)?.fields;
  if (!Array.isArray(rawFields)) throw new MappingError(problems);
  const reported = new Set(problems.map((p) => p.path));

  const fields: MappedField[] = [];
  let status: MappedField | null = null;
  const names = new Map<string, number>();
  const paths = new Map<string, number>();
  const writtenColumns = new Map<string, number>();

  rawFields.forEach((raw: unknown, i) => {
    // A field the schema already found malformed is only checked as far as it can be read.
    if (!hasFieldShape(raw)) return;
    const at = (prop: string): string => `$.fields[${i}].${prop}`;
    const problem = (prop: string, message: string): void => {
      if (!reported.has(at(prop))) problems.push({ path: at(prop), message });
    };
    const before = problems.length;

    if (names.has(raw.name)) problem("name", `"${raw.name}" is already the name of field ${names.get(raw.name)}.`);
    names.set(raw.name, i);

    const columnRef = parseColumnPath(raw.column);
    if ("error" in columnRef) problem("column", columnRef.error);

    const segments = parseReferralPath(raw.referralPath);
    const kind = segments ? REFERRAL_FIELDS[pathPattern(raw.referralPath)] : undefined;
    if (!segments || !kind) {
      problem("referralPath", `"${raw.referralPath}" is not a referral field the engine knows (for example details.dealValue or customerProfile.team[0].email).`);
    } else if (segments.some((s) => typeof s === "number" && s > MAX_TEAM_INDEX)) {
      problem("referralPath", `"${raw.referralPath}" points past the ${MAX_TEAM_INDEX + 1} team members Partner Center allows.`);
    } else if (paths.has(raw.referralPath) && !splitsWith(rawFields[paths.get(raw.referralPath)!], raw)) {
      problem(
        "referralPath",
        `"${raw.referralPath}" is already mapped by field ${paths.get(raw.referralPath)}; one referral field takes one field, or two that split it (one toPartnerCenter, one toDynamics).`,
      );
    } else {
      if (!paths.has(raw.referralPath)) paths.set(raw.referralPath, i);
      const sendOn = raw.sendOn ?? "always";
      if (raw.direction !== "toDynamics" && sendOn === "always" && patchPathFor(toPointer(segments)) === undefined) {
        problem(
          "referralPath",
          `Partner Center does not take updates to ${toPointer(segments)} (a referral PATCH may only name ${PATCH_PATHS.join(", ")}); ` +
            `add "sendOn": "create" to send it only when the referral is created, or set direction to toDynamics.`,
        );
      }
    }
    if (raw.sendOn === "create" && raw.direction === "toDynamics") {
      problem("sendOn", `"create" applies to fields sent to Partner Center; this field only flows to Dynamics.`);
    }

    const { type, ...params } = typeof raw.transform === "string" ? { type: raw.transform } : raw.transform;
    const definition = TRANSFORMS.get(type);
    if (!definition) {
      problem("transform", `"${type}" is not a known transform (${[...TRANSFORMS.keys()].join(", ")}).`);
    } else if (kind) {
      if (!definition.kinds.includes(kind)) {
        problem("transform", `"${type}" cannot map ${raw.referralPath} (a ${kind} field); use ${[...TRANSFORMS.values()].filter((t) => t.kinds.includes(kind)).map((t) => t.type).join(" or ")}.`);
      } else {
        for (const message of definition.checkParams?.(params, kind) ?? []) problem("transform", message);
      }
    }

    if (!("error" in columnRef) && definition) {
      const bound = problems.length === before ? definition.bind(params, kind!) : undefined;
      const writesDynamics = raw.direction !== "toPartnerCenter";
      if (writesDynamics && bound && !bound.toDynamics) {
        problem("direction", `the "${type}" transform only works towards Partner Center; set direction to toPartnerCenter.`);
      } else if (writesDynamics && columnRef.table === "currency") {
        problem("direction", "currency columns are read-only to the sync; set direction to toPartnerCenter.");
      }
      if (type === "dealStatus" && raw.column !== "opportunity.statecode") {
        problem("column", "the dealStatus transform maps opportunity.statecode.");
      }
      if (writesDynamics) {
        if (writtenColumns.has(raw.column)) problem("column", `${raw.column} is already written by field ${writtenColumns.get(raw.column)}.`);
        writtenColumns.set(raw.column, i);
      }
      if (problems.length === before && bound) {
        const field: MappedField = {
          name: raw.name, column: raw.column, columnRef, referralPath: raw.referralPath,
          segments: segments!, pointer: toPointer(segments!), kind: kind!,
          direction: raw.direction, policy: raw.policy, sendOn: raw.sendOn ?? "always", transform: bound,
        };
        if (type === "dealStatus") status = field;
        else fields.push(field);
      }
    }
  });

  if (problems.length > 0) throw new MappingError(problems);
  for (const inbound of fields) {
    if (inbound.direction !== "toDynamics") continue;
    const outbound = fields.find((f) => f !== inbound && f.referralPath === inbound.referralPath);
    if (outbound) {
      inbound.outboundTwin = outbound;
      outbound.inboundTwin = inbound;
    }
  }
  const layout = registerLayout(fields.map((f) => f.name));
  const slotOf = new Map(layout.names.map((name, i) => [name, i]));
  return { version: 1, fields, status, layout, slots: fields.map((f) => slotOf.get(f.name)!), warnings: mappingWarnings(rawFields) };
}

/** Two fields may share a referral field only as its outbound and inbound halves. */
function splitsWith(first: unknown, second: RawField): boolean {
  if (!hasFieldShape(first)) return false;
  const directions = [first.direction, second.direction].sort().join(",");
  return directions === "toDynamics,toPartnerCenter";
}

/**
 * Free text written from both sides where Partner Center may win a conflict: Microsoft's text
 * would replace what the seller wrote in that column. Allowed, but named.
 */
function mappingWarnings(rawFields: readonly unknown[]): MappingProblem[] {
  const warnings: MappingProblem[] = [];
  rawFields.forEach((raw, i) => {
    if (!hasFieldShape(raw) || raw.direction !== "both" || (raw.policy !== "partnerCenterWins" && raw.policy !== "newestWins")) return;
    const type = typeof raw.transform === "string" ? raw.transform : raw.transform.type;
    if (type !== "text") return;
    warnings.push({
      path: `$.fields[${i}].policy`,
      message:
        `${raw.column} is free text written from both sides, and with "${raw.policy}" Partner Center's text can replace what the seller wrote. ` +
        `Use "dynamicsWins", or split it into a column sent to Partner Center and a read-only one filled from it (as notesForMicrosoft and notesFromMicrosoft do).`,
    });
  });
  return warnings;
}

let cachedDefault: Mapping | undefined;
/** The shipped mapping (default-mapping.json). */
export function defaultMapping(): Mapping {
  return (cachedDefault ??= loadMapping(defaultDocument));
}

/** The shipped document itself, e.g. for an admin to copy and edit. */
export function defaultMappingDocument(): unknown {
  return JSON.parse(JSON.stringify(defaultDocument));
}
