// Builds every part: the PCF control, the ribbon web resources, the solution zips, the cosell command and the Azure Functions app.
import { execSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

process.env.PP_TOOLS_TELEMETRY_OPTOUT = "true";
const run = (cmd) => {
  console.log(`\n> ${cmd}`);
  execSync(cmd, { stdio: "inherit", env: process.env });
};

const hasControls = existsSync("controls") && readdirSync("controls", { recursive: true }).some((f) => String(f).endsWith("ControlManifest.Input.xml"));
if (hasControls) run("npm run build:controls");
if (existsSync("webresources/build.mjs")) run("npm run build:webresources");
if (existsSync("solution/pack.ts")) run("npm run pack");
// The form section the install command applies, for review (solution/form-section.ts).
run("npx tsx solution/form-section.ts");
run("npm run build:service");
