// After `pcf-scripts build`: marks the panel's bundle for eager compilation. Every function in it runs
// while the control mounts, and V8 otherwise compiles each one on the main thread at its first call,
// in the middle of the form's first render. `//# allFunctionsCalledOnLoad` as the file's first line
// (V8's explicit compile hints, Chromium 136+; other engines read a comment) has them compiled with
// the script, off the main thread while it streams in. Added here because the production build's
// Terser drops every comment that is not a license, and moves those to bundle.js.LICENSE.txt.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const COMPILE_HINT = "//# allFunctionsCalledOnLoad";
const bundle = join(dirname(fileURLToPath(import.meta.url)), "..", "out", "controls", "CoSellPanel", "bundle.js");

if (!existsSync(bundle)) {
  console.error(`${bundle} not found: run pcf-scripts build first`);
  process.exit(1);
}
const text = readFileSync(bundle, "utf8");
if (!text.startsWith(COMPILE_HINT)) writeFileSync(bundle, `${COMPILE_HINT}\n${text}`);
