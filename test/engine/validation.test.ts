import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkForPartnerCenter, parseDateOnly, parseSolutionIds, LENGTH_LIMITS } from "../../sync/engine/validation";
import { validateForPartnerCenter, VALIDATION_CODES } from "../../sync/engine/validation-messages";
import { countryToIso2, ISO_COUNTRIES } from "../../sync/engine/countries";
import { NOW, validDeal } from "./fixtures";
import type { DynamicsDeal } from "../../sync/schema/dynamics";

const codes = (deal: DynamicsDeal, isNew = false): string[] =>
  validateForPartnerCenter(deal, NOW, { isNew }).map((p) => `${p.code}@${p.column}`);

describe("validateForPartnerCenter", () => {
  it("accepts a complete deal", () => {
    expect(validateForPartnerCenter(validDeal(), NOW, { isNew: true })).toEqual([]);
  });

  it("reports every problem at once, each naming the column to fix", () => {
    const deal = validDeal();
    deal.account = null;
    deal.currency = null;
    deal.opportunity.cosell_solutionids = "";
    deal.opportunity.estimatedvalue = -5;
    deal.opportunity.estimatedclosedate = null;
    deal.contact = null;
    expect(codes(deal)).toEqual([
      "customer.missing@opportunity.customerid",
      "solutions.missing@opportunity.cosell_solutionids",
      "dealValue.negative@opportunity.estimatedvalue",
      "currency.missing@opportunity.transactioncurrencyid",
      "closeDate.missing@opportunity.estimatedclosedate",
      "contact.missing@opportunity.parentcontactid",
    ]);
  });

  it("asks for a solution ID with an example", () => {
    const deal = validDeal();
    deal.opportunity.cosell_solutionids = null;
    expect(validateForPartnerCenter(deal, NOW)).toEqual([
      { code: "solutions.missing", column: "opportunity.cosell_solutionids", message: "Add at least one solution ID (for example SOL-15974-MQF).", args: ["SOL-15974-MQF"] },
    ]);
  });

  it("names malformed and repeated solution IDs", () => {
    const deal = validDeal();
    deal.opportunity.cosell_solutionids = "SOL-1, abc\nSOL-1 SOL-2;;sol-2";
    const problems = validateForPartnerCenter(deal, NOW);
    expect(problems.map((p) => p.code)).toEqual(["solutions.invalid", "solutions.duplicate"]);
    expect(problems[0].message).toContain('"abc"');
    expect(problems[0].message).toContain('"sol-2"');
    expect(problems[1].message).toContain('"SOL-1"');
  });

  it("limits solution IDs to 50", () => {
    const deal = validDeal();
    deal.opportunity.cosell_solutionids = Array.from({ length: 51 }, (_, i) => `SOL-${i}`).join(";");
    expect(codes(deal)).toEqual(["solutions.tooMany@opportunity.cosell_solutionids"]);
  });

  it("understands country names and codes, and says which one it could not read", () => {
    const deal = validDeal();
    deal.account!.address1_country = "Narnia";
    const [problem] = validateForPartnerCenter(deal, NOW);
    expect(problem.code).toBe("country.unknown");
    expect(problem.column).toBe("account.address1_country");
    expect(problem.message).toContain('"Narnia"');
    deal.account!.address1_country = "  ";
    expect(codes(deal)).toEqual(["country.missing@account.address1_country"]);
    deal.account!.address1_country = "de";
    expect(codes(deal)).toEqual([]);
  });

  it("needs a named customer account", () => {
    const deal = validDeal();
    deal.account!.name = "";
    expect(codes(deal)).toEqual(["customer.nameMissing@account.name"]);
  });

  it("needs an ISO 4217 currency", () => {
    const deal = validDeal();
    deal.currency = { isocurrencycode: "EURO" };
    expect(codes(deal)).toEqual(["currency.unknown@currency.isocurrencycode"]);
  });

  it("needs a deal value that is a number of 0 or more", () => {
    const deal = validDeal();
    deal.opportunity.estimatedvalue = null;
    expect(codes(deal)).toEqual(["dealValue.missing@opportunity.estimatedvalue"]);
    deal.opportunity.estimatedvalue = 0;
    expect(codes(deal)).toEqual([]);
    deal.opportunity.estimatedvalue = Number.NaN;
    expect(codes(deal)).toEqual(["dealValue.invalid@opportunity.estimatedvalue"]);
  });

  it("rejects a close date in the past only for a new referral", () => {
    const deal = validDeal();
    deal.opportunity.estimatedclosedate = "2025-06-14";
    expect(codes(deal, true)).toEqual(["closeDate.past@opportunity.estimatedclosedate"]);
    expect(codes(deal, false)).toEqual([]);
    deal.opportunity.estimatedclosedate = "2025-06-15"; // today is fine
    expect(codes(deal, true)).toEqual([]);
    deal.opportunity.estimatedclosedate = "2025-02-30";
    expect(codes(deal, true)).toEqual(["closeDate.invalid@opportunity.estimatedclosedate"]);
  });

  it.each([
    ["2024-02-29", { y: 2024, m: 2, d: 29 }], ["2000-02-29", { y: 2000, m: 2, d: 29 }], ["2025-12-31T23:00:00Z", { y: 2025, m: 12, d: 31 }],
    ["2025-02-29", undefined], ["1900-02-29", undefined], ["2025-04-31", undefined], ["2025-13-01", undefined], ["2025-00-10", undefined],
    ["2025-1-01", undefined], ["2025/01/01", undefined], ["20a5-01-01", undefined], ["2025-01-00", undefined], ["", undefined],
  ])("reads the date-only text %s as a real calendar day or not at all", (text, expected) => {
    expect(parseDateOnly(text)).toEqual(expected);
  });

  it("needs a reachable, named contact only when Microsoft's help is asked for", () => {
    const deal = validDeal();
    deal.contact = { contactid: "c", firstname: " ", lastname: null, emailaddress1: null, telephone1: null };
    expect(codes(deal)).toEqual([
      "contact.firstNameMissing@contact.firstname",
      "contact.lastNameMissing@contact.lastname",
      "contact.reachMissing@contact.emailaddress1",
    ]);
    deal.contact.telephone1 = "+49 30 1234";
    deal.contact.firstname = "Ada";
    deal.contact.lastname = "L";
    expect(codes(deal)).toEqual([]);
    deal.opportunity.cosell_howcanmicrosofthelp = null;
    deal.contact = null;
    expect(codes(deal)).toEqual([]);
  });

  it("rejects an unknown help choice and a malformed email", () => {
    const deal = validDeal();
    deal.opportunity.cosell_howcanmicrosofthelp = 42;
    deal.contact!.emailaddress1 = "ada at contoso";
    expect(codes(deal)).toEqual([
      "helpType.unknown@opportunity.cosell_howcanmicrosofthelp",
      "contact.emailInvalid@contact.emailaddress1",
    ]);
  });

  it.each(LENGTH_LIMITS.map((l) => [l.column, l.max] as const))("limits %s to %i characters", (column, max) => {
    const deal = validDeal();
    const [table, name] = column.split(".") as ["opportunity" | "account" | "contact", string];
    const text = name === "emailaddress1" ? `${"a".repeat(max)}@x.io` : "x".repeat(max + 1);
    (deal[table] as Record<string, unknown>)[name] = text;
    const problems = validateForPartnerCenter(deal, NOW).filter((p) => p.code === "text.tooLong");
    expect(problems).toEqual([expect.objectContaining({ column, message: expect.stringContaining(`at most ${max}`) })]);
  });
});

describe("parseSolutionIds", () => {
  it("splits on semicolons, commas, newlines and spaces and drops repeats", () => {
    expect(parseSolutionIds(" SOL-1;SOL-2,\nSOL-3  sol-1;; ")).toEqual(["SOL-1", "SOL-2", "SOL-3"]);
    expect(parseSolutionIds(null)).toEqual([]);
  });
});

describe("countryToIso2", () => {
  it.each([
    ["Germany", "DE"], ["de", "DE"], ["Côte d’Ivoire", "CI"], ["Ivory Coast", "CI"], ["United States of America", "US"],
    ["USA", "US"], ["UK", "GB"], ["The Netherlands", "NL"], ["Holland", "NL"], ["Bosnia & Herzegovina", "BA"],
    ["Türkiye", "TR"], ["Turkey", "TR"], ["south korea", "KR"], ["St. Helena", "SH"],
  ])("reads %s as %s", (input, code) => {
    expect(countryToIso2(input)).toBe(code);
  });
  it.each(["Narnia", "XX", "", "  ", "Germany!!x"])("does not guess %p", (input) => {
    expect(countryToIso2(input)).toBeUndefined();
  });
});

describe("country table", () => {
  it("holds every assigned alpha-2 code once, each name and code reading back as that code", () => {
    const codes = Object.keys(ISO_COUNTRIES);
    expect(codes).toHaveLength(249);
    expect(new Set(codes).size).toBe(249);
    for (const [code, name] of Object.entries(ISO_COUNTRIES)) {
      expect(code).toMatch(/^[A-Z]{2}$/);
      expect(name.trim()).toBe(name);
      expect([code, countryToIso2(name), countryToIso2(code.toLowerCase())]).toEqual([code, code, code]);
    }
    expect(ISO_COUNTRIES.DE).toBe("Germany");
    expect(ISO_COUNTRIES.CI).toBe("Côte d’Ivoire");
  });
  it.each([
    ["the bahamas", "BS"], ["Czech Republic", "CZ"], ["Swaziland", "SZ"], ["Burma", "MM"], ["U.S. Virgin Islands", "VI"],
    ["Virgin Islands, British", "VG"], ["Heard Island and McDonald Islands", "HM"], ["Bonaire", "BQ"], ["Congo", "CG"], ["DR Congo", "CD"],
  ])("reads the alias %s as %s", (input, code) => {
    expect(countryToIso2(input)).toBe(code);
  });
});

describe("parseSolutionIds", () => {
  /** The rule as first written: split on `;`, `,` and white space, drop empties, then duplicates in any case. */
  const byRegExp = (text: string): string[] => {
    const seen = new Set<string>();
    return text.split(/[;,\s]+/).filter(Boolean).filter((id) => !seen.has(id.toUpperCase()) && !!seen.add(id.toUpperCase()));
  };
  it("splits and de-duplicates exactly as the RegExp rule does, for any text", () => {
    const chars = fc.constantFrom("S", "O", "L", "-", "1", "2", "a", "s", ";", ",", " ", "\n", "\t", "\u00a0", "\u2003", "\u3000", "é");
    fc.assert(fc.property(fc.array(chars, { maxLength: 40 }).map((cs) => cs.join("")), (text) => {
      expect(parseSolutionIds(text)).toEqual(byRegExp(text));
    }), { numRuns: 500, seed: 7 });
  });
  it("keeps the first spelling of an ID written twice", () => {
    expect(parseSolutionIds(" sol-2;SOL-1,\u00a0SOL-2\nsol-1 ")).toEqual(["sol-2", "SOL-1"]);
  });
});

describe("English sentences", () => {
  it("has one for every code the checks can raise, and none for a code they do not", () => {
    const source = readFileSync(join(__dirname, "..", "..", "sync", "engine", "validation.ts"), "utf8");
    const raised = new Set([...source.matchAll(/add\(\s*"([a-zA-Z]+\.[a-zA-Z]+)"/g)].map((m) => m[1]));
    expect(raised.size).toBeGreaterThan(20);
    expect([...VALIDATION_CODES].sort()).toEqual([...raised].sort());
  });

  it("names a field that is too long as a sentence starts with it", () => {
    const deal = validDeal();
    deal.account!.address1_city = "x".repeat(81);
    expect(validateForPartnerCenter(deal, NOW).map((p) => p.message)).toEqual(["The customer's city is 81 characters long; Partner Center takes at most 80."]);
    expect(checkForPartnerCenter(deal, NOW)).toEqual([{ code: "text.tooLong", column: "account.address1_city", args: ["customerCity", 81, 80] }]);
  });
});
