/**
 * The build output the packer tests use: the real one in out/ when `npm run build` has made it
 * (npm test does), otherwise a stand-in made from the control's source manifest and small web
 * resources, so the XML wiring is still checked. The stand-in cannot prove that the real
 * ribbon.js defines the functions: the test says so when it uses it.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const ROOT = join(__dirname, "../..");
const NEEDED = [
  "controls/CoSellPanel/ControlManifest.xml", "controls/CoSellPanel/bundle.js", "webresources/cosell_/ribbon.js",
  "webresources/cosell_/declinedialog.html", ...["sync", "open", "accept", "decline"].map((i) => `webresources/cosell_/icons/${i}.svg`),
];

export function buildOutput(): { outDir: string; real: boolean } {
  const real = join(ROOT, "out");
  if (NEEDED.every((f) => existsSync(join(real, f)))) return { outDir: real, real: true };
  const dir = mkdtempSync(join(tmpdir(), "cosell-out-"));
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  const input = readFileSync(join(ROOT, "controls/CoSellPanel/ControlManifest.Input.xml"), "utf8");
  write("controls/CoSellPanel/ControlManifest.xml", input.replace(/<code path="[^"]*"/, '<code path="bundle.js"'));
  write("controls/CoSellPanel/bundle.js", "/* stand-in bundle */");
  cpSync(join(ROOT, "controls/CoSellPanel/strings"), join(dir, "controls/CoSellPanel/strings"), { recursive: true });
  write("webresources/cosell_/ribbon.js", "var CoSell = { Ribbon: { syncNow() {}, openInPartnerCenter() {}, acceptReferral() {}, declineReferral() {}, canSyncNow() { return true; }, canRespond() { return true; }, canOpenInPartnerCenter() { return true; } } };");
  write("webresources/cosell_/declinedialog.html", "<!DOCTYPE html><html><body></body></html>");
  for (const i of ["sync", "open", "accept", "decline"]) write(`webresources/cosell_/icons/${i}.svg`, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"/>');
  return { outDir: dir, real: false };
}

/** The team's ../shared (Microsoft's schema, the solution-format notes): a user's own clone lacks it. */
export const SHARED = join(ROOT, "../shared");

/**
 * A test that needs something a user's clone may lack runs only when it is there; otherwise it is
 * skipped and says why in one line. `missing` pairs each condition with that line; the first true one wins.
 */
export function itUnlessMissing(name: string, missing: Array<[boolean, string]>, fn: () => void): void {
  const skipped = missing.find(([absent]) => absent)?.[1];
  if (!skipped) return void it(name, fn);
  process.stderr.write(`${skipped}\n`);
  it.skip(skipped, fn);
}
