import fc from "fast-check";
import { canonicalEqual, TRANSFORMS, utcDayOf } from "../../sync/engine/transforms";

const bind = (type: string, kind: Parameters<NonNullable<ReturnType<typeof TRANSFORMS.get>>["bind"]>[1]) => TRANSFORMS.get(type)!.bind({}, kind);

describe("utcDayOf", () => {
  it("gives the UTC calendar day Date gives, for any instant of years 0 to 9999 and beyond", () => {
    const min = Date.UTC(-300, 0, 1);
    const max = Date.UTC(12000, 11, 31, 23, 59, 59, 999);
    fc.assert(fc.property(fc.integer({ min, max }), (ms) => {
      expect(utcDayOf(ms)).toBe(new Date(ms).toISOString().slice(0, 10));
    }), { numRuns: 5000 });
  });
  it.each([
    ["2024-02-29T23:59:59.999Z", "2024-02-29"], ["2024-03-01T00:00:00Z", "2024-03-01"], ["1999-12-31T23:00:00-02:00", "2000-01-01"],
    ["2100-02-28T12:00:00Z", "2100-02-28"], ["2000-02-29T00:00:00Z", "2000-02-29"], ["1969-12-31T23:59:59Z", "1969-12-31"],
  ])("reads %s as %s", (instant, day) => {
    expect(bind("utcDate", "dateTime").fromReferral(instant)).toBe(day);
  });
});

describe("text", () => {
  const text = bind("text", "text");
  it.each([
    ["Contoso", "Contoso"], ["  Contoso ", "Contoso"], ["Contoso\n", "Contoso"], ["\u00a0Contoso\u00a0", "Contoso"], ["Ünïcödé", "Ünïcödé"],
    ["", null], ["   ", null], ["\t\n", null], [42, "42"], [true, null], [null, null],
  ])("reads %p as %p", (input, expected) => {
    expect(text.fromDynamics(input)).toBe(expected);
  });
  it("trims exactly as String.prototype.trim does", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), fc.constantFrom("", " ", "\u00a0", "\u2003", "\n"), (s, pad) => {
      const t = (pad + s + pad).trim();
      expect(text.fromReferral(pad + s + pad)).toBe(t === "" ? null : t);
    }));
  });
});

describe("canonicalEqual", () => {
  it.each([
    [["SOL-1", "SOL-2"], ["SOL-1", "SOL-2"], true], [["SOL-1"], ["SOL-1", "SOL-2"], false], [["SOL-2", "SOL-1"], ["SOL-1", "SOL-2"], false],
    ["a", "a", true], [1, 1, true], [null, null, true], [null, "null", false], [["a"], "a", false], [0, false, false],
  ] as const)("%p vs %p → %p", (a, b, equal) => {
    expect(canonicalEqual(a, b)).toBe(equal);
    expect(canonicalEqual(b, a)).toBe(equal);
  });
});
