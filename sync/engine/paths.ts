/**
 * Addressing values on both sides: referral paths (`customerProfile.team[0].email`) and
 * Dataverse column paths (`account.address1_country`).
 */
import type { DynamicsDeal } from "../schema/dynamics";

export type PathSegment = string | number;

const REFERRAL_PATH = /^[A-Za-z][A-Za-z0-9]*(?:\[\d+\])?(?:\.[A-Za-z][A-Za-z0-9]*(?:\[\d+\])?)*$/;

/** `a.b[0].c` → ["a", "b", 0, "c"]; undefined when the text is not a path. */
export function parseReferralPath(path: string): PathSegment[] | undefined {
  if (!REFERRAL_PATH.test(path)) return undefined;
  const segments: PathSegment[] = [];
  for (const part of path.split(".")) {
    const match = /^([A-Za-z0-9]+)(?:\[(\d+)\])?$/.exec(part)!;
    segments.push(match[1]);
    if (match[2] !== undefined) segments.push(Number(match[2]));
  }
  return segments;
}

/** The path with indexes generalised (`team[0].email` → `team[].email`), as the field catalogue names it. */
export function pathPattern(path: string): string {
  return path.replace(/\[\d+\]/g, "[]");
}

/** RFC 6901 JSON pointer for segments. */
export function toPointer(segments: readonly PathSegment[]): string {
  return segments.map((s) => "/" + String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

export function fromPointer(pointer: string): PathSegment[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`"${pointer}" is not a JSON pointer (it must start with "/").`);
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function getIn(root: unknown, segments: readonly PathSegment[]): unknown {
  let node: unknown = root;
  for (const segment of segments) {
    if (node == null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[segment as string];
  }
  return node;
}

/** Sets a value, creating missing objects/arrays along the way (mutates `root`). */
export function setIn(root: Record<string, unknown>, segments: readonly PathSegment[], value: unknown): void {
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i];
    let next = node[key];
    if (next == null || typeof next !== "object") {
      next = typeof segments[i + 1] === "number" ? [] : {};
      node[key] = next;
    }
    node = next as Record<string | number, unknown>;
  }
  node[segments[segments.length - 1]] = value;
}

export const DEAL_TABLES = ["opportunity", "account", "contact", "currency"] as const;
export type DealTable = (typeof DEAL_TABLES)[number];
/** Dataverse logical names: lower case letters, digits and underscores. */
export const LOGICAL_NAME = /^[a-z_][a-z0-9_]*$/;

export interface ColumnRef {
  table: DealTable;
  column: string;
}

export function parseColumnPath(path: string): ColumnRef | { error: string } {
  const dot = path.indexOf(".");
  const table = dot < 0 ? path : path.slice(0, dot);
  const column = dot < 0 ? "" : path.slice(dot + 1);
  if (!(DEAL_TABLES as readonly string[]).includes(table)) {
    return { error: `"${table}" is not one of ${DEAL_TABLES.join(", ")} (write the column as table.column).` };
  }
  if (!LOGICAL_NAME.test(column)) {
    return { error: `"${column}" is not a Dataverse logical column name (lower case letters, digits, underscores).` };
  }
  return { table: table as DealTable, column };
}

export function getColumn(deal: DynamicsDeal, ref: ColumnRef): unknown {
  const record = tableOf(deal, ref.table);
  return record ? record[ref.column] : undefined;
}

/** A switch, not `deal[table]`: four fixed property reads are cheaper than one lookup by a varying key. */
function tableOf(deal: DynamicsDeal, table: DealTable): Record<string, unknown> | null {
  switch (table) {
    case "opportunity": return deal.opportunity;
    case "account": return deal.account;
    case "contact": return deal.contact;
    default: return deal.currency as unknown as Record<string, unknown> | null;
  }
}
