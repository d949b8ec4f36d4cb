/**
 * `$select`, `$expand` (single-valued navigation properties with nested `$select`), `$orderby`,
 * `$top` and `$filter` over the emulator's rows, and the JSON shape Dataverse answers with
 * (`@odata.etag` on every row, lookups as `_x_value`, write-only columns never returned).
 */
import { faults } from "./errors";
import { evaluate, parseFilter, type FilterNode } from "./odata-filter";
import { isReadableColumn, tableBySet, type TableDef } from "./schema";
import { etagOf, type DataverseStore, type Row } from "./store";

export interface ExpandOption {
  navigation: string;
  select?: string[];
}

export interface QueryOptions {
  select?: string[];
  expand: ExpandOption[];
  filter?: FilterNode;
  orderBy: Array<{ column: string; descending: boolean }>;
  top?: number;
  count: boolean;
}

const KNOWN_OPTIONS = new Set(["$select", "$expand", "$filter", "$orderby", "$top", "$count", "$skiptoken"]);

function parseSelect(text: string, t: TableDef): string[] {
  const cols = text.split(",").map((c) => c.trim()).filter(Boolean);
  for (const c of cols) if (!isReadableColumn(t, c)) throw faults.unknownProperty(t.logicalName, c);
  return cols;
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

function parseExpand(text: string, t: TableDef): ExpandOption[] {
  return splitTopLevel(text, ",").map((item) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$/.exec(item);
    if (!m) throw faults.syntax(`'${item}' in $expand`);
    const lookup = t.lookups[m[1]];
    if (!lookup) throw faults.unknownProperty(t.logicalName, m[1]);
    const target = tableBySet(lookup.target)!;
    const option: ExpandOption = { navigation: m[1] };
    for (const nested of m[2] ? splitTopLevel(m[2], ";") : []) {
      const [name, value] = [nested.slice(0, nested.indexOf("=")), nested.slice(nested.indexOf("=") + 1)];
      if (name !== "$select") throw faults.invalidArgument(`The query option '${name}' is not supported inside $expand of '${m[1]}'.`);
      option.select = parseSelect(value, target);
    }
    return option;
  });
}

export function parseQuery(params: URLSearchParams, t: TableDef): QueryOptions {
  for (const name of params.keys()) {
    if (name.startsWith("$") && !KNOWN_OPTIONS.has(name)) throw faults.invalidArgument(`The query parameter ${name} is not supported.`);
  }
  const top = params.get("$top");
  if (top !== null && !/^\d+$/.test(top)) throw faults.invalidArgument(`Invalid value '${top}' for $top.`);
  const orderBy = (params.get("$orderby") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((clause) => {
      const [column, dir = "asc"] = clause.split(/\s+/);
      if (!isReadableColumn(t, column)) throw faults.unknownProperty(t.logicalName, column);
      if (dir !== "asc" && dir !== "desc") throw faults.syntax(`'${clause}' in $orderby`);
      return { column, descending: dir === "desc" };
    });
  const select = params.get("$select");
  const expand = params.get("$expand");
  const filter = params.get("$filter");
  return {
    select: select ? parseSelect(select, t) : undefined,
    expand: expand ? parseExpand(expand, t) : [],
    filter: filter ? parseFilter(filter, t) : undefined,
    orderBy,
    top: top === null ? undefined : Number(top),
    count: params.get("$count") === "true",
  };
}

export function filterAndSort(rows: Row[], q: QueryOptions): Row[] {
  const kept = q.filter ? rows.filter((r) => evaluate(q.filter!, r)) : [...rows];
  if (q.orderBy.length > 0) {
    kept.sort((a, b) => {
      for (const { column, descending } of q.orderBy) {
        const x = a[column] ?? null;
        const y = b[column] ?? null;
        if (x === y) continue;
        // Nulls sort first ascending, as in SQL Server.
        const c = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
        return descending ? -c : c;
      }
      return 0;
    });
  }
  return q.top === undefined ? kept : kept.slice(0, q.top);
}

function pick(t: TableDef, row: Row, select: string[] | undefined): Row {
  const out: Row = { "@odata.etag": etagOf(row) };
  const cols = select ?? Object.keys(t.columns).filter((c) => isReadableColumn(t, c));
  for (const c of cols) out[c] = row[c] ?? null;
  // Dataverse always returns the primary key.
  out[t.primaryKey] = row[t.primaryKey];
  return out;
}

/** One row as Dataverse returns it, with its expanded lookups. */
export function project(t: TableDef, row: Row, q: Pick<QueryOptions, "select" | "expand">, store: DataverseStore): Row {
  const out = pick(t, row, q.select);
  for (const e of q.expand) {
    const lookup = t.lookups[e.navigation];
    const target = tableBySet(lookup.target)!;
    const id = row[`_${lookup.attribute}_value`];
    const related = typeof id === "string" ? store.get(target, id) : undefined;
    out[e.navigation] = related ? pick(target, related, e.select) : null;
  }
  return out;
}
