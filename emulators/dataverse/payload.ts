/**
 * Turns a create/update JSON body into column values: each property must be a column of the
 * table with a value of its type; `nav@odata.bind` sets a lookup after checking the target row
 * exists. Dataverse rejects anything else with 400, so the emulator does too.
 */
import { MONEY_RANGE } from "../../sync/contracts/dataverse";
import { faults, DataverseFault } from "./errors";
import { normalizeDate } from "./odata-filter";
import { READ_ONLY_COLUMNS, tableBySet, type ColumnType, type TableDef } from "./schema";
import { LOOKUP_TARGET_SUFFIX, type DataverseStore, type Row } from "./store";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BIND_PATH = /(?:^|\/)([A-Za-z_][A-Za-z0-9_]*)\(([0-9a-fA-F-]{36})\)$/;

export function isGuid(value: unknown): value is string {
  return typeof value === "string" && GUID.test(value);
}

/** Parses `/accounts(<id>)` or an absolute `…/api/data/v9.2/accounts(<id>)`. */
export function parseEntityReference(value: string): { entitySet: string; id: string } | undefined {
  const m = BIND_PATH.exec(value.trim());
  return m && isGuid(m[2]) ? { entitySet: m[1], id: m[2].toLowerCase() } : undefined;
}

function coerce(t: TableDef, column: string, type: ColumnType, value: unknown): unknown {
  if (value === null) return null;
  const bad = (expected: string): never => {
    throw faults.badValue(t.logicalName, column, expected);
  };
  switch (type) {
    case "string":
    case "memo":
      return typeof value === "string" ? value : bad("Edm.String");
    case "int":
    case "choice":
      return typeof value === "number" && Number.isInteger(value) ? value : bad("Edm.Int32");
    case "decimal":
      return typeof value === "number" && Number.isFinite(value) ? value : bad("Edm.Decimal");
    case "money":
      if (typeof value !== "number" || !Number.isFinite(value)) return bad("Edm.Decimal");
      if (value < MONEY_RANGE.min || value > MONEY_RANGE.max) throw faults.moneyOutOfRange(t.logicalName, column);
      return value;
    case "bool":
      return typeof value === "boolean" ? value : bad("Edm.Boolean");
    case "guid":
      return isGuid(value) ? value.toLowerCase() : bad("Edm.Guid");
    case "date":
      return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : bad("Edm.Date");
    case "datetime":
      return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? normalizeDate(value, type) : bad("Edm.DateTimeOffset");
  }
}

/**
 * Column values from a JSON body. `resolveReference` maps a batch `$n` Content-ID reference
 * to an entity path; outside a batch it is absent.
 */
export function toColumnValues(
  t: TableDef,
  body: unknown,
  store: DataverseStore,
  resolveReference?: (ref: string) => string | undefined,
): Row {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new DataverseFault(400, "0x80048d19", `Error identified in Payload provided by the user for Entity :'${t.logicalName}'. The body must be a JSON object.`);
  }
  const values: Row = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key.endsWith("@odata.bind")) {
      const nav = key.slice(0, -"@odata.bind".length);
      const lookup = t.lookups[nav];
      if (!lookup) throw faults.undeclaredPayloadProperty(t.logicalName, nav);
      const column = `_${lookup.attribute}_value`;
      if (value === null) {
        values[column] = null;
        continue;
      }
      const path = typeof value === "string" && value.startsWith("$") ? resolveReference?.(value) : value;
      // The documented answer to a Content-ID that no earlier part declared (execute-batch-operations-using-web-api.md).
      if (path === undefined && typeof value === "string" && /^\$\d+$/.test(value)) {
        throw faults.invalidArgument(`Content-ID Reference: '${value}' does not exist in the batch context.`);
      }
      const ref = typeof path === "string" ? parseEntityReference(path) : undefined;
      if (!ref) throw faults.badValue(t.logicalName, key, "an entity reference like '/accounts(<guid>)'");
      if (ref.entitySet !== lookup.target) {
        throw faults.invalidArgument(`'${key}' must reference ${lookup.target}, not ${ref.entitySet}.`);
      }
      const target = tableBySet(ref.entitySet)!;
      store.require(target, ref.id);
      values[column] = ref.id;
      values[`${column}${LOOKUP_TARGET_SUFFIX}`] = target.logicalName;
      continue;
    }
    if (key.startsWith("@") || key.includes("@odata.")) continue; // annotations are not data
    const type = t.columns[key];
    if (!type || key.startsWith("_")) throw faults.undeclaredPayloadProperty(t.logicalName, key);
    if (READ_ONLY_COLUMNS.has(key)) throw faults.readOnly(t.logicalName, key);
    values[key] = coerce(t, key, type, value);
  }
  return values;
}
