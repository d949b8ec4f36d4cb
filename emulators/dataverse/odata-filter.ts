/**
 * The `$filter` subset Dataverse clients use: eq/ne/gt/ge/lt/le, and/or/not, parentheses,
 * contains/startswith/endswith, the query functions `Microsoft.Dynamics.CRM.In` / `NotIn`
 * (`(PropertyName='col',PropertyValues=['a','b'])`: OData v4's `in` operator is not supported
 * by Dataverse), literals (strings, numbers, booleans, null, GUIDs, dates).
 * Property names are checked against the table (unknown → 400 like Dataverse), and a literal
 * of the wrong type for its column is rejected. String comparison is case-insensitive, as the
 * platform's collation is.
 */
import { faults } from "./errors";
import { isReadableColumn, type ColumnType, type TableDef } from "./schema";

type Literal = string | number | boolean | null;
type Op = "eq" | "ne" | "gt" | "ge" | "lt" | "le";
export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; expr: FilterNode }
  | { kind: "cmp"; op: Op; column: string; value: Literal }
  | { kind: "fn"; name: "contains" | "startswith" | "endswith"; column: string; value: string }
  | { kind: "in"; column: string; values: Literal[]; negate: boolean };

interface Token {
  type: "string" | "guid" | "date" | "number" | "qfn" | "ident" | "(" | ")" | "," | "[" | "]" | "=";
  text: string;
  at: number;
}

const TOKEN_PATTERNS: Array<[Token["type"], RegExp]> = [
  ["string", /'(?:[^']|'')*'/y],
  ["guid", /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/y],
  ["date", /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?(?![\w-])/y],
  ["number", /-?\d+(?:\.\d+)?(?![\w.])/y],
  ["qfn", /Microsoft\.Dynamics\.CRM\.[A-Za-z]+/y],
  ["ident", /[A-Za-z_][A-Za-z0-9_]*/y],
  ["(", /\(/y],
  [")", /\)/y],
  [",", /,/y],
  ["[", /\[/y],
  ["]", /\]/y],
  ["=", /=/y],
];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    let matched = false;
    for (const [type, re] of TOKEN_PATTERNS) {
      re.lastIndex = i;
      const m = re.exec(text);
      if (m) {
        tokens.push({ type, text: m[0], at: i });
        i += m[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) throw faults.syntax(`'${text.slice(i, i + 10)}' at position ${i} in $filter`);
  }
  return tokens;
}

const COMPARISONS = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
const FUNCTIONS = new Set(["contains", "startswith", "endswith"]);
/** The Dataverse query functions the emulator knows, by name after `Microsoft.Dynamics.CRM.`. */
const QUERY_FUNCTIONS = new Set(["In", "NotIn"]);
/** Dataverse's limit on the values one In/NotIn condition may list. */
export const MAX_IN_VALUES = 1000;

/** Parses and type-checks a $filter expression against `table`. */
export function parseFilter(text: string, table: TableDef): FilterNode {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (what: string): never => {
    const t = peek();
    throw faults.syntax(`${what} ${t ? `at '${t.text}' (position ${t.at})` : "at the end"} of $filter`);
  };
  const expect = (type: Token["type"]) => (peek()?.type === type ? tokens[pos++] : fail(`expected '${type}'`));
  const keyword = (word: string) => peek()?.type === "ident" && peek().text.toLowerCase() === word;

  const column = (): string => {
    const t = expect("ident");
    if (!isReadableColumn(table, t.text)) throw faults.unknownProperty(table.logicalName, t.text);
    return t.text;
  };

  const literal = (col: string): Literal => {
    const t = peek() ?? fail("expected a value");
    pos++;
    const type = table.columns[col];
    if (t.type === "ident") {
      const word = t.text.toLowerCase();
      if (word === "null") return null;
      if (word === "true" || word === "false") return checked(type, "bool", word === "true", col);
      return fail("expected a value");
    }
    if (t.type === "string") return checked(type, ["string", "memo"], t.text.slice(1, -1).replace(/''/g, "'"), col);
    if (t.type === "number") return checked(type, ["int", "decimal", "money", "choice"], Number(t.text), col);
    if (t.type === "guid") return checked(type, "guid", t.text.toLowerCase(), col);
    if (t.type === "date") return checked(type, ["datetime", "date"], normalizeDate(t.text, type), col);
    return fail("expected a value");
  };

  const checked = <T extends Literal>(actual: ColumnType, allowed: ColumnType | ColumnType[], value: T, col: string): T => {
    const ok = Array.isArray(allowed) ? allowed.includes(actual) : allowed === actual;
    if (!ok) {
      throw faults.invalidArgument(
        `A binary operator with incompatible types was detected. Found operand types '${edmType(actual)}' and a ${typeof value} literal for property '${col}'.`,
      );
    }
    return value;
  };

  /** The In/NotIn values arrive as strings; each must fit the column's type. */
  const inValue = (col: string, text: string): Literal => {
    const type = table.columns[col];
    if (type === "string" || type === "memo") return text;
    if (type === "guid" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return text.toLowerCase();
    if ((type === "int" || type === "choice" || type === "decimal" || type === "money") && /^-?\d+(?:\.\d+)?$/.test(text)) return Number(text);
    throw faults.invalidArgument(`PropertyValues of Microsoft.Dynamics.CRM.In: '${text}' is not a valid ${edmType(type)} value for property '${col}'.`);
  };

  /** `Microsoft.Dynamics.CRM.In(PropertyName='col',PropertyValues=['a','b'])`, parameters in any order. */
  const queryFunction = (name: string): FilterNode => {
    if (!QUERY_FUNCTIONS.has(name)) {
      throw faults.invalidArgument(`The query function 'Microsoft.Dynamics.CRM.${name}' is not supported by this emulator (it knows ${[...QUERY_FUNCTIONS].join(", ")}).`);
    }
    expect("(");
    let col: string | undefined;
    let texts: string[] | undefined;
    do {
      const param = expect("ident").text;
      expect("=");
      if (param === "PropertyName") {
        const t = expect("string");
        const text = t.text.slice(1, -1).replace(/''/g, "'");
        if (!isReadableColumn(table, text)) throw faults.unknownProperty(table.logicalName, text);
        col = text;
      } else if (param === "PropertyValues") {
        expect("[");
        texts = [];
        if (peek()?.type !== "]") {
          do texts.push(expect("string").text.slice(1, -1).replace(/''/g, "'"));
          while (peek()?.type === "," && ++pos);
        }
        expect("]");
      } else {
        throw faults.invalidArgument(`Microsoft.Dynamics.CRM.${name} has no parameter '${param}'; it takes PropertyName and PropertyValues.`);
      }
    } while (peek()?.type === "," && ++pos);
    expect(")");
    if (col === undefined || texts === undefined) {
      throw faults.invalidArgument(`Microsoft.Dynamics.CRM.${name} needs both PropertyName and PropertyValues.`);
    }
    if (texts.length === 0) throw faults.invalidArgument(`Microsoft.Dynamics.CRM.${name}: PropertyValues must list at least one value.`);
    if (texts.length > MAX_IN_VALUES) throw faults.invalidArgument(`Microsoft.Dynamics.CRM.${name}: PropertyValues may list at most ${MAX_IN_VALUES} values, got ${texts.length}.`);
    const column = col;
    return { kind: "in", column, values: texts.map((t) => inValue(column, t)), negate: name === "NotIn" };
  };

  const primary = (): FilterNode => {
    if (peek()?.type === "qfn") return queryFunction(tokens[pos++].text.slice("Microsoft.Dynamics.CRM.".length));
    if (peek()?.type === "(") {
      pos++;
      const inner = or();
      expect(")");
      return inner;
    }
    if (keyword("not")) {
      pos++;
      return { kind: "not", expr: primary() };
    }
    const t = peek() ?? fail("expected an expression");
    if (t.type === "ident" && FUNCTIONS.has(t.text.toLowerCase()) && tokens[pos + 1]?.type === "(") {
      pos += 2;
      const col = column();
      expect(",");
      const value = literal(col);
      expect(")");
      if (typeof value !== "string") return fail("expected a string");
      return { kind: "fn", name: t.text.toLowerCase() as "contains", column: col, value };
    }
    const col = column();
    const opToken = peek();
    if (opToken?.type !== "ident" || !COMPARISONS.has(opToken.text.toLowerCase())) return fail("expected a comparison operator");
    pos++;
    return { kind: "cmp", op: opToken.text.toLowerCase() as Op, column: col, value: literal(col) };
  };

  const and = (): FilterNode => {
    let left = primary();
    while (keyword("and")) {
      pos++;
      left = { kind: "and", left, right: primary() };
    }
    return left;
  };
  const or = (): FilterNode => {
    let left = and();
    while (keyword("or")) {
      pos++;
      left = { kind: "or", left, right: and() };
    }
    return left;
  };

  const node = or();
  if (pos < tokens.length) fail("unexpected token");
  return node;
}

function edmType(t: ColumnType): string {
  const map: Record<ColumnType, string> = {
    guid: "Edm.Guid", string: "Edm.String", memo: "Edm.String", int: "Edm.Int32", decimal: "Edm.Decimal", money: "Edm.Decimal",
    bool: "Edm.Boolean", datetime: "Edm.DateTimeOffset", date: "Edm.Date", choice: "Edm.Int32",
  };
  return map[t];
}

/** Dates are stored as `YYYY-MM-DD` (date-only) or ISO with whole seconds and `Z`. */
export function normalizeDate(value: string, type: ColumnType): string {
  if (type === "date") return value.slice(0, 10);
  const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function compare(a: unknown, b: Literal): number | undefined {
  if (a == null || b == null) return undefined;
  if (typeof a === "string" && typeof b === "string") {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return undefined;
}

export function evaluate(node: FilterNode, row: Record<string, unknown>): boolean {
  switch (node.kind) {
    case "and":
      return evaluate(node.left, row) && evaluate(node.right, row);
    case "or":
      return evaluate(node.left, row) || evaluate(node.right, row);
    case "not":
      return !evaluate(node.expr, row);
    case "fn": {
      const v = row[node.column];
      if (typeof v !== "string") return false;
      const s = v.toLowerCase();
      const q = node.value.toLowerCase();
      return node.name === "contains" ? s.includes(q) : node.name === "startswith" ? s.startsWith(q) : s.endsWith(q);
    }
    case "in": {
      const v = row[node.column] ?? null;
      const found = v !== null && node.values.some((x) => compare(v, x) === 0);
      return node.negate ? !found && v !== null : found;
    }
    case "cmp": {
      const v = row[node.column] ?? null;
      if (node.value === null || v === null) {
        const same = node.value === null && v === null;
        return node.op === "eq" ? same : node.op === "ne" ? !same : false;
      }
      const c = compare(v, node.value);
      if (c === undefined) return node.op === "ne";
      return { eq: c === 0, ne: c !== 0, gt: c > 0, ge: c >= 0, lt: c < 0, le: c <= 0 }[node.op];
    }
  }
}
