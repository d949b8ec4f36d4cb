import { readFileSync } from "node:fs";
import { join } from "node:path";
import { format } from "../../controls/CoSellPanel/strings";
import { PROBLEM_CODES, STRING_KEYS } from "../../controls/CoSellPanel/stringKeys";
import { readResx, RESX_DIR } from "./resx";

const manifest = readFileSync(join(RESX_DIR, "..", "ControlManifest.Input.xml"), "utf8");
const manifestKeys = [...manifest.matchAll(/(?:display-name-key|description-key)="([^"]+)"/g)].map((m) => m[1]);

describe.each([1033, 1042])("strings/CoSellPanel.%i.resx", (lcid) => {
  const resx = readResx(lcid);

  it("has every string the panel and its manifest ask for, non-empty", () => {
    const missing = [...STRING_KEYS, ...manifestKeys].filter((k) => !resx.get(k)?.trim());
    expect(missing).toEqual([]);
  });

  it("keeps the same {n} slots as the English text", () => {
    const english = readResx(1033);
    const slots = (s: string): string => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort().join();
    const mismatched = [...english.keys()].filter((k) => slots(english.get(k)!) !== slots(resx.get(k) ?? ""));
    expect(mismatched).toEqual([]);
  });
});

it("Korean is a translation, not a copy", () => {
  const en = readResx(1033);
  const ko = readResx(1042);
  expect(ko.get("Status_SignInExpired")).not.toBe(en.get("Status_SignInExpired"));
  expect(ko.get("Status_SignInExpired")).toMatch(/[가-힣]/);
});

it("declares both languages in the manifest", () => {
  expect(manifest).toContain('<resx path="strings/CoSellPanel.1033.resx"');
  expect(manifest).toContain('<resx path="strings/CoSellPanel.1042.resx"');
});

it("format fills slots and leaves unknown ones visible", () => {
  expect(format("{1} of {0} {2}", 50, 3)).toBe("3 of 50 {2}");
});

it("has a sentence for every problem the engine's validation can raise", () => {
  const source = readFileSync(join(__dirname, "..", "..", "sync", "engine", "validation.ts"), "utf8");
  const raised = [...source.matchAll(/add\(\s*"([a-zA-Z]+\.[a-zA-Z]+)"/g)].map((m) => m[1]);
  expect(raised.length).toBeGreaterThan(20);
  expect([...PROBLEM_CODES].sort()).toEqual([...new Set(raised)].sort());
});
