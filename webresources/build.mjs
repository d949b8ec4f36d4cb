// Builds the ribbon web resources into out/webresources/cosell_/: ribbon.js (global CoSell.Ribbon),
// the self-contained decline dialog page, and the command icons.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "out", "webresources", "cosell_");
mkdirSync(join(out, "icons"), { recursive: true });

// The browsers Dynamics supports, as the control's build reads them (pcfconfig.json `targets`, Babel's form).
const browsers = JSON.parse(readFileSync(join(here, "..", "pcfconfig.json"), "utf8")).targets;
const target = Object.entries(browsers).map(([browser, version]) => `${browser}${version}`);
const common = { bundle: true, minify: true, format: "iife", target, platform: "browser", legalComments: "none", logLevel: "warning" };

await esbuild.build({
  ...common,
  entryPoints: [join(here, "ribbon", "index.ts")],
  globalName: "CoSell.Ribbon",
  outfile: join(out, "ribbon.js"),
});

const dialog = await esbuild.build({ ...common, entryPoints: [join(here, "declinedialog", "dialog.ts")], write: false });
// "</" inside an inline script would end the script element early.
const script = dialog.outputFiles[0].text.replace(/<\//g, "<\\/");
const template = readFileSync(join(here, "declinedialog", "declinedialog.html"), "utf8");
if (!template.includes("/*DIALOG_SCRIPT*/")) throw new Error("declinedialog.html lost its /*DIALOG_SCRIPT*/ slot");
writeFileSync(join(out, "declinedialog.html"), template.replace("/*DIALOG_SCRIPT*/", () => script));

for (const icon of readdirSync(join(here, "icons")).filter((f) => f.endsWith(".svg"))) {
  copyFileSync(join(here, "icons", icon), join(out, "icons", icon));
}
console.log(`web resources written to ${out}`);
