/**
 * The slice of OData the Referrals API documents (partner-center.md §1.4): `$filter` with
 * eq/ne/ge/gt/le/lt, and/or, parentheses and `team/any(t:t/email eq '…')` on the documented
 * fields; `$orderby` createdDateTime / updatedDateTime. Anything else is a 400 with the reason.
 */
import {
  REFERRAL_DIRECTIONS, REFERRAL_QUALIFICATIONS, REFERRAL_STATUSES, REFERRAL_SUBSTATUSES, REFERRAL_TYPES,
  type Referral,
} from "../../sync/schema/referral";

export class ODataError extends Error {
  constructor(message: string, readonly target: string) {
    super(message);
    this.name = "ODataError";
  }
}

type FieldKind = { kind: "enum"; values: readonly string[] } | { kind: "string" } | { kind: "date" };

/** Filterable fields and how their literals are typed. */
const FIELDS: Record<string, { kind: FieldKind; get: (r: Referral) => unknown }> = {
  status: { kind: { kind: "enum", values: REFERRAL_STATUSES }, get: (r) => r.status },
  substatus: { kind: { kind: "enum", values: REFERRAL_SUBSTATUSES }, get: (r) => r.substatus },
  type: { kind: { kind: "enum", values: REFERRAL_TYPES }, get: (r) => r.type },
  direction: { kind: { kind: "enum", values: REFERRAL_DIRECTIONS }, get: (r) => r.direction },
  qualification: { kind: { kind: "enum", values: REFERRAL_QUALIFICATIONS }, get: (r) => r.qualification },
  engagementId: { kind: { kind: "string" }, get: (r) => r.engagementId },
  externalReferenceId: { kind: { kind: "string" }, get: (r) => r.externalReferenceId },
  "customerProfile/address/country": { kind: { kind: "string" }, get: (r) => r.customerProfile?.address?.country },
  updatedDateTime: { kind: { kind: "date" }, get: (r) => r.updatedDateTime },
  createdDateTime: { kind: { kind: "date" }, get: (r) => r.createdDateTime },
};

export const ORDERABLE_FIELDS = ["createdDateTime", "updatedDateTime"] as const;

type Token =
  | { t: "str"; v: string }
  | { t: "word"; v: string }
  | { t: "punct"; v: "(" | ")" | ":" | "/" | "," };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'") {
      let v = "";
      i++;
      for (;;) {
        if (i >= src.length) throw new ODataError("unterminated string literal in $filter", "$filter");
        if (src[i] === "'") {
          if (src[i + 1] === "'") { v += "'"; i += 2; continue; }
          i++;
          break;
        }
        v += src[i++];
      }
      out.push({ t: "str", v });
      continue;
    }
    if (c === "(" || c === ")" || c === ":" || c === "/" || c === ",") { out.push({ t: "punct", v: c }); i++; continue; }
    const m = /^[A-Za-z0-9_.:+-]+/.exec(src.slice(i));
    if (!m) throw new ODataError(`unexpected character "${c}" in $filter at position ${i}`, "$filter");
    // A DateTimeOffset literal contains ':'; words never start with a digit otherwise.
    const word = /^\d/.test(m[0]) ? m[0] : m[0].replace(/:.*/, "");
    out.push({ t: "word", v: word });
    i += word.length;
  }
  return out;
}

type Predicate = (r: Referral) => boolean;
const COMPARISONS = ["eq", "ne", "ge", "gt", "le", "lt"] as const;
type Comparison = (typeof COMPARISONS)[number];

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Predicate {
    const p = this.or();
    if (this.pos < this.tokens.length) throw new ODataError(`unexpected "${this.tokens[this.pos].v}" in $filter`, "$filter");
    return p;
  }

  private peekWord(v: string): boolean {
    const t = this.tokens[this.pos];
    return t?.t === "word" && t.v.toLowerCase() === v;
  }

  private expect(v: string): void {
    const t = this.tokens[this.pos];
    if (!t || t.v !== v) throw new ODataError(`expected "${v}" in $filter${t ? ` but found "${t.v}"` : " at the end"}`, "$filter");
    this.pos++;
  }

  private or(): Predicate {
    let left = this.and();
    while (this.peekWord("or")) {
      this.pos++;
      const a = left, b = this.and();
      left = (r) => a(r) || b(r);
    }
    return left;
  }

  private and(): Predicate {
    let left = this.term();
    while (this.peekWord("and")) {
      this.pos++;
      const a = left, b = this.term();
      left = (r) => a(r) && b(r);
    }
    return left;
  }

  private path(): string {
    const parts: string[] = [];
    for (;;) {
      const t = this.tokens[this.pos];
      if (t?.t !== "word") throw new ODataError(`expected a field name in $filter${t ? ` but found "${t.v}"` : ""}`, "$filter");
      parts.push(t.v);
      this.pos++;
      if (this.tokens[this.pos]?.v !== "/") return parts.join("/");
      this.pos++;
    }
  }

  private term(): Predicate {
    if (this.tokens[this.pos]?.v === "(") {
      this.pos++;
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    const start = this.pos;
    const path = this.path();
    if (path === "team/any") {
      this.pos = start;
      return this.teamAny();
    }
    const field = FIELDS[path];
    if (!field) throw new ODataError(`$filter on "${path}" is not supported`, "$filter");
    const opTok = this.tokens[this.pos++];
    const op = opTok?.v.toLowerCase() as Comparison;
    if (opTok?.t !== "word" || !COMPARISONS.includes(op)) throw new ODataError(`expected a comparison (eq, ne, ge, gt, le, lt) after "${path}"`, "$filter");
    const literal = this.tokens[this.pos++];
    if (!literal) throw new ODataError(`missing value after "${path} ${op}"`, "$filter");
    return comparison(path, field.kind, field.get, op, literal);
  }

  /** `team/any(t:t/email eq 'x@y')`: a seller on the referral's team. */
  private teamAny(): Predicate {
    this.path(); // team/any
    this.expect("(");
    const v = this.tokens[this.pos++];
    if (v?.t !== "word") throw new ODataError("team/any needs a range variable", "$filter");
    this.expect(":");
    const p = this.path();
    if (p !== `${v.v}/email`) throw new ODataError(`team/any supports only ${v.v}/email, not "${p}"`, "$filter");
    const op = this.tokens[this.pos++];
    if (op?.v.toLowerCase() !== "eq") throw new ODataError("team/any supports only eq", "$filter");
    const lit = this.tokens[this.pos++];
    if (lit?.t !== "str") throw new ODataError("team/any email must be a quoted string", "$filter");
    this.expect(")");
    const email = lit.v.toLowerCase();
    return (r) => (r.team ?? []).some((m) => (m.email ?? "").toLowerCase() === email);
  }
}

function comparison(path: string, kind: FieldKind, get: (r: Referral) => unknown, op: Comparison, literal: Token): Predicate {
  if (literal.t === "word" && literal.v.toLowerCase() === "null") {
    if (op !== "eq" && op !== "ne") throw new ODataError(`null can only be compared with eq / ne (${path})`, "$filter");
    return (r) => (get(r) == null) === (op === "eq");
  }
  if (kind.kind === "date") {
    // OData v4 DateTimeOffset literals are unquoted.
    if (literal.t !== "word" || Number.isNaN(Date.parse(literal.v)) || !/^\d{4}-\d{2}-\d{2}T/.test(literal.v)) {
      throw new ODataError(`${path} must be compared with an unquoted DateTimeOffset such as 2024-01-31T00:00:00Z (got ${literal.t === "str" ? `'${literal.v}'` : literal.v})`, "$filter");
    }
    const bound = Date.parse(literal.v);
    return (r) => {
      const value = get(r);
      return typeof value === "string" && compare(Date.parse(value) - bound, op);
    };
  }
  if (literal.t !== "str") throw new ODataError(`${path} must be compared with a quoted string`, "$filter");
  if (kind.kind === "enum") {
    const canonical = kind.values.find((v) => v.toLowerCase() === literal.v.toLowerCase());
    if (!canonical) throw new ODataError(`"${literal.v}" is not a valid ${path} (one of ${kind.values.join(", ")})`, "$filter");
    if (op !== "eq" && op !== "ne") throw new ODataError(`${path} supports only eq / ne`, "$filter");
    return (r) => (get(r) === canonical) === (op === "eq");
  }
  return (r) => {
    const value = get(r);
    if (typeof value !== "string") return op === "ne";
    return compare(value < literal.v ? -1 : value > literal.v ? 1 : 0, op);
  };
}

function compare(diff: number, op: Comparison): boolean {
  switch (op) {
    case "eq": return diff === 0;
    case "ne": return diff !== 0;
    case "ge": return diff >= 0;
    case "gt": return diff > 0;
    case "le": return diff <= 0;
    case "lt": return diff < 0;
  }
}

export function parseFilter(filter: string): Predicate {
  if (!filter.trim()) throw new ODataError("$filter is empty", "$filter");
  return new Parser(tokenize(filter)).parse();
}

export type Sorter = (a: Referral, b: Referral) => number;

export function parseOrderBy(orderBy: string): Sorter {
  const clauses = orderBy.split(",").map((c) => c.trim()).filter(Boolean);
  if (clauses.length === 0) throw new ODataError("$orderby is empty", "$orderby");
  const sorters = clauses.map((clause) => {
    const [field, dir = "asc", ...rest] = clause.split(/\s+/);
    if (!(ORDERABLE_FIELDS as readonly string[]).includes(field) || rest.length > 0 || !["asc", "desc"].includes(dir.toLowerCase())) {
      throw new ODataError(`$orderby "${clause}" is not supported (use ${ORDERABLE_FIELDS.join(" or ")} asc|desc)`, "$orderby");
    }
    const sign = dir.toLowerCase() === "desc" ? -1 : 1;
    const key = field as (typeof ORDERABLE_FIELDS)[number];
    return (a: Referral, b: Referral) => sign * (Date.parse(a[key] ?? "") - Date.parse(b[key] ?? ""));
  });
  return (a, b) => {
    for (const s of sorters) {
      const d = s(a, b);
      if (d !== 0) return d;
    }
    return 0; // ties keep insertion order (Array.prototype.sort is stable)
  };
}
