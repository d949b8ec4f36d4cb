/**
 * What Partner Center needs before a deal can be shared (partner-center.md §2, §4.5, D.4, D.5).
 * Every problem is reported at once, each naming the Dataverse column a seller has to fix.
 */
import { MONEY_RANGE } from "../contracts/money";
import { DEFAULT_CURRENCY_PRECISION, HELP_TYPES, OPPORTUNITY_COLUMNS, REFERRAL_VISIBILITY, TEXT_LENGTHS, type DynamicsDeal } from "../schema/dynamics";
import { amountProblem, plainNumber } from "./amounts";
import { MAX_SOLUTIONS, SOLUTION_ID_PATTERN } from "../schema/referral";
import { countryToIso2 } from "./countries";
import { isIsoCurrency } from "./currencies";

/** What is wrong, without the sentence: the form panel words it in the user's language. */
export interface ValidationCheck {
  /** Stable identifier, e.g. `solutions.missing`; callers may branch on it. */
  code: string;
  /** `table.column` of the Dataverse column to fix, e.g. `opportunity.cosell_solutionids`. */
  column: string;
  /**
   * The values the sentence names, in order: a translated sentence (the panel's `Problem_<code>`)
   * fills them in. A field of the default mapping is named by its field name (`dealName`), so the
   * reader shows its own label for it.
   */
  args?: Array<string | number>;
}

export interface CheckOptions {
  isNew?: boolean;
  /** "lastSynced": the account, contact and currency were not read; their rules wait for the next full read. */
  related?: "read" | "lastSynced";
}

/** A check with its sentence in English, as the service records it (validation-messages.ts). */
export interface ValidationProblem extends ValidationCheck {
  /** One sentence a seller understands. */
  message: string;
}

// Columns named by more than one problem: each literal would be repeated in the form panel's bundle.
const SOLUTIONS_COLUMN = "opportunity.cosell_solutionids";
const VALUE_COLUMN = "opportunity.estimatedvalue";
const CLOSE_DATE_COLUMN = "opportunity.estimatedclosedate";
const COUNTRY_COLUMN = "account.address1_country";
const EMAIL_COLUMN = "contact.emailaddress1";

/** A LENGTH_LIMITS entry (a call per row: the panel's bundle would repeat each property name). */
const maxLength = (column: string, field: string, max: number) => ({ column, field, max });

/**
 * Longest text Partner Center or the Dataverse column takes; one table so a limit changes in one place.
 * (Dataverse's own column limits for names/contact fields; 250 / 2000 for the referral's free text.)
 * `field`: the default mapping's name for the column, which readers label (the panel's `Field_<name>`).
 */
export const LENGTH_LIMITS: ReadonlyArray<{ column: string; field: string; max: number }> = [
  maxLength("opportunity.name", "dealName", 250),
  maxLength("opportunity.cosell_notesformicrosoft", "notesForMicrosoft", TEXT_LENGTHS[OPPORTUNITY_COLUMNS.notesForMicrosoft]),
  maxLength("account.name", "customerName", 160),
  maxLength("account.address1_line1", "customerStreet", 250),
  maxLength("account.address1_line2", "customerStreet2", 250),
  maxLength("account.address1_city", "customerCity", 80),
  maxLength("account.address1_stateorprovince", "customerState", 50),
  maxLength("account.address1_postalcode", "customerPostalCode", 20),
  maxLength("contact.firstname", "contactFirstName", 50),
  maxLength("contact.lastname", "contactLastName", 50),
  maxLength(EMAIL_COLUMN, "contactEmail", 100),
  maxLength("contact.telephone1", "contactPhone", 50),
];

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A solution id as Partner Center shows one: the hint in messages and the panel's placeholder. */
export const EXAMPLE_SOLUTION = "SOL-15974-MQF";

/** The raw entries of a solution-ID list: `;` separated, commas, newlines and spaces tolerated. */
function splitSolutionIds(text: string | null | undefined): string[] {
  const entries: string[] = [];
  if (text) scanSolutionIds(text, entries, null);
  return entries;
}

/** `\s` as RegExp reads it, for one character code. */
const isSpace = (c: number): boolean =>
  c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(String.fromCharCode(c)));
const isSeparator = (c: number): boolean => c === 59 /* ; */ || c === 44 /* , */ || isSpace(c);

/**
 * Appends the entries of `text` to `out`, by one pass over its characters (this runs on both sides
 * of a solutions field on every plan). With `keys`, an entry already there in any case is skipped.
 */
function scanSolutionIds(text: string, out: string[], keys: string[] | null): void {
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const separator = i === text.length || isSeparator(text.charCodeAt(i));
    if (!separator) {
      if (start < 0) start = i;
      continue;
    }
    if (start < 0) continue;
    const id = start === 0 && i === text.length ? text : text.slice(start, i);
    start = -1;
    if (keys) {
      const key = id.toUpperCase();
      if (keys.includes(key)) continue;
      keys.push(key);
    }
    out.push(id);
  }
}

/** Solution IDs in the order written, duplicates (any case) dropped. Invalid entries are kept; validation names them. */
export function parseSolutionIds(text: string | null | undefined): string[] {
  return solutionIdsOf(text ? [text] : []);
}

/** parseSolutionIds over several texts, as if they were one list (a referral's `solutions[].id`). */
export function solutionIdsOf(texts: readonly string[]): string[] {
  const ids: string[] = [];
  const keys: string[] = [];
  for (const text of texts) scanSolutionIds(text, ids, keys);
  return ids;
}

export function isValidSolutionId(id: string): boolean {
  return SOLUTION_ID_PATTERN.test(id);
}

/** `YYYY-MM-DD` as a real calendar date, or undefined. */
export function parseDateOnly(text: string | null | undefined): { y: number; m: number; d: number } | undefined {
  // By character codes, not a RegExp and a Date: this runs for a date field on every plan.
  if (typeof text !== "string" || text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const y = digits(text, 0, 4);
  const m = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return { y, m, d };
}

/** The number written by `count` ASCII digits at `from`; -1 if any is not a digit. */
function digits(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const quoteList = (items: string[]): string => items.map((s) => `"${s}"`).join(", ");
const blank = (v: unknown): boolean => v == null || (typeof v === "string" && v.trim() === "");

/** What Partner Center would refuse in `deal`, every problem at once (validateForPartnerCenter adds the English sentences). */
export function checkForPartnerCenter(
  deal: DynamicsDeal,
  now: Date,
  options: CheckOptions = {},
): ValidationCheck[] {
  const problems: ValidationCheck[] = [];
  const add = (code: string, column: string, ...args: Array<string | number>): void => {
    problems.push(args.length > 0 ? { code, column, args } : { code, column });
  };
  const { opportunity, account, contact, currency } = deal;
  const relatedRead = options.related !== "lastSynced";

  if (blank(opportunity.name)) add("name.missing", "opportunity.name");

  // Customer and address.
  if (!relatedRead) {
    // Not read: judged at the next full read.
  } else if (!account) {
    add("customer.missing", "opportunity.customerid");
  } else {
    if (blank(account.name)) add("customer.nameMissing", "account.name");
    const country = account.address1_country;
    if (blank(country)) {
      add("country.missing", COUNTRY_COLUMN);
    } else if (!countryToIso2(country as string)) {
      add("country.unknown", COUNTRY_COLUMN, String(country).trim());
    }
  }

  // Solutions (D.5).
  const entries = splitSolutionIds(opportunity.cosell_solutionids);
  if (entries.length === 0) {
    add("solutions.missing", SOLUTIONS_COLUMN, EXAMPLE_SOLUTION);
  } else {
    const invalid = entries.filter((id) => !isValidSolutionId(id));
    if (invalid.length > 0) {
      add("solutions.invalid", SOLUTIONS_COLUMN, quoteList(invalid), EXAMPLE_SOLUTION);
    }
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const id of entries) {
      const key = id.toUpperCase();
      if (seen.has(key)) duplicates.add(id);
      seen.add(key);
    }
    if (duplicates.size > 0) {
      add("solutions.duplicate", SOLUTIONS_COLUMN, quoteList([...duplicates]));
    }
    if (seen.size > MAX_SOLUTIONS) {
      add("solutions.tooMany", SOLUTIONS_COLUMN, MAX_SOLUTIONS, seen.size);
    }
  }

  // Deal value and currency.
  const value = opportunity.estimatedvalue;
  if (value == null) {
    add("dealValue.missing", VALUE_COLUMN);
  } else if (typeof value !== "number" || !Number.isFinite(value)) {
    add("dealValue.invalid", VALUE_COLUMN);
  } else if (value < 0) {
    add("dealValue.negative", VALUE_COLUMN);
  } else if (value > MONEY_RANGE.max) {
    add("dealValue.tooLarge", VALUE_COLUMN, plainNumber(MONEY_RANGE.max));
  } else if (relatedRead) {
    const decimals = currency?.currencyprecision ?? DEFAULT_CURRENCY_PRECISION;
    if (amountProblem(value, decimals)) {
      const code = currency?.isocurrencycode ?? "the currency";
      add("dealValue.precision", VALUE_COLUMN, plainNumber(value), code, decimals);
    }
  }
  if (!relatedRead) {
    // The currency row was not read.
  } else if (!currency || blank(currency.isocurrencycode)) {
    add("currency.missing", "opportunity.transactioncurrencyid");
  } else if (!isIsoCurrency(currency.isocurrencycode)) {
    add("currency.unknown", "currency.isocurrencycode", String(currency.isocurrencycode));
  }

  // Closing date.
  const closeDate = opportunity.estimatedclosedate;
  if (blank(closeDate)) {
    add("closeDate.missing", CLOSE_DATE_COLUMN);
  } else {
    const parsed = parseDateOnly(closeDate);
    if (!parsed) {
      add("closeDate.invalid", CLOSE_DATE_COLUMN, String(closeDate));
    } else if (options.isNew) {
      const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
      if (Date.UTC(parsed.y, parsed.m - 1, parsed.d) < today) {
        add("closeDate.past", CLOSE_DATE_COLUMN);
      }
    }
  }

  // Co-sell help needs a customer contact (D.4).
  const help = opportunity.cosell_howcanmicrosofthelp;
  if (help != null) {
    // Co-sell is a deal shared with Microsoft sellers (create-a-referral's three deal types).
    if (opportunity.cosell_referralvisibility === REFERRAL_VISIBILITY.Private) {
      add("visibility.privateCoSell", "opportunity.cosell_referralvisibility");
    }
    if (!HELP_TYPES.some((h) => h.value === help)) {
      add("helpType.unknown", "opportunity.cosell_howcanmicrosofthelp");
    }
    if (!relatedRead) {
      // The contact row was not read.
    } else if (!contact) {
      add("contact.missing", "opportunity.parentcontactid");
    } else {
      if (blank(contact.firstname)) add("contact.firstNameMissing", "contact.firstname");
      if (blank(contact.lastname)) add("contact.lastNameMissing", "contact.lastname");
      if (blank(contact.emailaddress1) && blank(contact.telephone1)) {
        add("contact.reachMissing", EMAIL_COLUMN);
      }
    }
  }
  if (contact && !blank(contact.emailaddress1) && !EMAIL_PATTERN.test(String(contact.emailaddress1).trim())) {
    add("contact.emailInvalid", EMAIL_COLUMN, String(contact.emailaddress1));
  }

  // Lengths.
  for (const limit of LENGTH_LIMITS) {
    const dot = limit.column.indexOf(".");
    const table = limit.column.slice(0, dot) as "opportunity" | "account" | "contact";
    if (!relatedRead && table !== "opportunity") continue;
    const record = deal[table];
    const text = record?.[limit.column.slice(dot + 1)];
    if (typeof text === "string" && text.length > limit.max) {
      add("text.tooLong", limit.column, limit.field, text.length, limit.max);
    }
  }
  return problems;
}
